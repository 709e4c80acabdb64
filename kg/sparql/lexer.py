"""A lexer for SPARQL text, for the few decisions taken before an engine runs a request: which
endpoints a query calls with SERVICE, where an update's operations take their dataset (USING),
which operations it holds (LOAD), and where a query's WHERE group opens (to bind parameters with
VALUES for engines that have no other way).

It splits text the way oxigraph's parser does at the lexical level: comments, the four kinds of
string literal, IRI references, variables, prefixed names, keywords and punctuation. Codepoint
escapes (\\u0053…) are not processed outside strings and IRIs, as in oxigraph: `\\u0053ERVICE` is
a syntax error there, not a SERVICE keyword. Brace depth is tracked, so update operations (depth
0) are told from graph patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[^\s(){}\[\],;.]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-\u00B7\u00C0-\uFFFF.:%\\]*[\w\-\u00B7\u00C0-\uFFFF:%])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|.)
""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, string, iri, var, bnode, lang, pname, word, number, punct
    text: str
    start: int
    depth: int  # brace depth before the token

    @property
    def keyword(self) -> str | None:
        return self.text.upper() if self.kind == "word" else None


def iter_tokens(text: str) -> Iterator[Token]:
    """Every token of ``text`` with its offset and brace depth (whitespace and comments included),
    lazily: callers that need only the start of a query stop early."""
    depth, position = 0, 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # an unterminated string: the rest is one token the engine will reject
            yield Token("punct", text[position:], position, depth)
            return
        kind = match.lastgroup or "punct"
        yield Token(kind, match.group(), position, depth)
        if kind == "punct":
            if match.group() == "{":
                depth += 1
            elif match.group() == "}":
                depth = max(0, depth - 1)
        position = match.end()


def iter_significant(text: str) -> Iterator[Token]:
    return (t for t in iter_tokens(text) if t.kind not in ("ws", "comment"))


def significant(text: str) -> list[Token]:
    return list(iter_significant(text))


def mentions(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` at all (any case): a C-speed test that lets callers
    skip lexing a large text that cannot hold the keyword."""
    return re.search(re.escape(word), text, re.IGNORECASE) is not None


def prefixes(toks: list[Token]) -> tuple[dict[str, str], str | None]:
    """PREFIX declarations (prefix -> namespace IRI) and the last BASE, from anywhere in the text
    (updates may declare prefixes before each operation)."""
    found, base = {}, None
    for i, token in enumerate(toks):
        if (
            token.keyword == "PREFIX"
            and i + 2 < len(toks)
            and toks[i + 1].kind == "pname"
            and toks[i + 2].kind == "iri"
        ):
            found[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
        elif token.keyword == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = toks[i + 1].text[1:-1]
    return found, base


@dataclass(frozen=True)
class ServiceCall:
    endpoint: str | None  # the endpoint IRI; None when named by a variable or not resolvable
    written: str  # as written in the text
    token: Token | None  # the IRI or prefixed-name token (None for variables)


def service_calls(text: str) -> list[ServiceCall]:
    """Every SERVICE clause: the endpoint it calls, as the engine would resolve it."""
    if not mentions(text, "service"):
        return []
    toks = significant(text)
    declared, _base = prefixes(toks)
    calls = []
    for i, token in enumerate(toks):
        if token.keyword != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].keyword == "SILENT":
            j += 1
        if j >= len(toks):
            calls.append(ServiceCall(None, "", None))
            continue
        target = toks[j]
        if target.kind == "iri":
            iri = target.text[1:-1]
            absolute = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) is not None
            calls.append(ServiceCall(iri if absolute else None, target.text, target))
        elif target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            namespace = declared.get(prefix)
            calls.append(
                ServiceCall(
                    namespace + local if namespace is not None and "\\" not in local else None, target.text, target
                )
            )
        else:
            calls.append(ServiceCall(None, target.text, None))
    return calls


def query_form(text: str) -> str | None:
    """select, ask, construct or describe: the first keyword after the prologue; None otherwise."""
    toks = iter_significant(text)
    for token in toks:
        keyword = token.keyword
        if keyword == "PREFIX":
            next(toks, None), next(toks, None)
        elif keyword == "BASE":
            next(toks, None)
        else:
            return keyword.lower() if keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None
    return None


def where_group_start(text: str) -> int | None:
    """The offset just after the ``{`` that opens the query's outermost WHERE group (past a
    CONSTRUCT template); None when the text is not a query."""
    toks = iter_significant(text)
    form = next((t for t in toks if t.depth == 0 and t.keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form is None:
        return None
    token = next(toks, None)
    if form.keyword == "CONSTRUCT" and token is not None and token.text == "{":
        while token is not None and not (token.text == "}" and token.depth == 1):
            token = next(toks, None)  # skip the template
        token = next(toks, None)
    while token is not None:
        if token.text == "{" and token.depth == 0:
            return token.start + 1
        token = next(toks, None)
    return None


def subselect_group_starts(text: str) -> list[tuple[int, frozenset[str]]]:
    """For each sub-SELECT (a SELECT inside braces): the offset just after the ``{`` that opens its
    WHERE group, and the variables it projects (``?x`` and ``(… AS ?x)``; ``*`` as the name ``*``)."""
    toks = significant(text)
    starts = []
    for i, token in enumerate(toks):
        if token.keyword != "SELECT" or token.depth == 0:
            continue
        projected: set[str] = set()
        parens, j = 0, i + 1
        while j < len(toks) and not (toks[j].text == "{" and parens == 0):
            t = toks[j]
            if t.text == "(":
                parens += 1
            elif t.text == ")":
                parens -= 1
            elif t.text == "*" and parens == 0:
                projected.add("*")
            elif t.kind == "var" and (parens == 0 or toks[j - 1].keyword == "AS"):
                projected.add(t.text[1:])
            j += 1
        if j < len(toks):
            starts.append((toks[j].start + 1, frozenset(projected)))
    return starts


def operation_keywords(text: str) -> list[Token]:
    """The words at brace depth 0 of an update: its operations and their clauses."""
    return [t for t in significant(text) if t.kind == "word" and t.depth == 0]


class DatasetConflict(ValueError):
    """using-graph-uri / using-named-graph-uri given for an update that has USING or WITH."""


def add_using(update: str, defaults: list[str], named: list[str]) -> str:
    """``update`` with the protocol's dataset (using-graph-uri, using-named-graph-uri) written as
    USING / USING NAMED clauses before the WHERE of each DELETE/INSERT operation, which is what
    the protocol says they mean. Raises DatasetConflict when the update has its own USING or WITH."""
    if not defaults and not named:
        return update
    words = operation_keywords(update)
    clash = next((t for t in words if t.keyword in ("USING", "WITH")), None)
    if clash is not None:
        raise DatasetConflict(
            f"the update has its own {clash.keyword} clause (offset {clash.start}); "
            "it cannot also take using-graph-uri / using-named-graph-uri"
        )
    clauses = "".join(f"USING <{g}> " for g in defaults) + "".join(f"USING NAMED <{g}> " for g in named)
    toks = significant(update)
    cuts = [
        t.start
        for k, t in enumerate(toks)
        if t.depth == 0 and t.keyword == "WHERE" and not (k and toks[k - 1].keyword == "DELETE")
    ]  # DELETE WHERE takes no USING
    out, last = [], 0
    for cut in cuts:
        out.append(update[last:cut])
        out.append(clauses)
        last = cut
    out.append(update[last:])
    return "".join(out)
