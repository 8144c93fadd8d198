"""Text features stacked on the handcrafted ones, and macro-F1 class offsets (issue 7)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evascore.assessment import LABELS
from evascore.cli import main
from evascore.errors import InputError
from evascore.features import FEATURE_NAMES
from evascore.model import EvasionModel
from evascore.persist import card_path, feature_names, load_model
from evascore.textstack import TextStack, opening
from evascore.training import macro_f1, tune_offsets

from .conftest import ROOT

RNG = np.random.default_rng(7)


def _memorisable(n: int = 120, copies: int = 1):
    """Answers that share nothing but one unique word per answer; labels at random.

    A model that has seen a row predicts its label from its unique word; one that has not
    can only guess. ``copies`` repeats every answer (same label) as a leak to be grouped.
    """
    labels = RNG.choice(LABELS, size=n)
    pairs, y, groups = [], [], []
    for i, lab in enumerate(labels):
        for _ in range(copies):
            pairs.append(("What is it?", f"zq{i:04d}x zq{i:04d}x"))
            y.append(lab)
            groups.append(i)
    return pairs, np.asarray(y, dtype=object), groups


def _accuracy(Z: np.ndarray, y) -> float:
    pred = np.asarray(LABELS, dtype=object)[Z[:, :3].argmax(axis=1)]
    return float(np.mean(pred == np.asarray(y, dtype=object)))


def test_fit_transform_is_cross_fitted_and_transform_is_not():
    pairs, y, _ = _memorisable()
    stack = TextStack(min_df=1, views=("answer",))
    oof = stack.fit_transform(pairs, y)
    # In-sample the unique words give every label away; cross-fitted they give nothing.
    assert _accuracy(stack.transform(pairs), y) > 0.95
    assert _accuracy(oof, y) < 0.6


def test_groups_keep_repeated_answers_in_one_fold():
    pairs, y, groups = _memorisable(copies=2)
    leaky = TextStack(min_df=1, views=("answer",)).fit_transform(pairs, y)
    grouped = TextStack(min_df=1, views=("answer",)).fit_transform(pairs, y, groups=groups)
    assert _accuracy(leaky, y) > 0.7  # the twin in another fold gives the label away
    assert _accuracy(grouped, y) < 0.6


def test_views_names_and_shapes():
    pairs = [("Q?", "Yes. It is four. Then more words here."), ("Q?", "No comment at all.")] * 4
    y = ["direct", "evasive"] * 4
    stack = TextStack(min_df=1, cv=2).fit(pairs, y)
    assert stack.transform(pairs).shape == (8, 6)
    assert list(stack.get_feature_names_out()) == [
        f"text_{v}_{lab}" for v in ("answer", "opening") for lab in LABELS
    ]
    assert opening("One. Two. Three.") == "One. Two."
    with pytest.raises(ValueError, match="unknown text view 'reply'"):
        TextStack(views=("reply",)).fit(pairs, y)


def test_question_view_reads_the_question_without_its_preamble():
    pairs = [
        (
            "To ask the Secretary of State for Defence, how many ships are at sea?",
            "Ten ships are at sea.",
        ),
        (
            "To ask the Secretary of State for Defence, whether she will resign.",
            "We do not comment.",
        ),
    ] * 4
    y = ["direct", "evasive"] * 4
    stack = TextStack(views=("question",), min_df=1, cv=2).fit(pairs, y)
    vocab = stack.models_["question"][0].vocabulary_
    assert "ships" in vocab and "secretary" not in vocab


def test_tune_offsets_only_ever_raisesmacro_f1():
    y = RNG.choice(LABELS, size=300, p=[0.3, 0.6, 0.1])
    idx = np.array([LABELS.index(v) for v in y])
    # Scores that know the answer but are biased against the rare class.
    logits = np.eye(3)[idx] * 1.2 + RNG.normal(0, 0.8, (300, 3)) + [0.0, 0.6, -0.9]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    off = tune_offsets(proba, y)
    before = macro_f1(idx, proba.argmax(axis=1))
    after = macro_f1(idx, (np.log(proba) + off).argmax(axis=1))
    assert off[0] == 0.0 and off[2] > 0 > off[1]  # lifts evasive, lowers partial
    assert after > before + 0.02


def test_macro_f1_matches_scikit_learn():
    from sklearn.metrics import f1_score

    t, p = RNG.integers(0, 3, 200), RNG.integers(0, 3, 200)
    assert macro_f1(t, p) == pytest.approx(f1_score(t, p, average="macro"))


@pytest.fixture(scope="module")
def corpus():
    rows = [json.loads(line) for line in open(ROOT / "training_data" / "corpus.jsonl")]
    rows = rows[::3]  # about 530 rows: quick, every setting and label present
    return (
        [(r["question"], r["answer"]) for r in rows],
        [r["label"] for r in rows],
        [r.get("group") or r["question"] for r in rows],
    )


@pytest.fixture(scope="module")
def stacked(corpus):
    pairs, y, groups = corpus
    return EvasionModel(text_features=True, tune_offsets=True).fit(pairs, y, groups=groups, cv=3)


def test_text_features_model_scores_saves_and_loads(stacked, corpus, tmp_path):
    pairs, _, _ = corpus
    assert stacked.feature_names_ == feature_names(True)
    assert len(stacked.feature_names_) == len(FEATURE_NAMES) + 6
    assert "offsets" in stacked.cv_ and stacked.offsets_[0] == 0.0
    p = stacked.predict_proba(pairs[:40])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # The batch path (assess) and predict_proba agree, text features and offsets included.
    got = [a.probabilities for a in stacked.score_many(pairs[:40])]
    np.testing.assert_allclose([[g[lab] for lab in LABELS] for g in got], p, atol=1e-6)
    card = stacked.save(tmp_path / "m.joblib")
    assert card["params"]["text_features"] is True
    assert card["feature_names"][-1] == "text_opening_evasive"
    again = load_model(tmp_path / "m.joblib")
    np.testing.assert_array_equal(again.predict_proba(pairs[:40]), p)


def test_offsets_move_probabilities_as_stored(stacked, corpus):
    pairs, _, _ = corpus
    with_off = stacked.predict_proba(pairs[:60])
    saved = stacked.offsets_
    try:
        stacked.offsets_ = np.zeros(3)
        without = stacked.predict_proba(pairs[:60])
    finally:
        stacked.offsets_ = saved
    if np.any(saved):
        # p' is proportional to p * exp(offset): against direct where direct is possible,
        # and between partial and evasive everywhere (the parts rule can zero direct).
        # The parts rule can zero a class: compare only where every class is possible.
        ok = (without > 0).all(axis=1)
        r = with_off[ok] / without[ok]
        np.testing.assert_allclose(
            r[:, 1:] / r[:, :1], np.tile(np.exp(saved[1:]), (ok.sum(), 1)), rtol=1e-6
        )
    else:
        np.testing.assert_array_equal(with_off, without)


def test_tune_offsets_needs_cross_validation(corpus):
    pairs, y, _ = corpus
    with pytest.raises(InputError, match="needs cross-validation"):
        EvasionModel(tune_offsets=True).fit(pairs[:60], y[:60], cv=0)


def test_card_with_other_feature_names_is_refused(stacked, tmp_path):
    from evascore.errors import ModelError

    stacked.save(tmp_path / "m.joblib")
    cp = card_path(tmp_path / "m.joblib")
    card = json.loads(cp.read_text())
    card["params"]["text_features"] = False  # the card no longer matches the columns
    cp.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="different feature set"):
        load_model(tmp_path / "m.joblib")


def test_cli_train_with_text_features_and_offsets(tmp_path, capsys):
    src = ROOT / "training_data" / "corpus.jsonl"
    small = tmp_path / "small.jsonl"
    small.write_text("".join(line for i, line in enumerate(open(src)) if i % 4 == 0))
    out = tmp_path / "m.joblib"
    assert (
        main(
            ["train", str(small), "-o", str(out), "--cv", "3", "--text-features", "--tune-offsets"]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert "class offsets (partial, evasive)" in said and "optimistic" in said
    model = load_model(out)
    assert model.text_features and model.tune_offsets
    a = model.score("How many staff are in Belgium?", "We do not disclose staff numbers.")
    assert a.label in LABELS and 0.0 <= a.evasiveness <= 1.0


@pytest.mark.parametrize(
    "check_name",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_parameters_default_constructible",
        "check_mixin_order",
    ],
)
def test_text_stack_data_agnostic_checks(check_name):
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check_name)("TextStack", TextStack())


# The bulk n-gram count (issue 12) must give vec.transform's matrix bit for bit.

_WORDS = (
    "the", "The", "THE", "staff", "Staff", "posted", "to", "Belgium", "a", "I", "x", "4",
    "42", "2023", "12,000", "£5m", "per", "cent", "café", "CAFÉ", "naïve", "İstanbul", "ΟΔΟΣ",
    "Σ", "straße", "STRASSE", "ﬁne", "٣٤", "snake_case", "_", "__", "no-one", "one's",
    "don't", "e.g.", "Mr.", "zzunseen", "qqnever",
)  # fmt: skip
_GLUE = (" ", " ", "  ", ", ", ". ", "-", "", "\n", "\t", "\u00a0", "\u2028", "'", "/", "(")


def _varied(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    texts = [
        "".join(rng.choice(_WORDS) + rng.choice(_GLUE) for _ in range(rng.integers(0, 40)))
        for _ in range(n)
    ]
    # empty, blank, one-letter words only, lower() longer than the text, all unseen
    return texts + ["", " ", "a b c", "İİİ İ", "I ΣΣ Σ.Α", "zzunseen qqnever", "Σ" * 3]


def _same_matrix(A, B) -> bool:
    return (
        type(A) is type(B)
        and A.shape == B.shape
        and A.dtype == B.dtype
        and A.indices.dtype == B.indices.dtype
        and A.indptr.dtype == B.indptr.dtype
        and A.has_sorted_indices == B.has_sorted_indices
        and A.indptr.tobytes() == B.indptr.tobytes()
        and A.indices.tobytes() == B.indices.tobytes()
        and A.data.tobytes() == B.data.tobytes()
    )


def _sklearn_counts(vec, texts):
    """(row, column, count) of scikit-learn's own count matrix for ``vec``'s n-grams."""
    from sklearn.feature_extraction.text import CountVectorizer

    X = CountVectorizer.transform(vec, texts)  # the vectorizer's counts, before TF-IDF
    X.sort_indices()
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    return rows.tolist(), X.indices.tolist(), X.data.astype(np.int64).tolist()


def _three_class_lr(vec, texts):
    from sklearn.linear_model import LogisticRegression

    y = RNG.choice(LABELS, size=len(texts))
    return LogisticRegression(max_iter=500).fit(vec.transform(texts), y)


def test_compiled_view_counts_and_scores_as_sklearn_does():
    """The compiled view (numpy alone) counts the n-grams scikit-learn counts and gives its
    log-probabilities bit for bit, in bulk (64 texts or more) and text by text."""
    from evascore.scorer import BULK_MIN_TEXTS, TextView
    from evascore.textstack import compilable, compile_view

    train, test = _varied(400, 1), _varied(400, 2)
    y = RNG.choice(LABELS, size=len(train))
    stack = TextStack(views=("answer",), min_df=1).fit([("Q?", t) for t in train], y)
    vec, lr = stack.models_["answer"]
    view = compile_view(vec, lr)
    assert compilable(vec) and isinstance(view, TextView)
    assert view._bigram_index() is not None
    small = test[: BULK_MIN_TEXTS - 1]
    for texts in (test, train, test[:BULK_MIN_TEXTS], small, test[::-1], test[:1], []):
        rows, cols, counts = view.counts(texts)
        assert (rows.tolist(), cols.tolist(), counts.tolist()) == _sklearn_counts(vec, texts)
        if texts:
            assert view.logp(texts).tobytes() == TextStack._logp(vec, lr, texts).tobytes()
    # the same texts scored in bulk and one by one
    assert view.logp(test).tobytes() == np.vstack([view.logp([t]) for t in test]).tobytes()


def test_compiled_views_of_the_shipped_model_score_as_sklearn_does(model):
    from evascore.scorer import view_texts

    rows = [json.loads(line) for line in (ROOT / "training_data" / "real_answers.jsonl").open()]
    pairs = [(r["question"], r["answer"]) for r in rows[:500]]
    compiled = model.text_.compiled()
    for name, (vec, lr) in model.text_.models_.items():
        texts = view_texts(name, pairs)
        plain = TextStack._logp(vec, lr, texts)
        assert compiled[name].logp(texts).tobytes() == plain.tobytes(), name
        assert compiled[name].logp(texts[:20]).tobytes() == plain[:20].tobytes(), name


def test_other_vectorizers_stay_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from evascore.scorer import TextView
    from evascore.textstack import SklearnView, compilable, compile_view

    train, test = _varied(300, 3), _varied(300, 4)

    class Sub(TfidfVectorizer):
        pass

    others = [
        TfidfVectorizer(ngram_range=(1, 1)),
        TfidfVectorizer(ngram_range=(1, 3)),
        TfidfVectorizer(ngram_range=(1, 2), lowercase=False),
        TfidfVectorizer(ngram_range=(1, 2), strip_accents="unicode"),
        TfidfVectorizer(ngram_range=(1, 2), stop_words="english"),
        TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
        TfidfVectorizer(ngram_range=(1, 2), analyzer="char_wb"),
        TfidfVectorizer(ngram_range=(1, 2), preprocessor=str.upper),
        TfidfVectorizer(ngram_range=(1, 2), binary=True),
        TfidfVectorizer(ngram_range=(1, 2), dtype=np.float32),
        TfidfVectorizer(ngram_range=(1, 2), norm="l1"),
        TfidfVectorizer(ngram_range=(1, 2), use_idf=False),
        Sub(ngram_range=(1, 2)),
    ]
    for vec in others:
        vec.fit(train)
        lr = _three_class_lr(vec, train)
        view = compile_view(vec, lr)
        assert not compilable(vec) and isinstance(view, SklearnView), vec
        assert view.logp(test).tobytes() == TextStack._logp(vec, lr, test).tobytes()
    # A vocabulary capped by max_features, or given, can hold a bigram without its words:
    # then there is no bulk index, and every batch is counted text by text, with the same
    # numbers.
    for vec, index in (
        (TfidfVectorizer(ngram_range=(1, 2), max_features=40), None),
        (TfidfVectorizer(ngram_range=(1, 2), vocabulary=["staff posted", "the", "posted"]), False),
    ):
        vec.fit(train)
        lr = _three_class_lr(vec, train)
        view = compile_view(vec, lr)
        assert isinstance(view, TextView)
        if index is False:
            assert view._bigram_index() is None
        rows, cols, counts = view.counts(test)
        assert (rows.tolist(), cols.tolist(), counts.tolist()) == _sklearn_counts(vec, test)
        assert view.logp(test).tobytes() == TextStack._logp(vec, lr, test).tobytes()


def test_two_class_text_models_stay_sklearn():
    from evascore.textstack import SklearnLinear, SklearnView, compile_linear, compile_view

    train = _varied(200, 5)
    stack = TextStack(views=("answer",), min_df=1).fit(
        [("Q?", t) for t in train],
        ["direct", "evasive"] * (len(train) // 2) + ["direct"] * (len(train) % 2),
    )
    vec, lr = stack.models_["answer"]
    assert isinstance(compile_linear(lr), SklearnLinear)
    view = compile_view(vec, lr)
    assert isinstance(view, SklearnView)
    assert view.logp(train).tobytes() == TextStack._logp(vec, lr, train).tobytes()


def test_text_stack_transform_uses_the_same_numbers(model):
    rows = [json.loads(line) for line in (ROOT / "training_data" / "real_answers.jsonl").open()]
    pairs = [(r["question"], r["answer"]) for r in rows[:300]]
    stack = model.text_
    plain = np.hstack(
        [stack._logp(*stack.models_[v], texts) for v, texts in stack._views(pairs).items()]
    )
    assert stack.transform(pairs).tobytes() == plain.tobytes()
