"""The suite's own data: coverage of every technique and setting, texts not taken from the
training corpus, and a known-limits table that names real cases and is written up in README."""

import json
import re
from collections import Counter

import pytest

from evascore.assessment import TECHNIQUE_LABEL
from evascore.text import clean_text, split_sentences
from tests.behaviour.cases import (
    DIRECTIONAL,
    EXTRA_BASES,
    INVARIANCE,
    INVARIANCE_PERTURBATIONS,
    KNOWN_LIMITS,
    MFT,
    SETTINGS,
    TECHNIQUE_CHECKED,
    TECHNIQUES,
    all_checks,
)
from tests.conftest import ROOT

CORPUS = ROOT / "training_data" / "corpus.jsonl"


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9£$%]+", clean_text(text).lower()))


def test_mft_covers_every_technique_in_every_setting():
    assert len(MFT) >= 60
    grid = Counter((c.setting, c.technique) for c in MFT)
    missing = [(s, t) for s in SETTINGS for t in TECHNIQUES if not grid[(s, t)]]
    assert not missing, f"no MFT case for {missing}"
    assert len({c.id for c in MFT}) == len(MFT), "MFT case ids must be unique"
    assert {c.technique: c.label for c in MFT} == TECHNIQUE_LABEL
    assert TECHNIQUE_CHECKED <= set(TECHNIQUES)


def test_written_questions_use_the_register():
    written = [c for c in MFT if c.setting == "uk_written"]
    assert all(c.question.startswith("To ask the Secretary of State for ") for c in written)


def test_invariance_and_directional_cover_every_perturbation_and_edit():
    per = Counter(c.perturbation.name for c in INVARIANCE)
    for p in INVARIANCE_PERTURBATIONS:
        assert per[p.name] >= 5, f"{p.name}: only {per[p.name]} cases"
        if p.exact:  # HTML and whitespace apply to every base
            assert per[p.name] == len(MFT) + len(EXTRA_BASES)
    edits = Counter(c.edit for c in DIRECTIONAL)
    assert set(edits) == {"add_figure", "prefix_refusal", "delete_answer", "more_parts"}
    assert min(edits.values()) >= 6, edits
    assert all(c.before != c.after for c in DIRECTIONAL)
    ids = [c.id for c in INVARIANCE] + [c.id for c in DIRECTIONAL]
    assert len(ids) == len(set(ids))


def test_exact_perturbations_really_change_the_raw_text():
    exact = [c for c in INVARIANCE if c.perturbation.exact]
    assert all(c.answer2 != c.answer for c in exact)
    assert sum("&" in c.answer2 for c in exact if c.perturbation.name.startswith("html")) > 20
    assert all("\n" in c.answer2 for c in exact if c.perturbation.name == "whitespace")


def _suite_texts():
    for c in MFT:
        yield c.id, c.question, c.answer
    yield from EXTRA_BASES
    for c in DIRECTIONAL:
        yield c.id, c.question, c.before
        yield c.id, c.question, c.after


def test_no_text_of_the_suite_is_in_the_training_corpus():
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent")
    rows = [json.loads(x) for x in CORPUS.read_text("utf-8").splitlines() if x.strip()]
    blob = "\n".join(_norm(r["question"]) + "\n" + _norm(r["answer"]) for r in rows)
    questions = {_norm(r["question"]) for r in rows}
    copied = []
    for cid, q, a in _suite_texts():
        if _norm(q) in questions:
            copied.append((cid, q))
        clean = clean_text(a)
        for s, e in split_sentences(clean):
            sent = _norm(clean[s:e])
            if len(sent.split()) >= 6 and sent in blob:
                copied.append((cid, clean[s:e]))
    assert not copied, f"texts found in training_data/corpus.jsonl: {copied}"


def test_known_limits_name_real_cases_and_are_in_the_readme():
    keys = {f"{c.test}[{c.id}]" for c in all_checks()}
    stale = sorted(set(KNOWN_LIMITS) - keys)
    assert not stale, f"KNOWN_LIMITS entries that name no case: {stale}"
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "## Known limits" in readme
    section = readme.split("## Known limits", 1)[1]
    undocumented = [k for k in KNOWN_LIMITS if k not in section]
    assert not undocumented, f"add to README.md 'Known limits': {undocumented}"
