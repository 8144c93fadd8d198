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

import re
import weakref
from array import array
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
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

# The fast path below counts n-grams for vectorizers configured as :meth:`TextStack._fit_one`
# makes them; any other configuration goes through ``vec.transform``.
_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# The tokens of the default pattern are the maximal runs of two or more word characters:
# at a run's start \w\w+ takes the whole run (so \b holds at both ends), and a run of one
# character fails and the scan moves past it. Without the \b tests the scan is faster.
_TOKENS = re.compile(r"(?u)\w\w+")
# Below this many texts building a vocabulary's index costs more than it saves.
_FAST_MIN_TEXTS = 64
_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def opening(answer: str, n: int = 2) -> str:
    """The first ``n`` sentences of an answer."""
    spans = split_sentences(answer, limit=n) if n >= 0 else split_sentences(answer)[:n]
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


def _fast_path_applies(vec) -> bool:
    """Whether ``vec`` is a fitted vectorizer whose analysis :func:`_tfidf` reproduces."""
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
        and hasattr(vec, "vocabulary_")
        and hasattr(vec, "_tfidf")
    )


def _ngram_index(vec):
    """Unigram -> column, and each bigram as a code (first word's column × size + second's).

    Returns ``(unigrams, codes, columns)`` with ``codes`` sorted, or None when some bigram's
    words are not both unigrams of the vocabulary. (A vocabulary fitted with a minimum
    document frequency and no maximum or feature cap always has them: each word of a bigram
    occurs in every document the bigram occurs in.)
    """
    vocab = vec.vocabulary_
    size = len(vocab)
    unigrams = {t: j for t, j in vocab.items() if " " not in t}
    bigrams = [t for t in vocab if " " in t]
    halves = [t.split(" ") for t in bigrams]
    if any(len(h) != 2 for h in halves):
        return None
    first = np.fromiter(map(unigrams.get, (h[0] for h in halves), repeat(-1)), np.int64)
    second = np.fromiter(map(unigrams.get, (h[1] for h in halves), repeat(-1)), np.int64)
    if len(halves) and min(first.min(), second.min()) < 0:
        return None
    codes = first * size + second
    order = np.argsort(codes, kind="stable")
    columns = np.fromiter(map(vocab.__getitem__, bigrams), np.int64, len(bigrams))
    return unigrams, codes[order], columns[order]


def _index_of(vec):
    try:
        return _INDEXES[vec]
    except KeyError:
        index = _INDEXES[vec] = _ngram_index(vec)
        return index


def _counts(vec, texts: list[str], index) -> sp.csr_array:
    """The document-term count matrix ``CountVectorizer.transform`` builds, built in bulk.

    Tokens are looked up once each; bigrams are matched as pairs of unigram columns in one
    sorted search; one ``np.unique`` over (row, column) codes counts them, sorted by row
    then column as ``sort_indices`` leaves sklearn's matrix.
    """
    unigrams, codes, columns = index
    size = len(vec.vocabulary_)
    rows = len(texts)
    # Each text's tokens become unigram columns (-1: not in the vocabulary) at once, so
    # memory holds 8 bytes per token, not a string.
    found, lengths = array("q"), array("q")
    get, findall = unigrams.get, _TOKENS.findall
    for text in texts:
        tokens = findall(text.lower())
        lengths.append(len(tokens))
        found.extend(map(get, tokens, repeat(-1)))
    col = np.frombuffer(found, dtype=np.int64) if found else np.empty(0, np.int64)
    lengths = np.frombuffer(lengths, dtype=np.int64) if rows else np.empty(0, np.int64)
    row = np.repeat(np.arange(rows, dtype=np.int64), lengths)
    known = col >= 0
    keys = [row[known] * size + col[known]]
    if len(codes) and len(col) > 1:
        # Neighbouring tokens of one text, both in the vocabulary (a bigram's words are).
        pair = (row[:-1] == row[1:]) & known[:-1] & known[1:]
        code = col[:-1][pair] * size + col[1:][pair]
        at = np.searchsorted(codes, code)
        at[at == len(codes)] = 0
        hit = codes[at] == code
        keys.append(row[:-1][pair][hit] * size + columns[at[hit]])
    cells, counts = np.unique(np.concatenate(keys), return_counts=True)
    per_row = np.bincount(cells // size, minlength=rows)
    index_dtype = np.int32 if len(cells) <= np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(rows + 1, dtype=index_dtype)
    np.cumsum(per_row, out=indptr[1:])
    X = sp.csr_array(
        (counts.astype(vec.dtype), (cells % size).astype(index_dtype), indptr),
        shape=(rows, size),
        dtype=vec.dtype,
    )
    X.sort_indices()
    if get_config().get("sparse_interface", "spmatrix") == "spmatrix":
        X = sp.csr_matrix(X)
    return X


def _tfidf(vec, texts: list[str]):
    """``vec.transform(texts)``, with the n-gram counting done in bulk where that is exact.

    The counts are the very matrix sklearn would count; the TF-IDF weighting and the
    normalisation are the vectorizer's own, so the result is identical bit for bit
    (``tests/test_textstack.py`` compares the two paths).
    """
    if (
        len(texts) >= _FAST_MIN_TEXTS
        and _fast_path_applies(vec)
        and len(texts) * len(vec.vocabulary_) < 2**62
        and all(type(t) is str for t in texts)
    ):
        index = _index_of(vec)
        if index is not None:
            return vec._tfidf.transform(_counts(vec, texts, index), copy=False)
    return vec.transform(texts)


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
    def _logp(vec, lr, texts: list[str], fast: bool = False) -> np.ndarray:
        p = lr.predict_proba(_tfidf(vec, texts) if fast else vec.transform(texts))
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
            [self._logp(*self.models_[v], texts, fast=True) for v, texts in self._views(X).items()]
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"text_{v}_{lab}" for v in self.views for lab in LABELS], dtype=object)
