"""Logs as JSON lines: time, level, logger, message, the request id, and ids, never personal data.

A log line must never carry a recipient's name, street, phone, email or tax id. Our own messages
name ids only; the danger is in exceptions. SQL parameters are hidden at the engine
(``hide_parameters``), and the drivers' own texts are dropped here: PostgreSQL's ``DETAIL`` of a
constraint violation repeats the values ("Key (email)=(...)", "Failing row contains (...)"),
and pydantic's errors repeat the input. What such an exception leaves is its type, its SQLSTATE
and the constraint, table and column it names, and where it was raised.
"""

from __future__ import annotations

import json
import logging
import logging.config
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The id of the HTTP request being served; set by the API's request id middleware.
REQUEST_ID: ContextVar[str | None] = ContextVar("postbridge_request_id", default=None)

# Attributes every LogRecord has; anything else came in through ``extra=`` (ids, durations).
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's message again, with terminal colours
}
# Modules whose exception texts may repeat the data of the failing statement or input.
_DATA_ECHOING_MODULES = ("psycopg", "pydantic", "pydantic_core")
_SQLALCHEMY = "sqlalchemy"
_MAX_MESSAGE = 500


def describe_exception(error: BaseException) -> dict[str, Any]:
    """Type, a message safe to log, and the raising frames of one exception (not its chain)."""
    kind = type(error)
    module = kind.__module__
    described: dict[str, Any] = {"type": f"{module}.{kind.__qualname__}"}
    if module.startswith(_SQLALCHEMY):
        # The statement text carries placeholders only; the driver's message is the cause's.
        statement = getattr(error, "statement", None)
        if statement:
            described["sql"] = str(statement)[:_MAX_MESSAGE]
    elif module.startswith(_DATA_ECHOING_MODULES):
        diagnostic = getattr(error, "diag", None)
        for field in ("sqlstate", "constraint_name", "table_name", "column_name"):
            value = getattr(diagnostic, field, None) or getattr(error, field, None)
            if isinstance(value, str) and value:
                described[field] = value
    else:
        described["message"] = str(error)[:_MAX_MESSAGE]
    described["frames"] = [
        f"{frame.filename}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)[-8:]
    ]
    return described


def describe_chain(error: BaseException) -> list[dict[str, Any]]:
    """The exception and its causes, outermost first (at most five, cycles cut)."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 5:
        seen.add(id(current))
        chain.append(describe_exception(current))
        current = current.__cause__ or current.__context__
    return chain


def error_summary(error: BaseException) -> str:
    """One line about ``error`` safe to store and show (a job's ``last_error``, a batch's error):
    its type and message, or for a database error its SQLSTATE and the constraint, table and
    column, never the values of the failing statement."""
    parts = []
    for described in describe_chain(error)[:2]:
        name = described["type"].rsplit(".", 1)[-1]
        detail = described.get("message") or ", ".join(
            f"{field}={described[field]}"
            for field in ("sqlstate", "constraint_name", "table_name", "column_name")
            if field in described
        )
        parts.append(f"{name}: {' '.join(detail.split())}" if detail else name)
        if not described["type"].startswith(_SQLALCHEMY):
            break  # only a database wrapper's cause says more than the error itself
    return " <- ".join(parts)


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage()[:2000],
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            # Only scalars from ``extra=``: ids, statuses, durations.
            if key not in _RECORD_ATTRIBUTES and isinstance(value, str | int | float | bool):
                line[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = describe_chain(record.exc_info[1])
        return json.dumps(line, ensure_ascii=False)


def logging_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for JSON lines on stderr from every logger. Also handed
    to uvicorn (``log_config=``), which applies it in each of its worker processes."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonLineFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's loggers write through the root handler (its own would print plain text).
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(level: str = "info") -> None:
    logging.config.dictConfig(logging_config(level))
