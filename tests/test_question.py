"""Golden values for the question frame: answer types and requested parts."""

from __future__ import annotations

import pytest

from evascore.question import answer_type, frame

WQ = "To ask the Secretary of State for Health and Social Care, "


@pytest.mark.parametrize(
    "question, expected",
    [
        # "what the X was/is" asks for a value, not for steps (issue 11: boilerplate passed as
        # a direct answer to these)
        (WQ + "what the average waiting time was for hip surgery in 2024.", "value"),
        (WQ + "what the status is of the new hospital programme.", "value"),
        (WQ + "what the Department's spending was on agency staff.", "value"),
        # policy, plans and the like are described in words: still "steps"
        (WQ + "what the Government's policy is on water fluoridation.", "steps"),
        (WQ + "what steps he is taking to reduce waiting lists.", "steps"),
        (WQ + "what the timetable is for the review.", "date"),
        (WQ + "how many nurses left the NHS in 2024.", "count"),
        (WQ + "what assessment he has made of the adequacy of hospice beds.", "assessment"),
        (WQ + "whether he plans to publish the review.", "yesno"),
    ],
)
def test_answer_types(question, expected):
    assert frame(question).answer_type == expected


def test_request_is_typed_by_what_it_asks():
    assert answer_type("Can you give us revenue growth for Europe?") == "count"
    assert answer_type("Will you resign?") == "yesno"


def test_last_enumerated_part_stops_at_the_questions_verb():
    f = frame(WQ + "how many (a) nurses (b) doctors and (c) midwives left the NHS in 2024.")
    assert [p.text for p in f.parts] == ["nurses", "doctors", "midwives"]
    # terms of the verb phrase ("left", "nhs") no longer belong to part (c)
    assert f.parts[2].terms == ("midwive",)


def test_seed_parts_unchanged():
    f = frame("how many NCA staff are posted to (a) Belgium (b) Germany and (c) Netherlands")
    assert [p.text for p in f.parts] == ["Belgium", "Germany", "Netherlands"]


def test_each_of_the_last_three_months_is_months_not_years():
    f = frame(WQ + "how many people were admitted in each of the last three months.")
    assert [p.text for p in f.parts] == [
        "month 1 of the last 3",
        "month 2 of the last 3",
        "month 3 of the last 3",
    ]
    assert {p.terms for p in f.parts} == {("month",)}


@pytest.mark.parametrize(
    "tail, years",
    [
        ("in each year between 2021 and 2023", [2021, 2022, 2023]),
        ("for each of the years 2019 to 2022", [2019, 2020, 2021, 2022]),
        ("in each financial year from 2020-21 to 2022", [2020, 2021, 2022]),
    ],
)
def test_year_ranges_become_one_part_per_year(tail, years):
    f = frame(WQ + f"how many people were admitted {tail}.")
    assert [p.text for p in f.parts] == [f"year {y}" for y in years]


def test_a_range_without_each_is_one_total():
    assert frame(WQ + "how many people were admitted between 2021 and 2023.").parts == ()


def test_month_parts_are_answered_by_months_not_years():
    from evascore.analysis import analyse

    q = WQ + "how many people were admitted in each of the last three months."
    by_month = analyse(q, "In July 1,200 were admitted, in August 1,310 and in September 990.")
    assert [p.addressed for p in by_month.parts] == [True, True, True]
    by_year = analyse(q, "In 2024, 14,000 people were admitted.")
    assert not any(p.addressed for p in by_year.parts)


def test_year_parts_prefilter_keeps_any_casing_of_each():
    # _year_parts skips questions without "each" (lower-cased) before its case-blind scans
    for q in (
        "How many staff were recruited IN EACH OF THE LAST THREE YEARS?",
        "How many staff were recruited in Each year between 2021 and 2023?",
    ):
        parts = frame(q).parts
        assert len(parts) == 3 and all(p.kind == "year" for p in parts), q
    assert frame("How many staff were recruited last year?").parts == ()


def test_drop_and_or_matches_plain_substitution():
    # _drop_and_or substitutes only when the stripped part ends in "and" or "or" (any case):
    # the same result as substituting always, case-blind as re.IGNORECASE is.
    import random
    import re

    from evascore.question import _drop_and_or

    rng = random.Random(3)
    bits = ("and", "AND", "Or", "oR", "or", "nor", "band", "x", "İ", "ſ", "K", "é", "1")
    glue = (" ", "  ", ", ", ",", "", "\n", "\t", "\u00a0", " ,", ".")
    for _ in range(20000):
        seg = "".join(rng.choice(bits) + rng.choice(glue) for _ in range(rng.randint(0, 5)))
        plain = re.sub(r"\s*,?\s*\b(?:and|or)\s*$", "", seg.strip(), flags=re.I)
        assert _drop_and_or(seg) == plain, seg
