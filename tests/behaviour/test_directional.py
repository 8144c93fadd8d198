"""Directional: appending the asked-for figure lowers evasiveness, prefixing a refusal raises
it, deleting the only answering sentence raises it, answering one more part lowers it (each by
more than MIN_CHANGE)."""

import pytest

from tests.behaviour.cases import DIRECTIONAL, check_directional, marks_for


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=marks_for("test_directional", c.id)) for c in DIRECTIONAL],
)
def test_directional(model, case):
    ok, detail = check_directional(model, case)
    assert ok, f"{case.question!r}: {case.before!r} -> {case.after!r}: {detail}"
