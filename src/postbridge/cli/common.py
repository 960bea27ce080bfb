"""Shared CLI plumbing: the platform for a command, and one-line errors instead of tracebacks."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from postbridge.bootstrap import Platform, build_platform
from postbridge.config import get_settings, settings_problem
from postbridge.errors import PostbridgeError

P = ParamSpec("P")
R = TypeVar("R")

stderr = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)


def platform() -> Platform:
    return build_platform(get_settings())


def fail(message: str, code: int = 2) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into 'error: <field>: <message>' on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PostbridgeError as exc:
            raise fail(exc.detail) from None
        except ValidationError as exc:  # a setting from the environment or the .env file
            first = exc.errors(include_url=False)[0]
            field = str(first["loc"][0]) if first["loc"] else ""
            raise fail(f"{settings_problem(exc.title, field)}: {first['msg']}") from None
        except SQLAlchemyError as exc:
            raise fail(
                f"database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            ) from None
        except OSError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            sys.exit(130)

    return wrapper
