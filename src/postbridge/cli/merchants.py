from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from postbridge.cli.common import one_line_errors, platform, stdout
from postbridge.merchants import service
from postbridge.merchants.models import Role

app = typer.Typer(help="Create merchants and manage their API keys.", no_args_is_help=True)


@app.command("create")
@one_line_errors
def create(
    name: str = typer.Argument(..., help="Merchant name, unique."),
    operator: bool = typer.Option(False, "--operator", help="Operator role: sees all merchants."),
) -> None:
    """Create a merchant and print its API key once (alone on the last line)."""
    plat = platform()
    role = Role.OPERATOR if operator else Role.MERCHANT
    created = service.create_merchant(
        database=plat.database, name=name, role=role, pepper=plat.settings.secret_key
    )
    typer.echo(f"created {created.role.value} {created.name} ({created.merchant_id})")
    typer.echo("API key (shown once, store it now):", err=True)
    typer.echo(created.token)


@app.command("key")
@one_line_errors
def new_key(merchant_id: str = typer.Argument(..., help="Merchant id (mch_...).")) -> None:
    """Issue another API key for a merchant; printed once on the last line."""
    plat = platform()
    token = service.create_key(
        database=plat.database, merchant_id=merchant_id, pepper=plat.settings.secret_key
    )
    typer.echo(token)


@app.command("list")
@one_line_errors
def list_all() -> None:
    """List merchants and their keys (prefixes only; secrets are never stored)."""
    plat = platform()
    merchants = service.list_merchants(database=plat.database)
    keys = service.list_keys(database=plat.database)
    # Ids and prefixes are printed whole (they are copied into other commands); the name, with
    # its role under it, wraps instead, so the table fits 80 columns.
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("merchant", min_width=12, overflow="fold")
    table.add_column("id", no_wrap=True, min_width=len("mch_") + 26)
    table.add_column("key prefix", no_wrap=True)
    table.add_column("created", no_wrap=True)
    table.add_column("state", no_wrap=True)
    by_merchant: dict[str, list[service.KeyListing]] = {}
    for key in keys:
        by_merchant.setdefault(key.merchant_id, []).append(key)
    for merchant in merchants:
        name = Text(merchant.name)
        name.append(f"\n{merchant.role}", style="dim")
        merchant_keys = by_merchant.get(merchant.id) or []
        if not merchant_keys:
            table.add_row(name, merchant.id, "-", "-", "-")
        for key in merchant_keys:
            state = "revoked" if key.revoked else "active"
            table.add_row(name, merchant.id, key.prefix, key.created_at[:10], state)
    stdout.print(table)


@app.command("revoke")
@one_line_errors
def revoke(
    prefix: str = typer.Argument(..., help="Key prefix as listed, or the whole key."),
) -> None:
    """Revoke an API key: refused from now on, except by a server that checked it in the last
    5 seconds, which goes on accepting it until then (API processes cache a checked key)."""
    plat = platform()
    service.revoke_key(database=plat.database, prefix=prefix)
    typer.echo(f"revoked {prefix}")
