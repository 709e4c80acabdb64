"""OWL reasoning with HermiT through owlready2.

The graph is written as N-Triples into a fresh owlready2 World (owlready2 does not read Turtle),
HermiT classifies and realises it, and the triples HermiT adds are returned as their own graph, so
the build can store them in a separate named graph.

HermiT supports only the OWL 2 datatype map; ``xsd:date`` and ``rdf:langString`` axioms are
ignored by it (``ignore_unsupported_datatypes``) and checked by SHACL instead.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
import owlready2.reasoning
import rdflib

from kg.errors import ReasonerError

# owlready2 puts what the reasoner infers in this ontology when no other one is active.
_INFERENCES_IRI = "http://inferrences/"


@dataclass
class ReasoningResult:
    """What HermiT concluded."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred: rdflib.Graph = field(default_factory=rdflib.Graph)
    seconds: float = 0.0


def _check_java(java: str) -> None:
    if shutil.which(java) is None:
        raise ReasonerError(
            f"Java executable {java!r} not found; install Java 17+ or set the 'java' setting (PEACEKG_JAVA)",
            field="java",
        )


def run_hermit(graph: rdflib.Graph, *, java: str = "java", memory_mb: int = 2000) -> ReasoningResult:
    """Classify and realise ``graph`` with HermiT; report consistency, unsatisfiable classes and
    the inferred triples (class memberships, subclass links, property values)."""
    _check_java(java)
    owlready2.JAVA_EXE = java
    owlready2.reasoning.JAVA_MEMORY = memory_mb
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="peacekg-hermit-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        ontology = world.get_ontology(path.as_uri()).load()
        started = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasoningResult(consistent=False, seconds=time.perf_counter() - started)
        except subprocess.CalledProcessError as exc:
            output = (exc.output or b"").decode("utf-8", "replace").strip().splitlines()
            raise ReasonerError(
                "HermiT failed: " + (output[-1] if output else f"exit status {exc.returncode}"),
                details=output[-5:],
            ) from None
        seconds = time.perf_counter() - started
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        inferred = rdflib.Graph()
        inferences = world.get_ontology(_INFERENCES_IRI)
        out = Path(tmp) / "inferred.nt"
        inferences.save(str(out), format="ntriples")
        inferred.parse(out, format="nt")
        for triple in list(inferred.triples((rdflib.URIRef(_INFERENCES_IRI.rstrip("/")), None, None))):
            inferred.remove(triple)  # owlready2's bookkeeping about its own inference ontology
        del ontology
    world.close()
    return ReasoningResult(True, unsatisfiable, inferred, seconds)
