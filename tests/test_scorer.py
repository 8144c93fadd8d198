"""The compiled scorer (evascore.scorer, numpy alone) gives what the scikit-learn pipeline
gives: the same probabilities bit for bit, the same assessments, without importing
scikit-learn when it is loaded from a model file (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from evascore import LABELS, EvasionModel
from evascore.assessment import build_assessments
from evascore.head import SklearnHead
from evascore.pairs import QAPair, clean_pairs
from evascore.rules import parts_refused, parts_ruled
from evascore.scorer import Head, Linear, TextView
from tests.conftest import ROOT, SEED


def _rows(name: str, step: int) -> list[dict]:
    path = ROOT / "training_data" / name
    return [json.loads(line) for line in path.open(encoding="utf-8")][::step]


@pytest.fixture(scope="module")
def data():
    rows = _rows("corpus.jsonl", 4) + _rows("real_answers.jsonl", 20)
    pairs = [(r["question"], r["answer"]) for r in rows]
    techniques = [r.get("technique") or "explicit" for r in rows]
    return pairs, [r["label"] for r in rows], techniques


def _assess_with_sklearn(model: EvasionModel, pairs: list[QAPair]):
    """Assessments built from the scikit-learn steps themselves (what ``assess`` ran before
    the scorer): the pipeline's columns, the ClarityHead's probabilities and contributions."""
    from evascore.head import ruled_proba

    qa = [(p.question, p.answer) for p in pairs]
    analyses = model.features_.analyse_many(qa)
    X = model.pipeline_["features"].transform(qa)
    head = model.head_
    tech_proba = tech_classes = None
    if model.technique_head_ is not None:
        tech_proba = model.technique_head_.predict_proba(head.scaler_.transform(X))
        tech_classes = model.technique_head_.classes_
    refused = parts_refused(X)
    return build_assessments(
        pairs,
        analyses,
        ruled_proba(head, X, model.offsets_),
        head.contributions(X),
        head.classes_,
        model.feature_names_,
        tech_proba,
        tech_classes,
        refused,
        parts_ruled(X),
    )


def test_the_shipped_model_compiles_whole_and_scores_as_its_pipeline_bit_for_bit(model):
    scorer = model.scorer_
    assert isinstance(scorer.head, Head) and isinstance(scorer.technique, Linear)
    assert all(isinstance(v, TextView) for v in scorer.views.values())
    assert set(scorer.views) == set(model.text_views)
    rows = _rows("real_answers.jsonl", 9) + _rows("corpus.jsonl", 5)
    pairs = clean_pairs([(r["question"], r["answer"]) for r in rows])
    assert scorer.predict_proba(pairs).tobytes() == model.predict_proba(pairs).tobytes()
    # and batch by batch, as the command line scores (small batches count text by text)
    few = pairs[:37]
    assert scorer.predict_proba(few).tobytes() == model.predict_proba(few).tobytes()


def test_assessments_are_those_of_the_sklearn_steps(model):
    rows = _rows("real_answers.jsonl", 17) + _rows("corpus.jsonl", 9)
    pairs = [QAPair.make(r["question"], r["answer"], str(i)) for i, r in enumerate(rows)]
    want = [a.to_dict() for a in _assess_with_sklearn(model, pairs)]
    assert [a.to_dict() for a in model.assess(pairs)] == want


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"text_features": True, "text_views": ("answer", "opening", "question")},
        {"calibration": None, "class_weight": None},
        {"calibration": "sigmoid"},
        {"tune_offsets": True},
    ],
    ids=["default", "text", "uncalibrated", "sigmoid", "offsets"],
)
def test_every_kind_of_model_scores_through_its_scorer_as_through_its_pipeline(data, params):
    pairs, y, techniques = data
    m = EvasionModel(**params).fit(pairs, y, techniques, cv=3 if params.get("tune_offsets") else 0)
    scorer = m.scorer_
    assert isinstance(scorer.head, SklearnHead) == (params.get("calibration") == "sigmoid")
    test = [QAPair.make(q, a, str(i)) for i, (q, a) in enumerate(pairs[::3])]
    qa = [(p.question, p.answer) for p in test]
    np.testing.assert_array_equal(scorer.predict_proba(qa), m.predict_proba(qa))
    want = [a.to_dict() for a in _assess_with_sklearn(m, test)]
    assert [a.to_dict() for a in m.assess(test)] == want


def test_a_model_trained_on_two_labels_scores_through_its_scorer(data):
    pairs, y, _ = data
    keep = [i for i, lab in enumerate(y) if lab != "partial"]
    two = clean_pairs([pairs[i] for i in keep])  # the scorer takes cleaned pairs
    m = EvasionModel(calibration=None, text_features=True).fit(two, [y[i] for i in keep], cv=0)
    assert isinstance(m.scorer_.head, SklearnHead)  # binary probabilities: sklearn's formula
    np.testing.assert_array_equal(m.scorer_.predict_proba(two), m.predict_proba(two))
    m = EvasionModel().fit(two, [y[i] for i in keep], cv=0)  # with a temperature: compiled
    assert isinstance(m.scorer_.head, Head)
    np.testing.assert_array_equal(m.scorer_.predict_proba(two), m.predict_proba(two))


def test_setting_the_offsets_or_refitting_recompiles_the_scorer(data):
    pairs, y, _ = data
    pairs = clean_pairs(pairs)  # the scorer takes cleaned pairs
    m = EvasionModel().fit(pairs, y, cv=0)
    first = m.scorer_
    assert m.scorer_ is first  # made once
    m.offsets_ = [0.0, 2.0, 0.0]
    assert m.scorer_ is not first
    np.testing.assert_array_equal(m.scorer_.predict_proba(pairs), m.predict_proba(pairs))
    assert [a.label for a in m.score_many(pairs)] == list(m.predict(pairs))
    before = m.scorer_
    m.fit(pairs[:200], y[:200], cv=0)
    assert m.scorer_ is not before
    np.testing.assert_array_equal(m.scorer_.predict_proba(pairs), m.predict_proba(pairs))


def test_scoring_from_the_model_file_does_not_import_sklearn(tmp_path):
    """`evascore score`, `evascore explain` and evascore.score() load the scorer alone."""
    out = tmp_path / "seed.jsonl"
    code = f"""
import sys
import evascore
from evascore.cli import main
assert main(["score", {str(SEED)!r}, "-o", {str(out)!r}]) == 0
assert main(["explain", {str(SEED)!r}]) == 0
a = evascore.score("How many staff work in Belgium?", "We do not disclose this.")
print(a.label, "sklearn" in sys.modules, "scipy" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "evasive False False", done.stdout[-500:]
    row = json.loads(out.read_text("utf-8"))
    assert row["label"] == "evasive" and row["label"] in LABELS


def test_code_table_finds_what_a_dict_finds():
    """The text views' bigram lookup: every stored code's value, -1 for absent codes, with
    codes that collide in the table and large codes (near 2**62) included."""
    from evascore.scorer import CodeTable

    rng = np.random.default_rng(7)
    for n in (0, 1, 5, 1000, 50_000):
        codes = np.unique(rng.integers(0, 2**62, n))
        codes[: min(len(codes), 3)] = np.arange(min(len(codes), 3))  # small codes too
        codes = np.unique(codes)
        values = rng.integers(0, 10**6, len(codes))
        table = CodeTable(codes, values)
        assert len(table) == len(codes)
        want = dict(zip(codes.tolist(), values.tolist(), strict=True))
        probes = np.concatenate([codes, rng.integers(0, 2**62, 2000), codes[::-1]])
        got = table.get(probes)
        assert got.tolist() == [want.get(c, -1) for c in probes.tolist()]
    # Codes whose hashes all land in one slot probe past each other.
    probe = CodeTable(np.arange(40, dtype=np.int64), np.zeros(40, np.int64))
    pool = rng.integers(0, 2**40, 200_000)
    same = np.unique(pool[probe._slots(pool) == probe._slots(pool[:1])[0]])[:40]
    assert len(same) == 40
    table = CodeTable(same, np.arange(40, dtype=np.int64))
    assert table.bits == probe.bits
    absent = np.setdiff1d(pool[probe._slots(pool) == probe._slots(pool[:1])[0]], same)[:5]
    got = table.get(np.concatenate([same, absent]))
    assert got.tolist() == list(range(40)) + [-1] * len(absent)
