"""``peacekg review [ARTICLE]``: start the review app on 127.0.0.1 (added to the ``peacekg`` group
through the ``peacekg.commands`` entry point, so the library never imports Flask)."""

from __future__ import annotations

import click

from kg.cli.common import handles_errors
from kg.settings import Settings


@click.command("review")
@click.argument("article", required=False)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8766, show_default=True, help="The port (peacekg serve uses 8765)."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="A loopback address only (anything else is refused)."
)
@click.pass_obj
@handles_errors
def review_command(settings: Settings, article: str | None, port: int, host: str) -> None:
    """Review an article's draft annotations in the browser: accept, edit or reject statements,
    select text to add mentions, statements and reference individuals, save to the YAML.
    ARTICLE: an article id (or its .txt/.yaml path); default: a list of the corpus's articles."""
    from pathlib import Path

    import waitress

    from service.review import create_review_app, require_local_host

    host = require_local_host(host)
    article_id = Path(article).stem if article else None
    app = create_review_app(settings, article_id)
    server = waitress.create_server(app, host=host, port=port, threads=4, ident="PeaceKG review")
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"PeaceKG review: http://{shown}:{server.effective_port}/  (Ctrl+C stops it)", err=False)
    server.run()
