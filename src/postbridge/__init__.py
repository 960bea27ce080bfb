"""postbridge: cross-border e-commerce parcel logistics."""

__version__ = "0.1.0"
