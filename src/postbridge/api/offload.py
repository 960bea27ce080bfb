"""Blocking work off the event loop, on a plain thread pool (issue 16).

A plain ``def`` route runs in Starlette's ``run_in_threadpool`` (anyio's ``to_thread``: a
cancel scope, a capacity limiter, a ``queue.Queue`` whose ``Condition.notify`` wakes the
worker thread). Profiled under 8 concurrent clients, that hop cost 13-15 % of the CPU of a
single read or booking, most of it on the event loop. ``run_blocking`` is the same hop through
``concurrent.futures`` (a C ``SimpleQueue``): measured 40 against 60 µs of CPU per call. The
hot routes are ``async def`` and hand their database and CPU work to it, so nothing blocking
runs on the loop; the context (the request id of the log lines) goes along, as anyio's does.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# As many threads as anyio's default limiter lets Starlette use: the SQLite pool keeps as many
# connections (storage.engine.SQLITE_POOL_SIZE), the load shedder bounds what is in flight.
THREADS = 40
_executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="postbridge-api")


async def run_blocking(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` in the API's thread pool, awaited."""
    context = contextvars.copy_context()
    call = functools.partial(context.run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor, call)
