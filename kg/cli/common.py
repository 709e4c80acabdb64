"""What every ``peacekg`` command shares: our exceptions turned into one line on stderr and the
documented exit code (the table is in kg/cli/group.py), and progress lines that become a bar on a terminal."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from kg.errors import PeaceKGError


def fail(error: PeaceKGError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our exceptions into a one-line message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PeaceKGError as error:
            fail(error)

    return wrapper


def progress_printer():
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
