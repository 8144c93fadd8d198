"""Issue 2 acceptance: the seed, its variants, the estimator contracts, persistence."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    parametrize_with_checks,
)

import evascore
from evascore.features import FEATURE_NAMES, FeatureExtractor
from evascore.head import ClarityHead
from evascore.pairs import read_page

SEED_Q = (
    "To ask the Secretary of State for the Home Department, how many National Crime Agency "
    "staff are posted to (a) Belgium (b) Germany and (c) Netherlands."
)

# One table of the sklearn checks ClarityHead is expected to fail, each with its reason.
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks([ClarityHead()], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_head_passes_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_estimator_cloneable,
        check_estimator_repr,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
        check_parameters_default_constructible,
        check_mixin_order,
    ],
)
def test_featuriser_data_agnostic_checks(check):
    check("FeatureExtractor", FeatureExtractor())


def test_featuriser_rejects_bare_string_and_names_columns():
    fx = FeatureExtractor()
    with pytest.raises(evascore.InputError, match="single string"):
        fx.fit("How many? Twelve.")
    fx.fit([("How many staff?", "Twelve staff.")])
    X = fx.transform([("How many staff?", "")])  # empty answer: still finite
    assert X.shape == (1, len(fx.get_feature_names_out())) == (1, len(FEATURE_NAMES))
    assert np.isfinite(X).all()
    assert fx.__sklearn_tags__().input_tags.string is True


def test_featuriser_set_output_pandas():
    pd = pytest.importorskip("pandas")
    fx = FeatureExtractor().set_output(transform="pandas")
    df = fx.fit_transform([("How many staff?", "Twelve staff.")])
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(FEATURE_NAMES)


def _seed_pair():
    (row,) = list(read_page(str(evascore.__path__[0] + "/../seeds/000_a0cc2ae2f2bdecf9.txt")))
    return row.pair


def test_seed_is_evasive_with_all_parts_unanswered(model):
    pair = _seed_pair()
    a = model.score(pair.question, pair.answer)
    assert a.label == "evasive"
    assert a.evasiveness >= 0.8
    assert [p["text"] for p in a.parts] == ["Belgium", "Germany", "Netherlands"]
    assert [p["addressed"] for p in a.parts] == [False, False, False]
    hit = [c for c in a.cues if c["text"] == "does not disclose"]
    assert hit and pair.answer[hit[0]["start"] : hit[0]["end"]] == "does not disclose"
    assert any("does not disclose" in s["text"] for s in a.sentences)


def test_seed_question_with_all_three_counts_is_direct(model):
    a = model.score(
        SEED_Q,
        "There are 4 National Crime Agency officers posted to Belgium, "
        "6 to Germany and 5 to the Netherlands.",
    )
    assert a.label == "direct" and a.evasiveness <= 0.2
    assert [p["addressed"] for p in a.parts] == [True, True, True]


def test_seed_question_with_one_count_is_partial(model):
    a = model.score(
        SEED_Q,
        "Four NCA officers are posted to Belgium. For operational security "
        "reasons, the NCA does not disclose the number of staff posted to "
        "other countries.",
    )
    assert a.label == "partial"
    assert [p["addressed"] for p in a.parts] == [True, False, False]


def test_seed_question_with_general_statement_is_not_direct(model):
    a = model.score(
        SEED_Q,
        "The NCA works closely with European partners, including through "
        "Europol and joint investigation teams, to tackle serious and "
        "organised crime across the continent.",
    )
    assert a.label != "direct"


def test_save_load_roundtrip_identical_proba(model, tmp_path):
    pairs = [(SEED_Q, "None are posted there."), (SEED_Q, "We do not disclose this.")]
    path = tmp_path / "m.joblib"
    model.save(path)
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert card["labels"] == ["direct", "partial", "evasive"]
    assert card["feature_names"] == list(model.feature_names_)
    assert card["feature_names"][: len(FEATURE_NAMES)] == list(FEATURE_NAMES)
    for key in ("versions", "model_sha256", "training_data", "cross_validation", "seed"):
        assert card[key]
    again = evascore.load_model(path)
    np.testing.assert_array_equal(model.predict_proba(pairs), again.predict_proba(pairs))


def test_fit_is_reproducible_and_clone_is_unfitted(tmp_path):
    rows = [json.loads(x) for x in open(evascore.__path__[0] + "/../training_data/corpus.jsonl")]
    rows = rows[::5]
    pairs = [(r["question"], r["answer"]) for r in rows]
    labels = [r["label"] for r in rows]
    m1 = evascore.EvasionModel().fit(pairs, labels, cv=0)
    m2 = evascore.EvasionModel().fit(pairs, labels, cv=0)
    np.testing.assert_array_equal(m1.predict_proba(pairs[:50]), m2.predict_proba(pairs[:50]))
    assert not hasattr(clone(m1.pipeline_)["head"], "model_")


def test_unknown_label_is_a_clear_error():
    with pytest.raises(evascore.InputError, match="unknown label"):
        evascore.EvasionModel().fit([("q?", "a.")] * 2, ["direct", "maybe"], cv=0)


def test_cli_score_seed_subprocess(seed_path):
    out = subprocess.run(
        [sys.executable, "-m", "evascore", "score", str(seed_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = out.stdout.splitlines()
    rec = json.loads(line)
    assert rec["label"] == "evasive" and rec["source"] == {"file": str(seed_path), "line": 1}
    assert set(rec["probabilities"]) == {"direct", "partial", "evasive"}
    assert all(set(c) == {"technique", "text", "start", "end"} for c in rec["cues"])


def test_cli_explain_seed_for_people(seed_path):
    out = subprocess.run(
        [sys.executable, "-m", "evascore", "explain", str(seed_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Label: evasive" in out
    assert out.count("NOT answered") == 3
    assert "does not disclose" in out


def test_shipped_model_is_what_training_data_retrains_to(model, tmp_path):
    """The one training command (persist.DEFAULT_TRAINING) reproduces the shipped model."""
    from evascore.persist import DEFAULT_TRAINING, default_model_path, read_card
    from tests.conftest import ROOT

    shipped = read_card(default_model_path())  # the file's card; the fixture's may be re-saved
    out = tmp_path / "retrained.joblib"
    # A fresh process, as a user would run it: pickle bytes depend on which equal strings
    # happen to be the same object, which a long test session changes.
    args = DEFAULT_TRAINING.split()[2:]  # after "evascore train"
    subprocess.run(
        [sys.executable, "-m", "evascore", "train", *args, "-o", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    again = evascore.load_model(out)
    assert again.card_["training_data"]["sha256"] == shipped["training_data"]["sha256"], (
        "training_data/ changed since the shipped model was trained: retrain it"
    )
    rows = [json.loads(x) for x in (ROOT / "training_data" / "corpus.jsonl").open()][::7]
    rows += [json.loads(x) for x in (ROOT / "training_data" / "real_answers.jsonl").open()][::11]
    pairs = [(r["question"], r["answer"]) for r in rows]
    # Reproducible across machines means equal labels and probabilities within a tolerance:
    # another CPU can take another OpenBLAS code path, so neither the bytes nor the last bits
    # are compared. The text models' iterative solvers carry such differences further than
    # the old features-only head did (3.5e-12 then, on AMD EPYC; 2.9e-8 now, measured here
    # with OPENBLAS_CORETYPE=Haswell), hence 1e-6.
    np.testing.assert_array_equal(again.predict(pairs), model.predict(pairs))
    np.testing.assert_allclose(
        again.predict_proba(pairs), model.predict_proba(pairs), rtol=0, atol=1e-6
    )
    if shipped["versions"] == again.card_["versions"]:  # same libraries and BLAS kernels
        assert again.card_["model_sha256"] == shipped["model_sha256"]


def test_scoring_pauses_the_garbage_collector_and_restores_it(model):
    import gc

    seen = []
    scorer = model.scorer_
    real = scorer._assess

    def spy(pairs):
        seen.append(gc.isenabled())
        return real(pairs)

    scorer._assess = spy
    try:
        assert gc.isenabled()
        model.score("How many staff?", "There are 12 staff.")
        assert seen == [False] and gc.isenabled()
        gc.disable()  # a caller that had it off keeps it off
        model.score("How many staff?", "There are 12 staff.")
        assert not gc.isenabled()
    finally:
        gc.enable()
        del scorer._assess


def test_gc_paused_is_thread_safe_across_concurrent_scorers():
    import gc
    import threading

    from evascore.scorer import _gc_paused

    # Two scoring threads that overlap: the first to finish must not turn the collector
    # back on under the second, and the last to finish must restore it.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    during: list[bool] = []

    def first() -> None:
        with _gc_paused():
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def second() -> None:
        a_in.wait(10)
        with _gc_paused():
            b_in.set()
            a_out.wait(10)
            during.append(gc.isenabled())

    assert gc.isenabled()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert during == [False]  # still paused while the second scorer runs
        assert gc.isenabled()  # and back on once both have left
    finally:
        gc.enable()


@pytest.mark.parametrize("answer", ["", "   \n\t", "<p></p>", "<br/> &nbsp; "])
def test_predict_and_predict_proba_refuse_empty_answers(model, answer):
    # issue 14 (9): these were scored "direct", p = 0.999
    for method in (model.predict, model.predict_proba):
        with pytest.raises(evascore.InputError, match="answer"):
            method([("How many staff are there?", answer)])


def test_model_trained_without_a_class_scores_a_mixed_parts_answer(tmp_path):
    # issue 14 (10): the parts rule moved probability into "partial", which the head never
    # saw, and scoring crashed with "'partial' is not in list"
    pairs = [
        ("How many staff work in Leeds?", f"There are {n} staff in Leeds.") for n in range(3, 23)
    ]
    pairs += [
        ("How many staff work in Leeds?", f"We do not disclose staffing figures for reason {n}.")
        for n in range(20)
    ]
    labels = ["direct"] * 20 + ["evasive"] * 20
    m = evascore.EvasionModel().fit(pairs, labels, cv=0)
    a = m.score(
        "How many staff work in (a) Leeds (b) York and (c) Hull?",
        "There are 12 staff in Leeds. We do not disclose the other figures.",
    )
    assert a.label in ("direct", "partial", "evasive")
    assert abs(sum(a.probabilities.values()) - 1) < 1e-6


def test_pipeline_predict_proba_is_the_models(model):
    # issue 14 (11): pipeline_.predict_proba returned columns in another order and skipped
    # the parts rules and the offsets, so it disagreed with model.predict_proba
    pairs = [
        (
            SEED_Q,
            "Four NCA officers are posted to Belgium. For operational security "
            "reasons, the NCA does not disclose the number of staff posted to "
            "other countries.",
        ),
        (
            SEED_Q,
            "<p>For operational security reasons, the NCA does not disclose those countries.</p>",
        ),
        ("Will the Minister publish the review?", "No."),
    ]
    assert list(model.pipeline_.classes_) == list(evascore.LABELS)
    np.testing.assert_allclose(
        model.pipeline_.predict_proba(pairs), model.predict_proba(pairs), rtol=0, atol=1e-12
    )
    assert list(model.pipeline_.predict(pairs)) == list(model.predict(pairs))
