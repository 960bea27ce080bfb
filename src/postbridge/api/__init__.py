"""Cross-cutting HTTP: error rendering, auth dependencies, the /v1 router."""
