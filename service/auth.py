"""Who may write: with ``updates`` on, a request that writes (SPARQL Update, Graph Store PUT, POST,
DELETE) must carry ``Authorization: Bearer <token>`` with the token from the environment variable
named by ``update_token_env``. Missing or malformed credentials are a 401 (with a
``WWW-Authenticate`` challenge), a wrong token a 403. The comparison takes constant time and the
token is never logged or echoed."""

from __future__ import annotations

import hmac
import os

from flask import request

from kg.errors import ConfigError
from service.errors import ApiError
from service.state import state

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="peacekg"'}


def load_token(settings) -> str | None:
    """The write token when updates are on; ConfigError if they are on without one."""
    if not settings.updates:
        return None
    token = os.environ.get(settings.update_token_env, "")
    if len(token.strip()) < 16:
        raise ConfigError(
            f"setting 'updates' is on, but the environment variable {settings.update_token_env} does not hold "
            "a token of at least 16 characters; set it (e.g. `openssl rand -hex 32`) or turn updates off",
            field="updates",
        )
    return token.strip()


def require_writer() -> None:
    """Return when the request may write; ApiError 403 (writes off, or wrong token) or 401."""
    token = state().update_token
    if token is None:
        raise ApiError(403, "writes are disabled on this service (setting updates is off)")
    header = request.headers.get("Authorization")
    if not header:
        raise ApiError(401, "writing needs a bearer token: send 'Authorization: Bearer <token>'", headers=CHALLENGE)
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(
            401,
            "the Authorization header must be 'Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="peacekg", error="invalid_request"'},
        )
    if not hmac.compare_digest(credentials.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "the bearer token is not valid for writing to this service")
