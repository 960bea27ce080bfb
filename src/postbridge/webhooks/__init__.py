"""Merchant webhooks: endpoints, Standard Webhooks signatures, delivery from the outbox by the
worker (fan-out consumer, then a delivery loop with retries over days), the events API."""
