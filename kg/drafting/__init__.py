"""Drafting annotations for a new article, and measuring the drafts against hand annotation.

A concept of its own, above :mod:`kg.annotations` (it reads the corpus and writes the annotation
format; nothing in ``kg.annotations`` imports it):

- ``peacekg annotate suggest``: :mod:`~kg.drafting.suggest` writes the draft file (``review:
  draft``) and drafted reference entries; :mod:`~kg.drafting.draft` builds the draft in memory from
  the gazetteer (:mod:`~kg.drafting.gazetteer`; new individuals: :mod:`~kg.drafting.proposals`,
  places by GeoNames: :mod:`~kg.drafting.places`), sentences and quotes (:mod:`~kg.drafting.spans`),
  who speaks (:mod:`~kg.drafting.attributions`, carried over sentences by
  :mod:`~kg.drafting.carryover`, shared parts in :mod:`~kg.drafting.speech`), one statement per sentence
  (:mod:`~kg.drafting.statements`, word lists in :mod:`~kg.drafting.lexicon`), roles
  (:mod:`~kg.drafting.roles`), figures and numbers in words (:mod:`~kg.drafting.figures`,
  :mod:`~kg.drafting.numbers`) and dates anchored on the article's date (:mod:`~kg.drafting.dates`);
- ``peacekg annotate evaluate``: :mod:`~kg.drafting.evaluate`, leave-one-out evaluation of the
  drafter against the hand-annotated articles (the matching and the figures in
  :mod:`~kg.drafting.scoring`, which gold individual a proposal names in
  :mod:`~kg.drafting.alignment`, the table in docs/drafting.md by :mod:`~kg.drafting.report`).
"""
