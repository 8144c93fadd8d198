"""The word-indexed cue search finds exactly what a plain scan of each technique finds."""

from __future__ import annotations

import random
import re

from evascore import patterns
from evascore.cues import Cue, _first_words, _two_words_read, load_lexicon, lower_pattern

# Phrases that start (or nearly start) lexicon entries, mixed with filler, punctuation and
# line breaks, so that matches touch, overlap across techniques and sit at line starts.
_PIECES = (
    "we do not disclose",
    "we do not comment on",
    "do not hold information on",
    "will not",
    "would not be appropriate to",
    "no comment",
    "not held",
    "neither confirm nor deny",
    "i refer the hon. member",
    "as i said earlier",
    "the answer i gave",
    "is a matter for",
    "in due course",
    "will write to you",
    "will be published alongside",
    "in the region of",
    "about",
    "some",
    "may",
    "could you clarify",
    "the party opposite",
    "let me be clear",
    "has no plans to",
    "no intention",
    "yes",
    "no",
    "Yes,",
    "No.",
    "but the figure is",
    "however, I can confirm",
    "remains committed to",
    "takes this very seriously",
    "don't have that figure",
    "I don't know",
    "operational security",
    "hypothetical",
    "awaiting the outcome",
    "too early to",
    "Section 40 applies",
    "withheld",
    "DON'T",
    "Will",
    "it",
    "the",
    "that",
    "i'd",
    "is",
    "in",
    "figure",
    "12",
    "staff",
    "Belgium",
)
_GLUE = (" ", " ", " ", ", ", ". ", "\n", "'", " (", ") ", "-", "")


def _reference(lex, text: str) -> list[Cue]:
    """What the index must reproduce: finditer of each technique's full pattern."""
    low = text.lower()
    return sorted(
        (
            Cue(tech, text[m.start() : m.end()], m.start(), m.end())
            for tech, pat in lex.patterns
            for m in pat.finditer(low)
        ),
        key=lambda c: (c.start, c.end, c.technique),
    )


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(_PIECES) + rng.choice(_GLUE) for _ in range(rng.randint(1, 25))]
        out.append("".join(parts))
    return out


def _lexicon_phrases(lex) -> list[str]:
    """Strings each entry matches (or starts a match with), markers rendered as text."""
    render = {patterns.BOUNDARY: "", patterns.GAP: " ", patterns.LINE: "\n"}
    out = set()
    for _, pat in lex.entries:
        items = patterns.parse(lower_pattern(pat))
        try:
            paths = patterns.expand(items, [()], limit=100_000)
        except patterns.Unknown:
            paths = patterns.expand(items, [()], settled=_two_words_read)
        out.update("".join(render.get(i, i) for i in p) for p in paths)
    return sorted(out)


def test_index_matches_plain_scan_on_lexicon_phrases():
    lex = load_lexicon()
    phrases = _lexicon_phrases(lex)
    assert len(phrases) > 500
    rng = random.Random(5)
    for _ in range(6000):
        text = "".join(rng.choice(phrases) + rng.choice(_GLUE) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.5:
            text = text.capitalize()
        assert lex.find(text) == _reference(lex, text), text


def test_packaged_lexicon_is_fully_indexed():
    lex = load_lexicon()
    assert lex.scanned == ()
    assert lex.trigger is not None


def test_index_matches_plain_scan():
    lex = load_lexicon()
    for text in _texts(3000):
        assert lex.find(text) == _reference(lex, text), text


def test_index_matches_plain_scan_mixed_lexicon(tmp_path):
    # Entries the index cannot read (scanned in full), line starts mixed with words, and a
    # word that is both a line start and a first word of the same technique.
    path = tmp_path / "cues.tsv"
    path.write_text(
        "technique\tpattern\n"
        "declining\t\\bwe do not\\b\n"
        "declining\t^(?:we|no)\\b\n"
        "declining\t\\bwe\\b|^yes\n"
        "hedge\t\\bsome\\w*\n"
        "hedge\t\\bmay\\b\n"
        "override\t(?:but|however),? the figure\n"
        "yes_no\t^(?:yes|no)\\b|^(?:yes|no),\n",
        "utf-8",
    )
    lex = load_lexicon(str(path))
    techs = [t for t, _ in lex.patterns]
    assert [techs[i] for i in lex.scanned] == ["hedge", "override"]
    assert [techs[i] for i in lex.at_line] == ["declining", "yes_no"]
    for text in _texts(2000, seed=11):
        assert lex.find(text) == _reference(lex, text), text


def test_first_words():
    assert _first_words(r"\bno(?:t|) (?:currently )?intend") == (frozenset({"no", "not"}), False)
    assert _first_words(lower_pattern(r"\bI(?:'d| would) refer")) == (frozenset({"i"}), False)
    assert _first_words(r"\bwill\b|\bwill not") == (frozenset({"will"}), False)
    for unreadable in (
        r"\bsome",
        r"some\b",
        r"\b\w+ly\b",
        r"(?i)\bno\b",
        r"\b(?:no)+\b",
        r"\b[a-z]+\b",
        r"\bno(?=t)",
        r"[£$]\d",
    ):
        assert _first_words(unreadable) is None, unreadable
    # Every packaged entry can be read.
    for _, pat in load_lexicon().entries:
        assert _first_words(lower_pattern(pat)) is not None, pat


def test_case_changing_text_uses_the_slow_pass():
    lex = load_lexicon()
    text = "İ will not disclose this. We will write to you in due course."
    assert len(text.lower()) != len(text)
    found = lex.find(text)
    assert [c.technique for c in found] == ["declining", "holding", "holding"]
    assert all(text[c.start : c.end] == c.text for c in found)
    assert re.search("will not disclose", text)


def test_trigger_look_behind_is_the_word_boundary():
    # The trigger opens with (?<!\w) instead of \b: the same matches, since every word it
    # looks for starts with a word character. Checked against the \b form on text where
    # Unicode word characters, digits and "_" touch the words.
    lex = load_lexicon()
    assert lex.trigger.pattern.startswith("(?<!\\w)(?:")
    plain = re.compile("\\b" + lex.trigger.pattern[len("(?<!\\w)") :])
    rng = random.Random(21)
    glue = (*_GLUE, "é", "_", "٣", "ß", "ſ", "İ", "2", "x", "\u00a0", "’")
    for text in _texts(3000, seed=23):
        low = "".join(c + rng.choice(glue) for c in text.lower().split(" "))
        got = [(m.start(), m.group()) for m in lex.trigger.finditer(low)]
        assert got == [(m.start(), m.group()) for m in plain.finditer(low)], low


def test_trigger_scan_from_the_character_before_matches_look_behind():
    # The scan finds the character before a trigger word with the word (a class test skips
    # through words), and the word at the very start on its own: the same (start, word) as
    # the trigger's own finditer, also where word characters beyond ASCII, digits, "_" and
    # line breaks touch the words, and where a trigger word opens the text.
    lex = load_lexicon()
    assert lex.lead is not None
    rng = random.Random(31)
    glue = (*_GLUE, "é", "_", "٣", "ß", "ſ", "İ", "2", "x", "\u00a0", "’", "\n", "", "", "-")
    texts = [t.lower() for t in _texts(3000, seed=33)]
    texts += [t.lower() for t in (p + rng.choice(_GLUE) for p in _lexicon_phrases(lex))]
    for text in texts:
        low = "".join(c + rng.choice(glue) for c in text.split(" "))
        for t in (low, text):
            got = list(lex._trigger_hits(t))
            assert got == [(m.start(), m.group()) for m in lex.trigger.finditer(t)], t
