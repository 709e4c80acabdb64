"""The annotated corpus (``corpus/``): article metadata, reference data and annotation files.

- the format: :mod:`~kg.annotations.fields` (one field table, from which the JSON Schemas of
  :mod:`~kg.annotations.schema` and docs/annotation-format.md via :mod:`~kg.annotations.format_docs`
  are generated; what a field and its kind of value are: :mod:`~kg.annotations.field_kinds`, the
  statements' fields: :mod:`~kg.annotations.statement_fields`; the file's sections:
  :mod:`~kg.annotations.sections`) and
  :mod:`~kg.annotations.vocabulary` (the ontology's terms it may name);
- review status (reviewed or draft, per file and per item; a reviewed item may not refer to a
  draft; what the build leaves out or flags): :mod:`~kg.annotations.review`;
- loading with line numbers: :mod:`~kg.annotations.yaml_source`, :mod:`~kg.annotations.corpus`
  (:func:`load_corpus`, :class:`Corpus`; articles and regions: :mod:`~kg.annotations.articles`), with
  the checks of :mod:`~kg.annotations.values`, :mod:`~kg.annotations.requirements`,
  :mod:`~kg.annotations.definitions` and quote resolution in :mod:`~kg.annotations.quotes`; the
  checks across files over each file's facts, as the build keeps them: :mod:`~kg.annotations.facts`;
- ``peacekg annotations validate``: the file checks in :mod:`~kg.annotations.check`, the build's
  graph checks above this package (:mod:`kg.builder.validation`);
  ``annotations coverage``: :mod:`~kg.annotations.coverage` (spaCy's named entities covered or excused);
  the warnings of the linking rules (corpus/README.md): :mod:`~kg.annotations.linking` and
  :mod:`~kg.annotations.polarity`;
- reviewing (``peacekg review``, the app in service/review): finding an individual's key,
  ``peacekg reference search``: :mod:`~kg.annotations.lookup`; round-trip edits of annotation and
  reference files (accept, edit, reject; spans to quotes): :mod:`~kg.annotations.editing`; saving
  them conditionally, validated and atomically: :mod:`~kg.annotations.saving`;
- drafting annotations for a new article (``peacekg annotate suggest``, ``annotate evaluate``) is
  a concept of its own, above this package: :mod:`kg.drafting`.

Every problem is reported as file:line: field: message.
"""
