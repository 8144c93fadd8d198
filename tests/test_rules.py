"""The parts rule: which rows it bounds, and how it moves their probabilities."""

import numpy as np
import pytest

from evascore.columns import FEATURE_NAMES
from evascore.rules import parts_rule, parts_ruled

HEAD = [0.5, 0.3, 0.2]  # direct, partial, evasive: what the head says before the rule


def _row(qtype: str, coverage: float, refusal: bool = False) -> np.ndarray:
    x = np.zeros(len(FEATURE_NAMES))
    x[FEATURE_NAMES.index("parts_explicit")] = 1.0
    x[FEATURE_NAMES.index("parts_coverage")] = coverage
    x[FEATURE_NAMES.index(f"qtype_{qtype}")] = 1.0
    if refusal:
        x[FEATURE_NAMES.index("refusal_parts_unanswered")] = 1.0
        x[FEATURE_NAMES.index("cue_declining")] = 1.0
    return x


@pytest.mark.parametrize("qtype", ["count", "amount", "value"])
def test_some_parts_answered_on_a_figures_question_is_partial(qtype):
    X = np.array([_row(qtype, 1 / 3)])
    p = parts_rule(np.array([HEAD]), X)[0]
    assert p[0] == 0.0  # never direct with a part unanswered
    assert p[1] > p[2] and p.sum() == pytest.approx(1.0)
    # evasive keeps half its probability times the share of parts left unanswered
    assert p[2] == pytest.approx(0.2 * 0.5 * (2 / 3))
    assert parts_ruled(X).tolist() == [True]


@pytest.mark.parametrize("qtype", ["steps", "assessment", "yesno", "list"])
def test_some_parts_answered_elsewhere_is_left_to_the_head(qtype):
    # "what steps ... (a) trained and (b) resourced": a part counts as answered when a
    # sentence shares its terms, which misses answers; readers called a third of such
    # answers direct, so the rule does not bound them.
    X = np.array([_row(qtype, 0.5)])
    assert parts_rule(np.array([HEAD]), X)[0].tolist() == HEAD
    assert parts_ruled(X).tolist() == [False]


def test_no_part_answered_with_a_refusal_on_a_figures_question_is_evasive():
    X = np.array([_row("count", 0.0, refusal=True), _row("steps", 0.0, refusal=True)])
    p = parts_rule(np.array([HEAD, HEAD]), X)
    assert p[0].tolist() == pytest.approx([0.5, 0.0, 0.5])  # partial's share moves to evasive
    assert p[1].tolist() == HEAD  # not a figures question
    assert parts_ruled(X).tolist() == [True, False]


def test_every_part_answered_or_no_parts_is_left_alone():
    X = np.array([_row("count", 1.0), _row("count", 0.0), np.zeros(len(FEATURE_NAMES))])
    assert parts_rule(np.array([HEAD] * 3), X).tolist() == [HEAD] * 3
    assert not parts_ruled(X).any()
