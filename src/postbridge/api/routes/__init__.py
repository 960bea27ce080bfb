"""One router module per context; endpoints are thin: auth, parse, one service call.

Handlers and dependencies that touch the database or do CPU work (quoting, rendering) are plain
``def``, which FastAPI runs in its thread pool; ``async def`` is kept for what never blocks
(``/healthz``, the principal-cache hit), so the event loop keeps answering under load.
"""
