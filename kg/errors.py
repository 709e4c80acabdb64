"""The exception tree of PeaceKG.

Every error we raise on purpose is a :class:`PeaceKGError` that knows *where* the problem is
(file, line, column, field, character offset) so the CLI and the service can say it precisely.
The CLI maps each class to a documented exit code (see ``kg.cli.group``).
"""

from __future__ import annotations


class PeaceKGError(Exception):
    """Base class: a message plus an optional location."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        offset: int | None = None,
        details: list[str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.offset = offset
        self.details = list(details or [])

    @property
    def location(self) -> str:
        """``file:line:column`` (whatever parts are known), then ``field`` and ``offset``."""
        parts = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(f"field {self.field}")
        if self.offset is not None:
            parts.append(f"offset {self.offset}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location
        text = f"{where}: {self.message}" if where else self.message
        if self.details:
            text += "\n" + "\n".join(f"  - {d}" for d in self.details)
        return text


class ConfigError(PeaceKGError):
    """A setting or settings file is wrong."""

    exit_code = 3


class SourceSyntaxError(PeaceKGError):
    """A hand-edited source file (Turtle, SPARQL, YAML) does not parse."""

    exit_code = 4


class OntologyError(PeaceKGError):
    """The ontology is inconsistent, fails a quality check, or cannot be reasoned over."""

    exit_code = 5


class ReasonerError(PeaceKGError):
    """The reasoner could not run (no Java, out of memory, crashed)."""

    exit_code = 6


class ValidationError(PeaceKGError):
    """Data violates the SHACL shapes."""

    exit_code = 7
