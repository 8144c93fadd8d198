"""Fuzz the question parser and the text layer under it, and the analysis built on them.

Input bytes are decoded (bad bytes become lone surrogates) and split at the first 0x1f into
a question and an answer. Checked: clean_text output is stripped, single-spaced; sentence
spans are in order and in bounds; the question frame has a known answer type and well-formed
parts; strip_preamble returns a suffix; every feature is finite; parse_page returns a pair or
raises InputError. An input that takes more than --slow seconds is a failure too (a
pathological regular expression).

    python -m fuzz.fuzz_question --seconds 300
"""

from __future__ import annotations

import math
import sys

from fuzz._engine import instrumented, main

with instrumented():
    from evascore.analysis import analyse
    from evascore.errors import InputError
    from evascore.features import FEATURE_NAMES, feature_vector
    from evascore.pairs import QAPair, parse_page
    from evascore.question import ANSWER_TYPES, answer_type, frame, strip_preamble
    from evascore.text import clean_text, split_sentences

_frame = frame.__wrapped__  # no cache: every input is parsed


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    raw_q, _, raw_a = text.partition("\x1f")
    q, a = clean_text(raw_q), clean_text(raw_a)
    for t in (q, a):
        assert t == t.strip() and "  " not in t and "\n" not in t, repr(t)

    core = strip_preamble(q)
    assert q.endswith(core), (q, core)
    f = _frame(q)
    assert f.answer_type in ANSWER_TYPES and f.answer_type == answer_type(f.core)
    for p in f.parts:
        assert p.text and p.kind in ("enumerated", "year", "breakdown", "list"), p
        assert all(isinstance(t, str) and t for t in p.terms), p
    assert all(isinstance(t, str) and t for t in f.focus)

    spans = split_sentences(a)
    end = 0
    for s, e in spans:
        assert end <= s < e <= len(a), (spans, len(a))
        end = e

    x = feature_vector(analyse(q, a))
    assert len(x) == len(FEATURE_NAMES) and all(math.isfinite(v) for v in x), x

    try:
        pair = parse_page(text)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(pair, QAPair) and pair.question and pair.answer


SEEDS = [
    b"To ask the Secretary of State for Defence, how many personnel are posted to (a) Cyprus, "
    b"(b) Estonia and (c) Kenya.\x1fThere are 2,260 in Cyprus. We do not disclose the rest.",
    b"How many arrests in each of the last five years, broken down by region and sex?\x1f"
    b"In 2024, 1,200; in 2023, 1,150. Earlier figures are not held.",
    b"<p>Will the Minister publish the report?</p>\x1f<p>Yes &mdash; in March.</p>",
    b"Title\nQuestion to the Home Office:\nTo ask, why?\nAnswered by\nX\n"
    b"This question was answered on 1 May.\nBecause.",
]
DICTIONARY = [
    b"To ask the Secretary of State for ",
    b"pursuant to the Answer of ",
    b"(a)",
    b"(b)",
    b"(ii)",
    b"1)",
    b" and ",
    b", or ",
    b"how many",
    b"how much",
    b"when",
    b"why",
    b"whether",
    b"which",
    b"what steps",
    b"in each of the last ",
    b"five years",
    b"since 2010",
    b"broken down by ",
    b"<p>",
    b"</p>",
    b"<br>",
    b"&pound;",
    b"&nbsp;",
    b"&#",
    b"&amp;",
    b"\x1f",
    b"\n",
    b"hon.",
    b"No. ",
    b"e.g.",
    b"not held",
    b"do not disclose",
    b"in due course",
    b"a matter for",
    b"I refer the hon. Member",
    b"but the figure is",
    b"\xe2\x80\xa8",
    b"\xff",
    b"Question to the ",
    b"This question was answered on ",
]

if __name__ == "__main__":
    sys.exit(main("fuzz_question", TestOneInput, SEEDS, DICTIONARY))
