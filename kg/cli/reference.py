"""``peacekg reference``: the reference data seen from the command line (``reference search``: the
key of an individual from what a text calls it). Registered on the group by kg/cli/group.py."""

from __future__ import annotations

import datetime as dt
import json

import click

from kg.cli.common import handles_errors
from kg.settings import Settings


@click.group("reference")
def reference_group() -> None:
    """Look up the individuals of the reference data and annotation files."""


@reference_group.command("search")
@click.argument("text")
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The article's date (YYYY-MM-DD): warn on events and agreements dated far from it.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON array of matches instead of text.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many matches.")
@click.pass_obj
@handles_errors
def reference_search(settings: Settings, text: str, date: dt.datetime | None, as_json: bool, limit: int) -> None:
    """Individuals TEXT may name: key, label, aliases, type, time span and where each is defined,
    ranked exact, alias, prefix, substring; with warnings on ambiguous and out-of-era matches."""
    from kg.annotations.lookup import reference_index

    index = reference_index(settings)
    for problem in index.problems:
        click.echo(f"skipped: {problem}", err=True)
    matches = index.search(text, date=date.date() if date else None, limit=limit)
    if as_json:
        click.echo(json.dumps([m.as_json() for m in matches], indent=2, ensure_ascii=False))
        return
    if not matches:
        click.echo(f"no individual matches {text!r}")
        return
    for match in matches:
        i = match.individual
        span = f"  {i.span_text}" if i.span_text else ""
        draft = "  (draft)" if i.review == "draft" else ""
        click.echo(f"{i.key}  {i.label!r}  {i.type}{span}  [{match.rank}: {match.matched}]  {i.where}{draft}")
        if i.aliases:
            click.echo(f"    aliases: {', '.join(i.aliases)}")
        for warning in match.warnings:
            click.echo(f"    warning: {warning}")


def register(group: click.Group) -> None:
    """Add the commands of this module to ``group``."""
    group.add_command(reference_group)
