"""SQLAlchemy 2 plumbing: engine, declarative base, unit of work and the outbox it writes.
No business rules here."""
