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

from importlib import metadata
from pathlib import Path

import click

from kg.cli.article import register as register_article_commands
from kg.cli.common import fail, handles_errors, progress_printer
from kg.cli.reference import register as register_reference_commands
from kg.cli.use import register as register_use_commands
from kg.errors import OntologyError, PeaceKGError
from kg.settings import Settings, load_settings, settings_markdown

PLUGIN_GROUP = "peacekg.commands"


class PeaceKGGroup(click.Group):
    """The command group, plus the commands other installed packages declare in the
    ``peacekg.commands`` entry-point group (``serve``, from the service). They are imported only
    when named or listed, so ``peacekg build`` never loads the web stack."""

    @staticmethod
    def _plugins() -> dict[str, metadata.EntryPoint]:
        return {ep.name: ep for ep in metadata.entry_points(group=PLUGIN_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in (plugins := self._plugins()):
            command = plugins[cmd_name].load()
        return command


@click.group(cls=PeaceKGGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML). Default: peacekg.toml in the working directory, if present.",
)
@click.option(
    "--ontology-dir", type=click.Path(file_okay=False, path_type=Path), help="Overrides the ontology_dir setting."
)
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), help="Overrides the build_dir setting.")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, ontology_dir: Path | None, build_dir: Path | None) -> None:
    """PeaceKG: a knowledge graph of the Russia–Ukraine peace negotiations."""
    overrides = {"ontology_dir": ontology_dir, "build_dir": build_dir}
    try:
        ctx.obj = load_settings(config_file, overrides=overrides)
    except PeaceKGError as error:
        fail(error)


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
    from kg.ontology.check import check_ontology

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
    from kg.ontology.release import release_ontology

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
    from kg.ontology.docs.reference import build_reference

    path, changed = build_reference(settings, out)
    click.echo(f"{'wrote' if changed else 'unchanged'} {path}")


@cli.group("annotations")  # not a function named `annotations`: that name is the __future__ import
def annotations_group() -> None:
    """Validate and inspect the annotated corpus."""


@annotations_group.command("validate")
@click.pass_obj
@handles_errors
def annotations_validate(settings: Settings) -> None:
    """Check every article, reference file and annotation file; resolve and verify every quote;
    then run the build's checks of the mapped graph (shapes, data checks), drafts included, so
    that "ok" means buildable. Nothing is written."""
    from kg.builder.validation import validate_corpus

    summary = validate_corpus(settings)
    click.echo(summary)


@annotations_group.command("coverage")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a summary line per article and each uncovered entity; json: the full report.",
)
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


@annotations_group.command("schema")
@click.argument("which", type=click.Choice(["annotation", "reference", "article"]))
@click.pass_obj
@handles_errors
def annotations_schema(settings: Settings, which: str) -> None:
    """Print the JSON Schema of annotation files, reference files or article metadata."""
    from kg.annotations.check import vocabulary_index
    from kg.annotations.schema import schema_json

    click.echo(schema_json(vocabulary_index(settings), which), nl=False)


@annotations_group.command("docs")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: <docs_dir>/annotation-format.md."
)
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
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: <corpus_dir>/annotations/<stem>.yaml."
)
@click.option(
    "--force", is_flag=True, help="Overwrite an existing unreviewed draft (a reviewed file is never overwritten)."
)
@click.pass_obj
@handles_errors
def annotate_suggest(settings: Settings, article: Path, out: Path | None, force: bool) -> None:
    """Write a DRAFT annotation file (review: draft): mentions, statements, roles, dates; new
    people, organisations and places as draft reference entries."""
    from kg.drafting.suggest import suggest_annotations

    path = suggest_annotations(settings, article, out=out, force=force)
    click.echo(f"wrote draft {path} (review: draft; review it, then set review: reviewed)")


@annotate.command("evaluate")
@click.option("--json", "json_output", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the table into this document's generated block (docs/drafting.md).",
)
@click.pass_obj
@handles_errors
def annotate_evaluate(settings: Settings, json_output: bool, markdown: Path | None) -> None:
    """Leave-one-out evaluation of the drafter against the hand-annotated articles (in memory)."""
    from kg.drafting.report import evaluation_report

    click.echo(evaluation_report(settings, json_output=json_output, markdown=markdown), nl=False)


@cli.command("build")
@click.option(
    "--include-drafts",
    is_flag=True,
    default=None,
    help="Also build drafts (review: draft), flagged as drafts; sets the include_drafts setting.",
)
@click.pass_obj
@handles_errors
def build_command(settings: Settings, include_drafts: bool | None) -> None:
    """Build the store from the corpus: validate, map, check, infer, switch atomically. Only
    reviewed content is served unless drafts are included."""
    from kg.builder.pipeline import build

    if include_drafts:
        settings = settings.replace(include_drafts=True)
    report = build(settings, progress=progress_printer())
    if not report.nothing_to_do:
        shown = ", ".join(report.rebuilt[:5]) + (
            f" and {len(report.rebuilt) - 5} more" if len(report.rebuilt) > 5 else ""
        )
        click.echo(
            f"built {report.triples} triples; rebuilt {len(report.rebuilt)} graph(s): {shown or 'none'}; "
            f"reused {len(report.reused)} graph(s)"
        )


@cli.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Default: <build_dir>/dumps/.")
@click.pass_obj
@handles_errors
def export_command(settings: Settings, out: Path | None) -> None:
    """Write dumps of the current store (TriG, N-Quads, Turtle per graph, JSON-LD) and void.ttl."""
    from kg.store.export import export

    for exported in export(settings, out):
        click.echo(f"{'wrote    ' if exported.changed else 'unchanged'} {exported.path} ({exported.bytes} bytes)")


@cli.command("stats")
@click.pass_obj
@handles_errors
def stats_command(settings: Settings) -> None:
    """Print what is in the current store."""
    from kg.store.stats import store_stats

    for line in store_stats(settings):
        click.echo(line)


@cli.command("synth")
@click.option("--articles", type=click.IntRange(min=1), required=True, help="How many articles to generate.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The corpus folder to write (articles/, annotations/, reference/).",
)
@click.option("--density", type=float, default=2.0, show_default=True, help="Mean statements per article.")
@click.option("--force", is_flag=True, help="Replace the articles, annotations and reference of a non-empty --out.")
@click.pass_obj
@handles_errors
def synth_command(settings: Settings, articles: int, seed: int, out: Path, density: float, force: bool) -> None:
    """Generate a deterministic synthetic corpus (for benchmarks). Build it by pointing the corpus_dir
    setting at it: PEACEKG_CORPUS_DIR=OUT peacekg build, or corpus_dir = "OUT" in a settings file (--config)."""
    from kg.annotations.check import vocabulary_index
    from kg.synthetic.corpus import generate

    report = generate(
        out,
        articles,
        seed,
        reference_dir=Path(settings.corpus_dir) / "reference",
        vocabulary=vocabulary_index(settings),
        density=density,
        force=force,
        progress=click.echo,
    )
    click.echo(
        f"wrote {report.articles} synthetic articles ({report.statements} statements, {report.mentions} "
        f"mentions) and {report.reference_individuals} generated reference individuals to {out}"
    )


register_use_commands(cli)
register_reference_commands(cli)
register_article_commands(cli)


def main() -> None:
    cli(prog_name="peacekg")


if __name__ == "__main__":
    main()
