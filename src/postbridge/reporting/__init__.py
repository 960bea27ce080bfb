"""Reporting: the figures of the console dashboard and the partner health page, aggregated in
SQL over the shipments, tracking and hand-over tables (read only, bounded time windows)."""
