"""One synthetic article: its text with real character offsets and its annotation file (mentions,
entities, roles and statements, each statement evidenced by an exact quote), made by
:class:`ArticleMaker` from a seeded random generator. kg.synthetic.corpus writes many of them."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from kg.synthetic.output import exact_quotes, mention_items
from kg.synthetic.population import Individual, Population
from kg.synthetic.text import (
    AUTHOR_CLAIMS,
    CLAIM_VERBS,
    CLAIMS,
    COMMENTS,
    DAYS,
    EVENT_TEMPLATES,
    FILLERS,
    LESSONS,
    POSITIONS,
    PRECEDENT_TEMPLATES,
    STANCE_WEIGHTS,
    Quote,
    Writer,
    figure,
    fill,
    provision,
    weighted,
)

KINDS = {"Claim": 46, "Position": 22, "ReportedFigure": 12, "PrecedentInvocation": 8, "EventReport": 12}
GENRES = {"news": 60, "analysis": 15, "opinion": 10, "feature": 10, "interview": 5}


class ArticleMaker:
    """One article: text, metadata and annotations, from its own Random."""

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
        self.i, self.id, self.rng, self.pop, self.pool = index, article_id, rng, pop, pool
        self.published, self.density = published, density
        self.w = Writer(rng)
        self.entities: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.statements: list[dict[str, Any]] = []
        self.roled: set[str] = set()
        self.regions: list[dict[str, Any]] = []
        self.proposals: list[Individual] = []  # as the text names them ("the Kovalenko peace plan")

    # -- pieces ------------------------------------------------------------------------------------
    def sid(self) -> str:
        return f"s{len(self.statements) + 1}"

    def day(self) -> str:
        return self.rng.choice(DAYS)

    def sentence(self, template: str, speaker: Individual | None = None, **slots: Any) -> Quote:
        """Write one sentence; a speaker with an office is introduced with it (and a role)."""
        if (
            speaker is not None
            and template.startswith("{S}")
            and speaker.role
            and speaker.key not in self.roled
            and self.rng.random() < 0.5
        ):
            title, role_type, state = speaker.role
            role = self.w.write([title[0].upper() + title[1:] + " ", speaker])
            self.roled.add(speaker.key)
            self.roles.append(
                {
                    "holder": speaker.key,
                    "label": title,
                    "role_type": role_type,
                    "in": [state],
                    "status": "current",
                    "evidence": [role],
                }
            )
            rest = self.w.write(fill(template[3:], **slots))
            return Quote(role.start, rest.end)
        if speaker is not None:
            slots["S"] = speaker
        return self.w.write(fill(template, **slots))

    def target(self, actors: bool = True, besides: str = "") -> Individual:
        """What a claim is about: a proposal (this article's or an earlier one), a guarantee, an actor
        (other than ``besides``)."""
        own = self.proposals
        r = self.rng.random() * (1.0 if actors else 0.8)
        if own and r < 0.45:
            return self.rng.choice(own)
        if self.pool and r < 0.6:
            return self.rng.choice(self.pool)
        if r < 0.8:
            return self.pop.guarantees.draw(self.rng)
        return self.pop.speakers.draw(self.rng, exclude=frozenset({besides}))

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

    def source(self) -> Individual:
        key = f"syn-source-{self.i}-{len(self.entities) + 1}"
        phrase = self.rng.choice(
            [
                "A senior European diplomat",
                "A Ukrainian official",
                "A Kremlin insider",
                "A Western intelligence officer",
            ]
        )
        self.entities.append(
            {
                "key": key,
                "type": "AnonymousSource",
                "label": f"{phrase.lower()} (synthetic article {self.id})",
                "description": f"An unnamed source quoted in synthetic article {self.id}.",
            }
        )
        return Individual(key, "AnonymousSource", phrase, (phrase,))

    # -- statements --------------------------------------------------------------------------------
    def claim(self) -> None:
        speaker = self.source() if self.rng.random() < 0.08 else self.pop.speakers.draw(self.rng)
        if self.statements and self.rng.random() < 0.12:
            earlier = self.rng.choice(self.statements)["id"]
            quote = self.sentence("{S} dismissed those remarks {D}.", speaker, D=self.day())
            self.statements.append(
                {
                    "id": self.sid(),
                    "type": "Claim",
                    "by": [speaker.key],
                    "stance": "rejects",
                    "target": [f"#{earlier}"],
                    "summary": f"{speaker.label} dismisses statement {earlier}.",
                    "evidence": [quote],
                }
            )
            return
        target = self.target(besides=speaker.key)
        if self.rng.random() < 0.1:
            stance, template = self.rng.choice(AUTHOR_CLAIMS)
            quote = self.w.write(fill(template, T=target))
            self.statements.append(
                {
                    "id": self.sid(),
                    "type": "Claim",
                    "stance": stance,
                    "target": [target.key],
                    "summary": f"The author {CLAIM_VERBS[stance]} {target.label}.",
                    "evidence": [quote],
                }
            )
            return
        stance = weighted(self.rng, STANCE_WEIGHTS)
        template = self.rng.choice(CLAIMS[stance])
        quote = self.sentence(template, speaker, T=target, D=self.day())
        statement: dict[str, Any] = {
            "id": self.sid(),
            "type": "Claim",
            "by": [speaker.key],
            "stance": stance,
            "target": [target.key],
            "summary": f"{speaker.label} {CLAIM_VERBS[stance]} {target.label}.",
            "evidence": [quote],
        }
        if template.startswith("“"):
            statement["direct_quote"] = True
        if self.rng.random() < 0.1:
            statement["modality"] = self.rng.choice(["probable", "possible"])
        self.statements.append(statement)

    def position(self) -> None:
        holder = self.pop.states.draw(self.rng) if self.rng.random() < 0.6 else self.pop.speakers.draw(self.rng)
        ptype, stance, template = self.rng.choice(POSITIONS)
        statement: dict[str, Any] = {
            "id": self.sid(),
            "type": "Position",
            "holder": [holder.key],
            "stance": stance,
            "position_type": ptype,
        }
        if ptype == "willingness":
            target = self.target(besides=holder.key)
            quote = self.w.write(fill(template.replace("{H}", "{S}"), S=holder, X=target, D=self.day()))
            statement.update(target=[target.key], summary=f"{holder.label} {stance} {target.label}.")
        else:
            words, prov = provision(self.rng, self.pop)
            while stance == "demands" and holder.key in prov.get("limited_party", []):
                # no party demands a limit on its own forces (data check self-limiting-demand)
                words, prov = provision(self.rng, self.pop)
            before, after = template.split("{X}")
            quote = self.w.write(fill(before, H=holder, D=self.day()) + words + fill(after, D=self.day()))
            statement.update(provisions=[prov], summary=f"{holder.label}: {ptype} — {prov['text']}.")
        statement["evidence"] = [quote]
        self.statements.append(statement)

    def precedent(self) -> None:
        speaker = self.pop.speakers.draw(self.rng)
        precedent = self.pop.precedents.draw(self.rng)
        lesson = self.rng.choice(LESSONS)
        template = self.rng.choice(PRECEDENT_TEMPLATES)
        quote = self.sentence(template, speaker, P=precedent, L=lesson)
        applied = self.target()
        self.statements.append(
            {
                "id": self.sid(),
                "type": "PrecedentInvocation",
                "by": [speaker.key],
                "precedent": [precedent.key],
                "lesson": lesson[0].upper() + lesson[1:] + ".",
                "applied_to": [applied.key],
                "direct_quote": template.startswith("“"),
                "summary": f"{speaker.label} invokes {precedent.label}: {lesson}.",
                "evidence": [quote],
            }
        )

    def event(self) -> None:
        event = self.pop.events.draw(self.rng)
        quote = self.w.write(fill(self.rng.choice(EVENT_TEMPLATES), E=event))
        self.statements.append(
            {
                "id": self.sid(),
                "type": "EventReport",
                "event": event.key,
                "summary": f"Report on {event.label}.",
                "evidence": [quote],
            }
        )

    def figure(self) -> None:
        pieces, statement = figure(self.rng, self.pop.speakers.draw(self.rng))
        statement["evidence"] = [self.w.write(pieces)]
        self.statements.append({"id": self.sid(), **statement})

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
