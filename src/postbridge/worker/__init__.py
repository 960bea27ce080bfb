"""``postbridge worker``: the process that runs durable jobs and relays the outbox."""
