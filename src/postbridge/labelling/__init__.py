"""Label production: a stored shipment as label data, rendered (labels/), and recorded."""
