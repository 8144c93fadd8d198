"""Issue 13, items 1 and 2: Parliament's formats, metadata kept, referrals resolved.

The texts are written for these tests, in the shape of the Written Questions API's records.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evascore.cli import main
from evascore.pairs import read_path
from evascore.referrals import parse_referrals, resolve_referrals

Q_DEFENCE = (
    "To ask the Secretary of State for Defence, how many service personnel are "
    "posted to (a) Belgium and (b) Germany."
)
A_FIGURES = "There are 41 personnel posted to Belgium and 212 posted to Germany."
Q_HEALTH = (
    "To ask the Secretary of State for Health and Social Care, how many hospital beds "
    "were open in Cornwall in 2023."
)
A_NOT_HELD = "The information requested is not held centrally."


def api_value(
    uin: str,
    question: str,
    answer: str | None,
    *,
    id: int,
    body: str = "Ministry of Defence",
    tabled: str = "2024-07-22",
    answered: str = "2024-07-29",
    heading: str = "Armed Forces: Belgium",
    holding: bool = False,
) -> dict:
    """One record as the Written Questions API returns it (only the fields it reads, and a
    few it ignores)."""
    return {
        "value": {
            "id": id,
            "askingMemberId": 5031,
            "house": "Commons",
            "uin": uin,
            "dateTabled": f"{tabled}T00:00:00",
            "dateAnswered": f"{answered}T00:00:00",
            "questionText": question,
            "answerText": answer,
            "answeringBodyId": 11,
            "answeringBodyName": body,
            "answerIsHolding": holding,
            "answeringMemberId": 4125,
            "heading": heading,
            "attachments": [],
        },
        "links": [{"rel": "self", "href": f"/Questions/{id}", "method": "GET"}],
    }


def write_api(path: Path, values: list[dict]) -> Path:
    path.write_text(json.dumps(values), "utf-8")
    return path


def score_jsonl(tmp_path: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> list[dict]:
    out = tmp_path / "scored.jsonl"
    main(["score", *map(str, inputs), "-o", str(out), *extra])
    return [json.loads(x) for x in out.read_text("utf-8").splitlines()]


# ------------------------------------------------------------------ item 1: readers, meta


def test_api_json_gives_one_row_per_record_with_meta(tmp_path):
    src = write_api(
        tmp_path / "2024-07.json",
        [
            api_value("101", Q_DEFENCE, A_FIGURES, id=9001),
            api_value(
                "102",
                Q_HEALTH,
                A_NOT_HELD,
                id=9002,
                body="Department of Health and Social Care",
                heading="Hospital Beds: Cornwall",
                holding=True,
            ),
            api_value("103", Q_HEALTH, None, id=9003),  # not answered yet
        ],
    )
    rows = score_jsonl(tmp_path, src)
    assert [r["id"] for r in rows] == ["9001", "9002", "9003"]
    assert [r["source"]["line"] for r in rows] == [1, 2, 3]  # the record number
    assert rows[1]["meta"] == {
        "uin": "102",
        "department": "Department of Health and Social Care",
        "department_source": "answeringBodyName",
        "date_tabled": "2024-07-22",
        "date_answered": "2024-07-29",
        "heading": "Hospital Beds: Cornwall",
        "asking_member_id": 5031,
        "answering_member_id": 4125,
        "is_holding": True,
    }
    assert rows[0]["label"] is not None and rows[1]["label"] == "evasive"
    # An unanswered record is an error row that still says which question it was.
    assert rows[2]["error"]["message"] == "field 'answer' is null"
    assert rows[2]["meta"]["uin"] == "103"


def test_api_json_that_is_not_valid_json_is_one_error_row(tmp_path):
    src = tmp_path / "cut.json"
    src.write_text(json.dumps([api_value("1", Q_DEFENCE, A_FIGURES, id=1)])[:80], "utf-8")
    rows = list(read_path(str(src)))
    assert len(rows) == 1 and rows[0].error_type == "JSONDecodeError"


def test_api_json_in_a_directory_is_read(tmp_path):
    write_api(tmp_path / "2024-07.json", [api_value("101", Q_DEFENCE, A_FIGURES, id=1)])
    rows = score_jsonl(tmp_path, tmp_path)
    assert len(rows) == 1 and rows[0]["meta"]["uin"] == "101"


def test_jsonl_extra_fields_are_kept_in_meta_with_department_from_question(tmp_path):
    src = tmp_path / "longform.jsonl"
    src.write_text(
        json.dumps(
            {
                "id": "1655766",
                "month": "2023-09",
                "tags": ["beds"],
                "question": Q_HEALTH,
                "answer": A_NOT_HELD,
            }
        )
        + "\n",
        "utf-8",
    )
    (row,) = score_jsonl(tmp_path, src)
    assert row["meta"] == {
        "month": "2023-09",
        "tags": ["beds"],
        "department": "Department of Health and Social Care",
        "department_source": "question opening",
    }


def test_department_given_in_the_input_is_kept(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"question": Q_HEALTH, "answer": A_NOT_HELD, "department": "NHS England"})
        + "\n",
        "utf-8",
    )
    (row,) = score_jsonl(tmp_path, src)
    assert row["meta"]["department"] == "NHS England"
    assert row["meta"]["department_source"] == "input"


def test_include_text_adds_question_and_answer(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"question": Q_HEALTH, "answer": f"<p>{A_NOT_HELD}</p>"}) + "\n", "utf-8"
    )
    (plain,) = score_jsonl(tmp_path, src)
    assert "question" not in plain and "answer" not in plain
    (full,) = score_jsonl(tmp_path, src, extra=("--include-text",))
    assert full["question"] == Q_HEALTH and full["answer"] == A_NOT_HELD  # cleaned text


def test_csv_output_has_meta_columns(tmp_path):
    src = tmp_path / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question", "answer", "speaker"])
        w.writerow(["a", Q_HEALTH, A_NOT_HELD, "Ms Smith"])
    api = write_api(tmp_path / "2024-07.json", [api_value("101", Q_DEFENCE, A_FIGURES, id=7)])
    out = tmp_path / "out.csv"
    main(["score", str(src), str(api), "-o", str(out), "--include-text"])
    with open(out, newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    first, second = table
    assert first["meta_speaker"] == "Ms Smith"
    assert first["meta_department"] == "Department of Health and Social Care"
    assert first["meta_department_source"] == "question opening"
    assert first["question"] == Q_HEALTH
    assert second["meta_uin"] == "101" and second["meta_date_tabled"] == "2024-07-22"
    assert second["meta_department"] == "Ministry of Defence" and second["meta_speaker"] == ""


# ------------------------------------------------------------------ item 2: referrals


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001.",
            [{"uin": "1001", "date": "2024-05-03"}],
        ),
        (
            "The Prime Minister's Office is part of the Cabinet Office. I refer the hon. Member to "
            "the answer of 28th February 2024, Official Report, PQ 5332.",
            [{"uin": "5332", "date": "2024-02-28"}],
        ),
        (
            "I refer my Hon Friend to the answer given to Question UIN HL8422 on 26 June 2023.",
            [{"uin": "HL8422", "date": "2023-06-26"}],
        ),
        (
            "I refer the Rt Hon Member to my answer of 23 September 2024, Official Report, PQ 5043 "
            "and my answer of 13 September 2024, Official Report, PQ 4663.Sufficient desks are "
            "provided.",
            [{"uin": "5043", "date": "2024-09-23"}, {"uin": "4663", "date": "2024-09-13"}],
        ),
        (
            "I refer the Rt. Hon. Gentleman to my response to PQ09540: that this Government is "
            "committed to transparency.",
            [{"uin": "9540", "date": None}],
        ),
        (
            "I refer back to my previous answer to UIN 5635 on 14th December.",
            [{"uin": "5635", "date": "2023-12-14"}],
        ),  # the year is the referring answer's
        (
            "I refer the hon. Member to the answer given on 2 September 2024.",
            [{"uin": None, "date": "2024-09-02"}],
        ),
        (
            "I refer to my answer to WPQ 4645 on 1 December 2023.",
            [{"uin": "4645", "date": "2023-12-01"}],
        ),
        ("I refer the right hon. Member to my letter to him dated 25 October 2023.", []),
        (
            "I refer the honourable member to the Written Ministerial Statement made by the Home "
            "Secretary on 30 July [Written statement HCWS12], which answers this question.",
            [],
        ),
        ("I refer the Hon Member to the written Statement made on 19 December 2023 (HCWS161).", []),
        ("The figures are referred to in the annual report published on 3 May 2024.", []),
    ],
)
def test_referrals_are_parsed_from_the_answer(answer, expected):
    assert parse_referrals(answer, answered="2024-01-12") == expected


def test_referral_resolved_within_the_batch_by_uin(tmp_path):
    src = write_api(
        tmp_path / "2024-07.json",
        [
            api_value("1001", Q_DEFENCE, A_FIGURES, id=1, answered="2024-05-03"),
            api_value(
                "1002",
                Q_DEFENCE,
                "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001.",
                id=2,
            ),
            api_value(
                "1003",
                Q_DEFENCE,
                "I refer the hon. Member to the answer I gave on 9 April 2024 to Question 777.",
                id=3,
            ),
        ],
    )
    target, found, void = score_jsonl(tmp_path, src)
    assert target["refers_to"] is None
    assert found["refers_to"] == {
        "uin": "1001",
        "date": "2024-05-03",
        "found": True,
        "id": "1",
        "label": target["label"],
        "evasiveness": target["evasiveness"],
        "match": "uin",
    }
    assert void["refers_to"]["found"] is False and void["refers_to"]["id"] is None


def test_referral_to_a_uin_of_another_session_is_not_found():
    # UINs restart each session: UIN 1001 answered a year from the date given is not it.
    recs = [
        {
            "id": "1",
            "label": "direct",
            "evasiveness": 0.1,
            "meta": {"uin": "1001", "date_answered": "2023-05-03", "department": "X"},
        },
        {
            "id": "2",
            "meta": {"department": "X"},
            "refers_to": {"uin": "1001", "date": "2024-05-03"},
        },
    ]
    resolve_referrals(recs)
    assert recs[1]["refers_to"]["found"] is False


def test_referral_without_uin_resolved_by_date_and_department():
    def rec(i, dept, day="2024-09-02", ref=None):
        return {
            "id": i,
            "label": "direct",
            "evasiveness": 0.2,
            "refers_to": ref,
            "meta": {"uin": i, "date_answered": day, "department": dept},
        }

    one = [
        rec("1", "Home Office"),
        rec("2", "HM Treasury"),
        rec("3", "Home Office", "2024-09-20", {"uin": None, "date": "2024-09-02"}),
    ]
    resolve_referrals(one)
    assert one[2]["refers_to"]["found"] is True and one[2]["refers_to"]["id"] == "1"
    assert one[2]["refers_to"]["match"] == "date and department"
    # Two Home Office answers that day: the referral does not say which.
    two = [
        rec("1", "Home Office"),
        rec("4", "Home Office"),
        rec("3", "Home Office", "2024-09-20", {"uin": None, "date": "2024-09-02"}),
    ]
    resolve_referrals(two)
    assert two[2]["refers_to"]["found"] is False and two[2]["refers_to"]["candidates"] == 2


def test_referrals_resolved_in_csv_output(tmp_path):
    src = write_api(
        tmp_path / "2024-07.json",
        [
            api_value(
                "1002",
                Q_DEFENCE,
                "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001.",
                id=2,
            ),
            api_value("1001", Q_DEFENCE, A_FIGURES, id=1, answered="2024-05-03"),
        ],
    )
    out = tmp_path / "out.csv"
    main(["score", str(src), "-o", str(out)])
    with open(out, newline="", encoding="utf-8") as fh:
        first, second = csv.DictReader(fh)
    assert first["refers_to_uin"] == "1001" and first["refers_to_found"] == "True"
    assert first["refers_to_id"] == "1" and first["refers_to_label"] == second["label"]


def test_referrals_on_stdout_are_left_unresolved(tmp_path, capsys):
    src = write_api(
        tmp_path / "2024-07.json",
        [
            api_value(
                "1002",
                Q_DEFENCE,
                "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001.",
                id=2,
            )
        ],
    )
    main(["score", str(src)])
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert row["refers_to"]["uin"] == "1001" and row["refers_to"]["found"] is None


def test_referral_prefilter_keeps_any_casing_of_refer():
    # parse_referrals skips answers without "refer" (lower-cased) before its case-blind scan
    for text in (
        "I REFER the hon. Member to my answer of 3 May 2024, PQ 1001.",
        "We ReFeR the hon. Member to the answer given on 3 May 2024 to Question 1001.",
    ):
        assert parse_referrals(text) == [{"uin": "1001", "date": "2024-05-03"}], text
    assert parse_referrals("The answer of 3 May 2024 to Question 1001 stands.") == []
