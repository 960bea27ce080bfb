"""``postbridge users``: the people who sign in to the web console."""

from __future__ import annotations

import sys

import typer

from postbridge.cli.common import fail, one_line_errors, platform
from postbridge.console import service
from postbridge.merchants.models import Role

app = typer.Typer(help="Create console users (merchant users, operators).", no_args_is_help=True)


@app.command("create")
@one_line_errors
def create(
    email: str = typer.Argument(..., help="E-mail address the user signs in with."),
    merchant: str | None = typer.Option(
        None, "--merchant", help="Merchant id (mch_...): the user sees this merchant only."
    ),
    operator: bool = typer.Option(False, "--operator", help="Operator: sees every merchant."),
) -> None:
    """Create a console user. The password is asked twice without echo at a terminal, or read
    from the first line of standard input (``... < file``); never from the command line."""
    if operator == (merchant is not None):
        raise fail("give exactly one of --merchant MERCHANT_ID and --operator")
    password = _read_password()
    plat = platform()
    user = service.create_user(
        database=plat.database, email=email, password=password,
        role=Role.OPERATOR if operator else Role.MERCHANT, merchant_id=merchant,
    )  # fmt: skip
    scope = "operator" if user.role is Role.OPERATOR else f"user of {user.merchant_id}"
    typer.echo(f"created {scope} {user.email} ({user.id})")


@app.command("list")
@one_line_errors
def list_all() -> None:
    """List console users (e-mail, role, merchant)."""
    for user in service.list_users(database=platform().database):
        typer.echo(f"{user.id}  {user.email}  {user.role.value}  {user.merchant_id or '-'}")


@app.command("sign-out")
@one_line_errors
def sign_out_everywhere(
    email: str = typer.Argument(..., help="The user's e-mail address."),
) -> None:
    """End every console session of the user (a lost laptop, a leaked cookie)."""
    revoked = service.sign_out_everywhere(database=platform().database, email=email)
    typer.echo(f"revoked {revoked} session{'s' if revoked != 1 else ''} of {email.strip().lower()}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    if not line:
        raise fail("no password: type it at the prompt or pass it on standard input")
    return line.rstrip("\r\n")
