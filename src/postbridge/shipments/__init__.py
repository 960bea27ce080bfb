"""Shipment capture: booking by API, CSV or CLI; numbering; lifecycle; reading."""
