"""The ``peacekg`` command group. Each command parses its options, calls one library function,
prints the outcome and maps our exceptions to messages and exit codes:

====  ==========================================================
code  meaning
====  ==========================================================
0     success
1     a check failed (generic PeaceKG error)
2     usage error (unknown command or option; from click)
3     configuration error (a setting or settings file is wrong)
4     a hand-edited source does not parse (file, line, column)
5     the ontology is inconsistent or fails a quality check
6     the reasoner could not run (Java missing, crashed)
7     data violates the SHACL shapes
8     the annotated corpus has problems (each listed as file:line: field: message)
9     annotation coverage is incomplete (named entities neither covered nor excused)
10    an annotation file would be overwritten (a reviewed one never; a draft without --force)
11    the store is missing, unreadable or not writable
12    pushing to a remote store failed (HTTP error, unreachable, or a count mismatch)
13    `peacekg query`: no such stored query, or a parameter is missing, unknown or invalid
14    `peacekg link`: the endpoint could not be queried (unreachable, timed out, HTTP error, bad answer)
====  ==========================================================
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click

from kg.errors import OntologyError, PeaceKGError
from kg.settings import Settings, load_settings, settings_markdown


def _fail(error: PeaceKGError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our exceptions into a one-line message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PeaceKGError as error:
            _fail(error)

    return wrapper


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML). Default: peacekg.toml in the working directory, if present.",
)
@click.option("--ontology-dir", type=click.Path(file_okay=False, path_type=Path), help="Overrides the ontology_dir setting.")
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), help="Overrides the build_dir setting.")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, ontology_dir: Path | None, build_dir: Path | None) -> None:
    """PeaceKG: a knowledge graph of the Russia–Ukraine peace negotiations."""
    overrides = {"ontology_dir": ontology_dir, "build_dir": build_dir}
    try:
        ctx.obj = load_settings(config_file, overrides=overrides)
    except PeaceKGError as error:
        _fail(error)


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the settings reference (docs/settings.md) instead of values.")
@click.pass_obj
def settings_command(settings: Settings, markdown: bool) -> None:
    """Show every setting with its value and where the value came from."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    for name in settings:
        click.echo(f"{name} = {settings[name]}  ({settings.source_of(name)})")


@cli.group()
def ontology() -> None:
    """Check, release and document the ontology."""


@ontology.command("check")
@click.pass_obj
@handles_errors
def ontology_check(settings: Settings) -> None:
    """Parse, reason (HermiT), run the quality checks and validate the shapes."""
    from kg.ontology_check import check_ontology

    report = check_ontology(settings)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise OntologyError("the ontology check failed (see above)")
    click.echo("ontology check passed")


@ontology.command("release")
@click.pass_obj
@handles_errors
def ontology_release(settings: Settings) -> None:
    """Write the merged ontology as Turtle, N-Triples and RDF/XML into <build_dir>/ontology/."""
    from kg.ontology_release import release_ontology

    for path, changed in release_ontology(settings).items():
        click.echo(f"{'wrote    ' if changed else 'unchanged'} {path}")


@ontology.command("docs")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file. Default: <docs_dir>/ontology/index.html.",
)
@click.pass_obj
@handles_errors
def ontology_docs(settings: Settings, out: Path | None) -> None:
    """Generate the ontology's HTML reference page (never edit it by hand)."""
    from kg.ontology_reference import build_reference

    path, changed = build_reference(settings, out)
    click.echo(f"{'wrote' if changed else 'unchanged'} {path}")


@cli.group()
def annotations() -> None:
    """Validate and inspect the annotated corpus."""


@annotations.command("validate")
@click.pass_obj
@handles_errors
def annotations_validate(settings: Settings) -> None:
    """Check every article, reference file and annotation file; resolve and verify every quote."""
    from kg.annotations.check import validate_corpus

    summary = validate_corpus(settings)
    click.echo(summary)


@annotations.command("coverage")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a summary line per article and each uncovered entity; json: the full report.")
@click.pass_obj
@handles_errors
def annotations_coverage(settings: Settings, fmt: str) -> None:
    """Report named entities (spaCy NER) that no annotation covers and no coverage_ignore excuses."""
    import json

    from kg.annotations.coverage import coverage_report

    report = coverage_report(settings)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line)
        for stale in report.stale:
            click.echo(str(stale), err=True)
    report.raise_for_uncovered()


@annotations.command("schema")
@click.argument("which", type=click.Choice(["annotation", "reference", "article"]))
@click.pass_obj
@handles_errors
def annotations_schema(settings: Settings, which: str) -> None:
    """Print the JSON Schema of annotation files, reference files or article metadata."""
    from kg.annotations.check import vocabulary_index
    from kg.annotations.schema import schema_json

    click.echo(schema_json(vocabulary_index(settings), which), nl=False)


@annotations.command("docs")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: <docs_dir>/annotation-format.md.")
@click.pass_obj
@handles_errors
def annotations_docs(settings: Settings, out: Path | None) -> None:
    """Generate the annotation format reference (never edit it by hand)."""
    from kg.annotations.check import write_format_reference

    path, changed = write_format_reference(settings, out)
    click.echo(f"{'wrote' if changed else 'unchanged'} {path}")


@cli.group()
def annotate() -> None:
    """Help annotate a new article (drafts for review)."""


@annotate.command("suggest")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: <corpus_dir>/annotations/<stem>.yaml.")
@click.option("--force", is_flag=True, help="Overwrite an existing unreviewed draft (a reviewed file is never overwritten).")
@click.pass_obj
@handles_errors
def annotate_suggest(settings: Settings, article: Path, out: Path | None, force: bool) -> None:
    """Write a DRAFT annotation file (status: unreviewed): gazetteer mentions, spaCy entities,
    attribution cues, figures and dates."""
    from kg.annotations.suggest import suggest_annotations

    path = suggest_annotations(settings, article, out=out, force=force)
    click.echo(f"wrote draft {path} (status: unreviewed; review it, then set status: reviewed)")


def _progress_printer():
    """Plain lines in logs; on a terminal, the per-graph steps ("[i/n] …") as one bar updated in place."""
    if not sys.stdout.isatty():
        return click.echo
    state = {"open": False}

    def show(message: str) -> None:
        match = re.match(r"\[(\d+)/(\d+)\] (.*)", message)
        if match:
            done, total = int(match.group(1)), int(match.group(2))
            width = 30
            bar = "#" * (width * done // total) + "-" * (width - width * done // total)
            click.echo(f"\r[{bar}] {done}/{total} {match.group(3)[:60]:<60}", nl=False)
            state["open"] = done < total
            if done == total:
                click.echo()
            return
        if state["open"]:
            click.echo()
            state["open"] = False
        click.echo(message)

    return show


@cli.command("build")
@click.pass_obj
@handles_errors
def build_command(settings: Settings) -> None:
    """Build the store from the corpus: validate, map, check, infer, switch atomically."""
    from kg.builder import build

    report = build(settings, progress=_progress_printer())
    if not report.nothing_to_do:
        click.echo(f"built {report.triples} triples; rebuilt: {', '.join(report.rebuilt) or 'none'}; "
                   f"reused: {len(report.reused)} graph(s)")


@cli.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Default: <build_dir>/dumps/.")
@click.pass_obj
@handles_errors
def export_command(settings: Settings, out: Path | None) -> None:
    """Write dumps of the current store (TriG, N-Quads, Turtle per graph, JSON-LD) and void.ttl."""
    from kg.export import export

    for exported in export(settings, out):
        click.echo(f"{'wrote    ' if exported.changed else 'unchanged'} {exported.path} ({exported.bytes} bytes)")


@cli.command("link")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint with Wikidata-shaped data. Default: the link_endpoint "
              "setting (https://query.wikidata.org/sparql).")
@click.option("--key", "keys", multiple=True, metavar="KEY", help="Only this reference individual (repeatable). "
              "Default: every actor, organisation, state, place, event and agreement without a verified Wikidata id.")
@click.option("--language", "languages", multiple=True, default=("en", "mul"), show_default=True,
              help="Languages of the labels and aliases to match (repeatable).")
@click.option("--max-candidates", type=click.IntRange(min=1), default=5, show_default=True,
              help="Candidates kept per individual (the best first).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The review file. Default: <build_dir>/link/wikidata-candidates.yaml.")
@click.pass_obj
@handles_errors
def link_command(settings: Settings, endpoint: str | None, keys: tuple[str, ...], languages: tuple[str, ...],
                 max_candidates: int, out: Path | None) -> None:
    """Find candidate Wikidata items for reference individuals without one, scored and explained,
    into a review file. Nothing is applied: a reviewer moves accepted ids into corpus/reference."""
    from kg.link import reconcile
    from kg.link_review import write_review

    document = reconcile(settings, endpoint=endpoint, keys=keys or None, languages=languages,
                         max_candidates=max_candidates, progress=click.echo)
    path = out or Path(settings.build_dir) / "link" / "wikidata-candidates.yaml"
    changed = write_review(path, document)
    click.echo(f"{'wrote' if changed else 'unchanged'} {path}: {document['individuals']} individual(s); "
               f"{document['single']} with one strong candidate, {document['ambiguous']} ambiguous, "
               f"{document['weak']} with weak candidates only, {document['none']} without candidates. "
               "Review it; nothing was applied.")


@cli.command("serve")
@click.option("--host", help="Overrides the host setting (default 127.0.0.1).")
@click.option("--port", type=int, help="Overrides the port setting.")
@click.option("--threads", type=int, default=8, show_default=True, help="HTTP threads of the WSGI server.")
@click.option("--store", "store_url", metavar="URL", help="Front a remote SPARQL endpoint instead of the local build (setting store_url).")
@click.option("--debug", is_flag=True, help="Flask's development server (never in production).")
@click.pass_obj
@handles_errors
def serve_command(settings: Settings, host: str | None, port: int | None, threads: int, store_url: str | None,
                  debug: bool) -> None:
    """Serve the current store (or a remote one, --store) over SPARQL 1.1 with waitress (a production WSGI server)."""
    from service import create_app

    settings = settings.replace(**{k: v for k, v in (("host", host), ("port", port), ("store_url", store_url)) if v is not None})
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    click.echo(f"PeaceKG is serving at {url}  (SPARQL endpoint: {url}/sparql, health: {url}/health)")
    if debug:
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=False)
        return
    import waitress

    waitress.serve(app, host=settings.host, port=settings.port, threads=threads, ident="PeaceKG")


@cli.command("stats")
@click.pass_obj
@handles_errors
def stats_command(settings: Settings) -> None:
    """Print what is in the current store."""
    from kg.stats import store_stats

    for line in store_stats(settings):
        click.echo(line)


@cli.command("query")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the stored query (repeatable); bound as an RDF term of its declared type.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: aligned text; csv: SPARQL results CSV; json: SPARQL results JSON.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries and their parameters.")
@click.option("--queries-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the stored queries. Default: queries/ of the repository.")
@click.pass_obj
@handles_errors
def query_command(settings: Settings, name: str | None, params: tuple[str, ...], fmt: str, list_queries: bool,
                  queries_dir: Path | None) -> None:
    """Run the stored query NAME (queries/NAME.rq, see queries/README.md) on the current store."""
    from kg.stored_queries import load_all
    from kg.stored_queries_run import listing, render, run_stored

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
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        if key in values:
            raise click.BadParameter(f"{key} is given twice", param_hint="--param")
        values[key] = value
    click.echo(render(run_stored(name, values, settings=settings, queries_dir=queries_dir), fmt), nl=False)


@cli.command("synth")
@click.option("--articles", type=click.IntRange(min=1), required=True, help="How many articles to generate.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The corpus folder to write (articles/, annotations/, reference/).")
@click.option("--density", type=float, default=2.0, show_default=True, help="Mean statements per article.")
@click.option("--force", is_flag=True, help="Replace the articles, annotations and reference of a non-empty --out.")
@click.pass_obj
@handles_errors
def synth_command(settings: Settings, articles: int, seed: int, out: Path, density: float, force: bool) -> None:
    """Generate a deterministic synthetic corpus (for benchmarks; build it with --corpus-dir OUT)."""
    from kg.annotations.check import vocabulary_index
    from kg.synthetic import generate

    report = generate(out, articles, seed, reference_dir=Path(settings.corpus_dir) / "reference",
                      vocabulary=vocabulary_index(settings), density=density, force=force, progress=click.echo)
    click.echo(f"wrote {report.articles} synthetic articles ({report.statements} statements, {report.mentions} "
               f"mentions) and {report.reference_individuals} generated reference individuals to {out}")


@cli.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL query endpoint of the remote store, used to verify each graph's size "
                   "(oxigraph: http://HOST:7878/query).")
@click.option("--graph-store", metavar="URL",
              help="SPARQL 1.1 Graph Store Protocol URL. Default: --endpoint with /query replaced by /store "
                   "(oxigraph's layout; Fuseki: .../DATASET/data, Virtuoso: .../sparql-graph-crud-auth).")
@click.option("--update-endpoint", metavar="URL",
              help="SPARQL Update endpoint. Default: --endpoint with /query replaced by /update "
                   "(Fuseki: .../DATASET/update, Virtuoso: .../sparql).")
@click.option("--user", help="User name for HTTP basic authentication (the password is prompted for when not given).")
@click.option("--password", help="Password for HTTP basic authentication.")
@click.option("--token", help="Bearer token. Default: the environment variable named by the push_token_env setting.")
@click.option("--method", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: one PUT per graph (falls back to update when the server has no Graph Store Protocol); "
                   "update: DROP SILENT GRAPH + INSERT DATA, batched by push_batch_triples (a batched load is "
                   "not atomic).")
@click.option("--graph", "graphs", multiple=True, metavar="NAME",
              help="A graph to push: its IRI or short name (ontology, reference, article/ID, inferred). "
                   "Repeatable. Default: every graph of the store.")
@click.pass_obj
@handles_errors
def push_command(settings: Settings, endpoint: str, graph_store: str | None, update_endpoint: str | None,
                 user: str | None, password: str | None, token: str | None, method: str,
                 graphs: tuple[str, ...]) -> None:
    """Replace the graphs of a remote SPARQL 1.1 store with those of the current store, then verify
    each graph's size by querying it back."""
    from kg.remote import Auth, push

    if token and (user or password):
        raise click.UsageError("give either --user/--password or --token, not both")
    if password is not None and not user:
        raise click.UsageError("--password needs --user")
    if user and password is None:
        password = click.prompt("password", hide_input=True)
    auth = Auth(user=user, password=password) if user else Auth(token=token) if token else None
    pushed = push(settings, endpoint, graph_store=graph_store, update_endpoint=update_endpoint, auth=auth,
                  method=method, graphs=graphs or None, progress=click.echo)
    click.echo(f"pushed {len(pushed)} graph(s), {sum(p.triples for p in pushed)} triples")


@cli.command("plot")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["svg", "png"]),
              help="Default: the --output file's suffix, else svg.")
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="The file to write ('-': standard output). Default: NAME.FORMAT in the working directory.")
@click.pass_obj
@handles_errors
def plot_command(settings: Settings, name: str, fmt: str | None, output: Path | None) -> None:
    """Draw plot NAME from the current store: stance-matrix, stance-network or timeline (SVG
    output is byte-reproducible)."""
    from kg.plots import render_local

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


def main() -> None:
    cli(prog_name="peacekg")


if __name__ == "__main__":
    main()
