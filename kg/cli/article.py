"""``peacekg article add TEXT_FILE``: a new article into the corpus — the text copied under a computed
id, its metadata written from the options with the regions detected from the text
(kg.annotations.new_article), validated before anything is written. Registered on the group by
kg/cli/group.py."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import handles_errors
from kg.settings import Settings

UNKNOWN = "unknown"


@click.group("article")
def article_group() -> None:
    """Add articles to the corpus."""


@article_group.command("add")
@click.argument("text_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The article's title, as published.")
@click.option(
    "--published",
    required=True,
    help="Publication date: YYYY-MM-DD (or YYYY-MM, YYYY), or a range YYYY-MM-DD..YYYY-MM-DD when only that is known.",
)
@click.option(
    "--outlet",
    required=True,
    help=f"The outlet's reference key (peacekg reference search NAME finds it), or '{UNKNOWN}'.",
)
@click.option("--author", default=None, help=f"The author's reference key; default (or '{UNKNOWN}'): not known.")
@click.option("--genre", default="news", show_default=True, help="news, analysis, feature, opinion, interview…")
@click.option("--language", default="en", show_default=True, help="The text's language (a BCP 47 tag).")
@click.option("--translated", is_flag=True, help="The text is a translation.")
@click.option("--url", default=None, help="Where the article was published (kept in the metadata's note).")
@click.pass_obj
@handles_errors
def article_add(
    settings: Settings,
    text_file: Path,
    title: str,
    published: str,
    outlet: str,
    author: str | None,
    genre: str,
    language: str,
    translated: bool,
    url: str | None,
) -> None:
    """Copy TEXT_FILE (UTF-8) into corpus/articles/ under a computed id (NNN_<16 hex of its SHA-256>)
    and write its metadata with the regions detected from the text (headline, byline, body, footer),
    checked as annotations validate checks it; nothing is written when anything is wrong."""
    from kg.annotations.check import vocabulary_index
    from kg.annotations.new_article import ArticleInfo, add_article

    info = ArticleInfo(
        title=title,
        published=published,
        outlet=None if outlet == UNKNOWN else outlet,
        author=None if author in (None, UNKNOWN) else author,
        genre=genre,
        language=language,
        translated=translated,
        url=url,
    )
    added = add_article(Path(settings.corpus_dir), text_file, info, vocabulary_index(settings))
    click.echo(f"added article {added.id}: {added.text_path} and {added.meta_path}")
    for region in added.regions:
        click.echo(f"  region {region.id} ({region.type}) {region.start}–{region.end}")
    for warning in added.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo("next:")
    for command in added.next_commands():
        click.echo(f"  {command}")


def register(group: click.Group) -> None:
    """Add the commands of this module to ``group``."""
    group.add_command(article_group)
