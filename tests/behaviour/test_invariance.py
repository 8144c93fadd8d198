"""Invariance: HTML wrapping and whitespace leave the score identical; renamed people,
departments and places, US spelling and a trailing courtesy leave it within TOLERANCE."""

import pytest

from tests.behaviour.cases import INVARIANCE, TOLERANCE, check_invariance, marks_for


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=marks_for("test_invariance", c.id)) for c in INVARIANCE]
)
def test_invariance(model, case):
    ok, detail = check_invariance(model, case)
    assert ok, (
        f"{case.perturbation.name} (tolerance "
        f"{'0: identical' if case.perturbation.exact else TOLERANCE}): "
        f"{case.answer2!r}: {detail}"
    )
