"""The settings registry: precedence default < file < environment < override, typed values,
clear errors, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.settings import SETTINGS, load_settings, settings_markdown

from helpers.paths import ROOT


def test_defaults_come_from_the_registry() -> None:
    settings = load_settings(config_file=None, environ={})
    for setting in SETTINGS:
        assert settings.source_of(setting.name) in {"default", "peacekg.toml"}


def test_precedence_file_then_env_then_override(tmp_path: Path) -> None:
    config = tmp_path / "peacekg.toml"
    config.write_text('base_iri = "https://example.org/file/"\nreasoner_memory_mb = 512\njava = "java-from-file"\n')
    env = {"PEACEKG_BASE_IRI": "https://example.org/env/", "PEACEKG_JAVA": "java-from-env"}
    settings = load_settings(config, environ=env, overrides={"java": "java-from-flag"})
    assert settings.reasoner_memory_mb == 512 and settings.source_of("reasoner_memory_mb") == str(config)
    assert settings.base_iri == "https://example.org/env/" and settings.source_of("base_iri") == "PEACEKG_BASE_IRI"
    assert settings.java == "java-from-flag" and settings.source_of("java") == "override"


def test_values_are_typed() -> None:
    settings = load_settings(config_file=None, environ={"PEACEKG_REASONER_MEMORY_MB": "1024"})
    assert settings.reasoner_memory_mb == 1024
    assert isinstance(settings.ontology_dir, Path)


@pytest.mark.parametrize(
    "environ, field",
    [
        ({"PEACEKG_REASONER_MEMORY_MB": "lots"}, "reasoner_memory_mb"),
        ({"PEACEKG_BASE_IRI": "ftp://example.org/"}, "base_iri"),
        ({"PEACEKG_BASE_IRI": "https://example.org/no-slash"}, "base_iri"),
        ({"PEACEKG_NO_SUCH_THING": "1"}, "PEACEKG_NO_SUCH_THING"),
    ],
)
def test_bad_values_are_named(environ: dict[str, str], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=None, environ=environ)
    assert caught.value.field == field


def test_unknown_key_in_file_names_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "peacekg.toml"
    config.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert caught.value.file == str(config) and caught.value.field == "colour"


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "peacekg.toml"
    config.write_text("base_iri = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config, environ={})


def test_every_setting_has_help() -> None:
    for setting in SETTINGS:
        assert len(setting.help) > 20, setting.name


def test_settings_reference_is_up_to_date() -> None:
    """docs/settings.md is generated from the registry (make settings-docs); it lists every setting."""
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert documented == settings_markdown(), "run `make settings-docs`"
    for setting in SETTINGS:
        assert f"`{setting.name}`" in documented and setting.env_var in documented
