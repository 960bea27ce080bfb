"""Quotes and route planning for bookings: the routing engine plus customs duties, on the
operator's network. Used by POST /v1/rates and by booking."""
