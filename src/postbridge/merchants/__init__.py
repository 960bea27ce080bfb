"""Merchants, operators and their API keys."""
