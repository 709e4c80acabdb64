"""Which queries are *lookups*: queries whose cost is bounded by their output, which the service
runs in the request thread (:mod:`service.execution.inline`) instead of handing them to a
killable worker process. Decided from the query's tokens (kg.sparql.lexer, which splits text as
oxigraph's parser does) read against a small grammar, never from substrings of the text; anything
the grammar does not take, or that is longer than LOOKUP_MAX_CHARACTERS, is not a lookup.

The rule, whole::

    Lookup   := Prologue ( Select | Ask | Describe ) Modifiers
    Prologue := ( BASE IRIREF | PREFIX PNAME_NS IRIREF )*
    Select   := SELECT ( '*' | Var+ ) [WHERE] '{' Triple ['.'] '}'
    Ask      := ASK [WHERE] '{' Triple ['.'] '}'
    Describe := DESCRIBE ( IRIREF | PrefixedName )+
    Modifiers:= at most one LIMIT n and one OFFSET n, in either order, n an integer; OFFSET at most
                the row limit (setting max_result_rows)
    Triple   := Subject Predicate Object: a variable, an IRI or a prefixed name; the predicate may be
                ``a``; the object may also be a literal (string with language or datatype, number,
                true/false); at least one of the three a constant; no variable twice

Why each part: one triple pattern with a constant is one range scan of one of the engine's
indexes, each step of which is a row of the answer (the default graph is the union of the named
graphs: a triple stored in several graphs is read once per graph, a small constant); so the rows
can be counted and the time checked between them. A variable twice (``?x <p> ?x``) is a scan
whose steps may all be rejected, so it is not a lookup; neither is DISTINCT/REDUCED (duplicates
dropped inside the engine), ORDER BY, GROUP BY or aggregates (everything read before the first
row), a property path (a walk), FILTER, OPTIONAL, UNION, BIND, VALUES, GRAPH, subqueries, FROM or
SERVICE (other datasets and endpoints). A large OFFSET would be skipped inside the engine between
two checks of the time, so it is bounded by the row limit. A DESCRIBE reads the resource's
triples as subject (and those of blank nodes it reaches): bounded by its output the same way.
"""

from __future__ import annotations

from functools import lru_cache

from kg.sparql.lexer import Token, significant

LOOKUP_MAX_CHARACTERS = 4096  # lexing a longer text costs more than a lookup; and lookups are short
_TERM = ("iri", "pname")
_LITERAL_WORDS = ("TRUE", "FALSE")


def lookup_form(query: str, max_offset: int) -> str | None:
    """``select``, ``ask`` or ``describe`` when ``query`` is a lookup by the rule above (OFFSET
    at most ``max_offset``); None otherwise."""
    if len(query) > LOOKUP_MAX_CHARACTERS:
        return None
    found = _shape(query)
    if found is None:
        return None
    form, offset, _limit = found
    return form if offset <= max_offset else None


def lookup_limit(query: str) -> int | None:
    """The LIMIT of a lookup (None without one, or when ``query`` is no lookup)."""
    found = _shape(query) if len(query) <= LOOKUP_MAX_CHARACTERS else None
    return None if found is None else found[2]


@lru_cache(maxsize=1024)  # clients repeat lookups; texts are short (LOOKUP_MAX_CHARACTERS)
def _shape(query: str) -> tuple[str, int, int | None] | None:
    """The form, OFFSET (0 without one) and LIMIT (None without one) of a lookup, or None."""
    tokens = significant(query)
    reader = _Reader(tokens)
    if not reader.prologue():
        return None
    form = reader.word()
    if form == "SELECT":
        if not reader.projection() or not reader.group():
            return None
    elif form == "ASK":
        if not reader.group():
            return None
    elif form == "DESCRIBE":
        if not reader.described():
            return None
    else:
        return None
    modifiers = reader.modifiers()
    if modifiers is None or not reader.at_end():
        return None
    return form.lower(), modifiers.get("OFFSET", 0), modifiers.get("LIMIT")


class _Reader:
    """A cursor over the significant tokens; each method consumes one part of the grammar and
    says whether it was there."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        if token is not None:
            self.at += 1
        return token

    def word(self) -> str | None:
        token = self.take()
        return token.keyword if token is not None else None

    def is_punct(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == text:
            self.at += 1
            return True
        return False

    def at_end(self) -> bool:
        return self.at == len(self.tokens)

    def prologue(self) -> bool:
        while (token := self.peek()) is not None and token.keyword in ("BASE", "PREFIX"):
            self.at += 1
            if token.keyword == "PREFIX":
                name = self.take()
                if name is None or name.kind != "pname" or not name.text.endswith(":"):
                    return False
            iri = self.take()
            if iri is None or iri.kind != "iri":
                return False
        return True

    def projection(self) -> bool:
        if self.is_punct("*"):
            return True
        count = 0
        while (token := self.peek()) is not None and token.kind == "var":
            self.at += 1
            count += 1
        return count > 0

    def group(self) -> bool:
        token = self.peek()
        if token is not None and token.keyword == "WHERE":
            self.at += 1
        if not self.is_punct("{") or not self.triple():
            return False
        self.is_punct(".")
        return self.is_punct("}")

    def triple(self) -> bool:
        subject, predicate = self.take(), self.take()
        if subject is None or predicate is None or subject.kind not in ("var", *_TERM):
            return False
        if predicate.kind not in ("var", *_TERM) and predicate.text != "a":  # ``a`` is case-sensitive
            return False
        constant = subject.kind != "var" or predicate.kind != "var"
        obj = self.take()
        if obj is None:
            return False
        if obj.kind in ("var", *_TERM):
            constant = constant or obj.kind != "var"
        elif not self.literal(obj):
            return False
        else:
            constant = True
        names = [t.text[1:] for t in (subject, predicate, obj) if t.kind == "var"]
        return constant and len(names) == len(set(names))

    def literal(self, token: Token) -> bool:
        if token.kind == "number" or token.keyword in _LITERAL_WORDS:
            return True
        if token.kind != "string":
            return False
        after = self.peek()
        if after is not None and after.kind == "lang":
            self.at += 1
        elif after is not None and after.kind == "punct" and after.text == "^^":
            self.at += 1
            datatype = self.take()
            return datatype is not None and datatype.kind in _TERM
        return True

    def described(self) -> bool:
        count = 0
        while (token := self.peek()) is not None and token.kind in _TERM:
            self.at += 1
            count += 1
        return count > 0

    def modifiers(self) -> dict[str, int] | None:
        """At most one LIMIT and one OFFSET, by keyword; None if anything else."""
        seen: dict[str, int] = {}
        while (token := self.peek()) is not None and token.keyword in ("LIMIT", "OFFSET") and token.keyword not in seen:
            self.at += 1
            number = self.take()
            if number is None or number.kind != "number" or not number.text.isdigit():
                return None
            seen[token.keyword] = int(number.text)
        return seen
