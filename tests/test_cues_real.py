"""The cue search on real answers: the trigger hits (made as one list) and the cues (sorted
only when there are several) are what the plain scans give."""

from __future__ import annotations

import json
from pathlib import Path

from evascore.cues import Cue, load_lexicon
from evascore.pairs import QAPair

ROOT = Path(__file__).resolve().parents[1]


def _answers() -> list[str]:
    out = []
    for name, every in (("real_answers.jsonl", 3), ("corpus.jsonl", 1)):
        with open(ROOT / "training_data" / name, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh][::every]
        out += [QAPair.make(r["question"] or "?", r["answer"] or "").answer for r in rows]
    return out


def _reference(lex, text: str) -> list[Cue]:
    low = text.lower()
    return sorted(
        (
            Cue(tech, text[m.start() : m.end()], m.start(), m.end())
            for tech, pat in lex.patterns
            for m in pat.finditer(low)
        ),
        key=lambda c: (c.start, c.end, c.technique),
    )


def test_find_matches_plain_scan_on_real_answers():
    lex = load_lexicon()
    answers = _answers()
    found = [lex.find(a) for a in answers]
    assert sum(len(f) > 1 for f in found) > 300  # several cues to order, often
    assert any(not a.isascii() for a in answers)
    for answer, cues in zip(answers, found):
        assert cues == _reference(lex, answer), answer
    # Cues at the text's start and end, adjacent and overlapping across techniques.
    for text in (
        "We do not hold this information.",
        "I refer the hon. Member to the answer I gave",
        "No. We will write to you in due course",
        "Yes, we do not disclose",
        "about roughly some may",
        "Café: we do not disclose éwe will write",
        "",
    ):
        assert lex.find(text) == _reference(lex, text), text


def test_trigger_hits_match_trigger_on_real_answers():
    lex = load_lexicon()
    for answer in _answers():
        low = answer.lower()
        got = lex._trigger_hits(low)
        assert isinstance(got, list)
        assert got == [(m.start(), m.group()) for m in lex.trigger.finditer(low)], answer


def test_trigger_hits_at_the_start_of_ascii_text():
    # The ASCII scan puts a space before the text: a first word at the very start is found,
    # one run into a digit, "_" or a letter is not, and the offsets are the text's own.
    lex = load_lexicon()
    for word in lex.plan:
        for text in (
            word,
            f"{word} not disclose",
            f"x{word} the",
            f"2{word}",
            f"_{word}",
            f" {word}",
        ):
            got = lex._trigger_hits(text)
            assert got == [(m.start(), m.group()) for m in lex.trigger.finditer(text)], text
            assert all(text[s : s + len(w)] == w for s, w in got)


def test_analysis_passes_its_lowered_answer_to_the_cue_search():
    # analyse hands find the answer it has lower-cased already (when lower-casing keeps the
    # length): the same cues as find's own lower-casing, and as find on the answer.
    from evascore.analysis import analyse

    lex = load_lexicon()
    for answer in _answers()[::5] + ["İ will not disclose this.", "ΣΑΣ we do not disclose"]:
        assert analyse("What is it?", answer).cues == tuple(lex.find(answer)), answer
