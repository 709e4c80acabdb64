"""``peacekg synth``: a deterministic synthetic corpus of any size, for benchmarks and scale tests.

- :mod:`~kg.synthetic.population`: actors and targets drawn Zipf-like from the reference data and
  from the word lists of :mod:`~kg.synthetic.names`;
- :mod:`~kg.synthetic.text`: sentence templates with real character offsets;
- :mod:`~kg.synthetic.article`: one article and its annotation file (:class:`ArticleMaker`; its
  statements, one kind at a time: :mod:`~kg.synthetic.statements`), written in the annotation format
  by :mod:`~kg.synthetic.output`;
- :mod:`~kg.synthetic.corpus`: many of them written as a corpus folder, :func:`generate`.
"""
