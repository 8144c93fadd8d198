"""Checks on training_data/: schema, label shares, composition, near-duplicates, originality."""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pytest

from evascore.assessment import LABELS, TECHNIQUE_LABEL
from tests.conftest import ROOT, needs_benchmarks

DATA = ROOT / "training_data"
SETTINGS = {"uk_written", "uk_oral", "committee", "press", "earnings", "foi"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(x) for x in (DATA / "corpus.jsonl").read_text("utf-8").splitlines()]


def test_corpus_is_built_from_parts(rows):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", DATA / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.build() == rows, "corpus.jsonl is stale: run python training_data/build.py"


def test_schema(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert isinstance(r["question"], str) and r["question"].strip(), r["id"]
        assert isinstance(r["answer"], str) and r["answer"].strip(), r["id"]
        assert r["label"] in LABELS, r["id"]
        assert TECHNIQUE_LABEL[r["technique"]] == r["label"], r["id"]
        assert r["setting"] in SETTINGS, r["id"]
        assert r["split"] in ("train", "dev") and r["group"], r["id"]
        if r["parts"] is not None:
            assert r["parts"] and all(set(p) == {"text", "addressed"} for p in r["parts"]), r["id"]
            if r["label"] == "direct":
                assert all(p["addressed"] for p in r["parts"]), r["id"]


def test_size_labels_and_composition(rows):
    n = len(rows)
    assert n >= 1200
    labels = Counter(r["label"] for r in rows)
    assert all(labels[lab] / n >= 0.20 for lab in LABELS), labels
    settings = Counter(r["setting"] for r in rows)
    assert settings["uk_written"] / n >= 0.60
    assert (n - settings["uk_written"]) / n >= 0.25
    uk_depts = {r["department"] for r in rows if r["setting"] == "uk_written"}
    assert len(uk_depts) >= 15
    assert set(Counter(r["technique"] for r in rows)) == set(TECHNIQUE_LABEL)


def test_dev_split_is_grouped(rows):
    split_of = {}
    for r in rows:
        assert split_of.setdefault(r["group"], r["split"]) == r["split"], r["group"]
    by_question = {}
    for r in rows:
        by_question.setdefault(r["question"], set()).add(r["split"])
    assert all(len(s) == 1 for s in by_question.values()), "a question is in both splits"
    dev = sum(r["split"] == "dev" for r in rows) / len(rows)
    assert 0.1 <= dev <= 0.3


def test_question_types_covered(rows):
    uk = [r["question"].lower() for r in rows if r["setting"] == "uk_written"]
    for marker in (
        "how many",
        "how much",
        "when ",
        "whether",
        "if he will",
        "what steps",
        "what assessment",
        "(a)",
        "in each of the last",
        "broken down by",
        "pursuant to the answer",
    ):
        assert sum(marker in q for q in uk) >= 5, marker


def test_hard_cases_present(rows):
    tags = Counter(r.get("hard_case") for r in rows)
    for tag in (
        "numbers_trap",
        "refusal_in_direct",
        "one_of_parts",
        "short_direct",
        "boilerplate_then_answer",
        "no_plans",
        "html",
        "minimal_pair",
    ):
        assert tags[tag] >= 10, tag
    groups = Counter(r["group"] for r in rows)
    minimal = [g for g, c in groups.items() if c > 1]
    for g in minimal:
        qs = {r["question"] for r in rows if r["group"] == g}
        labs = {r["label"] for r in rows if r["group"] == g}
        assert len(qs) == 1 and len(labs) >= 2, g


def test_no_near_duplicate_answers(rows):
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer().fit_transform([r["answer"] for r in rows])
    sim = (X @ X.T).toarray()
    np.fill_diagonal(sim, 0)
    dup_rows = int((sim.max(axis=1) > 0.9).sum())
    assert dup_rows <= 0.01 * len(rows), dup_rows


# The genre's stock formulas and official names: an 8-word run shared with real answers is
# allowed only when it lies inside one of these.
STOCK = re.compile(
    "|".join(
        [
            r"refer the hon member",
            r"the answer i gave",
            r"answer given on",
            r"the reply given",
            r"write to the hon member",
            r"would not be appropriate to comment",
            r"not comment on",
            r"does not (?:collect|hold) (?:data|information)",
            r"annual report and accounts",
            r"copy of (?:my|the) letter",
            r"in the librar(?:y|ies) of",
            r"libraries of both houses",
            r"letter will be placed",
            r"secretary of state for",
            r"disproportionate cost",
            r"delay in responding",
            r"in each (?:of the last|financial year)",
            r"right hon friend",
            r"special educational needs",
            r"joint committee on vaccination",
            r"independent commission",
            r"police crime sentencing and courts act",
            r"majesty s chief inspector",
            r"to the answer i gave",
            r"the written statement",
            r"answer i gave to (?:question|the hon)",
            r"energy security and net zero",
            # more formulas of the genre
            r"practice of successive governments",
            r"would be likely to prejudice",
            r"is a devolved matter",
            r"set out in due course",
            r"not be appropriate for me to comment",
            r"information requested is not held",
            r"available on gov uk",
            r"https www",
            r"written ministerial statement",
            r"rt hon friend",
            r"health and social care",
            r"culture media and sport",
            r"housing communities and local government",
            r"department s annual report",
            r"ministry of housing communities",
            r"details will be set out",
            # names of Acts, regulations, benefits, publications and agreements (facts, not prose)
            r"judicial offices act",
            r"public service pensions",
            r"comprehensive and progressive agreement",
            r"injuries diseases and dangerous occurrences",
            r"work related activity",
            r"new state pension",
            r"pay gap reporting",
            r"onshore wind in england",
            r"pupils and their characteristics",
            r"16 to 18 results",
            r"trans pacific partnership",
            r"of the ministerial code",
            r"invasion of ukraine",
        ]
    )
)
WORD = re.compile(r"[a-z0-9£%]+")


def _grams(text: str, n: int = 8) -> set[str]:
    w = WORD.findall(text.lower().replace("\u2019", "'"))
    return {" ".join(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_no_sentences_copied_from_benchmarks(rows):
    congress = "subjective-discourse-congress"
    tsv = f"{congress}/with_features_annotated_questions_responses_gold.tsv"
    root = needs_benchmarks("uk-commons-written-questions", "qevasion", tsv)
    pd = pytest.importorskip("pandas")
    bench: set[str] = set()
    for f in sorted((root / "uk-commons-written-questions").glob("*.json")):
        for rec in json.loads(f.read_text("utf-8")):
            v = rec["value"]
            bench |= _grams(v.get("answerText") or "") | _grams(v.get("questionText") or "")
    for f in sorted((root / "qevasion").glob("*.parquet")):
        try:
            d = pd.read_parquet(f)
        except ImportError:
            pytest.skip("pyarrow is needed to read the QEvasion parquet files")
        for t in set(d["interview_answer"]) | set(d["question"]):
            bench |= _grams(t)
    d = pd.read_csv(root / tsv, sep="\t", usecols=["q_text", "r_text"])
    for t in set(d["r_text"].astype(str)) | set(d["q_text"].astype(str)):
        bench |= _grams(t)
    assert bench, "no benchmark text was read: nothing would be checked"
    copied = {}
    for r in rows:
        bad = [g for g in _grams(r["answer"]) & bench if not STOCK.search(g)]
        if bad:
            copied[r["id"]] = bad[:2]
    assert not copied, copied
