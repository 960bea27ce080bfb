"""Entry point: ``postbridge --help`` lists every command with a one-line description."""

from __future__ import annotations

import typer

from postbridge.cli import book, labels, merchants, plan
from postbridge.cli.common import one_line_errors, stdout
from postbridge.config import get_settings

app = typer.Typer(
    name="postbridge",
    help="Cross-border parcel logistics: capture, plan, document, integrate, track.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(merchants.app, name="merchants")
app.add_typer(db_app, name="db")
app.command("book")(book.book)
app.command("csv-template")(book.template)
app.command("labels")(labels.labels)
app.command("plan")(plan.plan)
app.add_typer(plan.departures_app, name="departures")


@db_app.command("upgrade")
@one_line_errors
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from postbridge.migrations import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    stdout.print(f"database at {revision}: {_redact(url)}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("serve")
@one_line_errors
def serve(
    host: str = typer.Option(None, help="Bind address (default from POSTBRIDGE_HOST)."),
    port: int = typer.Option(None, help="Port (default from POSTBRIDGE_PORT)."),
    demo: bool = typer.Option(False, "--demo", help="Migrate and seed the demo merchant first."),
) -> None:
    """Serve the API, /docs and the web console."""
    import uvicorn

    from postbridge.app import create_app
    from postbridge.cli.demo import prepare_demo

    settings = get_settings()
    if demo:
        prepare_demo(settings)
    bind_host = host or settings.host
    bind_port = port or settings.port
    stdout.print(f"postbridge on http://{bind_host}:{bind_port}  (API docs: /docs)")
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level=settings.log_level)


if __name__ == "__main__":
    app()
