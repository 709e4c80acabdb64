"""The hand-edited ontology (``ontology/``) and everything checked or generated from it.

- :mod:`~kg.ontology.load`: the sources (OWL, SKOS vocabularies, SHACL shapes) and their namespaces
  (``PK``, ``ONTOLOGY_NS``, ``VOCAB_NS``); :mod:`~kg.ontology.sources`: parsing Turtle and SPARQL
  files with file:line:column errors;
- :mod:`~kg.ontology.check`: ``peacekg ontology check`` — parse, HermiT
  (:mod:`~kg.ontology.reasoning`), the ``*-violation.rq`` quality checks (:mod:`~kg.ontology.quality`)
  and SHACL-SHACL; :mod:`~kg.ontology.shacl`: pySHACL validation with readable violations;
- :mod:`~kg.ontology.release`: the release files; :mod:`kg.ontology.docs`: the reference page.

Exports the namespaces and loaders most callers need.
"""

from kg.ontology.load import ONTOLOGY_NS, PK, VOCAB_NS, OntologySources, load_ontology, load_shapes

__all__ = ["ONTOLOGY_NS", "PK", "VOCAB_NS", "OntologySources", "load_ontology", "load_shapes"]
