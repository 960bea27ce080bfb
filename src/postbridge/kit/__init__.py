"""Domain-agnostic building blocks: money, measures, countries, time, ids, storable text, memos,
shared terms, events, versioned documents and the API's pydantic bases. No database, HTTP or
files here."""
