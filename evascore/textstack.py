"""Optional text models stacked on the handcrafted features (``evascore train --text-features``).

The handcrafted features say *how* an answer meets its question (parts, cues, relevance);
they cannot learn a genre's own phrasing. With enough labelled data of one genre, word
n-gram models of the answer learn it, and their out-of-fold class log-probabilities become
three more features per view for the label head (stacking). Two views:

- ``answer``: word 1–2-grams of the whole answer;
- ``opening``: word 1–2-grams of the answer's first two sentences (how an answer opens,
  "Well, look, ..." or "Yes. ...", says much about whether it replies).

Off by default: on the project's own corpus (about 1,600 rows) these models learn the
corpus's phrasing, not evasion. They pay on thousands of rows of one genre: on QEvasion
train, grouped 5-fold CV macro-F1 0.473 → 0.529 (``benchmarks/experiments.py``).

Like scikit-learn's ``TargetEncoder``, :meth:`TextStack.fit_transform` is *cross-fitted*:
each row's features come from models that never saw that row (nor, with ``groups``, any row
sharing its group), so the head learns how far to trust the text models on unseen text.
:meth:`transform` uses the models fitted on all rows.
"""

from __future__ import annotations

import weakref

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from evascore.labels import LABELS
from evascore.pairs import as_pairs
from evascore.scorer import (
    ALL_VIEWS,
    EPS,
    VIEWS,
    Linear,
    TextView,
    opening,
    text_feature_names,
    view_texts,
)

# The compiled view (:class:`evascore.scorer.TextView`) reproduces vectorizers configured as
# :meth:`TextStack._fit_one` makes them; any other configuration stays scikit-learn's.
_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compilable(vec) -> bool:
    """Whether ``vec`` is a fitted vectorizer whose analysis :class:`TextView` reproduces."""
    return (
        type(vec) is TfidfVectorizer
        and vec.input == "content"
        and vec.analyzer == "word"
        and vec.lowercase is True
        and vec.preprocessor is None
        and vec.tokenizer is None
        and not vec.strip_accents
        and vec.stop_words is None
        and vec.token_pattern == _DEFAULT_TOKEN_PATTERN
        and tuple(vec.ngram_range) == (1, 2)
        and not vec.binary
        and np.dtype(vec.dtype) == np.float64
        and vec.norm == "l2"
        and hasattr(vec, "vocabulary_")
        and hasattr(vec, "_tfidf")
        and getattr(vec._tfidf, "use_idf", False)
        and len(vec.vocabulary_) ** 2 < 2**62
    )


def compile_linear(lr):
    """A fitted ``LogisticRegression`` as a :class:`~evascore.scorer.Linear` (three or more
    classes), else an object with the same interface that calls scikit-learn."""
    if type(lr) is LogisticRegression and lr.coef_.shape[0] >= 3:
        return Linear(lr.coef_, lr.intercept_, lr.classes_)
    return SklearnLinear(lr)


class SklearnLinear:
    """A classifier the scorer cannot compile, behind :class:`~evascore.scorer.Linear`'s
    interface (``proba``, ``classes``)."""

    def __init__(self, model):
        self.model = model
        self.classes = model.classes_

    def proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(X)


def compile_view(vec, lr):
    """One fitted (vectorizer, logistic regression) view as a
    :class:`~evascore.scorer.TextView`, else an object with its ``logp`` calling
    scikit-learn."""
    linear = compile_linear(lr)
    if compilable(vec) and isinstance(linear, Linear):
        return TextView(vec.vocabulary_, vec.idf_, bool(vec.sublinear_tf), linear)
    return SklearnView(vec, lr)


class SklearnView:
    """A text view the scorer cannot compile, behind :class:`~evascore.scorer.TextView`'s
    ``logp``."""

    def __init__(self, vec, lr):
        self.vec = vec
        self.lr = lr

    def logp(self, texts: list[str]) -> np.ndarray:
        return TextStack._logp(self.vec, self.lr, texts)


class TextStack(TransformerMixin, BaseEstimator):
    """Per-view TF-IDF + logistic regression models; their class log-probabilities as features.

    Parameters
    ----------
    views : tuple of {"answer", "opening"}
        Which texts to model, one model each.
    C : float
        Inverse regularisation of each view's logistic regression.
    min_df : int
        Minimum document frequency of an n-gram.
    cv : int
        Folds for the cross-fitted :meth:`fit_transform`.
    seed : int
        Seed of the cross-fitting splits.

    Examples
    --------
    >>> pairs = [("Q?", "Yes, it is 4."), ("Q?", "We do not comment.")] * 6
    >>> y = ["direct", "evasive"] * 6
    >>> Z = TextStack(min_df=1, cv=2).fit_transform(pairs, y)
    >>> Z.shape
    (12, 6)
    """

    def __init__(self, views=VIEWS, C: float = 1.0, min_df: int = 2, cv: int = 5, seed: int = 0):
        self.views = views
        self.C = C
        self.min_df = min_df
        self.cv = cv
        self.seed = seed

    def _fit_one(self, texts: list[str], y: np.ndarray):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True)
        Z = vec.fit_transform(texts)
        lr = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000).fit(Z, y)
        return vec, lr

    @staticmethod
    def _logp(vec, lr, texts: list[str]) -> np.ndarray:
        p = lr.predict_proba(vec.transform(texts))
        out = np.full((len(texts), len(LABELS)), EPS)
        for j, lab in enumerate(lr.classes_):
            out[:, LABELS.index(lab)] = p[:, j] + EPS
        return np.log(out)

    def _views(self, X) -> dict[str, list[str]]:
        """Each view's texts (an unknown view name raises here, before any fitting)."""
        pairs = as_pairs(X)
        return {v: view_texts(v, pairs) for v in self.views}

    def _fit_views(self, views: dict[str, list[str]], y: np.ndarray) -> None:
        self.models_ = {v: self._fit_one(texts, y) for v, texts in views.items()}
        self.n_features_out_ = len(self.views) * len(LABELS)

    def fit(self, X, y, groups=None):
        self._fit_views(self._views(X), np.asarray(y, dtype=object))
        return self

    def fit_transform(self, X, y, groups=None):
        """Fit on all rows; return *cross-fitted* features (each row from models without it)."""
        views = self._views(X)
        y = np.asarray(y, dtype=object)
        self._fit_views(views, y)
        k = max(2, min(self.cv, min(np.unique(y, return_counts=True)[1])))
        if groups is not None:
            splits = StratifiedGroupKFold(k, shuffle=True, random_state=self.seed).split(
                y, y, groups
            )
        else:
            splits = StratifiedKFold(k, shuffle=True, random_state=self.seed).split(y, y)
        out = np.empty((len(y), self.n_features_out_))
        for tr, te in splits:
            for j, v in enumerate(self.views):
                texts = views[v]
                vec, lr = self._fit_one([texts[i] for i in tr], y[tr])
                out[te, j * 3 : (j + 1) * 3] = self._logp(vec, lr, [texts[i] for i in te])
        return out

    def compiled(self) -> dict:
        """Each view's fitted models compiled for scoring (:func:`compile_view`), made once
        per fit and shared with the model's :class:`~evascore.scorer.Scorer`."""
        check_is_fitted(self, "models_")
        views = _COMPILED.get(self)
        if views is None or views[0] is not self.models_:
            models = self.models_
            views = _COMPILED[self] = (models, {v: compile_view(*models[v]) for v in self.views})
        return views[1]

    def transform(self, X) -> np.ndarray:
        compiled = self.compiled()
        return np.hstack([compiled[v].logp(texts) for v, texts in self._views(X).items()])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(text_feature_names(self.views), dtype=object)


__all__ = [
    "TextStack",
    "VIEWS",
    "ALL_VIEWS",
    "opening",
    "compile_view",
    "compile_linear",
    "compilable",
]
