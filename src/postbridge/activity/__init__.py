"""Merchants' daily activity: parcels booked, labelled and cancelled per UTC day and destination,
a projection the outbox relay keeps up to date from shipment events (for the console)."""
