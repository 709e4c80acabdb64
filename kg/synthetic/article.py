"""One synthetic article: its text with real character offsets and its annotation file (mentions,
entities, roles and statements, each statement evidenced by an exact quote), made by
:class:`ArticleMaker` from a seeded random generator: the statements by the sentence are
:mod:`kg.synthetic.statements`; here the article around them (a proposal, headline, body, byline, a
reader comment) and its metadata. kg.synthetic.corpus writes many of them."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from kg.synthetic.output import exact_quotes, mention_items
from kg.synthetic.population import Individual, Population
from kg.synthetic.statements import StatementMaker
from kg.synthetic.text import CLAIM_VERBS, COMMENTS, FILLERS, fill, provision, weighted

KINDS = {"Claim": 46, "Position": 22, "ReportedFigure": 12, "PrecedentInvocation": 8, "EventReport": 12}
GENRES = {"news": 60, "analysis": 15, "opinion": 10, "feature": 10, "interview": 5}


class ArticleMaker(StatementMaker):
    """One article: text, metadata and annotations, from its own Random; its statements are
    written by :class:`~kg.synthetic.statements.StatementMaker`, this lays the article out around
    them (headline, body, byline, a reader comment) and adds its metadata."""

    def __init__(
        self,
        index: int,
        article_id: str,
        rng: random.Random,
        pop: Population,
        pool: list[Individual],
        published: dt.date,
        density: float,
    ):
        super().__init__(index, article_id, rng, pop, pool)
        self.published, self.density = published, density
        self.regions: list[dict[str, Any]] = []

    # -- entities ----------------------------------------------------------------------------------
    def proposal(self) -> None:
        proposer = self.pop.speakers.draw(self.rng)
        provisions = [provision(self.rng, self.pop) for _ in range(1 if self.rng.random() < 0.5 else 2)]
        kind = "PeacePlan" if len(provisions) > 1 else "Proposal"
        key = f"syn-proposal-{self.i}-{len(self.entities) + 1}"
        name = f"{proposer.label} {'peace plan' if kind == 'PeacePlan' else 'proposal'}"
        label = f"{name} ({self.published:%B %Y})"
        pieces: list[Any] = [proposer, f" put forward a plan {self.day()} that includes "]
        for n, (words, _) in enumerate(provisions):
            pieces += ([" and "] if n else []) + words
        quote = self.w.write(pieces + ["."])
        self.entities.append(
            {
                "key": key,
                "type": kind,
                "label": label,
                "proposed_by": [proposer.key],
                "evidence": [quote],
                "provisions": [p for _, p in provisions],
            }
        )
        self.proposals.append(Individual(key, kind, label, (f"the {name}",)))
        self.w.raw(" ")
        self.statements.append(
            {
                "id": self.sid(),
                "type": "Claim",
                "by": [proposer.key],
                "stance": "proposes",
                "target": [key],
                "summary": f"{proposer.label} proposes {label}.",
                "evidence": [quote],
            }
        )

    # -- the article -------------------------------------------------------------------------------
    def make(self) -> tuple[str, dict[str, Any], dict[str, Any]]:
        rng, w = self.rng, self.w
        main = self.pop.speakers.draw(rng)
        if rng.random() < 0.7:
            head = w.write(
                fill(
                    rng.choice(
                        [
                            "{S} rejects new ceasefire terms",
                            "{S} signals shift on peace talks",
                            "Pressure mounts on {S} over peace plan",
                            "{S} weighs security guarantees",
                        ]
                    ),
                    S=main,
                )
            )
            self.regions.append({"id": "headline", "type": "headline", "start": head.start, "end": head.end})
            w.raw("\n\n")
        body = len(w.text)
        if rng.random() < 0.35:
            self.proposal()
        count = max(1, round(rng.expovariate(1 / self.density)))
        makers = {
            "Claim": self.claim,
            "Position": self.position,
            "ReportedFigure": self.figure,
            "PrecedentInvocation": self.precedent,
            "EventReport": self.event,
        }
        for n in range(count):
            makers[weighted(rng, KINDS)]()
            if rng.random() < 0.3:
                w.raw(" " + rng.choice(FILLERS))
            w.raw("\n\n" if n % 3 == 2 else " ")
        w.text = w.text.rstrip()
        self.regions.append({"id": "body", "type": "body", "start": body, "end": len(w.text)})
        author = self.pop.journalists.draw(rng) if rng.random() < 0.75 else None
        if author is not None:
            w.raw("\n\n")
            line = w.write(["By ", author])
            self.regions.append({"id": "byline", "type": "byline", "start": line.start, "end": line.end})
        if rng.random() < 0.1:
            self.comment()
        return self.finish(main, author)

    def comment(self) -> None:
        key = f"syn-commenter-{self.i}-1"
        self.entities.append(
            {
                "key": key,
                "type": "AnonymousSource",
                "label": f"reader commenter 1 of synthetic article {self.id}",
                "description": f"The author of the first reader comment under synthetic article {self.id}.",
                # the article's metadata (a region's author) names it, and metadata is never a draft
                "review": "reviewed",
            }
        )
        self.w.raw("\n\n")
        stance, template = self.rng.choice(COMMENTS)
        target = self.target(actors=False)
        quote = self.w.write(fill(template, T=target))
        self.regions.append(
            {"id": "comment-1", "type": "reader-comment", "start": quote.start, "end": quote.end, "author": key}
        )
        likes = self.w.raw(f"\n{self.rng.randint(1, 300)} likes")
        self.regions.append(
            {"id": "comment-1-likes", "type": "non-article", "start": likes.start + 1, "end": likes.end}
        )
        self.statements.append(
            {
                "id": self.sid(),
                "type": "Claim",
                "stance": stance,
                "target": [target.key],
                "summary": f"A reader {CLAIM_VERBS[stance]} {target.label}.",
                "evidence": [quote],
            }
        )

    def finish(self, main: Individual, author: Individual | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
        text = self.w.text
        windows = [(r["start"], r["end"]) for r in self.regions if r["type"] != "non-article"]
        mentions = mention_items(self.w.mentions, text, windows)
        head = next((r for r in self.regions if r["type"] == "headline"), None)
        meta: dict[str, Any] = {"id": self.id}
        if head:
            meta["title"] = text[head["start"] : head["end"]]
        else:
            meta.update(title=f"{main.label} and the peace talks", title_inferred=True)
        published: Any = self.published
        if self.rng.random() < 0.2:
            first = self.published.replace(day=1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            published = {
                "earliest": first,
                "latest": last,
                "precision": "month",
                "inferred": True,
                "note": "synthetic: only the month is known",
            }
        outlet = self.pop.outlets.draw(self.rng).key if self.rng.random() < 0.9 else None
        meta.update(
            outlet=outlet,
            author=author.key if author else None,
            genre=weighted(self.rng, GENRES),
            language="en",
            translated=False,
            published=published,
            regions=self.regions,
        )
        annotations: dict[str, Any] = {
            "article": self.id,
            "review": "draft",
            "annotators": ["peacekg synth"],
            "note": "synthetic article generated for benchmarks; not real news",
        }
        for name, value in (
            ("mentions", mentions),
            ("entities", self.entities),
            ("roles", self.roles),
            ("statements", self.statements),
        ):
            if value:
                annotations[name] = exact_quotes(value, text, windows)
        return text, meta, annotations
