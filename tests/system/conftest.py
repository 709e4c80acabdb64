"""Fixtures of the system tier shared by the browser tests (test_browser, test_dossiers,
test_review_browser): one chromium per session, a browser per module, a recording page per test."""

from __future__ import annotations

import pytest

from helpers.browser import chromium_or_skip, launched, recording_page


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def browser(chromium: str):
    with launched(chromium) as browser:
        yield browser


@pytest.fixture()
def page(browser):
    """A fresh page (no stored YASGUI tabs) that records console errors and uncaught exceptions."""
    with recording_page(browser) as page:
        yield page
