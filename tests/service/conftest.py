"""What the service tier's modules share: a test client of the app over the one-article fixture
build (read-only; modules that change a store build their own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from kg.settings import Settings
from service import create_app
from service.state import state


@pytest.fixture(scope="module")
def client(fixture_build: Callable[[int], Settings]) -> Iterator[FlaskClient]:
    app = create_app(fixture_build(1))
    yield app.test_client()
    state(app).pool.close()
