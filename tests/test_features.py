"""Golden values per feature family, on shared sample pairs written for this file.

Each expected value is worked out by hand from the definition in ``evascore/features.py``.
"""

from __future__ import annotations

import math

import pytest

from evascore.analysis import analyse
from evascore.features import FEATURE_NAMES, REGISTRY, feature_vector

SEED_LIKE = (
    "How many NCA staff are posted to (a) Belgium (b) Germany and (c) the Netherlands?",
    "Four officers are posted to Belgium. For operational security reasons we do not "
    "give figures for other countries.",
)
NOT_HELD = ("How many nurses left the NHS in 2024?", "This information is not held centrally.")
OFF_TOPIC_NUMBERS = (
    "How many nurses left the NHS in 2024?",
    "The Government has recruited 2,000 extra GPs. It has opened 160 community diagnostic centres.",
)
SHORT_NO = ("Will the Minister publish the review?", "No.")


def family(pair, name):
    a = analyse(*pair)
    for names, fn in REGISTRY:
        if names[0] == name:
            return dict(zip(names, fn(a)))
    raise KeyError(name)


def test_every_family_is_finite_on_an_empty_answer_and_names_match():
    a = analyse("How many staff?", "")
    values = feature_vector(a)
    assert len(values) == len(FEATURE_NAMES)
    assert all(math.isfinite(v) for v in values)


@pytest.mark.parametrize(
    "pair, expected",
    [
        (
            SEED_LIKE,
            {
                "parts_present": 1.0,
                "parts_coverage": 1 / 3,
                "parts_all": 0.0,
                "parts_none": 0.0,
                "parts_explicit": 1.0,
            },
        ),
        (
            NOT_HELD,
            {
                "parts_present": 0.0,
                "parts_coverage": 1.0,
                "parts_all": 1.0,
                "parts_none": 0.0,
                "parts_explicit": 0.0,
            },
        ),
    ],
)
def test_parts_family(pair, expected):
    got = family(pair, "parts_present")
    for k, v in expected.items():
        assert got[k] == pytest.approx(v), k


@pytest.mark.parametrize("pair, qtype", [(SEED_LIKE, "count"), (SHORT_NO, "yesno")])
def test_answer_type_family_is_one_hot(pair, qtype):
    got = family(pair, "qtype_count")
    assert got[f"qtype_{qtype}"] == 1.0 and sum(got.values()) == 1.0


def test_numbers_family_tells_figures_on_the_question_from_other_figures():
    on = family(
        ("How many nurses left the NHS in 2024?", "Last year 4,210 nurses left the NHS."),
        "numbers_tied_log",
    )
    assert on["numbers_tied_log"] == pytest.approx(math.log1p(1))
    assert on["numbers_all_untied"] == 0.0
    off = family(OFF_TOPIC_NUMBERS, "numbers_tied_log")
    assert off["numbers_tied_log"] == 0.0
    assert off["numbers_untied_log"] == pytest.approx(math.log1p(2))
    assert off["numbers_all_untied"] == 1.0


def test_a_year_before_a_comma_is_no_figure():
    """ "In 2024, ..." gives no count: the digit scan reads "2024," and the year test must
    still see a year (it counted as a figure before, in one real answer in six)."""
    from evascore.analysis import analyse

    q = "How many nurses left the NHS?"
    none = analyse(q, "In 2024, the Department did not collect this information.")
    assert none.n_numbers == 0
    assert not any(none.typed)  # a count answer is typed by its figures
    one = analyse(q, "In 2024, 4,210 nurses left, against 3,900 in 2023.")
    assert one.n_numbers == 2
    assert analyse(q, "The total was 2,024, up from 1,990,").n_numbers == 2  # not years


def test_cue_family_counts_cues_by_technique():
    got = family(NOT_HELD, "cue_declining")
    assert got["cue_not_held"] == pytest.approx(math.log1p(1))
    assert got["cue_declining"] == 0.0


def test_refusal_family():
    got = family(NOT_HELD, "refusal_first_unanswered")
    assert got["refusal_first_unanswered"] == 1.0  # opens with the refusal, gives nothing
    assert got["refusal_share"] == 1.0
    assert got["refusal_parts_unanswered"] == 0.0  # no parts asked
    seed = family(
        (
            "How many NCA staff are posted to (a) Belgium (b) Germany?",
            "The NCA works with partners. For operational security reasons, the NCA "
            "does not disclose those countries.",
        ),
        "refusal_first_unanswered",
    )
    assert seed["refusal_parts_unanswered"] == 1.0


def test_relevance_family():
    # focus terms: nurse, left, nhs; the first sentence has all three, the second none
    got = family(
        (
            "How many nurses left the NHS in 2024?",
            "Some 4,210 nurses left the NHS. Recruitment continues.",
        ),
        "rel_max",
    )
    assert got["rel_max"] == pytest.approx(1.0)
    assert got["rel_first"] == pytest.approx(1.0)
    assert got["rel_best_pos"] == 0.0


def test_shape_family_caps_length():
    short = family(SHORT_NO, "len_log")
    assert short["very_short"] == 1.0 and short["len_log"] == pytest.approx(math.log1p(1))
    long = family(("Q?", "word " * 500), "len_log")
    assert long["len_log"] == pytest.approx(math.log1p(60))  # capped at 60 words
