"""Mapping the validated corpus to RDF named graphs: pure functions, no I/O."""
