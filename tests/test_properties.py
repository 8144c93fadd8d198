"""Property tests (hypothesis): scoring, the featuriser and the readers on arbitrary input.

Example counts are modest to keep the suite fast; ``fuzz/`` runs the same kind of search
for longer, outside the default test run.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import evascore
from evascore.assessment import TECHNIQUE_LABEL
from evascore.features import FeatureExtractor
from evascore.pairs import Row, read_path
from evascore.text import clean_text

# Pieces of the texts evascore meets (markup, entities, enumerations, cue phrases, numbers,
# odd whitespace and code points), so that random joins reach the interesting branches.
PIECES = [
    "How many",
    "how much",
    "when",
    "why",
    "whether",
    "which",
    "What steps",
    "Will the",
    "To ask the Secretary of State for Defence,",
    "pursuant to the Answer of 3 May,",
    "(a)",
    "(b)",
    "(c)",
    "(ii)",
    "1)",
    "and",
    "or",
    ",",
    ".",
    "?",
    ";",
    "in each of the last five years",
    "broken down by region and sex",
    "officers",
    "Belgium",
    "the UK",
    "12",
    "£4.2 million",
    "2024",
    "2023-24",
    "40 per cent",
    "none",
    "Yes.",
    "No.",
    "We do not disclose",
    "not held centrally",
    "disproportionate cost",
    "I refer the hon. Member to",
    "in due course",
    "a matter for",
    "could you clarify",
    "but the figure is",
    "is committed to",
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "<b>",
    "&pound;",
    "&nbsp;",
    "&rsquo;",
    "&amp;",
    "&#8217;",
    "&#x2019;",
    "&bogus;",
    "<",
    ">",
    "&",
    "\n",
    "\r\n",
    "\t",
    " ",
    "  ",
    "\u2028",
    "\u00a0",
    "\ufeff",
    "\u200b",
    "\x00",
    "\x0b",
    "é",
    "ß",
    "İ",
    "😀",
    "\ud800",
    "\udfff",
    "“",
    "”",
    "—",
    "Mr.",
    "hon.",
    "e.g.",
    "No. 10",
    "U.K.",
    "...",
    "!!!",
    "'",
    '"',
]
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5), surrogates), max_size=30).map(
        "".join
    ),
)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------- score


@FAST
@given(q=texts, a=texts)
def test_score_is_bounded_or_an_input_error(model, q, a):
    empty = not clean_text(q) or not clean_text(a)
    try:
        r = model.score(q, a)
    except evascore.InputError as exc:
        assert empty, f"InputError on non-empty texts: {exc}"
        assert "\n" not in str(exc)
        return
    assert not empty, "an empty text was scored instead of refused"
    values = [r.evasiveness, *r.probabilities.values()]
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values), values
    assert list(r.probabilities) == list(evascore.LABELS)
    assert abs(sum(r.probabilities.values()) - 1.0) < 1e-5
    assert r.label in evascore.LABELS
    assert TECHNIQUE_LABEL[r.technique] == r.label
    for c in r.cues:  # spans index the cleaned answer
        assert 0 <= c["start"] < c["end"] <= len(r.answer)
        assert r.answer[c["start"] : c["end"]] == c["text"]
    for s in r.sentences:
        assert r.answer[s["start"] : s["end"]] == s["text"]
    assert all(isinstance(p["addressed"], bool) for p in r.parts)


@FAST
@given(q=texts, a=texts)
def test_wrapping_in_markup_and_whitespace_leaves_the_score_identical(model, q, a):
    assume(clean_text(q) and clean_text(a))  # an empty text is refused, not scored
    bare = model.score(q, a)
    wrapped = model.score(f"\n<p>{q}</p>\t", f"<div>\r\n<p>{a}</p><br/></div>  ")
    assert wrapped.to_dict() == bare.to_dict()


# --------------------------------------------------------------------------- featuriser


pair_lists = st.lists(st.tuples(texts, texts), min_size=1, max_size=6)


@FAST
@given(pairs=pair_lists)
def test_transform_has_the_documented_shape_and_is_finite(model, pairs):
    fx = model.features_
    X = fx.transform(pairs)
    assert X.shape == (len(pairs), len(fx.get_feature_names_out()))
    assert X.dtype == np.float64 and np.isfinite(X).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(train=pair_lists, pairs=pair_lists)
def test_a_featuriser_fitted_on_arbitrary_text_is_finite(train, pairs):
    fx = FeatureExtractor().fit(train)
    X = fx.transform(pairs)
    assert X.shape == (len(pairs), len(fx.get_feature_names_out()))
    assert np.isfinite(X).all()
    assert all(np.isfinite(v) and v > 0 for v in fx.idf_.values())


# --------------------------------------------------------------------------- readers

JSON_PIECES = [
    b'{"question": "How many?", "answer": "Twelve."}',
    b'{"question": "", "answer": "x"}',
    b'{"question": 1, "answer": null}',
    b'{"id": 7, "question": "q?", "answer": "a"}',
    b'{"question": "q", "answer": "a", "question": 3}',
    b"[1, 2]",
    b'"text"',
    b"null",
    b'{"question": "\\ud800", "answer": "\\udfff x"}',
    b'{"question": "q',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"\x00",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"{",
    b"}",
    b"\\",
    b'"',
    b"1e999",
    b"NaN",
    b"[" * 600,
    b"9" * 5000,
]
CSV_PIECES = [
    b"question,answer\n",
    b"id,question,answer\n",
    b"answer,question,question\n",
    b"How many?,Twelve.\n",
    b'"q, with comma","a ""quoted"""\n',
    b'"open quote,a\n',
    b",\n",
    b"a,b,c,d\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3\x28",
    b"\x00",
    b"\r\n",
    b"\r",
    b"\n",
    b'"multi\nline",ok\n',
    b"\t",
    b";",
    b"x" * 300,
]
n_files = itertools.count()


def _check_rows(rows: list, suffix: str) -> None:
    last = 0
    for r in rows:
        assert isinstance(r, Row)
        assert (r.pair is None) != (r.error_type is None), r
        assert isinstance(r.line, int) and r.line >= 1
        assert r.line >= last if suffix == ".csv" else r.line > last
        last = r.line
        if r.pair is not None:
            assert isinstance(r.pair.question, str) and r.pair.question
            assert isinstance(r.pair.answer, str) and r.pair.answer
            assert r.id == r.pair.id
        else:
            assert isinstance(r.error_message, str) and r.error_message
            assert "\n" not in r.error_message


def _read(tmp_path_factory, data: bytes, suffix: str, max_line_bytes: int | None = None) -> None:
    path = tmp_path_factory.getbasetemp() / f"fuzz-{next(n_files)}{suffix}"
    path.write_bytes(data)
    try:  # never raises: bad rows are rows
        rows = list(read_path(str(path), max_chars=500, max_line_bytes=max_line_bytes))
    finally:
        path.unlink()
    _check_rows(rows, suffix)


def _bytes(pieces):
    return st.one_of(
        st.binary(max_size=400),
        st.lists(st.one_of(st.sampled_from(pieces), st.binary(max_size=8)), max_size=25).map(
            b"".join
        ),
    )


@FAST
@given(data=_bytes(JSON_PIECES))
def test_jsonl_reader_turns_any_bytes_into_rows_or_error_rows(tmp_path_factory, data):
    _read(tmp_path_factory, data, ".jsonl")


@FAST
@given(data=_bytes(CSV_PIECES))
def test_csv_reader_turns_any_bytes_into_rows_or_error_rows(tmp_path_factory, data):
    _read(tmp_path_factory, data, ".csv")


@FAST
@given(
    data=_bytes(JSON_PIECES + CSV_PIECES),
    suffix=st.sampled_from([".jsonl", ".csv"]),
    limit=st.integers(1, 64),
)
def test_readers_with_a_small_line_limit_turn_any_bytes_into_rows(
    tmp_path_factory, data, suffix, limit
):
    _read(tmp_path_factory, data, suffix, max_line_bytes=limit)


@settings(max_examples=30, deadline=None)
@given(data=_bytes(JSON_PIECES + CSV_PIECES))
def test_page_reader_gives_exactly_one_row(tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / f"fuzz-{next(n_files)}.txt"
    path.write_bytes(b"To ask the Secretary of State for Defence, " + data)
    rows = list(read_path(str(path)))
    path.unlink()
    assert len(rows) == 1
    _check_rows(rows, ".txt")
