"""What several test modules share, imported as ``helpers.<module>`` (tests/ is on sys.path
through tests/conftest.py): test modules never import each other.

- :mod:`helpers.paths`: the repository and test-data folders;
- :mod:`helpers.corpora`: small corpora and settings for builds in a private folder;
- :mod:`helpers.servers`: real servers (``peacekg serve``, ``oxigraph serve``) started on
  127.0.0.1 and stopped by PID; :mod:`helpers.virtuoso`: Debian's Virtuoso, installed when missing;
- :mod:`helpers.wikidata`: the Wikidata-shaped fixture endpoint for ``peacekg link`` and federation;
- :mod:`helpers.hostile`: hostile parameter values for the binding tests;
- :mod:`helpers.fuzz_http`: hypothesis strategies for the protocol fuzzer.

The session-scoped build factories (``fixture_build``, ``seed_build``) are fixtures, in conftest.py.
"""
