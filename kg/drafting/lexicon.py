"""The word lists of the drafter (English lemmas; general language, none taken from one
article): who speaks, what stance a sentence takes, what kind of statement it is. Kept apart from
the rules that use them (:mod:`kg.drafting.attributions`, :mod:`kg.drafting.statements`) so that
they can be read and extended as lists."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs that report speech or a stated view. Verbs of thought (believe, think, fear, hope) are left
# out: "Putin believes X" is the author's report of Putin's view, not Putin speaking.

REPORTING = words(
    """
    accuse acknowledge add admit affirm agree allege announce argue assert call caution claim
    comment complain concede conclude confirm contend criticise criticize declare demand deny
    describe emphasise emphasize estimate explain indicate insist joke lament maintain note observe
    pledge point post predict promise propose question quip recall recount reiterate remark repeat
    reply report respond say signal state stress suggest tell threaten told tweet underline
    underscore urge vow warn write
    """
)

# Verbs that report speech by themselves ("X said."); the rest of REPORTING needs a reported
# clause or a quotation.

SPEECH = words(
    """
    add announce argue claim comment declare explain insist note post remark reply report respond
    say state stress tell tweet warn write
    """
)

# Nouns for people who speak without a name ("analysts say", "a person close to the government
# said"): such a subject is drafted as a group (plural) or an anonymous source (singular).

SPEAKING_NOUNS = words(
    """
    academic activist adviser advisor aide analyst citizen commander commentator critic diplomat
    economist expert general historian insider journalist lawmaker leader legislator minister
    negotiator observer officer official participant people person politician researcher resident
    scholar soldier source specialist spokesman spokesperson spokeswoman strategist veteran voter
    """
)


# lemma -> (stance, position type) of a Position
POSITION: dict[str, tuple[str, str]] = {
    "demand": ("demands", "demand"),
    "insist": ("demands", "demand"),
    "require": ("demands", "precondition"),
    "condition": ("demands", "precondition"),
    "want": ("demands", "goal"),
    "seek": ("demands", "goal"),
    "aim": ("supports", "goal"),
    "goal": ("supports", "goal"),
    "need": ("demands", "demand"),
    "must": ("demands", "demand"),
    "request": ("demands", "demand"),
    "objective": ("demands", "goal"),
    "determined": ("supports", "goal"),
    "promote": ("proposes", "goal"),
    "consider": ("considers", "willingness"),
    "opposition": ("opposes", "willingness"),
    "allow": ("accepts", "willingness"),
    "refuse": ("refuses", "willingness"),
    "wish": ("supports", "goal"),
    "prefer": ("supports", "goal"),
    "intend": ("supports", "goal"),
    "plan": ("supports", "goal"),
    "object": ("opposes", "red-line"),
    "reject": ("rejects", "red-line"),
    "rule": ("rejects", "red-line"),
    "oppose": ("opposes", "goal"),
    "offer": ("offers", "offer"),
    "propose": ("proposes", "offer"),
    "accept": ("accepts", "willingness"),
    "agree": ("accepts", "willingness"),
    "ready": ("accepts", "willingness"),
    "willing": ("accepts", "willingness"),
    "prepared": ("accepts", "willingness"),
    "open": ("accepts", "willingness"),
    "threaten": ("warns", "willingness"),
    "pledge": ("supports", "goal"),
    "promise": ("supports", "goal"),
    "vow": ("supports", "goal"),
    "commit": ("supports", "goal"),
    "support": ("supports", "goal"),
    "back": ("supports", "goal"),
    "push": ("supports", "goal"),
    "call": ("demands", "demand"),
    "never": ("rejects", "red-line"),
    "unwilling": ("refuses", "willingness"),
    "unprepared": ("refuses", "willingness"),
    "preferable": ("supports", "goal"),
    "preferred": ("supports", "goal"),
    "like": ("supports", "goal"),  # only "would like" (statements.py)
    "proposal": ("proposes", "offer"),
    "counterproposal": ("proposes", "offer"),
}

# the stance a negation turns a position's stance into
NEGATED = {
    "demands": "rejects",
    "considers": "rejects",
    "supports": "opposes",
    "accepts": "refuses",
    "offers": "refuses",
    "proposes": "rejects",
    "rejects": "accepts",
    "refuses": "accepts",
    "opposes": "supports",
}

# lemma -> stance of a Claim
CLAIM = {
    "warn": "warns",
    "caution": "warns",
    "threaten": "warns",
    "predict": "predicts",
    "expect": "predicts",
    "forecast": "predicts",
    "anticipate": "predicts",
    "likely": "predicts",
    "unlikely": "doubts",
    "deny": "denies",
    "dismiss": "denies",
    "doubt": "doubts",
    "question": "doubts",
    "skeptical": "doubts",
    "sceptical": "doubts",
    "uncertain": "doubts",
    "accuse": "criticises",
    "criticise": "criticises",
    "criticize": "criticises",
    "berate": "criticises",
    "blame": "criticises",
    "condemn": "criticises",
    "attack": "criticises",
    "slam": "criticises",
    "lambast": "criticises",
    "fail": "criticises",
    "mistake": "criticises",
    "distrust": "distrusts",
    "mistrust": "distrusts",
    "trust": "trusts",
    "urge": "urges",
    "suggest": "proposes",
}

# Words of negative evaluation: a claim that uses one about someone criticises.

CRITICISM = words(
    """
    absurd aggression aggressor appease appeasement betray betrayal blunder brutal catastrophic
    cowardly crazy criminal cynical dictator disastrous disgrace disinformation error excessive
    excessively fail failure false flawed hypocrisy hypocritical ignorance ignorant inability
    incompetence incompetent irresponsible lack liar lie miscalculate miscalculation misinformation
    mistake misunderstand misunderstanding naive propaganda reckless reluctance reluctant shameful
    stupid tyrant unable unacceptable weak weakness wrong
    """
)

# Words that make a claim doubt.

DOUBT = words(
    """
    chimera doubtful illusion impossible improbable slim unlikely unrealistic wishful
    """
)

FUTURE = words("will would could may might shall")
# Verbs that report that something happened: in the past tense in the author's voice, the
# sentence reports an event.

EVENT_VERBS = words(
    """
    advance agree annex arrive attack begin bomb break capture close collapse conclude convene crush
    declare die elect end fight happen hit hold host inaugurate invade kill launch lose meet
    negotiate occur open reach resign retreat return seize shell sign start strike summon take visit
    win withdraw
    """
)
# Words and phrases that call on the past as a lesson (a precedent invoked).
PRECEDENT_CUES = words("precedent historical historically history lesson lessons")
PRECEDENT_PHRASES = ("did before", "as before", "once before", "as in 19", "as in 20", "like in 19", "like in 20")
# Nouns of events: with a date or a named event in their phrase they report one ("the invasion of
# Ukraine in 2022", "the meeting with Putin on August 15").
EVENT_NOUNS = words(
    """invasion meeting summit negotiation negotiations talks election inauguration forum visit annexation
    attack offensive war ceasefire signing conference referendum revolution collapse coup withdrawal"""
)
# Works that speak for their authors ("according to a study by X", "an analysis by X concludes").
WORKS = words("study report analysis survey assessment estimate paper article poll investigation review memo")
# Words of movement and of physical attack: after them "to", "toward" and "on" name a place ("a
# trip to Moscow", "an attack on Kyiv"); after others the capital stands for those in power
# ("pressure on Moscow", "outreach to Moscow", linking rule 1).
TOWARD_A_PLACE = words(
    """go come travel fly drive walk move return arrive send deploy head march advance flee
    trip visit journey flight travel route road railway train march return
    attack strike assault bombing bombardment shelling raid offensive missile drone rocket fire
    airstrike strikes attacks"""
)
# Nouns of agreements: a past agreement named in a sentence in the past tense is called on as a
# precedent ("Despite his own non-aggression treaty with Poland, Stalin invaded anyway").
AGREEMENT_NOUNS = words("treaty memorandum pact accord accords armistice")
# Words that date a sentence in the article's own time (then a past agreement is news, not a precedent).
RECENT = words("today yesterday tomorrow week month monday tuesday wednesday thursday friday saturday sunday")
# Verbs that report what a source says by their direct object ("the study describes the blowout
# in interest", "the outlet reported a rise"): they report without a clause.
CONTENT_VERBS = words("describe detail document report reveal estimate")
