"""The head: a calibrated classifier over evascore's columns, then the rules on top of it.

:class:`ClarityHead` is the calibrated classifier, kept free of text so it passes
scikit-learn's full estimator checks. :class:`RuledHead` is the model's last pipeline step:
the head's probabilities, then the parts rule (:func:`parts_rule`) and the class offsets
(chosen by :func:`evascore.training.tune_offsets`), so ``model.pipeline_.predict_proba`` is
``model.predict_proba``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from evascore.features import FEATURE_NAMES
from evascore.labels import LABELS


def _logits(lr: LogisticRegression, Z: np.ndarray) -> np.ndarray:
    d = lr.decision_function(Z)
    return np.column_stack([-d / 2, d / 2]) if d.ndim == 1 else d


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(logits, y, classes, weight) -> float:
    """The temperature minimising the weighted log loss of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar  # only needed to train; keeps startup light

    if logits.ndim == 1:
        logits = np.column_stack([-logits / 2, logits / 2])
    idx = np.searchsorted(classes, y)

    def loss(log_t: float) -> float:
        p = _softmax(logits / np.exp(log_t))
        return float(-(weight * np.log(p[np.arange(len(y)), idx] + 1e-12)).sum())

    res = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(res.x))


class ClarityHead(ClassifierMixin, BaseEstimator):
    """Standardise, fit a multinomial logistic regression, and calibrate its probabilities.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    class_weight : dict, "balanced" or None
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    calibration : {"temperature", "sigmoid", "isotonic"} or None
        Calibration of the probabilities, under the class weights' prior (with the default
        ``"balanced"``: as if the classes were equally frequent), fitted by cross-validation.
        ``"temperature"`` (default) divides the logits by one scalar fitted on out-of-fold
        logits by weighted log loss: it sharpens or softens the probabilities without
        changing which label wins. On QEvasion train (grouped 5-fold CV macro-F1) it keeps
        0.470, where ``"sigmoid"`` fell to 0.439 and ``"isotonic"`` to 0.446
        (``CalibratedClassifierCV`` with ``ensemble=False``). Skipped, with the raw
        probabilities kept, when a class has fewer than ``cv`` samples.
    cv : int
        Folds for calibration.
    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]; y = [0] * 10 + [1] * 10
    >>> ClarityHead(calibration=None).fit(X, y).predict([[1.0, 1.0]]).tolist()
    [1]
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight="balanced",
        calibration: str | None = "temperature",
        cv: int = 5,
    ):
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("need samples of at least 2 classes to fit, got 1 class")
        # Class weights become sample weights so that calibration sees them too: the
        # probabilities are calibrated under the weighted (by default class-balanced) prior,
        # and the label, their argmax, does not drown a rare class.
        weight = compute_sample_weight(self.class_weight, y)
        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)
        base = LogisticRegression(C=self.C, max_iter=2000)
        self.temperature_ = 1.0
        if self.calibration not in ("temperature", "sigmoid", "isotonic", None):
            raise ValueError(
                "calibration must be 'temperature', 'sigmoid', 'isotonic' or None, "
                f"got {self.calibration!r}"
            )
        if self.calibration == "temperature" and counts.min() >= self.cv:
            logits = cross_val_predict(
                base, Z, y, cv=self.cv, method="decision_function", params={"sample_weight": weight}
            )
            self.temperature_ = _fit_temperature(logits, y, self.classes_, weight)
            self.model_ = self.base_ = base.fit(Z, y, sample_weight=weight)
        elif self.calibration in ("sigmoid", "isotonic") and counts.min() >= self.cv:
            from sklearn.calibration import CalibratedClassifierCV

            cal = CalibratedClassifierCV(base, method=self.calibration, cv=self.cv, ensemble=False)
            cal.fit(Z, y, sample_weight=weight)
            self.model_ = cal
            self.base_ = cal.calibrated_classifiers_[0].estimator
        else:
            self.model_ = self.base_ = base.fit(Z, y, sample_weight=weight)
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        Z = self.scaler_.transform(X)
        if self.temperature_ != 1.0:
            return _softmax(_logits(self.base_, Z) / self.temperature_)
        return self.model_.predict_proba(Z)

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def contributions(self, X) -> np.ndarray:
        """Per-feature contributions to each class's logit, centred across classes.

        Shape ``(n_samples, n_classes, n_features)``: standardised value times coefficient,
        minus the mean over classes, so a positive number pushes towards that class.
        """
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        z = self.scaler_.transform(X)
        coef = self.base_.coef_
        if coef.shape[0] == 1:  # binary: LogisticRegression stores one row
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        coef = coef - coef.mean(axis=0, keepdims=True)
        return z[:, None, :] * coef[None, :, :]


# ---------------------------------------------------------------------- the rules


class RuledHead(ClassifierMixin, BaseEstimator):
    """Pipeline step: the calibrated head, then the parts rules and the class offsets.

    So ``model.pipeline_.predict_proba`` is ``model.predict_proba``: columns in ``LABELS``
    order, with the same rules (issue 14). Holds a fitted :class:`ClarityHead`.
    """

    def __init__(self, head=None, offsets=None):
        self.head = head
        self.offsets = offsets

    def fit(self, X, y=None):
        return self

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(LABELS, dtype=object)

    def predict_proba(self, X) -> np.ndarray:
        return ruled_proba(self.head, np.asarray(X, dtype=np.float64), self.offsets)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_is_fitted__(self) -> bool:
        return self.head is not None and hasattr(self.head, "model_")


def ruled_proba(head: ClarityHead, X: np.ndarray, offsets=None) -> np.ndarray:
    """The model's probabilities (LABELS order) from its feature matrix.

    The head's probabilities, then the parts rule, then the class offsets (if any): the
    offsets are tuned on cross-validated probabilities that had the parts rule applied, so
    they are applied in the same order.
    """
    proba = parts_rule(reorder(head.predict_proba(X), head.classes_), X)
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
    """Explicit parts bound the label: some answered and some not is ``partial``; none
    answered, with a refusal, on a figures question is ``evasive``.

    The guidelines' rules applied where the part detector is reliable, on questions with
    explicit (a) (b) (c) / (i) (ii) parts or one part per period ("in each of the last three
    years"): "direct" needs every part answered, and an answered part is a piece of the
    requested information, which is never "evasive" (LABELS.md's tie rule). So when some but
    not all parts are answered, the probability of ``direct`` and most of ``evasive`` move to
    ``partial``. The linear head alone weighs part coverage too lightly to honour the rules
    (a short answer with a refusal reads as evasive by its wording).
    """
    coverage = X[:, _PART_COLS[1]]
    mixed = parts_mixed(X)
    # The other bound: a question asking for figures part by part ((a) (b) (c), or per
    # year), none of the parts answered, and the answer declining or saying the figures are
    # not held: nothing asked is given, whatever else the answer says (the seed's pattern).
    # The probability of ``partial`` moves to ``evasive``. On the labelled real answers'
    # train months, 72% of such answers are evasive, 25% partial.
    refused = parts_refused(X)
    if mixed.any() or refused.any():
        proba = proba.copy()
        # Evasive keeps at most half its probability, scaled by the share of parts left
        # unanswered: always below partial, and the score still falls as more parts are
        # answered and rises with a refusal.
        keep = proba[mixed, 2] * 0.5 * (1.0 - coverage[mixed])
        proba[mixed, 1] += proba[mixed, 0] + proba[mixed, 2] - keep
        proba[mixed, 0] = 0.0
        proba[mixed, 2] = keep
        proba[refused, 2] += proba[refused, 1]
        proba[refused, 1] = 0.0
    return proba


def parts_mixed(X: np.ndarray) -> np.ndarray:
    """Rows with explicit parts, some but not all answered (see :func:`parts_rule`)."""
    present, coverage = X[:, _PART_COLS[0]], X[:, _PART_COLS[1]]
    return (present > 0) & (coverage > 0) & (coverage < 1)


def parts_refused(X: np.ndarray) -> np.ndarray:
    """Rows whose explicit parts are all unanswered while the answer declines or says the
    figures are not held, on a question asking for figures (see :func:`parts_rule`)."""
    return (
        (X[:, _REFUSED_COLS[0]] > 0)
        & ((X[:, _REFUSED_COLS[1]] > 0) | (X[:, _REFUSED_COLS[2]] > 0))
        & (X[:, _FIGURE_TYPES].sum(axis=1) > 0)
    )


def reorder(proba: np.ndarray, classes) -> np.ndarray:
    classes = list(classes)
    out = np.zeros((proba.shape[0], len(LABELS)))
    for j, lab in enumerate(LABELS):
        if lab in classes:
            out[:, j] = proba[:, classes.index(lab)]
    return out
