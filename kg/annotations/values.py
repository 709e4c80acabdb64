"""Checking annotated values by their kind (see kg.annotations.fields), collecting every problem
with its place rather than stopping at the first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kg.annotations.fields import COMMITMENT, PROVISION, QUOTE, ROLE, SOURCE, VIOLATION, Field
from kg.annotations.requirements import PROVISION_REQUIRED
from kg.annotations.sections import DRAFTED_FROM, REVIEW_VALUES
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, YamlDocument, dotted

KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A statement: '#s3' in this file, '001_8d381c327fafc0c6#s54' in the annotation file of another article.
STATEMENT_REF_PATTERN = re.compile(r"^(?P<article>[^#\s]+)?#(?P<sid>[^#\s]+)$")
NESTED = {"provisions": PROVISION, "commitments": COMMITMENT, "violations": VIOLATION, "roles": ROLE, "sources": SOURCE}


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in an input file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class Checker:
    """Checks values of one YAML document; records issues, key references and quote fields."""

    doc: YamlDocument
    vocabulary: VocabularyIndex
    issues: list[Issue] = field(default_factory=list)
    references: list[tuple[Path_, str]] = field(default_factory=list)  # (where, key) to resolve later
    quote_fields: list[tuple[Path_, Any]] = field(default_factory=list)  # (where, value) of every quotes field

    def issue(self, path: Path_, message: str) -> None:
        self.issues.append(Issue(self.doc.file, self.doc.line(path) or 1, dotted(path) or "(document)", message))

    # -- objects -------------------------------------------------------------------------------
    def check_object(self, value: Any, path: Path_, fields: tuple[Field, ...], what: str) -> bool:
        if not isinstance(value, dict):
            self.issue(path, f"expected a mapping for {what}, got {type(value).__name__}")
            return False
        known = {f.name: f for f in fields}
        for name in value:
            if name not in known:
                self.issue(path + (name,), f"unknown field {name!r} for {what} (allowed: {', '.join(sorted(known))})")
        for f in fields:
            if f.name in value:
                self.check_value(value[f.name], path + (f.name,), f)
            elif f.required:
                self.issue(path, f"missing required field {f.name!r} for {what}")
        return True

    def check_list_of(self, value: Any, path: Path_, check: Callable[[Any, Path_], None]) -> None:
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not value:
            self.issue(path, "empty list")
        for i, item in enumerate(items):
            check(item, path + (i,) if isinstance(value, list) else path)

    # -- values --------------------------------------------------------------------------------
    def check_value(self, value: Any, path: Path_, f: Field) -> None:
        """Check ``value`` by the kind of its field ``f`` (kg.annotations.fields)."""
        kind = f.kind
        if kind == "text":
            self.check_text(value, path)
        elif kind == "texts":
            self.check_list_of(value, path, self.check_text)
        elif kind in ("key", "keys"):
            self.check_keys(value, path, one=kind == "key")
        elif kind == "statements":
            self.check_list_of(value, path, self.check_statement_ref)
        elif kind in ("concept", "concepts"):
            self.check_concepts(value, path, f, one=kind == "concept")
        elif kind == "date":
            self.check_date(value, path)
        elif kind == "quantity":
            self.check_quantity(value, path)
        elif kind == "bool":
            self.check_bool(value, path)
        elif kind == "quotes":
            self.check_quotes(value, path)
        elif kind == "identifier":
            self.check_identifier(value, path)
        elif kind in NESTED:
            self.check_nested_list(kind, value, path)
        elif kind == "review":
            self.check_review(value, path)
        elif kind == "drafted_from":
            self.check_drafted_from(value, path)
        else:
            raise AssertionError(f"unknown field kind {kind}")

    def check_text(self, value: Any, path: Path_) -> None:
        """Non-empty text (a number is taken as text)."""
        if not isinstance(value, (str, int, float)) or (isinstance(value, str) and not value.strip()):
            self.issue(path, "expected non-empty text")

    def check_review(self, value: Any, path: Path_) -> None:
        if value not in REVIEW_VALUES:
            self.issue(path, f"review is 'reviewed' or 'draft', got {value!r}")

    def check_drafted_from(self, value: Any, path: Path_) -> None:
        """{article, quote, occurrence}; that the quote occurs in the article is checked once the
        articles are loaded (kg.annotations.review.check_drafted_from)."""
        if self.check_object(value, path, DRAFTED_FROM, "drafted_from") and "occurrence" in value:
            occurrence = value["occurrence"]
            if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
                self.issue(path + ("occurrence",), f"occurrence is a number from 1, got {occurrence!r}")

    def check_bool(self, value: Any, path: Path_) -> None:
        if not isinstance(value, bool):
            self.issue(path, f"expected true or false, got {value!r}")

    def check_keys(self, value: Any, path: Path_, *, one: bool) -> None:
        """A key, or (unless ``one``) a list of keys; each is recorded as a reference."""
        if one and isinstance(value, list):
            self.issue(path, "expected one key, got a list")
            return
        self.check_list_of(value, path, self.check_key)

    def check_concepts(self, value: Any, path: Path_, f: Field, *, one: bool) -> None:
        """A concept of the field's scheme, or (unless ``one``) a list of them."""
        if one and isinstance(value, list):
            self.issue(path, "expected one concept, got a list")
            return
        self.check_list_of(value, path, lambda v, p: self.check_concept(v, p, f))

    def check_quotes(self, value: Any, path: Path_) -> None:
        """A quote or a list of quotes; the field is kept to resolve its quotes against the text."""
        self.check_list_of(value, path, self.check_quote)
        self.quote_fields.append((path, value))

    def check_nested_list(self, kind: str, value: Any, path: Path_) -> None:
        """A list of nested objects (provisions, commitments, violations, roles, sources)."""
        if not isinstance(value, list):
            self.issue(path, f"expected a list of {kind}")
            return
        for i, item in enumerate(value):
            self.check_nested(kind, item, path + (i,))

    def check_nested(self, kind: str, item: Any, path: Path_) -> None:
        if kind == "provisions" and isinstance(item, dict):
            klass = item.get("type")
            if not (isinstance(klass, str) and self.vocabulary.is_a(klass, "Provision")):
                options = ", ".join(self.vocabulary.subclasses_of("Provision"))
                self.issue(path + ("type",), f"not a provision class: {klass!r} (one of: {options})")
        if kind == "provisions" and isinstance(item, dict):
            for name in PROVISION_REQUIRED.get(str(item.get("type")), ()):
                if name not in item:
                    self.issue(path, f"a {item.get('type')} needs {name!r}")
        if kind == "commitments" and isinstance(item, dict):
            klass = item.get("type", "SecurityGuarantee")
            if not self.vocabulary.is_a(str(klass), "Commitment"):
                self.issue(path + ("type",), f"not a commitment class: {klass!r}")
        self.check_object(item, path, NESTED[kind], kind.rstrip("s"))

    def check_key(self, value: Any, path: Path_) -> None:
        if isinstance(value, str) and "#" in value:
            self.check_statement_ref(value, path)
        elif not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.issue(path, f"not a key (lower-case words joined by '-'): {value!r}")
        else:
            self.references.append((path, value))

    def check_statement_ref(self, value: Any, path: Path_) -> None:
        """'#s3' (a statement of this file) or '<article id>#s3' (one of another article's file);
        recorded as a reference, resolved once every annotation file is loaded."""
        if not isinstance(value, str) or not STATEMENT_REF_PATTERN.match(value):
            self.issue(
                path,
                f"not a statement reference ('#s3' in this file, '<article id>#s3' in another article): {value!r}",
            )
        else:
            self.references.append((path, value))

    def check_concept(self, value: Any, path: Path_, f: Field) -> None:
        schemes = [f.scheme] if f.scheme else ["guarantee-kind", "commitment-kind"]
        for scheme in schemes:
            if isinstance(value, str) and value in self.vocabulary.schemes.get(scheme, {}):
                return
        options = sorted(c for s in schemes for c in self.vocabulary.schemes.get(s, {}))
        self.issue(path, f"{value!r} is not in the {' or '.join(schemes)} scheme (one of: {', '.join(options)})")

    def check_date(self, value: Any, path: Path_) -> None:
        if isinstance(value, dt.date):
            return
        if isinstance(value, (str, int)):
            if not parse_date_text(str(value)):
                self.issue(path, f"unparseable date {value!r} (write YYYY, YYYY-MM or YYYY-MM-DD)")
            return
        if not isinstance(value, dict):
            self.issue(path, f"unparseable date {value!r}")
            return
        allowed = {"earliest", "latest", "precision", "inferred", "as_written", "note"}
        for name in value:
            if name not in allowed:
                self.issue(path + (name,), f"unknown date field {name!r} (allowed: {', '.join(sorted(allowed))})")
        bounds = []
        for name in ("earliest", "latest"):
            if name in value:
                parsed = parse_date_text(str(value[name]))
                if not parsed:
                    self.issue(path + (name,), f"unparseable date {value[name]!r}")
                bounds.append(parsed)
        if "earliest" not in value:
            self.issue(path, "a date mapping needs 'earliest'")
        if len(bounds) == 2 and (earliest := bounds[0]) and (latest := bounds[1]) and earliest[0] > latest[1]:
            self.issue(path, "earliest is after latest")
        if "precision" in value:
            self.check_concept(
                value["precision"], path + ("precision",), Field("precision", "concept", None, "", "date-precision")
            )
        if "inferred" in value and not isinstance(value["inferred"], bool):
            self.issue(path + ("inferred",), "expected true or false")

    def check_quantity(self, value: Any, path: Path_) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return
        if not isinstance(value, dict):
            self.issue(path, f"expected a number or a mapping with value/min/max and unit, got {value!r}")
            return
        allowed = {"value", "min", "max", "unit", "qualifier", "count_of"}
        for name in value:
            if name not in allowed:
                self.issue(path + (name,), f"unknown quantity field {name!r} (allowed: {', '.join(sorted(allowed))})")
        numbers = {n: value[n] for n in ("value", "min", "max") if n in value}
        if not numbers:
            self.issue(path, "a quantity needs value, min or max")
        for name, number in numbers.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                self.issue(path + (name,), f"expected a number, got {number!r}")
        if (
            isinstance(numbers.get("min"), (int, float))
            and isinstance(numbers.get("max"), (int, float))
            and numbers["min"] > numbers["max"]
        ):
            self.issue(path, "min is greater than max")
        if "unit" not in value:
            self.issue(path, "a quantity needs a unit (count, kilometre, percent, ratio, usd, rub…)")
        else:
            self.check_concept(value["unit"], path + ("unit",), Field("unit", "concept", None, "", "unit"))
        if "qualifier" in value:
            self.check_concept(
                value["qualifier"], path + ("qualifier",), Field("qualifier", "concept", None, "", "quantity-qualifier")
            )

    def check_quote(self, value: Any, path: Path_) -> None:
        if isinstance(value, str):
            if not value:
                self.issue(path, "empty quote")
            return
        if self.check_object(value, path, QUOTE, "quote") and "occurrence" in value:
            occurrence = value["occurrence"]
            if occurrence != "all" and (
                isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1
            ):
                self.issue(
                    path + ("occurrence",), f"occurrence is a number from 1 (or 'all' in mentions), got {occurrence!r}"
                )

    def check_identifier(self, value: Any, path: Path_) -> None:
        if not isinstance(value, dict):
            self.issue(path, "expected {id, status, checked}")
            return
        for name in value:
            if name not in {"id", "status", "checked", "note"}:
                self.issue(path + (name,), f"unknown identifier field {name!r}")
        status = value.get("status")
        if status not in ("verified", "unverified"):
            self.issue(path + ("status",), f"status is verified or unverified, got {status!r}")
        if status == "verified" and not value.get("checked"):
            self.issue(path, "a verified identifier says where it was checked ('checked')")
        if status == "verified" and not value.get("id"):
            self.issue(path, "a verified identifier needs its id")


def parse_date_text(text: str) -> tuple[dt.date, dt.date, str] | None:
    """'1994' -> (1994-01-01, 1994-12-31, 'year'); '2025-08' -> month; '2025-08-15' -> day."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            d = dt.date(int(year), int(month), int(day))
            return d, d, "day"
        if month:
            first = dt.date(int(year), int(month), 1)
            nxt = dt.date(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1), "month"
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31), "year"
    except ValueError:
        return None
