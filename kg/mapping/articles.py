"""One article to RDF: the document with its text and regions, the spans, mentions, entities,
roles and statements of its annotation file, each fact tied to its evidence. Pure."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.annotations import fields as F
from kg.annotations.articles import Article
from kg.annotations.corpus import Annotations
from kg.annotations.quotes import Span
from kg.annotations.review import file_default, is_draft
from kg.mapping.individuals import emit_fields, emit_individual, emit_provision, emit_role
from kg.mapping.iris import Minter
from kg.mapping.values import Emitter, as_list
from kg.ontology.load import PK

OA = "http://www.w3.org/ns/oa#"
OA_BODY, OA_TARGET, OA_SOURCE = (URIRef(OA + n) for n in ("hasBody", "hasTarget", "hasSource"))
OA_SELECTOR, OA_MOTIVATED, OA_IDENTIFYING = (URIRef(OA + n) for n in ("hasSelector", "motivatedBy", "identifying"))
OA_POSITION, OA_QUOTE = URIRef(OA + "TextPositionSelector"), URIRef(OA + "TextQuoteSelector")
OA_START, OA_END, OA_EXACT, OA_PREFIX, OA_SUFFIX = (
    URIRef(OA + n) for n in ("start", "end", "exact", "prefix", "suffix")
)
# The terms of the spans' triples, most of an article's (a namespace makes a new term at each use)
TYPE, TEXT_SPAN, MENTION = RDF.type, PK.TextSpan, PK.Mention
EVIDENCE_ANNOTATION, EVIDENCING, HAS_EVIDENCE = PK.EvidenceAnnotation, PK.evidencing, PK.hasEvidence


@functools.lru_cache(maxsize=1 << 16)
def offset(n: int) -> Literal:
    """A character offset as a literal (the same few thousand in every article: made once)."""
    return Literal(n, datatype=XSD.nonNegativeInteger)


class ArticleMapper:
    """Maps one article; ``out`` writes into that article's named graph."""

    def __init__(self, out: Emitter, article: Article, annotations: Annotations | None, include_drafts: bool = False):
        self.out = out
        self.article = article
        self.annotations = annotations
        self.include_drafts = include_drafts
        self.node = out.minter.article(article.id)
        out.local = lambda sid: out.minter.statement(article.id, sid)

    # -- the document ----------------------------------------------------------------------------
    def document(self, author: URIRef) -> None:
        out, node, meta, text = self.out, self.node, self.article.meta, self.article.text
        out.add(node, RDF.type, PK.Article)
        out.add(node, PK.title, Literal(str(meta["title"])))
        out.add(node, RDFS.label, Literal(f"{meta['title']} (corpus article {self.article.id})", lang="en"))
        out.add(node, PK.text, Literal(text))
        out.add(node, PK.sha256, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest()))
        out.add(node, PK.characterCount, Literal(len(text), datatype=XSD.nonNegativeInteger))
        out.add(node, PK.language, Literal(str(meta["language"]), datatype=XSD.language))
        out.add(node, PK.genre, out.concept(str(meta["genre"]), "genre"))
        out.add(node, PK.author, author)
        if meta.get("outlet"):
            out.add(node, PK.publishedIn, out.key(meta["outlet"]))
        if "translated" in meta:
            out.add(node, PK.translated, Literal(bool(meta["translated"])))
        out.add(node, PK.hasTimeSpan, out.time_span(node, meta["published"]))
        for region in self.article.regions:
            region_node = out.minter.region(self.article.id, region.id)
            out.add(node, PK.hasRegion, region_node)
            out.add(region_node, RDF.type, PK.TextRegion)
            out.add(region_node, PK.regionType, out.concept(region.type, "region-type"))
            self.selectors(region_node, Span(region.start, region.end, text[region.start : region.end], "", ""))
            if region.duplicate_of:
                out.add(region_node, PK.duplicateOf, out.minter.region(self.article.id, region.duplicate_of))
            if region.type == "reader-comment" and region.author:
                comment = self.comment(region.id)
                out.add(comment, RDF.type, PK.ReaderComment)
                out.add(
                    comment, RDFS.label, Literal(f"reader comment {region.id} of article {self.article.id}", lang="en")
                )
                out.add(comment, PK.partOfDocument, node)
                out.add(comment, PK.author, out.key(region.author))
                out.add(comment, PK.genre, out.concept("reader-comment", "genre"))
                out.add(comment, PK.hasRegion, region_node)

    def comment(self, region_id: str) -> URIRef:
        return Minter.child(self.node, "comment", None).__class__(f"{self.node}/comment/{region_id}")

    def selectors(self, node: URIRef, span: Span) -> None:
        out = self.out
        position, quote = Minter.child(node, "position"), Minter.child(node, "quote")
        out.add(node, OA_SOURCE, self.node)
        out.add(node, OA_SELECTOR, position)
        out.add(node, OA_SELECTOR, quote)
        out.add(position, TYPE, OA_POSITION)
        out.add(position, OA_START, offset(span.start))
        out.add(position, OA_END, offset(span.end))
        out.add(quote, TYPE, OA_QUOTE)
        out.add(quote, OA_EXACT, Literal(span.exact))
        if span.prefix:
            out.add(quote, OA_PREFIX, Literal(span.prefix))
        if span.suffix:
            out.add(quote, OA_SUFFIX, Literal(span.suffix))

    def span(self, span: Span) -> URIRef:
        node = self.out.minter.span(self.article.id, span.start, span.end)
        self.out.add(node, TYPE, TEXT_SPAN)
        self.selectors(node, span)
        return node

    # -- annotations -------------------------------------------------------------------------------
    def evidence(self, body: URIRef, path: tuple) -> list[Span]:
        """Evidence annotations for every span resolved at ``path`` (a quotes field)."""
        assert self.annotations is not None
        spans = [s for key, ss in self.annotations.spans.items() if key[: len(path)] == path for s in ss]
        for span in spans:
            node = self.out.minter.evidence(self.article.id, span.start, span.end, body)
            self.out.add(node, TYPE, EVIDENCE_ANNOTATION)
            self.out.add(node, OA_BODY, body)
            self.out.add(node, OA_TARGET, self.span(span))
            self.out.add(node, OA_MOTIVATED, EVIDENCING)
            self.out.add(body, HAS_EVIDENCE, node)
        if spans:
            self.out.add(body, PROV.wasDerivedFrom, self.node)
        return spans

    def items(self, section: str) -> Iterator[tuple[int, dict[str, Any], bool]]:
        """(index, item, is a draft) of the items of a list section that this build maps: the
        reviewed ones, and the drafts too when drafts are included."""
        assert self.annotations is not None
        default = file_default(self.annotations.data)
        for i, item in enumerate(self.annotations.data.get(section) or []):
            draft = is_draft(item, default)
            if self.include_drafts or not draft:
                yield i, item, draft

    def mentions(self) -> None:
        assert self.annotations is not None
        for i, mention, draft in self.items("mentions"):
            body = self.out.key(mention["ref"])
            for span in self.annotations.spans.get(("mentions", i), []):
                node = self.out.minter.mention(self.article.id, span.start, span.end, mention["ref"])
                self.out.add(node, TYPE, MENTION)
                self.out.add(node, OA_BODY, body)
                self.out.add(node, OA_TARGET, self.span(span))
                self.out.add(node, OA_MOTIVATED, OA_IDENTIFYING)
                if draft:
                    flag_draft(self.out, node)
                # pk:mentionedIn is derived from the mentions by kg.builder.inference (the inferred graph).

    def entities(self) -> None:
        for i, entity, draft in self.items("entities"):
            node = emit_individual(self.out, entity, evidence=self.evidence, path=("entities", i))
            if draft:
                flag_draft(self.out, node, entity)

    def roles(self) -> None:
        for i, role, draft in self.items("roles"):
            node = self.out.minter.article_role(self.article.id, i)
            emit_role(self.out, node, self.out.key(role["holder"]), role)
            self.evidence(node, ("roles", i, "evidence"))
            if draft:
                flag_draft(self.out, node)

    def statements(self, author: URIRef) -> None:
        for i, statement, draft in self.items("statements"):
            self.statement(i, statement, author)
            if draft:
                flag_draft(self.out, self.out.minter.statement(self.article.id, str(statement["id"])))

    def statement(self, i: int, statement: dict[str, Any], author: URIRef) -> None:
        out, kind = self.out, statement["type"]
        node = out.minter.statement(self.article.id, str(statement["id"]))
        out.add(node, RDF.type, PK[kind])
        spans = self.evidence(node, ("statements", i, "evidence"))
        speakers = (
            [out.key(k) for k in as_list(statement["by"])]
            if "by" in statement
            else [self.default_speaker(spans, author)]
        )
        for speaker in speakers:
            out.add(node, PK.attributedTo, speaker)
            if kind == "Claim":
                out.add(node, PK.claimant, speaker)
        region = self.article.region_at(spans[0].start) if spans else None
        if region is not None and region.type == "reader-comment" and region.author:
            out.add(node, PROV.wasDerivedFrom, self.comment(region.id))
        fields = F.STATEMENT + F.STATEMENT_TYPE[kind]
        emit_fields(out, node, statement, tuple(f for f in fields if f.name not in ("id", "type", "by", "evidence")))
        if "modality" not in statement:
            out.add(node, PK.modality, out.concept("certain", "modality"))
        for n, provision in enumerate(statement.get("provisions") or []):
            emit_provision(out, node, n, provision)

    def default_speaker(self, spans: list[Span], author: URIRef) -> URIRef:
        """The author of the region the first evidence span lies in."""
        region = self.article.region_at(spans[0].start) if spans else None
        if region is not None and region.author:
            return self.out.key(region.author)
        return author


def flag_draft(out: Emitter, node: URIRef, item: dict[str, Any] | None = None) -> None:
    """Say that ``node`` (and the keyed commitments of the individual ``item``, resources of their
    own) is a draft: ``pk:reviewStatus review-status:draft``."""
    draft = out.concept("draft", "review-status")
    out.add(node, PK.reviewStatus, draft)
    for commitment in (item or {}).get("commitments") or []:
        if isinstance(commitment, dict) and "key" in commitment:
            out.add(out.minter.resource(commitment["key"]), PK.reviewStatus, draft)


def author_of(out: Emitter, article: Article) -> URIRef:
    """The article's author, or an anonymous source minted for it when unknown."""
    if article.meta.get("author"):
        return out.key(article.meta["author"])
    node = Minter.child(out.minter.article(article.id), "author")
    out.add(node, RDF.type, PK.AnonymousSource)
    out.add(node, RDFS.label, Literal(f"unknown author of corpus article {article.id}", lang="en"))
    return node
