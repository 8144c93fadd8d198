"""The question frame's fast paths against their plain definitions, on varied questions."""

from __future__ import annotations

import random

import pytest

from evascore import question as Q
from evascore.cues import lower_pattern
from evascore.patterns import alternatives

WQ = "To ask the Secretary of State for Health and Social Care, "

# Words and pieces the frame's patterns look for, their near misses and case variants, and
# characters beyond ASCII that re.IGNORECASE matches with ASCII letters.
BITS = (
    "what",
    "What",
    "WHAT",
    "somewhat",
    "whatever",
    "what's",
    "how",
    "How",
    "how many",
    "how much",
    "how long",
    "many",
    "much",
    "when",
    "When",
    "why",
    "which",
    "who",
    "whom",
    "whether",
    "if",
    "he",
    "she",
    "they",
    "the",
    "his",
    "her",
    "your",
    "its",
    "is",
    "was",
    "are",
    "were",
    "will",
    "will be",
    "would",
    "does",
    "do",
    "can",
    "has",
    "have",
    "recent",
    "assessment",
    "estimate",
    "view",
    "cost",
    "funding",
    "number",
    "the number of",
    "rate",
    "date",
    "timetable",
    "by what date",
    "for what reason",
    "on what basis",
    "reasons",
    "name the",
    "list",
    "policy",
    "steps",
    "plans",
    "average",
    "waiting",
    "time",
    "yes or no",
    "Can you give us",
    "Will the Minister tell the House",
    "revenue",
    "growth",
    "and",
    "or",
    ",",
    ";",
    "?",
    ".",
    "(a)",
    "(b)",
    "(ii)",
    "Leeds",
    "Wales",
    "-",
    "'",
    "ſ",
    "\u212a",
    "İ",
    "é",
)


def _questions(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(BITS) for _ in range(rng.randint(0, 14))]
        text = " ".join(words) if rng.random() < 0.8 else "".join(words)
        out.append(text if rng.random() < 0.5 else WQ + text)
    return out


CRAFTED = [
    "",
    "what",
    "What?",
    "somewhat late",
    "whatwhat",
    "what_ever the cost is",
    "(a) what is the cost",
    "what the average waiting time was for hip surgery in 2024.",
    "what the Government's policy is on water fluoridation.",
    "and what the timetable is",
    "whether he will publish it",
    "when will he publish it",
    "by what date he will publish",
    "Can you give us revenue growth for Europe?",
    "Will you resign?",
    "how many nurses and what is the cost",
    "what steps he is taking; and how many",
    "what\u212a cost",
    "ſomewhat",
]


def _plain_answer_type_low(text: str, request: bool) -> str:
    """answer_type's rules in order, each searched over the whole (lower-cased) text."""
    rules = [(t, p) for t, p in Q._TYPE_RULES if not (request and t == "yesno")]
    for name, pattern in rules:
        if pattern.search(text):
            if request and name == "steps" and Q._QUANTITY.search(text):
                return "count"
            return name
    if request:
        return "count" if Q._QUANTITY.search(text) else "steps"
    return "steps"


def test_type_rules_split_keeps_every_alternative():
    # _TYPE_RULES_SPLIT holds each rule's alternatives, split between those opening with
    # "\bwhat" and the others, none lost.
    assert [t for t, *_ in Q._TYPE_RULES_SPLIT] == [t for t, _ in Q._TYPE_RULES]
    for (name, what, _other, words), (_, rule) in zip(Q._TYPE_RULES_SPLIT, Q._TYPE_RULES):
        alts = alternatives(lower_pattern(rule.pattern))
        whats = alternatives(what.pattern) if what is not None else []
        assert all(a.startswith(r"\bwhat") for a in whats), name
        others = [a for a in alts if not a.startswith(r"\bwhat")]
        assert sorted(whats + others) == sorted(alts), name
        # each other alternative opens with one of the literals, or the rule has none
        if words:
            for alt in others:
                body = alt.removeprefix(r"\b").removeprefix(r"^\s*")
                assert any(body.startswith(w) for w in words), (name, alt)


@pytest.mark.parametrize(
    "alt, literal",
    [
        (r"\bhow many\b", "how many"),
        (r"^\s*when\b", "when"),
        (r"\bwhen (?:he|she)\b", "when "),
        (r"\bwhats?\b", "what"),
        (r"\bwhat*", "wha"),
        (r"\bwhat{1,2}", "wha"),
        (r"\b(?:will|would) you", ""),
        (r"\d+", ""),
        (r"\bname the\b", "name the"),
        (r"yes or no", "yes or no"),
    ],
)
def test_leading_literal(alt, literal):
    assert Q._leading_literal(alt) == literal


@pytest.mark.parametrize("request_", [False, True])
def test_answer_type_low_matches_whole_text_rule_search(request_):
    # "what" alternatives tried only where "what" occurs, the others only where one of
    # their literals occurs: the same type as searching each rule over the whole text.
    for q in _questions(4000, 31) + CRAFTED:
        low = q.lower()
        if not low.isascii():
            continue
        assert Q._answer_type_low(low, request_) == _plain_answer_type_low(low, request_), q


def test_answer_type_matches_plain_rules_on_varied_questions():
    def plain(core):
        asked = Q._REQUEST.sub("", core, count=1)
        return _plain_answer_type_low(asked, asked != core)

    for q in _questions(4000, 32) + CRAFTED:
        core = Q.strip_preamble(q)
        assert Q.answer_type(core) == plain(core), q
