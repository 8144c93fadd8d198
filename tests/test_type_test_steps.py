"""The "steps" answer-type test (steps taken, or a status) is one search of the two patterns'
alternatives: it must say what searching each pattern on its own says."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from evascore import analysis as A
from evascore.cues import lower_pattern
from evascore.pairs import QAPair
from evascore.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
# The plain definition: each pattern, as written lower-case, searched in the lower-cased text.
_STEPS = re.compile(lower_pattern(A._STEPS.pattern))
_STATUS = re.compile(lower_pattern(A._STATUS.pattern))


def _plain(text: str) -> bool:
    low = text.lower()
    return _STEPS.search(low) is not None or _STATUS.search(low) is not None


def _real_sentences(name: str, every: int) -> list[str]:
    with open(ROOT / "training_data" / name, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][::every]
    out = []
    for r in rows:
        answer = QAPair.make(r["question"] or "?", r["answer"] or "").answer
        out.extend(answer[s:e] for s, e in split_sentences(answer))
    return out


def _crafted(n: int, seed: int) -> list[str]:
    # Words of both patterns, whole, cut short, run together and glued by punctuation, line
    # breaks and letters beyond ASCII, so that matches sit at the start and end of the text.
    words = (
        "introduced launch invest set up work with working with rolled out roll out taking "
        "completed complete finished under way underway in progress not yet has not have not "
        "is expected due to remains open went live in place operational began opened closed "
        "on track on schedule delayed scheduled build review support train creat"
    ).split()
    words += ["Introduc", "ROLLED", "Under Way", "éworking", "buildé", "x", "", "İn place"]
    glue = (" ", " ", "", ", ", ". ", "-", "\n", "'", "_", "2")
    rng = random.Random(seed)
    return [
        "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(0, 8)))
        for _ in range(n)
    ]


def test_steps_test_is_steps_or_status():
    texts = (
        _real_sentences("real_answers.jsonl", 3)
        + _real_sentences("corpus.jsonl", 2)
        + _crafted(20000, 5)
    )
    assert sum(map(_plain, texts)) > 1000  # both answers are well represented
    for text in texts:
        expected = _plain(text)
        assert A._TYPE_TEST["steps"](text) == expected, text
        assert A._TYPE_TEST_LOW["steps"](text.lower()) == expected, text
