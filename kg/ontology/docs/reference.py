"""Generate the ontology's reference page (docs/ontology/index.html) from the sources."""

from __future__ import annotations

from pathlib import Path

from kg.ontology.docs.page import write_reference
from kg.ontology.load import OWN_NAMESPACES, load_ontology
from kg.settings import Settings


def reference_path(settings: Settings) -> Path:
    return Path(settings.docs_dir) / "ontology" / "index.html"


def build_reference(settings: Settings, out: Path | None = None) -> tuple[Path, bool]:
    """Write the reference page; returns its path and whether it changed."""
    path = out or reference_path(settings)
    graph = load_ontology(Path(settings.ontology_dir))
    changed = write_reference(graph, path, title="PeaceKG ontology reference", own_namespaces=OWN_NAMESPACES)
    return path, changed
