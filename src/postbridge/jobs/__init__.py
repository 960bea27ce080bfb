"""Durable jobs (rows in ``jobs``, claimed with leases) and the outbox relay with its
idempotent consumers. Primitives only: which jobs exist and who consumes what is wired in the
composition root and run by ``postbridge worker``."""
