"""The head: a calibrated classifier over evascore's columns, then the rules on top of it.

:class:`ClarityHead` is the calibrated classifier, kept free of text so it passes
scikit-learn's full estimator checks. :class:`RuledHead` is the model's last pipeline step:
the head's probabilities, then the parts rule (:func:`evascore.rules.parts_rule`) and the
class offsets (chosen by :func:`evascore.training.tune_offsets`), so
``model.pipeline_.predict_proba`` is ``model.predict_proba``. :func:`compile_head` turns a
fitted head into the compiled scorer's (:class:`evascore.scorer.Head`).
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

from evascore.labels import LABELS
from evascore.rules import reorder, rules_and_offsets, softmax
from evascore.scorer import Head, Linear


def _logits(lr: LogisticRegression, Z: np.ndarray) -> np.ndarray:
    d = lr.decision_function(Z)
    return np.column_stack([-d / 2, d / 2]) if d.ndim == 1 else d


def _fit_temperature(logits, y, classes, weight) -> float:
    """The temperature minimising the weighted log loss of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar  # only needed to train; keeps startup light

    if logits.ndim == 1:
        logits = np.column_stack([-logits / 2, logits / 2])
    idx = np.searchsorted(classes, y)

    def loss(log_t: float) -> float:
        p = softmax(logits / np.exp(log_t))
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
            return softmax(_logits(self.base_, Z) / self.temperature_)
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
    """The model's probabilities (LABELS order) from its feature matrix: the head's, then
    the parts rule and the class offsets (:func:`evascore.rules.rules_and_offsets`)."""
    return rules_and_offsets(reorder(head.predict_proba(X), head.classes_), X, offsets)


def compile_head(head: ClarityHead):
    """A fitted :class:`ClarityHead` as the compiled :class:`~evascore.scorer.Head` (its
    logistic regression scored by numpy alone), else an object with the same interface
    calling scikit-learn: a sigmoid or isotonic calibration, or two classes without a
    temperature (scikit-learn's binary probabilities take another formula)."""
    check_is_fitted(head, "model_")
    lr = head.base_
    plain = (
        type(lr) is LogisticRegression
        and (head.temperature_ != 1.0 or head.model_ is lr and lr.coef_.shape[0] >= 3)
        and head.scaler_.with_mean
        and head.scaler_.with_std
    )
    if plain:
        linear = Linear(lr.coef_, lr.intercept_, lr.classes_)
        return Head(head.scaler_.mean_, head.scaler_.scale_, linear, head.temperature_)
    return SklearnHead(head)


class SklearnHead:
    """A head the scorer cannot compile, behind :class:`~evascore.scorer.Head`'s interface."""

    def __init__(self, head: ClarityHead):
        self.model = head
        self.classes = head.classes_

    def standardise(self, X: np.ndarray) -> np.ndarray:
        return self.model.scaler_.transform(X)

    def proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(X)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return self.model.contributions(X)
