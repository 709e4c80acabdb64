"""Where a setting's value comes from, and how it is read from there: the resolution order of
:mod:`kg.settings` (later wins) — the registry's default, a TOML settings file (``peacekg.toml`` in
the working directory, or ``--config FILE``), environment variables ``PEACEKG_<NAME>``, explicit
overrides (command-line flags, or the ``overrides`` argument in Python).

:func:`resolve` reads every source for a registry of :class:`Setting` records and converts each
value to its setting's type (:func:`coerce`), naming the source of a bad value; the registry itself
(the typed :class:`kg.settings.Settings` and the checks across values) is :mod:`kg.settings`,
which is what everything imports.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

ENV_PREFIX = "PEACEKG_"
TEST_ENV_PREFIX = "PEACEKG_TEST_"  # reserved for the test suite's own knobs, not settings
DEFAULT_SETTINGS_FILE = "peacekg.toml"


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default, type and what it does."""

    name: str
    default: Any
    type: type
    help: str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


def coerce(setting: Setting, value: Any, source: str) -> Any:
    """Convert ``value`` to the setting's type, or raise ConfigError naming the source."""
    kind = setting.type
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        if kind is Path:
            return Path(str(value))
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {setting.name!r}: expected {kind.__name__}, got {value!r}",
            file=source,
            field=setting.name,
        ) from None


def lookup(by_name: Mapping[str, Setting], name: str, source: str) -> Setting:
    """The setting called ``name``, or ConfigError naming the source and the known settings."""
    try:
        return by_name[name]
    except KeyError:
        known = ", ".join(sorted(by_name))
        raise ConfigError(f"unknown setting {name!r} (known: {known})", file=source, field=name) from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file is not valid TOML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read settings file: {exc.strerror}", file=str(path)) from None


def resolve(
    registry: tuple[Setting, ...],
    config_file: str | Path | None,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None,
    secret_names: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every setting's value and where it came from: defaults < settings file < environment <
    overrides. ``secret_names``: settings whose values name environment variables that hold
    secrets, not settings (never reported as unknown settings).

    ``config_file=None`` reads ``peacekg.toml`` from the working directory when it exists; an
    explicitly named file must exist.
    """
    by_name = {s.name: s for s in registry}
    values = {s.name: s.default for s in registry}
    sources = {s.name: "default" for s in registry}
    for setting in registry:
        values[setting.name] = coerce(setting, setting.default, "default")

    path = Path(config_file) if config_file is not None else Path(DEFAULT_SETTINGS_FILE)
    if config_file is not None or path.exists():
        for name, value in _read_file(path).items():
            setting = lookup(by_name, name, str(path))
            values[name] = coerce(setting, value, str(path))
            sources[name] = str(path)

    for setting in registry:
        if setting.env_var in environ:
            values[setting.name] = coerce(setting, environ[setting.env_var], setting.env_var)
            sources[setting.name] = setting.env_var
    secrets = {values[name] for name in secret_names}
    unknown = sorted(
        k
        for k in environ
        if k.startswith(ENV_PREFIX)
        and not k.startswith(TEST_ENV_PREFIX)
        and k not in secrets
        and k[len(ENV_PREFIX) :].lower() not in by_name
    )
    if unknown:
        raise ConfigError(f"unknown environment setting(s): {', '.join(unknown)}", field=unknown[0])

    for name, value in (overrides or {}).items():
        if value is None:
            continue
        setting = lookup(by_name, name, "override")
        values[name] = coerce(setting, value, "override")
        sources[name] = "override"
    return values, sources
