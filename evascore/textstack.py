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

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from evascore.labels import LABELS
from evascore.pairs import as_pairs
from evascore.text import split_sentences

VIEWS = ("answer", "opening")
ALL_VIEWS = ("answer", "opening", "question")
_EPS = 1e-6


def opening(answer: str, n: int = 2) -> str:
    """The first ``n`` sentences of an answer."""
    spans = split_sentences(answer)[:n]
    return answer[: spans[-1][1]] if spans else answer


def _view(name: str, pairs: list[tuple[str, str]]) -> list[str]:
    if name == "answer":
        return [a for _, a in pairs]
    if name == "opening":
        return [opening(a) for _, a in pairs]
    if name == "question":  # what is asked, without "To ask the Secretary of State for X,"
        from evascore.question import strip_preamble

        return [strip_preamble(q) for q, _ in pairs]
    raise ValueError(f"unknown text view {name!r}; expected one of {', '.join(ALL_VIEWS)}")


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
        out = np.full((len(texts), len(LABELS)), _EPS)
        for j, lab in enumerate(lr.classes_):
            out[:, LABELS.index(lab)] = p[:, j] + _EPS
        return np.log(out)

    def _views(self, X) -> dict[str, list[str]]:
        """Each view's texts (an unknown view name raises here, before any fitting)."""
        pairs = as_pairs(X)
        return {v: _view(v, pairs) for v in self.views}

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

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "models_")
        return np.hstack(
            [self._logp(*self.models_[v], texts) for v, texts in self._views(X).items()]
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"text_{v}_{lab}" for v in self.views for lab in LABELS], dtype=object)
