"""SQLAlchemy 2 plumbing: engine, declarative base, unit of work. No business rules here."""
