"""The ``peacekg`` command line: thin commands that parse their options, call one library
function, print the outcome and map PeaceKG's exceptions to the exit codes documented in
:mod:`kg.cli.group`.

Exports :data:`cli` (the click group) and :func:`main` (the console script). Commands that need
the HTTP service (``serve``) are not defined here: the service registers them through the
``peacekg.commands`` entry-point group, so the library never imports the service.
"""

from kg.cli.group import cli, main

__all__ = ["cli", "main"]
