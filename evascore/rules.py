"""The rules on top of the head: the parts rule and the class offsets, and the softmax.

Numpy only: the head (:mod:`evascore.head`, scikit-learn) and the compiled scorer
(:mod:`evascore.scorer`, numpy alone) both apply these to the head's probabilities.
"""

from __future__ import annotations

import numpy as np

from evascore.columns import FEATURE_NAMES
from evascore.labels import LABELS


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax (the max subtracted first)."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def rules_and_offsets(proba: np.ndarray, X: np.ndarray, offsets=None) -> np.ndarray:
    """The head's probabilities (LABELS order), then the parts rule, then the class offsets
    (if any): the offsets are tuned on cross-validated probabilities that had the parts rule
    applied, so they are applied in the same order."""
    proba = parts_rule(proba, X)
    if offsets is not None and np.any(offsets):
        proba = proba * np.exp(offsets)
        proba /= proba.sum(axis=1, keepdims=True)
    return proba


_PART_COLS = (FEATURE_NAMES.index("parts_explicit"), FEATURE_NAMES.index("parts_coverage"))
_REFUSED_COLS = (
    FEATURE_NAMES.index("refusal_parts_unanswered"),
    FEATURE_NAMES.index("cue_declining"),
    FEATURE_NAMES.index("cue_not_held"),
)


_FIGURE_TYPES = [FEATURE_NAMES.index(f"qtype_{t}") for t in ("count", "amount", "value")]


def parts_rule(proba: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Explicit parts bound the label, on questions asking for figures part by part.

    The guidelines' rules, applied where the part detector is reliable: a question asking
    for figures (a count, an amount, a value) with explicit (a) (b) (c) / (i) (ii) parts or
    one part per period ("in each of the last three years"), where a part is answered when
    a sentence naming it gives a figure.

    - Some parts answered and some not: ``partial``. "Direct" needs every part answered,
      and an answered part is a piece of the requested information, which is never
      "evasive" (LABELS.md's tie rule). The probability of ``direct`` and most of
      ``evasive`` move to ``partial``. The linear head alone weighs part coverage too
      lightly to honour this (a short answer with a refusal reads as evasive by its
      wording).
    - None answered, and the answer declining or saying the figures are not held: nothing
      asked is given, whatever else the answer says (the seed's pattern). The probability
      of ``partial`` moves to ``evasive``. On the labelled real answers' train months, 71%
      of such answers are evasive, 26% partial; the head alone reads the seed as partial.

    On other questions ("what steps", "whether ... (a) racial and (b) ethnic ...") a part
    counts as answered when a sentence shares its terms, which misses answers often: on
    the train months readers called 189 of the 566 such answers with some parts "unanswered"
    direct, and grouped CV preferred the head alone there (``benchmarks/RESULTS.md``, "The
    parts rule kept to figures questions").
    """
    mixed = parts_mixed(X) & _figures(X)
    refused = parts_refused(X)
    if mixed.any() or refused.any():
        proba = proba.copy()
        # Evasive keeps at most half its probability, scaled by the share of parts left
        # unanswered: always below partial, and the score still falls as more parts are
        # answered and rises with a refusal.
        keep = proba[mixed, 2] * 0.5 * (1.0 - X[mixed, _PART_COLS[1]])
        proba[mixed, 1] += proba[mixed, 0] + proba[mixed, 2] - keep
        proba[mixed, 0] = 0.0
        proba[mixed, 2] = keep
        proba[refused, 2] += proba[refused, 1]
        proba[refused, 1] = 0.0
    return proba


def parts_mixed(X: np.ndarray) -> np.ndarray:
    """Rows with explicit parts, some but not all answered (see :func:`parts_rule`, which
    bounds those of them on figures questions)."""
    present, coverage = X[:, _PART_COLS[0]], X[:, _PART_COLS[1]]
    return (present > 0) & (coverage > 0) & (coverage < 1)


def parts_ruled(X: np.ndarray) -> np.ndarray:
    """The rows whose label :func:`parts_rule` bounds."""
    return (parts_mixed(X) & _figures(X)) | parts_refused(X)


def parts_refused(X: np.ndarray) -> np.ndarray:
    """Rows whose explicit parts are all unanswered while the answer declines or says the
    figures are not held, on a question asking for figures (see :func:`parts_rule`)."""
    return (
        (X[:, _REFUSED_COLS[0]] > 0)
        & ((X[:, _REFUSED_COLS[1]] > 0) | (X[:, _REFUSED_COLS[2]] > 0))
        & _figures(X)
    )


def _figures(X: np.ndarray) -> np.ndarray:
    """Rows whose question asks for figures: a count, an amount or a value."""
    return X[:, _FIGURE_TYPES].sum(axis=1) > 0


def reorder(proba: np.ndarray, classes) -> np.ndarray:
    classes = list(classes)
    out = np.zeros((proba.shape[0], len(LABELS)))
    for j, lab in enumerate(LABELS):
        if lab in classes:
            out[:, j] = proba[:, classes.index(lab)]
    return out
