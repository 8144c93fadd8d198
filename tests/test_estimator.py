"""EvasionModel is a scikit-learn estimator over (question, answer) pairs (issue 15).

``clone``, ``get_params``/``set_params``, ``cross_val_predict`` and ``GridSearchCV`` work on
pairs; the fitted pipeline is the model. scikit-learn's own checks that do not assume
numeric input run here; ``ClarityHead`` (numeric) passes the full suite in test_model.py.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.utils import estimator_checks as checks

from evascore import LABELS, EvasionModel
from evascore.assessment import Assessment
from evascore.errors import InputError
from evascore.features import FeatureExtractor
from evascore.head import RuledHead
from evascore.pairs import clean_pairs
from evascore.textstack import TextStack

CORPUS = Path(__file__).resolve().parents[1] / "training_data" / "corpus.jsonl"


@pytest.fixture(scope="module")
def data():
    """240 labelled pairs of the project's own corpus, 80 per label (seeded choice)."""
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    rng = np.random.default_rng(0)
    picked = []
    for lab in LABELS:
        of = [r for r in rows if r["label"] == lab]
        picked += [of[i] for i in sorted(rng.choice(len(of), 80, replace=False))]
    pairs = [(r["question"], r["answer"]) for r in picked]
    return pairs, np.asarray([r["label"] for r in picked], dtype=object)


# scikit-learn's checks that need no numeric data, for the model and each pipeline step
# (ClarityHead, numeric, passes the full suite in test_model.py)
AGNOSTIC = [
    checks.check_no_attributes_set_in_init,
    checks.check_parameters_default_constructible,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_estimator_cloneable,
    checks.check_estimator_repr,
    checks.check_mixin_order,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_valid_tag_types,
    checks.check_estimator_tags_renamed,
]
STEPS = [EvasionModel, TextStack, RuledHead, FeatureExtractor]


@pytest.mark.parametrize("check", AGNOSTIC, ids=lambda c: c.__name__)
@pytest.mark.parametrize("cls", STEPS, ids=lambda c: c.__name__)
def test_sklearn_check(cls, check):
    check(cls.__name__, cls())


def test_get_params_are_the_constructor_arguments():
    m = EvasionModel(C=0.3, text_features=True, text_views=("answer",))
    params = m.get_params()
    assert params["C"] == 0.3 and params["text_features"] is True
    assert params["text_views"] == ("answer",)
    assert set(params) == {
        "C",
        "calibration",
        "class_weight",
        "lexicon",
        "seed",
        "text_features",
        "tune_offsets",
        "text_views",
    }
    assert m.set_params(C=2.0) is m and m.C == 2.0


def test_clone_of_a_fitted_model_is_unfitted_with_the_same_params(data):
    pairs, y = data
    m = EvasionModel(C=0.5).fit(pairs, y, cv=0)
    c = clone(m)
    assert c.get_params() == m.get_params()
    assert not hasattr(c, "pipeline_")
    with pytest.raises((NotFittedError, AttributeError)):
        c.predict_proba(pairs[:2])


def test_fit_leaves_the_params_alone_and_returns_self(data):
    pairs, y = data
    m = EvasionModel(C=0.5, text_views=("answer", "opening"))
    before = m.get_params()
    assert m.fit(pairs, y, cv=0) is m
    assert m.get_params() == before
    np.testing.assert_array_equal(m.classes_, np.asarray(LABELS, dtype=object))


def test_predict_proba_is_the_pipelines_and_rows_sum_to_one(data):
    pairs, y = data
    m = EvasionModel().fit(pairs, y, cv=0)
    p = m.predict_proba(pairs[:30])
    assert p.shape == (30, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(p, m.pipeline_.predict_proba(pairs[:30]))
    assert list(m.pipeline_.named_steps) == ["clean", "features", "head"]
    # the assessments agree with predict_proba
    got = [a.probabilities for a in m.score_many(pairs[:30])]
    np.testing.assert_allclose([[d[k] for k in LABELS] for d in got], p, atol=5e-7)


def test_text_features_put_the_text_models_in_a_feature_union(data):
    pairs, y = data
    m = EvasionModel(text_features=True).fit(pairs, y, cv=0)
    union = m.pipeline_["features"]
    assert [name for name, _ in union.transformer_list] == ["handcrafted", "text"]
    assert len(m.feature_names_) == m.pipeline_["head"].head.n_features_in_


def test_pickle_round_trip_scores_identically(data):
    pairs, y = data
    m = EvasionModel().fit(pairs, y, cv=0)
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m.predict_proba(pairs), again.predict_proba(pairs))


def test_cross_val_predict_on_pairs(data):
    pairs, y = data
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    pred = cross_val_predict(EvasionModel(), pairs, y, cv=folds, params={"cv": 0})
    assert pred.shape == (len(y),) and set(pred) <= set(LABELS)
    # better than always guessing one label (a third of these rows each)
    assert np.mean(pred == y) > 0.5


def test_integer_coded_labels_get_an_error_that_says_why(data):
    # cross_val_predict(method="predict_proba") encodes the labels as 0, 1, 2 before fitting;
    # the model's labels are fixed names, so it says so rather than guessing a mapping
    pairs, y = data
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    with pytest.raises(InputError, match="labels are the names, not integer codes"):
        cross_val_predict(
            EvasionModel(), pairs, y, cv=folds, method="predict_proba", params={"cv": 0}
        )


def test_grid_search_over_C_on_pairs(data):
    pairs, y = data
    search = GridSearchCV(EvasionModel(), {"C": [0.05, 1.0]}, cv=3).fit(pairs, y, cv=0)
    assert search.best_params_["C"] in (0.05, 1.0)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert isinstance(search.best_estimator_, EvasionModel)
    assert set(search.predict(pairs[:5])) <= set(LABELS)
    f1 = GridSearchCV(EvasionModel(), {"C": [1.0]}, cv=3, scoring="f1_macro")
    assert 0.0 < f1.fit(pairs, y, cv=0).best_score_ <= 1.0


def test_grid_search_accepts_a_dataframe_of_pairs(data):
    pd = pytest.importorskip("pandas")
    pairs, y = data
    df = pd.DataFrame(pairs, columns=["question", "answer"])
    search = GridSearchCV(EvasionModel(), {"C": [1.0]}, cv=3).fit(df, y, cv=0)
    assert search.best_score_ > 0.4


def test_score_is_an_assessment_for_one_pair_and_accuracy_for_many(data):
    pairs, y = data
    m = EvasionModel().fit(pairs, y, cv=0)
    one = m.score("How many staff work in Belgium?", "We do not disclose staff numbers.")
    assert isinstance(one, Assessment)
    acc = m.score(pairs, y)
    assert acc == pytest.approx(np.mean(m.predict(pairs) == y))


@pytest.mark.parametrize("shape", ["extractor step (before 0.1.0's issue 14)", "PairFeatures step"])
def test_models_saved_in_older_shapes_load_and_score_the_same(data, shape):
    """Older pickles held the featuriser as the first step (or wrapped in PairFeatures), the
    text models as ``text_`` and the card inside: they are rebuilt into today's pipeline."""
    from sklearn.pipeline import Pipeline

    from evascore.model import PairFeatures

    pairs, y = data
    m = EvasionModel(text_features=True).fit(pairs, y, cv=0)
    fx, text, ruled = m.features_, m.text_, m.pipeline_["head"]
    if shape.startswith("extractor"):
        first, last = fx, ruled.head
    else:
        first = PairFeatures.__new__(PairFeatures)
        first.__setstate__({"features": fx, "text": text})
        last = ruled
    state = {k: v for k, v in m.__dict__.items() if k != "pipeline_"}
    state.update(pipeline_=Pipeline([("features", first), ("head", last)]), text_=text, card={})
    old = EvasionModel.__new__(EvasionModel)
    old.__setstate__(state)
    assert list(old.pipeline_.named_steps) == ["clean", "features", "head"]
    assert not hasattr(old, "card")
    np.testing.assert_array_equal(old.predict_proba(pairs[:40]), m.predict_proba(pairs[:40]))


def test_model_files_hold_the_scorer_and_the_estimator_and_older_formats_load(data, tmp_path):
    """Format 3 holds the compiled scorer and the estimator, sharing their arrays; files of
    format 2 (the estimator's zlib-compressed pickle) and format 1 (written by joblib.dump,
    models before issue 12) still load, as estimators and as scorers."""
    import pickle
    import zlib

    import joblib

    from evascore.persist import card_path, load_model, load_scorer, sha256_file

    pairs, y = data
    m = EvasionModel(text_features=True).fit(pairs, y, cv=0)
    card = m.save(tmp_path / "m.joblib")
    assert card["format"] == "evascore-model/3"
    expect = m.predict_proba(pairs[:20])
    clean = clean_pairs(pairs[:20])
    loaded = load_model(tmp_path / "m.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(pairs[:20]), expect)
    scorer = load_scorer(tmp_path / "m.joblib")
    np.testing.assert_array_equal(scorer.predict_proba(clean), expect)
    assert scorer.card_ == loaded.card_ == card
    # The estimator's text models and the loaded scorer share one vocabulary, not two.
    vec = loaded.text_.models_["answer"][0]
    assert vec.vocabulary_ is loaded.scorer_.views["answer"].vocabulary
    estimator_alone = len(zlib.compress(pickle.dumps(m, protocol=5), 6))
    assert card["model_bytes"] < 1.15 * estimator_alone
    # id(None), cached by the vectorizers, is a memory address new in every process: left out
    # so that retraining in another process writes the same bytes.
    assert b"_stop_words_id" in pickle.dumps(m)
    content = pickle.loads(zlib.decompress((tmp_path / "m.joblib").read_bytes()))
    assert b"_stop_words_id" not in content["estimator"]
    for fmt, write in (
        ("evascore-model/2", lambda p: p.write_bytes(zlib.compress(pickle.dumps(m), 6))),
        ("evascore-model/1", lambda p: joblib.dump(m, p, compress=3)),
    ):
        old = tmp_path / f"{fmt[-1]}.joblib"
        write(old)
        card.update(format=fmt, model_sha256=sha256_file(old))
        card_path(old).write_text(json.dumps(card), "utf-8")
        np.testing.assert_array_equal(load_model(old).predict_proba(pairs[:20]), expect)
        np.testing.assert_array_equal(load_scorer(old).predict_proba(clean), expect)
