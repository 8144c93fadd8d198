"""The numeric half of the model: a calibrated classifier over evascore's features.

Kept separate from the text featuriser so it can pass scikit-learn's full estimator checks.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


class ClarityHead(ClassifierMixin, BaseEstimator):
    """Standardise, fit a multinomial logistic regression, and calibrate its probabilities.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    class_weight : dict, "balanced" or None
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    calibration : {"sigmoid", "isotonic"} or None
        Calibration of the probabilities by cross-validation (``CalibratedClassifierCV``
        with ``ensemble=False``: one base model fitted on all data, one calibrator). Skipped,
        with the raw probabilities kept, when a class has fewer than ``cv`` samples.
    cv : int
        Folds for calibration.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]; y = [0] * 10 + [1] * 10
    >>> ClarityHead(calibration=None).fit(X, y).predict([[1.0, 1.0]]).tolist()
    [1]
    """

    def __init__(self, C: float = 1.0, class_weight="balanced", calibration: str | None = "sigmoid",
                 cv: int = 5):
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError(f"need samples of at least 2 classes to fit, got 1 class")
        base = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000),
        )
        if self.calibration and counts.min() >= self.cv:
            cal = CalibratedClassifierCV(base, method=self.calibration, cv=self.cv,
                                         ensemble=False)
            cal.fit(X, y)
            self.model_ = cal
            self.base_ = cal.calibrated_classifiers_[0].estimator
        else:
            self.model_ = self.base_ = base.fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return self.model_.predict_proba(X)

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
        scaler, lr = self.base_[0], self.base_[-1]
        z = scaler.transform(X)
        coef = lr.coef_
        if coef.shape[0] == 1:  # binary: LogisticRegression stores one row
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        coef = coef - coef.mean(axis=0, keepdims=True)
        return z[:, None, :] * coef[None, :, :]
