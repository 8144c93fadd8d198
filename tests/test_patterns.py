"""The pattern helpers' faster forms answer exactly what the plain patterns answer."""

from __future__ import annotations

import random
import re

from evascore import analysis as A
from evascore import cues, patterns
from evascore import question as Q
from evascore.cues import load_lexicon, lower_pattern
from evascore.patterns import search_test, word_start_test

_OWN = (
    r"\bwe will\b|^no\b|\d+",
    r"\b(?:19|20)\d\d\b|\bspring\b",
    r"(?m)^yes\b|\bno\b",
    r"\béte\w*|\b_x",
    r"\b\d|\bx",
    r"^\s*when\b|\bwhy\b",
    r"\bsome\w*|;\s",
    r"\b(?:a|b)+c|\bab",
    r"(\w)\1|\bz",
    r"x*|\bq",
    r"\b(?:assess\w*|evidence|x)\b",
    r"\bab\w*c|\bq\w*\b|\b-\w*\b",
    r"\b(?:é|_|2)\w*\b|\bno\w*",
)


def _patterns() -> list[str]:
    pats = [lower_pattern(p.pattern) for p in (A._AMOUNT, A._DATE, A._STATUS, A._STEPS)]
    pats += [lower_pattern(p.pattern) for p in (A._YESNO, A._REASON, A._ASSESS, A._PERCENT)]
    pats += [lower_pattern(p.pattern) for _, p in Q._TYPE_RULES] + [Q._QUANTITY.pattern.lower()]
    pats += [lower_pattern(p) for _, p in load_lexicon().entries[::7]]
    return pats + list(_OWN)


def test_search_test_matches_plain_search():
    # Words of the patterns glued by spaces, punctuation, line breaks, digits, "_" and word
    # characters beyond ASCII (before a word they make \b fail), at the text's start too.
    pats = _patterns()
    vocab = sorted({w for p in pats for w in re.findall(r"[a-z'0-9]+", re.sub(r"\\.", " ", p))})
    rng = random.Random(41)
    glue = (" ", " ", ", ", ". ", "-", "", "\n", "'", "é", "_", "٣", "2", "ſ", "(", "; ", "x")
    texts = [
        "".join(
            rng.choice(("", "", "é", "_", " ", "\n")) * (i == 0)
            + rng.choice(vocab + ["yes", "no", "£", "4", "2021", "x"])
            + rng.choice(glue)
            for i in range(rng.randint(0, 10))
        )
        for _ in range(6000)
    ]
    for pat in pats:
        plain, test = re.compile(pat), search_test(pat)
        for text in texts:
            assert test(text) == (plain.search(text) is not None), (pat, text)
    for body in (r"(?i:spring|year|no)\b", r"(?:19|20)\d\d", r"we (?:will|shall)", r"s\w*"):
        plain, test = re.compile(rf"\b(?:{body})"), word_start_test(body)
        for text in texts:
            assert test(text) == (plain.search(text) is not None), (body, text)


def test_not_ascii_word_is_every_character_but_an_ascii_word_character():
    # The lead classes are written negated (tested in a 256-bit table): the same set as the
    # ranges they stand for, character for character, in patterns and in the cue lexicon.
    ranges = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\U0010ffff]")
    for cls in (patterns.NOT_ASCII_WORD, cues._NOT_ASCII_WORD):
        negated = re.compile(cls)
        for code in range(0x110000):
            c = chr(code)
            assert (negated.match(c) is None) == (ranges.match(c) is None), hex(code)
