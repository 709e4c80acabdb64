"""``peacekg`` commands that use a built graph: query it (stored queries), plot it, push it
to a remote store, and link its individuals to Wikidata. Registered on the group by kg/cli/group.py."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import handles_errors
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.store.push import Auth


@click.command("link")
@click.option(
    "--endpoint",
    metavar="URL",
    help="SPARQL endpoint with Wikidata-shaped data. Default: the link_endpoint "
    "setting (https://query.wikidata.org/sparql).",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY",
    help="Only this reference individual (repeatable). "
    "Default: every actor, organisation, state, place, event and agreement without a verified Wikidata id.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    default=("en", "mul"),
    show_default=True,
    help="Languages of the labels and aliases to match (repeatable).",
)
@click.option(
    "--max-candidates",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Candidates kept per individual (the best first).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The review file. Default: <build_dir>/link/wikidata-candidates.yaml.",
)
@click.pass_obj
@handles_errors
def link_command(
    settings: Settings,
    endpoint: str | None,
    keys: tuple[str, ...],
    languages: tuple[str, ...],
    max_candidates: int,
    out: Path | None,
) -> None:
    """Find candidate Wikidata items for reference individuals without one, scored and explained,
    into a review file. Nothing is applied: a reviewer moves accepted ids into corpus/reference."""
    from kg.link.candidates import reconcile
    from kg.link.review import write_review

    document = reconcile(
        settings,
        endpoint=endpoint,
        keys=keys or None,
        languages=languages,
        max_candidates=max_candidates,
        progress=click.echo,
    )
    path = out or Path(settings.build_dir) / "link" / "wikidata-candidates.yaml"
    changed = write_review(path, document)
    click.echo(
        f"{'wrote' if changed else 'unchanged'} {path}: {document['individuals']} individual(s); "
        f"{document['single']} with one strong candidate, {document['ambiguous']} ambiguous, "
        f"{document['weak']} with weak candidates only, {document['none']} without candidates. "
        "Review it; nothing was applied."
    )


@click.command("query")
@click.argument("name", required=False)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the stored query (repeatable); bound as an RDF term of its declared type.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table: aligned text; csv: SPARQL results CSV; json: SPARQL results JSON.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries and their parameters.")
@click.option(
    "--queries-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the stored queries. Default: queries/ of the repository.",
)
@click.pass_obj
@handles_errors
def query_command(
    settings: Settings,
    name: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_queries: bool,
    queries_dir: Path | None,
) -> None:
    """Run the stored query NAME (queries/NAME.rq, see queries/README.md) on the current store.

    A query that pages (`pages:` in --list) returns one page; while a page has rows, the option
    that asks for the next one is printed on stderr (`next page: --param after=…`), so stdout
    stays the results. An empty page is the last."""
    from kg.queries.run import listing, render, run_stored
    from kg.queries.stored import load_all

    if list_queries:
        queries, errors = load_all(queries_dir)
        click.echo(listing(queries), nl=False)
        for error in errors:
            click.echo(f"error: {error}", err=True)
        if errors:
            sys.exit(errors[0].exit_code)
        return
    if not name:
        raise click.UsageError("give the name of a stored query (peacekg query --list shows them)")
    values = _query_params(params)
    result = run_stored(name, values, settings=settings, queries_dir=queries_dir)
    click.echo(render(result, fmt), nl=False)
    if result.next_page:  # on stderr: stdout stays the results
        click.echo(
            "next page: " + " ".join(f"--param {k}={shlex.quote(v)}" for k, v in result.next_page.items()),
            err=True,
        )


def _query_params(params: tuple[str, ...]) -> dict[str, str]:
    """The ``--param NAME=VALUE`` options as a mapping; each name given once."""
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        if key in values:
            raise click.BadParameter(f"{key} is given twice", param_hint="--param")
        values[key] = value
    return values


@click.command("push")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="SPARQL query endpoint of the remote store, used to verify each graph's size "
    "(oxigraph: http://HOST:7878/query).",
)
@click.option(
    "--graph-store",
    metavar="URL",
    help="SPARQL 1.1 Graph Store Protocol URL. Default: --endpoint with /query replaced by /store "
    "(oxigraph's layout; Fuseki: .../DATASET/data, Virtuoso: .../sparql-graph-crud-auth).",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="SPARQL Update endpoint. Default: --endpoint with /query replaced by /update "
    "(Fuseki: .../DATASET/update, Virtuoso: .../sparql).",
)
@click.option("--user", help="User name for HTTP basic authentication (the password is prompted for when not given).")
@click.option("--password", help="Password for HTTP basic authentication.")
@click.option("--token", help="Bearer token. Default: the environment variable named by the push_token_env setting.")
@click.option(
    "--method",
    type=click.Choice(["gsp", "update"]),
    default="gsp",
    show_default=True,
    help="gsp: one PUT per graph (falls back to update when the server has no Graph Store Protocol); "
    "update: DROP SILENT GRAPH + INSERT DATA, batched by push_batch_triples (a batched load is "
    "not atomic).",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="NAME",
    help="A graph to push: its IRI or short name (ontology, reference, article/ID, inferred). "
    "Repeatable. Default: every graph of the store.",
)
@click.pass_obj
@handles_errors
def push_command(
    settings: Settings,
    endpoint: str,
    graph_store: str | None,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    method: str,
    graphs: tuple[str, ...],
) -> None:
    """Replace the graphs of a remote SPARQL 1.1 store with those of the current store, then verify
    each graph's size by querying it back."""
    from kg.store.push import push

    pushed = push(
        settings,
        endpoint,
        graph_store=graph_store,
        update_endpoint=update_endpoint,
        auth=_push_auth(user, password, token),
        method=method,
        graphs=graphs or None,
        progress=click.echo,
    )
    click.echo(f"pushed {len(pushed)} graph(s), {sum(p.triples for p in pushed)} triples")


def _push_auth(user: str | None, password: str | None, token: str | None) -> Auth | None:
    """HTTP basic authentication (the password prompted for when not given), a bearer token, or
    none; the two kinds are not mixed."""
    from kg.store.push import Auth

    if token and (user or password):
        raise click.UsageError("give either --user/--password or --token, not both")
    if password is not None and not user:
        raise click.UsageError("--password needs --user")
    if user and password is None:
        password = click.prompt("password", hide_input=True)
    return Auth(user=user, password=password) if user else Auth(token=token) if token else None


@click.command("plot")
@click.argument("name")
@click.option(
    "--format", "fmt", type=click.Choice(["svg", "png"]), help="Default: the --output file's suffix, else svg."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The file to write ('-': standard output). Default: NAME.FORMAT in the working directory.",
)
@click.pass_obj
@handles_errors
def plot_command(settings: Settings, name: str, fmt: str | None, output: Path | None) -> None:
    """Draw plot NAME from the current store: stance-matrix, stance-network or timeline (SVG
    output is byte-reproducible)."""
    from kg.plots.charts import render_local

    suffix = output.suffix.lower().lstrip(".") if output else ""
    fmt = fmt or (suffix if suffix in ("svg", "png") else "svg")
    data = render_local(name, fmt, settings)
    if output == Path("-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = output or Path(f"{name}.{fmt}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise click.FileError(str(path), hint=error.strerror or str(error)) from None
    click.echo(f"wrote {path} ({len(data)} bytes)")


def register(group: click.Group) -> None:
    """Add the commands of this module to ``group``."""
    for command in (link_command, query_command, push_command, plot_command):
        group.add_command(command)
