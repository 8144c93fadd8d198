"""Issue 13, items 3 and 4: the batch report's tables (summarise) and the page itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import evascore
from evascore import batch_report
from evascore.cli import main
from evascore.insight import asks_for_number, read_scored, summarise, topic_of, wilson


def scored_row(
    i: int,
    label: str,
    ev: float,
    dept: str | None,
    *,
    tabled="2024-07-22",
    answered="2024-07-29",
    heading="Prisons: Staff",
    technique="declining",
    question="To ask the Secretary of State for Justice, whether he will act.",
    parts=None,
    refers=None,
    uin=None,
    cues=None,
) -> dict:
    """One output row of ``evascore score`` (only what the report reads)."""
    meta = {
        "uin": uin or str(i),
        "date_tabled": tabled,
        "date_answered": answered,
        "heading": heading,
    }
    if dept:
        meta["department"] = dept
    answer = "We do not comment on operational matters. Staff numbers are published."
    return {
        "id": f"q{i}",
        "label": label,
        "evasiveness": ev,
        "technique": technique,
        "probabilities": None,
        "parts": parts,
        "cues": cues
        if cues is not None
        else [{"technique": "declining", "text": "do not comment", "start": 3, "end": 17}],
        "sentences": [
            {
                "text": "We do not comment on operational matters.",
                "start": 0,
                "end": 41,
                "why": "non-reply cue",
            }
        ],
        "reasons": [],
        "error": None,
        "source": {"file": "x.json", "line": i},
        "meta": meta,
        "refers_to": refers,
        "question": question,
        "answer": answer,
    }


def batch() -> list[dict]:
    """30 Home Office answers (24 evasive), 10 Treasury (2 evasive), 2 Cabinet Office, an
    error row; two months; a multi-part question; a number question topic."""
    rows = []
    for i in range(30):
        rows.append(
            scored_row(
                i,
                "evasive" if i < 24 else "direct",
                0.9 if i < 24 else 0.1,
                "Home Office",
                heading="Asylum: Hotels",
                tabled="2024-07-22" if i % 2 else "2024-08-05",
                question="To ask the Secretary of State for the Home "
                "Department, how many asylum seekers are in hotels.",
            )
        )
    for i in range(30, 40):
        rows.append(
            scored_row(
                i,
                "evasive" if i < 32 else "partial",
                0.8 if i < 32 else 0.5,
                "HM Treasury",
                technique="partial_parts",
                parts=[{"text": "a", "addressed": True}, {"text": "b", "addressed": False}],
            )
        )
    rows.append(scored_row(40, "evasive", 0.99, "Cabinet Office", uin="7202", tabled="2023-12-15"))
    rows.append(scored_row(41, "direct", 0.05, "Cabinet Office"))
    err = scored_row(42, None, None, "Home Office")
    err.update(error={"type": "InputError", "message": "field 'answer' is null"})
    rows.append(err)
    # A referral to an answer in the batch, and one to an answer that is not.
    rows.append(
        scored_row(
            43,
            "evasive",
            0.7,
            "HM Treasury",
            technique="referral",
            refers={"uin": "30", "date": None},
        )
    )
    rows.append(
        scored_row(
            44,
            "evasive",
            0.7,
            "HM Treasury",
            technique="referral",
            refers={"uin": "999", "date": None},
        )
    )
    return rows


def write_scored(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


# ------------------------------------------------------------------ item 4: tables


def test_wilson_interval():
    lo, hi = wilson(24, 30)
    assert round(lo, 3) == 0.627 and round(hi, 3) == 0.905
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0
    assert all(v != v for v in wilson(0, 0))  # nan: no answers, no interval


def test_topic_is_the_heading_up_to_its_colon():
    assert topic_of("Refugees: Afghanistan") == "Refugees" and topic_of(None) is None


@pytest.mark.parametrize(
    "question, expected",
    [
        (
            "To ask the Secretary of State for Defence, how many officers are posted to Belgium.",
            True,
        ),
        ("To ask the Chancellor of the Exchequer, how much has been spent on consultants.", True),
        (
            "To ask the Secretary of State for Transport, what estimate he has made of the cost.",
            True,
        ),
        (
            "To ask the Secretary of State for Education, what proportion of schools have RAAC.",
            True,
        ),
        ("To ask the Secretary of State for Defence, whether he plans to visit Belgium.", False),
        (
            "To ask the Secretary of State for Health, what steps she is taking on waiting lists.",
            False,
        ),
    ],
)
def test_number_questions_are_recognised(question, expected):
    assert asks_for_number(question) is expected


def test_summarise_departments_sorted_with_wilson_intervals(tmp_path):
    t = summarise(read_scored(write_scored(tmp_path / "s.jsonl", batch())))
    deps = t["departments"]
    # Ranked by evasive share; departments under 20 answers come after the ranked ones,
    # though Cabinet Office's 1 of 2 is a higher share than Home Office's 24 of 30.
    assert deps["department"].tolist() == ["Home Office", "Cabinet Office", "HM Treasury"]
    assert deps["ranked"].tolist() == [True, False, False]
    home = deps.iloc[0]
    assert (home["n"], home["evasive"], home["direct"]) == (30, 24, 6)
    assert (round(home["evasive_lo"], 3), round(home["evasive_hi"], 3)) == (0.627, 0.905)
    ov = t["overview"].iloc[0]
    assert (ov["rows"], ov["scored"], ov["errors"]) == (45, 44, 1)
    assert (ov["tabled_from"], ov["tabled_to"]) == ("2023-12-15", "2024-08-05")


def test_summarise_trend_by_month_tabled(tmp_path):
    t = summarise(read_scored(write_scored(tmp_path / "s.jsonl", batch())))
    m = t["months"]
    allm = m[m["department"] == "All departments"]
    assert allm["month"].tolist() == ["2023-12", "2024-07", "2024-08"]
    assert allm["n"].sum() == 44
    assert "Home Office" in set(m["department"])


def test_summarise_topics_need_20_questions_and_have_a_number_cut(tmp_path):
    t = summarise(read_scored(write_scored(tmp_path / "s.jsonl", batch())))
    # "Asylum" has 30 questions (all ask how many); "Prisons" has 14: not ranked.
    assert t["topics"]["topic"].tolist() == ["Asylum"]
    assert t["topics_number"]["topic"].tolist() == ["Asylum"]
    assert t["topics"].iloc[0]["evasive"] == 24
    assert summarise(read_scored(tmp_path / "s.jsonl"), min_topic=10)["topics"][
        "topic"
    ].tolist() == ["Asylum", "Prisons"]


def test_summarise_techniques_histogram_parts_referrals_worst(tmp_path):
    t = summarise(write_scored(tmp_path / "s.jsonl", batch()))  # a path works too
    tech = t["techniques"].set_index("department")
    assert tech.loc["HM Treasury", "partial_parts"] == pytest.approx(10 / 12)
    assert t["histogram"]["n"].sum() == 44
    parts = t["parts"]
    assert parts.values.tolist() == [[2, 1, 10]]  # ten questions in two parts, one answered
    refs = t["referrals"].set_index(["status", "target_label"])["n"]
    assert refs[("found", "evasive")] == 1 and refs[("not found", "")] == 1
    worst = t["worst"]
    assert len(worst) == 20 and worst.iloc[0]["id"] == "q40"
    assert worst.iloc[0]["url"] == (
        "https://questions-statements.parliament.uk/written-questions/detail/2023-12-15/7202"
    )


def test_summarise_is_exported_and_takes_score_frame_output():
    assert evascore.summarise is summarise
    frame = pd.DataFrame(
        {
            "label": ["evasive", "direct", None],
            "evasiveness": [0.9, 0.1, None],
            "technique": ["declining", "explicit", None],
            "department": ["Home Office", "Home Office", "Home Office"],
        }
    )
    t = summarise(frame)
    assert t["overview"].iloc[0][["rows", "scored", "errors"]].tolist() == [3, 2, 1]
    assert t["topics"].empty and t["months"].empty


# ------------------------------------------------------------------ item 3: the page


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.h2, self.links, self.text = [], [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "a":
            self.links.append(a.get("href"))
        self._in = tag

    def handle_data(self, data):
        self.text.append(data)
        if self._in == "h2":
            self.h2.append(data)

    def handle_endtag(self, tag):
        self._in = None


def test_report_writes_page_tables_and_plots(tmp_path):
    src = write_scored(tmp_path / "s.jsonl", batch())
    out = tmp_path / "report"
    assert main(["report", str(src), "-o", str(out)]) == 0
    page = _Page()
    page.feed((out / "index.html").read_text("utf-8"))
    text = " ".join(page.text)
    for dept in ("Home Office", "HM Treasury", "Cabinet Office"):
        assert dept in text
    assert len(page.images) >= 3 and all(
        s.startswith("data:image/png;base64,") for s in page.images
    )
    assert {p.name for p in out.glob("*.png")} >= {"departments.png", "trend.png", "histogram.png"}
    for name in (
        "departments",
        "months",
        "techniques",
        "topics",
        "topics_number",
        "histogram",
        "parts",
        "referrals",
        "worst",
        "overview",
    ):
        assert (out / f"{name}.csv").exists()
    assert pd.read_csv(out / "departments.csv")["department"].tolist()[0] == "Home Office"
    assert any(h.startswith("By department") for h in page.h2)
    assert any("most evasive" in h for h in page.h2)
    assert (
        "https://questions-statements.parliament.uk/written-questions/detail/2023-12-15/"
        "7202" in page.links
    )
    assert "<mark>do not comment</mark>" in (out / "index.html").read_text("utf-8")
    flat = " ".join("".join(page.text).split())
    assert (
        "2 answers refer the Member to an earlier answer. 1 of those answers are in this "
        "batch: 0 direct, 0 partial, 1 evasive" in flat
    )
    assert "1 point to an answer that is not in the batch" in flat


def test_report_without_matplotlib_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(batch_report, "have_matplotlib", lambda: False)
    src = write_scored(tmp_path / "s.jsonl", batch())
    out = tmp_path / "report"
    assert main(["report", str(src), "-o", str(out)]) == 0
    html = (out / "index.html").read_text("utf-8")
    assert "matplotlib is not installed" in html and "<img" not in html
    assert "pip install 'evascore[plots]'" in capsys.readouterr().err
    assert not list(out.glob("*.png")) and (out / "departments.csv").exists()


def test_report_reads_csv_output_of_score(tmp_path):
    from tests.test_parliament import Q_DEFENCE, api_value, write_api

    src = write_api(
        tmp_path / "2024-07.json",
        [
            api_value("1001", Q_DEFENCE, "There are 41 personnel in Belgium.", id=1),
            api_value(
                "1002",
                Q_DEFENCE,
                "I refer the hon. Member to the answer I gave on 29 July 2024 to Question 1001.",
                id=2,
                body="Home Office",
            ),
        ],
    )
    scored = tmp_path / "s.csv"
    main(["score", str(src), "-o", str(scored), "--include-text"])
    t = summarise(read_scored(scored))
    assert sorted(t["departments"]["department"]) == ["Home Office", "Ministry of Defence"]
    assert t["referrals"]["status"].tolist() == ["found"]
    assert t["worst"]["question"].notna().all()


def test_report_on_a_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "r")]) == 1
    assert "no such file" in capsys.readouterr().err


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_chromium(tmp_path):
    """The page as a browser draws it: tall (every section laid out), not blank."""
    if _chromium() is None:
        pytest.skip(
            "chromium is not installed (apt-get install chromium); the page is "
            "checked by parsing its HTML instead"
        )
    from PIL import Image

    src = write_scored(tmp_path / "s.jsonl", batch())
    out = tmp_path / "report"
    assert main(["report", str(src), "-o", str(out)]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1280,1600",
            (out / "index.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 1600)
    # Not an empty page: many distinct colours (text, bars, the plot's label colours).
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200
    evasive_red = sum(
        n for n, c in colours if abs(c[0] - 209) < 8 and abs(c[1] - 73) < 8 and abs(c[2] - 91) < 8
    )
    assert evasive_red > 500  # the evasive bars are drawn
