"""Domain-agnostic building blocks: money, measures, countries, time. No I/O here."""
