"""``peacekg serve``: the service's own command, added to the ``peacekg`` group through the
``peacekg.commands`` entry point (pyproject.toml), so that the library (kg) never imports the
service. Like every command it parses, calls one function and lets kg.cli map our errors."""

from __future__ import annotations

import click

from kg.cli.common import handles_errors
from kg.settings import Settings


@click.command("serve")
@click.option("--host", help="Overrides the host setting (default 127.0.0.1).")
@click.option("--port", type=int, help="Overrides the port setting.")
@click.option("--threads", type=int, default=8, show_default=True, help="HTTP threads of the WSGI server.")
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="Front a remote SPARQL endpoint instead of the local build (setting store_url).",
)
@click.option("--debug", is_flag=True, help="Flask's development server (never in production).")
@click.pass_obj
@handles_errors
def serve_command(
    settings: Settings, host: str | None, port: int | None, threads: int, store_url: str | None, debug: bool
) -> None:
    """Serve the current store (or a remote one, --store) over SPARQL 1.1 with waitress (a production WSGI server)."""
    from service import create_app

    given = (("host", host), ("port", port), ("store_url", store_url))
    settings = settings.replace(**{k: v for k, v in given if v is not None})
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    click.echo(f"PeaceKG is serving at {url}  (SPARQL endpoint: {url}/sparql, health: {url}/health)")
    if debug:
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=False)
        return
    import gc

    import waitress

    # Flask's, rdflib's and pyparsing's objects live as long as the process: out of the collector's
    # sight, a full collection during a request scans only what requests made (one was 85 ms in the
    # request loop before; the query workers do the same, service/execution/worker_loop.py)
    gc.freeze()
    waitress.serve(app, host=settings.host, port=settings.port, threads=threads, ident="PeaceKG")
