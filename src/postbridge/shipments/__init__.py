"""Shipments: validate what was captured, book and cancel one, read and list them; the booking
status. Bulk capture is in ``bulk/``, numbering in ``numbering/``, labels in ``labelling/``."""
