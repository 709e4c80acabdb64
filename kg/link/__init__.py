"""``peacekg link``: candidate Wikidata items for reference individuals, scored and explained,
into a review file; nothing is applied without a reviewer.

- :mod:`~kg.link.candidates`: which individuals, the endpoint queries, :func:`reconcile`;
- :mod:`~kg.link.scoring`: a candidate's score and its reasons;
- :mod:`~kg.link.review`: the review file (deterministic YAML).
"""
