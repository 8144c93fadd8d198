"""Behavioural tests for the failure classes the error analysis of real answers found.

Issue 11, part 3: each class the outside testing and the test-month error analysis showed,
with texts written for this file (none is a real answer, none is in the training data).
Known limits of the shipped model are strict xfails with their reason, in
:data:`KNOWN_LIMITS` (an unexpected pass fails the suite, so the table stays true).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

WQ = "To ask the Secretary of State for {}, "


@dataclass(frozen=True)
class Expect:
    name: str
    question: str
    answer: str
    labels: tuple[str, ...]  # acceptable labels
    technique: str | None = None
    parts: tuple[bool, ...] | None = None


CASES = (
    # a count for "how many", a date for "when", a done / not-yet status for "what progress"
    # were read as partial or evasive
    Expect(
        "count_given_for_how_many",
        WQ.format("Justice") + "how many prosecutions were brought under section 12 of the "
        "Tenancy Deposits Act in 2024.",
        "In 2024, 318 prosecutions were brought under section 12 of the Act. The Ministry "
        "keeps the operation of the Act under review and will continue to work with the "
        "courts and with local authorities on enforcement.",
        ("direct",),
    ),
    Expect(
        "date_given_for_when",
        WQ.format("Environment, Food and Rural Affairs") + "when she plans to publish the "
        "revised hedgerow management code.",
        "The revised code will be published in March 2026. Officials have met farming "
        "groups, landowners and conservation bodies while preparing it.",
        ("direct",),
    ),
    Expect(
        "status_given_for_what_progress",
        WQ.format("Defence") + "what progress has been made on the refurbishment of the "
        "accommodation blocks at Larkfield Barracks.",
        "The refurbishment of all four accommodation blocks was completed in October 2025, "
        "and personnel moved back into them during November.",
        ("direct",),
    ),
    # "what the X was/is" questions were typed as "what steps": boilerplate passed as direct
    Expect(
        "boilerplate_for_what_the_value_was",
        WQ.format("Health and Social Care") + "what the average waiting time was for an "
        "adult autism assessment in Norfolk in 2024.",
        "The Government is committed to improving autism services for adults. We are "
        "working with NHS England and integrated care boards to reduce delays, and we "
        "keep this area under close review.",
        ("partial", "evasive"),
    ),
    # an answer that only points to a publication or a link for the data asked: a referral
    Expect(
        "publication_pointer_is_referral",
        WQ.format("Transport") + "how many goods vehicles were issued prohibition notices "
        "at roadside checks in 2024.",
        "Details are published in the Driver and Vehicle Standards Agency's annual "
        "enforcement statistics, which are available at https://www.gov.uk/dvsa-figures.",
        ("evasive",),
        "referral",
    ),
    # "does not publish such estimates", "no published estimate is available": not held
    Expect(
        "does_not_publish_such_estimates",
        WQ.format("Housing, Communities and Local Government") + "what estimate he has "
        "made of the number of holiday lets in Pembrokeshire.",
        "The Department does not publish such estimates.",
        ("evasive",),
        "not_held",
    ),
    Expect(
        "no_published_estimate_available",
        WQ.format("Work and Pensions") + "what estimate she has made of the number of "
        "carers aged over 80 who claim Carer's Allowance in Wales.",
        "No published estimate is available for that group.",
        ("evasive",),
        "not_held",
    ),
    # holding boilerplate with no asked-for item
    Expect(
        "holding_boilerplate",
        WQ.format("Education") + "when she will publish the outcome of the review of "
        "school transport for pupils aged over 16.",
        "The Department is considering the findings of the review carefully and will set "
        "out next steps in due course.",
        ("evasive",),
        "holding",
    ),
    # parts: the last part swallowed the verb phrase and was marked answered elsewhere
    Expect(
        "last_part_does_not_swallow_the_verb",
        WQ.format("Health and Social Care") + "how many (a) nurses, (b) paramedics and "
        "(c) midwives left the NHS in England in 2024.",
        "In 2024, 4,260 nurses left the NHS in England. Comparable figures for other staff "
        "groups are not held centrally.",
        ("partial",),
        None,
        (True, False, False),
    ),
    # "each of the last three months" was parsed as years
    Expect(
        "months_are_not_years",
        WQ.format("the Home Department") + "how many visa applications were refused in "
        "each of the last three months.",
        "In 2024, 41,300 visa applications were refused.",
        ("partial", "evasive"),
        None,
        (False, False, False),
    ),
    # ranges ("between 2021 and 2023") were not handled
    Expect(
        "year_range_one_year_given",
        WQ.format("the Home Department") + "how many knife crime offences were recorded in "
        "Lincolnshire in each year between 2021 and 2023.",
        "In 2023, 512 knife crime offences were recorded in Lincolnshire.",
        ("partial",),
        None,
        (False, False, True),
    ),
)

# name -> why the shipped model fails it (strict xfail: a pass means the table is stale)
KNOWN_LIMITS: dict[str, str] = {
    "count_given_for_how_many": (
        "the count is given, but two sentences of review-and-enforcement talk follow: the "
        "text models read that talk as a general answer (direct 0.41, partial 0.46)"
    ),
    "date_given_for_when": (
        "'will be published in March 2026' gives the date, but the answer's wording ('will be "
        "published') is what holding answers say in the real training data: read as evasive"
    ),
    "months_are_not_years": (
        "the month parts are parsed and found unanswered, but with no refusal the model still "
        "reads a confident yearly figure as the answer (the parts rule bounds only answers that "
        "refuse or answer some parts)"
    ),
}


def _param(c: Expect):
    marks = ()
    if c.name in KNOWN_LIMITS:
        marks = pytest.mark.xfail(reason=KNOWN_LIMITS[c.name], strict=True, raises=AssertionError)
    return pytest.param(c, id=c.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_real_answer_failure_class(model, case):
    a = model.score(case.question, case.answer)
    assert a.label in case.labels, f"{case.name}: {a.label} {a.evasiveness:.2f} {a.technique}"
    if case.technique is not None:
        assert a.technique == case.technique, f"{case.name}: technique {a.technique}"
    if case.parts is not None:
        assert tuple(p["addressed"] for p in a.parts) == case.parts, (case.name, a.parts)


_PADDED_Q = WQ.format("Justice") + "how many prison officers were recruited in 2024."
_PADDED_SHORT = "In 2024, 2,140 prison officers were recruited."
_PADDED_CONTEXT = (
    " Recruitment ran in every region, with new campaigns in the North East and "
    "the South West. Retention remains a priority, and the Service has introduced "
    "mentoring for new officers in their first year. Pay for new officers rose in "
    "line with the pay review body's recommendation."
) * 3


def test_padding_a_direct_answer_never_makes_it_evasive(model):
    """Padding a direct answer with on-topic context must not turn it evasive."""
    assert model.score(_PADDED_Q, _PADDED_SHORT).label == "direct"
    padded = model.score(_PADDED_Q, _PADDED_SHORT + _PADDED_CONTEXT)
    assert padded.label != "evasive" and padded.evasiveness < 0.5


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="a knife edge: with the 3 near-copies of API-month answers left out of the "
    "training data (build.py compares words, not exact text), the padded answer reads as "
    "partial 0.493 against direct 0.488: the text models read three sentences of "
    "recruitment talk as a general answer",
)
def test_length_alone_does_not_decide(model):
    """The count is given: on-topic context after it leaves the answer direct."""
    assert model.score(_PADDED_Q, _PADDED_SHORT + _PADDED_CONTEXT).label == "direct"
