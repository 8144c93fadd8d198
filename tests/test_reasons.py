"""Reasons say in words what the answer did; feature names and weights never show."""

from __future__ import annotations

import pytest

import evascore
from evascore.features import FEATURE_NAMES
from evascore.reasons import family

WQ = "To ask the Secretary of State for Health and Social Care, "


@pytest.fixture(scope="module")
def model():
    return evascore.load_model()


def test_length_is_never_a_reason():
    for name in ("len_log", "sentences_log", "len_ratio_log", "very_short"):
        assert family(name) is None
    assert family("parts_coverage") == "parts" and family("cue_not_held") == "cue:not_held"


def test_reasons_are_words_not_feature_names(model):
    a = model.score(
        WQ + "how many nurses left the NHS in 2024.", "This information is not held centrally."
    )
    assert a.reasons and all(isinstance(r, str) for r in a.reasons)
    text = " ".join(a.reasons)
    assert not any(name in text for name in FEATURE_NAMES)
    assert "not held" in text or "refusal" in text


def test_cue_reason_says_what_fired():
    from evascore.analysis import analyse
    from evascore.reasons import say

    a = analyse(
        WQ + "how many nurses left the NHS in 2024.", "This information is not held centrally."
    )
    assert say("cue:not_held", a, "evasive") == "says the information is not held or not available"
    assert say("cue:declining", a, "evasive") is None  # did not fire; the label is evasive


def test_parts_reason_counts_the_parts(model):
    a = model.score(
        "How many NCA staff are posted to (a) Belgium (b) Germany and (c) the Netherlands?",
        "Four officers are posted to Belgium. For operational "
        "security reasons we do not give figures for other countries.",
    )
    assert a.label in ("partial", "evasive")
    assert "answers 1 of 3 parts asked" in a.reasons


def test_a_count_given_is_said(model):
    a = model.score(
        WQ + "how many nurses left the NHS in 2024.",
        "In 2024, 4,210 nurses left the NHS in England.",
    )
    assert a.label == "direct"
    assert "gives a number for the count asked" in a.reasons


def test_explain_shows_reasons_in_words(model):
    text = model.explain(
        WQ + "how many nurses left the NHS in 2024.", "This information is not held centrally."
    )
    assert "Why: " in text and "(+" not in text


def test_family_sums_match_the_plain_loop(model):
    # The per-model family columns (issue 12) add the same floats in the same order.
    import numpy as np

    from evascore.reasons import _push, _push_plain

    rng = np.random.default_rng(3)
    names = model.feature_names_
    for _ in range(300):
        row = rng.normal(size=len(names)) * rng.choice([1e-9, 1.0, 1e6])
        row[rng.random(len(names)) < 0.2] = 0.0
        row[rng.random(len(names)) < 0.1] = -0.0
        want = _push_plain(row, names)
        for contrib in (row, list(row), row.astype(np.float32)):
            got = _push(contrib, names)
            assert list(got) == list(_push_plain(contrib, names))
            assert [repr(v) for v in got.values()] == [
                repr(v) for v in _push_plain(contrib, names).values()
            ]
        assert _push(row, list(names)) == want
    assert _push(row[:10], names) == _push_plain(row[:10], names)  # zip stops at the shorter
    assert _push(row, FEATURE_NAMES) == _push_plain(row, FEATURE_NAMES)
