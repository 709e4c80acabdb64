"""The generated ontology reference page (``docs/ontology/index.html``, ``peacekg ontology
docs``): :mod:`~kg.ontology.docs.reference` gathers the terms, :mod:`~kg.ontology.docs.page` writes
the page (each term's entry: :mod:`~kg.ontology.docs.entry`), :mod:`~kg.ontology.docs.layout` and
:mod:`~kg.ontology.docs.syntax` hold its layout tables, stylesheet and Turtle rendering. The page
is byte-identical across runs and hash seeds.

Exports :func:`write_reference`.
"""

from kg.ontology.docs.page import write_reference

__all__ = ["write_reference"]
