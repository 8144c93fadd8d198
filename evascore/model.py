"""The model: a scikit-learn estimator over question–answer pairs.

:class:`EvasionModel` holds the parameters and fits a :class:`~sklearn.pipeline.Pipeline`
that *is* the model: clean the text (:func:`evascore.pairs.clean_pairs`), compute the columns
(the handcrafted :class:`~evascore.features.FeatureExtractor`, with the
:class:`~evascore.textstack.TextStack` text models beside it in a
:class:`~sklearn.pipeline.FeatureUnion` when ``text_features`` is on), then the head with its
rules (:class:`~evascore.head.RuledHead`). ``predict_proba`` is the pipeline's. Scoring a
batch (:meth:`EvasionModel.assess`) runs the same steps compiled to numpy
(:attr:`EvasionModel.scorer_`, an :class:`evascore.scorer.Scorer`), keeping the evidence pass
for the assessments (:func:`evascore.assessment.build_assessments`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from evascore import training
from evascore.assessment import Assessment
from evascore.errors import InputError
from evascore.features import FEATURE_NAMES, FeatureExtractor
from evascore.head import ClarityHead, RuledHead, compile_head, ruled_proba
from evascore.labels import LABELS
from evascore.pairs import QAPair, clean_pairs
from evascore.persist import save_model
from evascore.scorer import Scorer
from evascore.textstack import TextStack, compile_linear

DEFAULT_SEED = 20261130


class EvasionModel(ClassifierMixin, BaseEstimator):
    """Scores how directly answers meet their questions.

    Parameters
    ----------
    C : float
        Regularisation of the label head (inverse strength).
    calibration : {"sigmoid", "isotonic"} or None
        Probability calibration of the label head.
    class_weight : "balanced", dict or None
        Class weights of the label head.
    lexicon : str or None
        Path to a cue lexicon TSV; ``None`` uses the packaged one.
    seed : int
        Seed for the cross-validation splits recorded in the model card.
    text_features : bool
        Stack word n-gram models of the answer (:class:`~evascore.textstack.TextStack`) on
        the handcrafted features. Pays on thousands of labelled rows of one genre; off for
        the shipped model.
    text_views : tuple of str
        The texts the text models read when ``text_features`` is on: ``"answer"``,
        ``"opening"`` (its first two sentences), ``"question"``.
    tune_offsets : bool
        Shift the three classes' log-probabilities by offsets chosen to maximise macro-F1 on
        the cross-validated predictions (needs ``cv`` > 1 in :meth:`fit`). Helps when the
        labels are imbalanced and macro-F1 is what counts.

    Examples
    --------
    >>> import evascore
    >>> m = evascore.load_model()
    >>> a = m.score("How many staff work in Belgium?", "We do not disclose staff numbers.")
    >>> a.label
    'evasive'
    """

    def __init__(
        self,
        C: float = 1.0,
        calibration: str | None = "temperature",
        class_weight="balanced",
        lexicon: str | None = None,
        seed: int = DEFAULT_SEED,
        text_features: bool = False,
        tune_offsets: bool = False,
        text_views: tuple = ("answer", "opening"),
    ):
        self.C = C
        self.calibration = calibration
        self.class_weight = class_weight
        self.lexicon = lexicon
        self.seed = seed
        self.text_features = text_features
        self.tune_offsets = tune_offsets
        self.text_views = text_views

    # ------------------------------------------------------------------ training

    def _head(self) -> ClarityHead:
        return ClarityHead(C=self.C, class_weight=self.class_weight, calibration=self.calibration)

    def _fit_features(self, qa, y, groups):
        """Fitted featurisers and the training matrix (text features cross-fitted)."""
        fx = FeatureExtractor(lexicon=self.lexicon).fit(qa)
        X = fx.transform(qa)
        text = None
        if self.text_features:
            text = TextStack(views=tuple(self.text_views), seed=self.seed)
            X = np.hstack([X, text.fit_transform(qa, y, groups)])
        return fx, text, X

    def fit(
        self,
        pairs,
        labels: Sequence[str],
        techniques: Sequence[str] | None = None,
        groups: Sequence | None = None,
        cv: int = 5,
    ) -> EvasionModel:
        """Train on pairs and their labels (and techniques, when given).

        ``groups`` (e.g. one id per distinct question or answer) keeps related rows in the
        same fold when cross-validating; the cross-validated macro-F1 goes into the card.
        """
        qa = clean_pairs(pairs)
        y = np.asarray(labels, dtype=object)
        bad = sorted({str(v) for v in y if v not in LABELS})
        if bad:
            hint = ""
            if all(isinstance(v, (int, np.integer)) for v in y):
                # cross_val_predict(method="predict_proba") encodes labels as integers
                hint = (
                    " (labels are the names, not integer codes: for out-of-fold "
                    "probabilities, loop over the folds and call predict_proba)"
                )
            raise InputError(
                f"unknown label(s) {', '.join(bad)}; expected one of {', '.join(LABELS)}" + hint,
                field="label",
            )
        if len(y) != len(qa):
            raise InputError(f"{len(qa)} pairs but {len(y)} labels")
        # The head's small dense solves gain nothing from BLAS threads and lose much to
        # oversubscription on a busy machine (10k pairs: 29 s with one thread, 103 s with two).
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(qa, y, techniques, groups, cv)

    def _fit(self, qa, y, techniques, groups, cv) -> EvasionModel:
        # The orchestration (cross-validation, offsets, the technique head, the data's hash)
        # lives in evascore.training; the model says how to fit and score one fold.
        if self.tune_offsets and not (cv and cv > 1):
            raise InputError("tune_offsets needs cross-validation (cv > 1)")
        offsets = np.zeros(len(LABELS))
        self.cv_ = None
        if cv and cv > 1:
            self.cv_, oof = training.cross_validate(self._fit_fold, qa, y, groups, cv, self.seed)
            if self.tune_offsets:
                offsets = training.offsets_for(self.cv_, oof, y)
        # Fitted step by step so the features are computed once and reused by both heads.
        fx, text, X = self._fit_features(qa, y, groups)
        head = self._head().fit(X, y)
        self.pipeline_ = _pipeline(fx, text, RuledHead(head, offsets))
        self.classes_ = np.asarray(LABELS, dtype=object)
        self.technique_head_ = None
        if techniques is not None:
            self.technique_head_ = training.technique_head(
                techniques, self.head_.scaler_.transform(X), self.C
            )
        self.data_sha256_ = training.data_hash(qa, y, techniques)
        self.n_train_ = len(qa)
        return self

    def _fit_fold(self, qa, y, groups):
        """Fit on one fold's rows; return a function from other rows to probabilities."""
        fx, text, X = self._fit_features(qa, y, groups)
        head = self._head().fit(X, y)
        return lambda rows: ruled_proba(head, _transform(fx, text, rows))

    # ------------------------------------------------------------------ scoring

    @property
    def features_(self) -> FeatureExtractor:
        """The fitted handcrafted featuriser."""
        step = self.pipeline_["features"]
        return step.transformer_list[0][1] if isinstance(step, FeatureUnion) else step

    @property
    def text_(self) -> TextStack | None:
        """The fitted text models, or None (``text_features`` off)."""
        step = self.pipeline_["features"]
        return step.transformer_list[1][1] if isinstance(step, FeatureUnion) else None

    @property
    def feature_names_(self) -> tuple[str, ...]:
        """The columns the head reads: handcrafted, then the text models' (if any)."""
        text = self.text_
        if text is None:
            return FEATURE_NAMES
        return FEATURE_NAMES + tuple(text.get_feature_names_out())

    @property
    def head_(self) -> ClarityHead:
        return self.pipeline_["head"].head

    @property
    def offsets_(self) -> np.ndarray:
        """The class offsets (log-probability shifts) the head step applies."""
        return self.pipeline_["head"].offsets

    @offsets_.setter
    def offsets_(self, value) -> None:
        self.pipeline_["head"].offsets = np.asarray(value, dtype=np.float64)

    def predict_proba(self, pairs) -> np.ndarray:
        """Probabilities, columns in ``LABELS`` order (direct, partial, evasive): the
        pipeline's."""
        return self.pipeline_.predict_proba(pairs)

    def predict(self, pairs) -> np.ndarray:
        """The most probable label of each pair."""
        return np.asarray(LABELS, dtype=object)[np.argmax(self.predict_proba(pairs), axis=1)]

    def score(self, question, answer=None, id: str | None = None):
        """Score one pair: its :class:`~evascore.assessment.Assessment`.

        Called as any scikit-learn classifier's ``score(X, y)`` (``question`` a collection of
        pairs, ``answer`` their labels), it returns the mean accuracy instead, so that
        ``GridSearchCV`` and ``cross_val_score`` work without a ``scoring`` argument (the
        project selects on ``scoring="f1_macro"``).

        Examples
        --------
        >>> import evascore
        >>> evascore.load_model().score("Will he publish it?", "No.").label
        'direct'
        """
        if isinstance(question, str) or question is None:
            return self.assess([QAPair.make(question, answer, id)])[0]
        return ClassifierMixin.score(self, question, answer)

    def score_many(self, pairs, n_jobs: int | None = 1, batch_size: int = 512) -> list[Assessment]:
        """Score many pairs (QAPairs, (question, answer) tuples, dicts or a DataFrame).

        With ``n_jobs`` > 1 the pairs are scored in chunks of ``batch_size`` by joblib; the
        result is identical to ``n_jobs=1`` and in input order. Under
        ``joblib.parallel_config(backend="dask")`` the chunks run on a Dask cluster.
        """
        return self.scorer_.score_many(pairs, n_jobs=n_jobs, batch_size=batch_size)

    def iter_score(
        self, pairs, n_jobs: int | None = 1, batch_size: int = 512
    ) -> Iterator[Assessment]:
        """Like :meth:`score_many` but yields assessments lazily, in input order."""
        return self.scorer_.iter_score(pairs, n_jobs=n_jobs, batch_size=batch_size)

    def assess(self, pairs: list[QAPair]) -> list[Assessment]:
        """Score a list of cleaned :class:`QAPair` objects (the batch primitive)."""
        return self.scorer_.assess(pairs)

    @property
    def scorer_(self) -> Scorer:
        """The fitted model compiled for scoring (:class:`~evascore.scorer.Scorer`, numpy
        alone): what :meth:`assess`, :meth:`score_many` and :meth:`score` run. Made on first
        use after each fit (or read from the model file), again when the offsets are set.
        ``tests/test_scorer.py`` checks it gives the pipeline's probabilities."""
        key = self._scorer_key()
        scorer = self.__dict__.get("_scorer")
        if scorer is None or any(a is not b for a, b in zip(self._scorer_for, key, strict=True)):
            fx, text = self.features_, self.text_
            technique = self.technique_head_
            scorer = Scorer(
                fx.idf_ if fx.use_idf else None,
                fx.default_idf_,
                fx.lexicon,
                {} if text is None else text.compiled(),
                compile_head(self.head_),
                self.offsets_,
                None if technique is None else compile_linear(technique),
            )
            self._scorer, self._scorer_for = scorer, key
        return scorer

    def _scorer_key(self) -> tuple:
        """The fitted objects a :class:`Scorer` is compiled from (compared by identity)."""
        check_is_fitted(self, "pipeline_")
        return (self.pipeline_, self.offsets_, self.technique_head_)

    def explain(self, question: str, answer: str) -> str:
        """A plain-text report for people: label, score, parts, deciding sentences."""
        return str(self.score(question, answer))

    # ------------------------------------------------------------------ persistence

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def __getstate__(self) -> dict:
        # The card lives in the JSON file beside the model (``card_`` on a loaded or saved
        # model), not in the pickle: the model file's bytes depend on the data and seed only.
        # (No ``_sklearn_version`` either: the card records every version.)
        state = self.__dict__.copy()
        for key in ("card_", "_scorer", "_scorer_for"):  # the scorer is stored beside it
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        # Models saved before text features and offsets existed load as they scored then.
        defaults = {
            "text_features": False,
            "tune_offsets": False,
            "text_views": ("answer", "opening"),
            "offsets_": np.zeros(len(LABELS)),
            "classes_": np.asarray(LABELS, dtype=object),
        }
        state = {**defaults, **state}
        state.pop("card", None)  # kept in the pickle by models before 0.2
        text = state.pop("text_", None)
        offsets = state.pop("offsets_")  # the head step holds them now
        pipe = state.get("pipeline_")
        if pipe is not None and "clean" not in pipe.named_steps:
            # saved before the pipeline was the model: rebuild it from its fitted parts
            fx = pipe["features"]
            fx = getattr(fx, "features", fx)  # a PairFeatures step, or the extractor itself
            head = pipe["head"]
            head = getattr(head, "head", head)
            state["pipeline_"] = _pipeline(fx, text, RuledHead(head, offsets))
        self.__dict__.update(state)

    def save(self, path) -> dict:
        """Write the model (joblib) and its JSON card beside it; return the card."""
        return save_model(self, path)


# ---------------------------------------------------------------------- the pipeline


def _pipeline(fx: FeatureExtractor, text: TextStack | None, head: RuledHead) -> Pipeline:
    """The fitted model as a pipeline: clean the pairs, compute the columns, the ruled head."""
    features = fx if text is None else FeatureUnion([("handcrafted", fx), ("text", text)])
    # stateless: cleaning needs no fitting (its tags say so)
    clean = FunctionTransformer(clean_pairs)
    return Pipeline([("clean", clean), ("features", features), ("head", head)])


class PairFeatures:
    """The pipeline step of models saved before 0.2 (read by :meth:`EvasionModel.__setstate__`
    only: the fitted featuriser and text models it held are moved into the new pipeline)."""

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


# ---------------------------------------------------------------------- helpers


def _transform(fx: FeatureExtractor, text: TextStack | None, qa) -> np.ndarray:
    X = fx.transform(qa)
    return X if text is None else np.hstack([X, text.transform(qa)])


def train_files(
    inputs,
    seed: int,
    C: float = 1.0,
    calibration: str | None = "temperature",
    cv: int = 5,
    text_features: bool = False,
    tune_offsets: bool = False,
    text_views: tuple = ("answer", "opening"),
    class_weight="balanced",
):
    """Train an :class:`EvasionModel` on labelled files; the card records the files' hash."""
    data = training.read_labelled(inputs)
    model = EvasionModel(
        C=C,
        calibration=calibration,
        seed=seed,
        text_features=text_features,
        tune_offsets=tune_offsets,
        text_views=tuple(text_views),
        class_weight=class_weight,
    )
    model.fit(data.pairs, data.labels, data.techniques, data.groups, cv=cv)
    model.card_ = {"training_data": {"files": list(data.files), "files_sha256": data.sha256}}
    return model
