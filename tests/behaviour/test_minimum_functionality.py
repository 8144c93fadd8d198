"""Minimum functionality: one clear case per technique per setting gets the right label.

The technique is checked too where the text leaves no doubt about it. Known limits of the
shipped model are strict xfails (see ``cases.KNOWN_LIMITS`` and README.md "Known limits").
"""

import pytest

from tests.behaviour.cases import (
    MFT,
    TECHNIQUE_CHECKED,
    check_mft_label,
    check_mft_technique,
    marks_for,
)


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=marks_for("test_mft_label", c.id)) for c in MFT]
)
def test_mft_label(model, case):
    ok, detail = check_mft_label(model, case)
    assert ok, f"{case.question!r} / {case.answer!r}: {detail}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.id, marks=marks_for("test_mft_technique", c.id))
        for c in MFT
        if c.technique in TECHNIQUE_CHECKED
    ],
)
def test_mft_technique(model, case):
    ok, detail = check_mft_technique(model, case)
    assert ok, f"{case.question!r} / {case.answer!r}: {detail}"
