"""Issue 13 on Parliament's own data in ../shared/benchmarks (skipped when it is absent).

The month files are read where they are; nothing from them is copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evascore.cli import main

API = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "uk-commons-written-questions"
MONTHS = ("2023-12", "2024-07", "2024-08", "2024-09")

pytestmark = [pytest.mark.benchmarks, pytest.mark.slow]


def _needs_api() -> None:
    if not API.exists():
        pytest.skip(
            f"{API} is absent: the API month files live beside the repo in ../shared/benchmarks/"
        )


@pytest.mark.parametrize("month", MONTHS)
def test_every_api_month_gives_one_row_per_record_with_meta(tmp_path, month):
    _needs_api()
    src = API / f"{month}.json"
    records = json.loads(src.read_text("utf-8"))
    out = tmp_path / "scored.jsonl"
    main(["score", str(src), "-o", str(out)])
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert len(rows) == len(records)
    assert [r["id"] for r in rows] == [str(r["value"]["id"]) for r in records]
    for row, rec in zip(rows, records):
        v = rec["value"]
        assert row["meta"]["uin"] == str(v["uin"])
        assert row["meta"]["department"] == v["answeringBodyName"]
        assert row["meta"]["date_tabled"] == v["dateTabled"][:10]
        assert (row["error"] is None) == bool(v["answerText"])


def test_report_on_the_four_months_names_every_department_and_resolves_referrals(tmp_path):
    _needs_api()
    scored = tmp_path / "scored.jsonl"
    main(["score", str(API), "-o", str(scored), "--include-text"])
    rows = [json.loads(x) for x in scored.read_text("utf-8").splitlines()]
    # Every referral whose target UIN was answered within a week of the date given is found
    # (and no other): "I refer the hon. Member to the answer of 28th February 2024, Official
    # Report, PQ 5332" in December 2023's file finds UIN 5332.
    by_uin: dict[str, list[dict]] = {}
    for r in rows:
        by_uin.setdefault(r["meta"]["uin"], []).append(r)
    n_found = 0
    for r in rows:
        ref = r["refers_to"]
        for t in [ref, *ref.get("also", [])] if ref else []:
            if t["found"]:
                n_found += 1
                assert t["id"] in {c["id"] for c in by_uin[t["uin"]]}
    assert n_found >= 100
    pq5330 = next(
        r for r in rows if r["meta"]["uin"] == "5330" and r["meta"]["date_answered"] == "2024-02-28"
    )
    assert pq5330["refers_to"]["found"] is True and pq5330["refers_to"]["uin"] == "5332"

    out = tmp_path / "report"
    assert main(["report", str(scored), "-o", str(out)]) == 0
    page = (out / "index.html").read_text("utf-8")
    for dept in {r["meta"]["department"] for r in rows}:
        assert dept.replace("'", "&#x27;") in page
    assert page.count("<img ") >= 3
