"""Entry point: ``postbridge --help`` lists every command with a one-line description."""

from __future__ import annotations

import typer

from postbridge.cli import book, labels, merchants, plan, sandbox, serve, tracking, worker
from postbridge.cli import users as users_cli
from postbridge.cli.common import one_line_errors, stdout
from postbridge.config import get_settings

# Click's plain help: Typer's rich panels print a "<bool>" type after on/off flags, which take
# no value; the plain layout shows value types only for options that take one.
app = typer.Typer(
    name="postbridge",
    help="Cross-border parcel logistics: capture, plan, document, integrate, track.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(merchants.app, name="merchants")
app.add_typer(users_cli.app, name="users")
app.add_typer(db_app, name="db")
app.command("book")(book.book)
app.command("csv-template")(book.template)
app.command("labels")(labels.labels)
app.command("plan")(plan.plan)
app.add_typer(plan.departures_app, name="departures")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.add_typer(worker.jobs_app, name="jobs")
app.add_typer(tracking.app, name="tracking")
app.add_typer(sandbox.app, name="sandbox")
app.command("simulate")(sandbox.simulate)


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


if __name__ == "__main__":
    app()
