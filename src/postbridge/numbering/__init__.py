"""Tracking numbers: S10 serial ranges and partner number counters, allocated without collision."""
