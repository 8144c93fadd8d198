"""Features: the scikit-learn transformer from question–answer pairs to named columns.

The columns are the registry's (:mod:`evascore.columns`): pure functions of the evidence pass
(:func:`evascore.analysis.analyse`). :class:`FeatureExtractor` learns the IDF weights the
evidence pass uses to measure relevance, and computes the columns of many pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from evascore.analysis import Analysis, analyse
from evascore.columns import FEATURE_NAMES, REGISTRY, feature_vector
from evascore.cues import load_lexicon
from evascore.pairs import as_pairs
from evascore.text import content_terms


class FeatureExtractor(TransformerMixin, BaseEstimator):
    """Turn question–answer pairs into the named numeric features of :data:`REGISTRY`.

    Parameters
    ----------
    lexicon : str or None
        Path to a cue lexicon TSV; ``None`` uses the packaged one.
    use_idf : bool
        Weight question terms by inverse document frequency learned in ``fit`` when
        measuring sentence relevance.

    Examples
    --------
    >>> fx = FeatureExtractor().fit([("How many staff?", "There are 12 staff.")])
    >>> X = fx.transform([("How many staff?", "We do not disclose this.")])
    >>> X.shape[1] == len(fx.get_feature_names_out())
    True
    """

    def __init__(self, lexicon: str | None = None, use_idf: bool = True):
        self.lexicon = lexicon
        self.use_idf = use_idf

    def fit(self, X, y=None):
        pairs = as_pairs(X)
        load_lexicon(self.lexicon)  # fail early on a bad lexicon
        df: Counter = Counter()
        for q, a in pairs:
            df.update(set(content_terms(q)) | set(content_terms(a)))
        n = len(pairs) * 2
        # Sorted so the pickled model is byte-identical across runs (set order is hashed).
        self.idf_ = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in sorted(df.items())}
        self.default_idf_ = math.log(1 + n) + 1.0
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def analyse(self, question: str, answer: str) -> Analysis:
        """The :class:`Analysis` of one (cleaned) pair, with this extractor's IDF."""
        return self.analyse_many([(question, answer)])[0]

    def analyse_many(self, pairs) -> list[Analysis]:
        """Analyses of many (cleaned) pairs; the fitted check runs once, not per pair."""
        return list(self._iter_analyses(pairs))

    def _iter_analyses(self, pairs) -> Iterable[Analysis]:
        check_is_fitted(self, "idf_")
        idf = self.idf_ if self.use_idf else None
        return (analyse(q, a, idf, self.default_idf_, self.lexicon) for q, a in pairs)

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "idf_")
        pairs = as_pairs(X)
        out = np.empty((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
        for i, an in enumerate(self._iter_analyses(pairs)):
            out[i] = feature_vector(an)
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(FEATURE_NAMES, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


__all__ = ["FeatureExtractor", "Analysis", "analyse", "FEATURE_NAMES", "REGISTRY", "feature_vector"]
