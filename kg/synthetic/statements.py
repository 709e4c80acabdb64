"""The statements of one synthetic article, one kind at a time: a Claim (a speaker's, an anonymous
source's or the author's, or one dismissing an earlier statement), a Position (a willingness, or a
provision demanded, offered or refused), a PrecedentInvocation, an EventReport and a
ReportedFigure, each written as sentences with real character offsets and recorded with its exact
quote as evidence. :class:`StatementMaker` holds what they share: the article's Writer and random
generator, its entities, roles and statements so far, and the proposals a claim may target.
kg.synthetic.article's ArticleMaker is one, and lays the article out around them."""

from __future__ import annotations

import random
from typing import Any

from kg.synthetic.population import Individual, Population
from kg.synthetic.text import (
    AUTHOR_CLAIMS,
    CLAIM_VERBS,
    CLAIMS,
    DAYS,
    EVENT_TEMPLATES,
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


class StatementMaker:
    """The statements of one article, written from its own Random (see the module)."""

    def __init__(self, index: int, article_id: str, rng: random.Random, pop: Population, pool: list[Individual]):
        self.i, self.id, self.rng, self.pop, self.pool = index, article_id, rng, pop, pool
        self.w = Writer(rng)
        self.entities: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.statements: list[dict[str, Any]] = []
        self.roled: set[str] = set()
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

    def source(self) -> Individual:
        """An anonymous source, an entity of this article, to speak a claim."""
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
