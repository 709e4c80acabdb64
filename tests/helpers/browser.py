"""Debian's chromium driven by Playwright (never `playwright install`), for the tests that need a
real browser: where it is, how it is launched, a page that records what goes wrong in it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APT_TIMEOUT_S = 900


def chromium_or_skip() -> str:
    """Debian's chromium, installed with apt-get when missing and this is root (as in CI)."""
    if not Path(CHROMIUM).exists():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            pytest.skip(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get)")
        try:
            subprocess.run(
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
                shell=True,
                check=True,
                timeout=APT_TIMEOUT_S,
                capture_output=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            output = getattr(exc, "stderr", b"") or b""
            pytest.skip(f"could not install chromium with apt-get: {exc}; {output.decode(errors='replace')[-300:]}")
        if not Path(CHROMIUM).exists():
            pytest.skip(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


@contextlib.contextmanager
def launched(executable: str) -> Iterator[Any]:
    """A headless chromium under Playwright, closed on exit."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def recording_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a fresh context (no stored state) whose ``problems`` list records console errors
    and uncaught exceptions. It asks for reduced motion, as a visitor may: a page scrolling
    smoothly under a test's click moves the target between mousedown and mouseup on a loaded
    machine, and the browser then fires no click (the query page's run button did that)."""
    options = {"viewport": {"width": 1400, "height": 1000}, "reduced_motion": "reduce"} | context_options
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.problems = []
    page.on(
        "console",
        lambda m: (
            page.problems.append(f"console {m.type}: {m.text} @ {m.location.get('url')}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: page.problems.append(f"uncaught: {e}"))
    try:
        yield page
    finally:
        context.close()


def serious(problems: list[str]) -> list[str]:
    """What a page recorded, less the browser asking for a favicon the service does not have."""
    return [p for p in problems if "favicon.ico" not in p]
