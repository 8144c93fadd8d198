"""The trainable scorer: featuriser + calibrated head + technique head, and its assessments."""

from __future__ import annotations

import gc
import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from evascore.assessment import LABELS, TECHNIQUE_LABEL, TECHNIQUES, Assessment
from evascore.cues import NON_REPLY
from evascore.errors import InputError
from evascore.features import FEATURE_NAMES, Analysis, FeatureExtractor, as_pairs, feature_vector
from evascore.head import ClarityHead
from evascore.pairs import QAPair, is_missing
from evascore.reasons import reasons_in_words
from evascore.text import clean_text
from evascore.textstack import TextStack

DEFAULT_SEED = 20261130


class EvasionModel:
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
        self.card: dict = {}

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
        qa = _clean_pairs(pairs)
        y = np.asarray(labels, dtype=object)
        bad = sorted({str(v) for v in y if v not in LABELS})
        if bad:
            raise InputError(
                f"unknown label(s) {', '.join(bad)}; expected one of {', '.join(LABELS)}",
                field="label",
            )
        if len(y) != len(qa):
            raise InputError(f"{len(qa)} pairs but {len(y)} labels")
        # The head's small dense solves gain nothing from BLAS threads and lose much to
        # oversubscription on a busy machine (10k pairs: 29 s with one thread, 103 s with two).
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(qa, y, techniques, groups, cv)

    def _fit(self, qa, y, techniques, groups, cv) -> EvasionModel:
        if self.tune_offsets and not (cv and cv > 1):
            raise InputError("tune_offsets needs cross-validation (cv > 1)")
        self.offsets_ = np.zeros(len(LABELS))
        self.cv_ = None
        if cv and cv > 1:
            self.cv_, oof = self._cross_validate(qa, y, groups, cv)
            if self.tune_offsets:
                self.offsets_ = tune_offsets(oof, y)
                pred = np.asarray(LABELS, dtype=object)[
                    np.argmax(np.log(oof + 1e-12) + self.offsets_, axis=1)
                ]
                self.cv_["offsets"] = [round(float(v), 2) for v in self.offsets_]
                # Tuned on these same predictions: an optimistic figure, kept apart.
                self.cv_["macro_f1_after_offsets_in_sample"] = round(
                    float(f1_score(y, pred, average="macro")), 4
                )
        # Fitted step by step so the features are computed once and reused by both heads.
        fx, text, X = self._fit_features(qa, y, groups)
        head = self._head().fit(X, y)
        self.pipeline_ = Pipeline(
            [("features", PairFeatures(fx, text)), ("head", RuledHead(head, self.offsets_))]
        )
        self.text_ = text
        self.technique_head_ = None
        if techniques is not None:
            t = np.asarray(techniques, dtype=object)
            bad = sorted({str(v) for v in t if v not in TECHNIQUE_LABEL})
            if bad:
                raise InputError(
                    f"unknown technique(s) {', '.join(bad)}; expected one of "
                    f"{', '.join(TECHNIQUES)}",
                    field="technique",
                )
            scaler = self.head_.scaler_
            # Unweighted: the technique's prior matters (most partial answers are "general";
            # balanced weights sent them to rare techniques). Among the labelled real answers'
            # train months this took the technique, where the label was right, from 69% to 77%.
            self.technique_head_ = LogisticRegression(C=self.C, max_iter=3000).fit(
                scaler.transform(X), t
            )
        self.data_sha256_ = _data_hash(qa, y, techniques)
        self.n_train_ = len(qa)
        return self

    def _cross_validate(self, qa, y, groups, cv) -> dict:
        n_min = min(np.unique(y, return_counts=True)[1])
        k = max(2, min(cv, n_min))
        if groups is not None:
            splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=self.seed)
            splits = splitter.split(qa, y, groups)
        else:
            splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=self.seed)
            splits = splitter.split(qa, y)
        pred = np.empty(len(y), dtype=object)
        oof = np.zeros((len(y), len(LABELS)))
        g = None if groups is None else np.asarray(groups, dtype=object)
        for tr, te in splits:
            fx, text, X = self._fit_features(
                [qa[i] for i in tr], y[tr], None if g is None else g[tr]
            )
            head = self._head().fit(X, y[tr])
            oof[te] = _proba(head, _transform(fx, text, [qa[i] for i in te]))
            pred[te] = np.asarray(LABELS, dtype=object)[np.argmax(oof[te], axis=1)]
        return {
            "folds": k,
            "grouped": groups is not None,
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
            "accuracy": round(float(np.mean(pred == y)), 4),
            "per_class_f1": dict(
                zip(
                    LABELS,
                    np.round(f1_score(y, pred, labels=list(LABELS), average=None), 4).tolist(),
                )
            ),
        }, oof

    # ------------------------------------------------------------------ scoring

    @property
    def features_(self) -> FeatureExtractor:
        return self.pipeline_["features"].features

    @property
    def feature_names_(self) -> tuple[str, ...]:
        """The columns the head reads: handcrafted, then the text models' (if any)."""
        if self.text_ is None:
            return FEATURE_NAMES
        return FEATURE_NAMES + tuple(self.text_.get_feature_names_out())

    @property
    def head_(self) -> ClarityHead:
        return self.pipeline_["head"].head

    def predict_proba(self, pairs) -> np.ndarray:
        """Probabilities, columns in ``LABELS`` order (direct, partial, evasive)."""
        X = _transform(self.features_, self.text_, _clean_pairs(pairs))
        return _proba(self.head_, X, self.offsets_)

    def predict(self, pairs) -> np.ndarray:
        """The most probable label of each pair."""
        return np.asarray(LABELS, dtype=object)[np.argmax(self.predict_proba(pairs), axis=1)]

    def score(self, question: str, answer: str, id: str | None = None) -> Assessment:
        """Score one pair.

        Examples
        --------
        >>> import evascore
        >>> evascore.load_model().score("Will he publish it?", "No.").label
        'direct'
        """
        return self.assess([QAPair.make(question, answer, id)])[0]

    def score_many(self, pairs, n_jobs: int | None = 1, batch_size: int = 512) -> list[Assessment]:
        """Score many pairs (QAPairs, (question, answer) tuples, dicts or a DataFrame).

        With ``n_jobs`` > 1 the pairs are scored in chunks of ``batch_size`` by joblib; the
        result is identical to ``n_jobs=1`` and in input order. Under
        ``joblib.parallel_config(backend="dask")`` the chunks run on a Dask cluster.
        """
        return list(self.iter_score(pairs, n_jobs=n_jobs, batch_size=batch_size))

    def iter_score(
        self, pairs, n_jobs: int | None = 1, batch_size: int = 512
    ) -> Iterator[Assessment]:
        """Like :meth:`score_many` but yields assessments lazily, in input order."""
        from evascore.batch import chunked, map_chunks

        items = _as_qapairs(pairs)
        for chunk in map_chunks(self.assess, chunked(items, batch_size), n_jobs):
            yield from chunk

    def assess(self, pairs: list[QAPair]) -> list[Assessment]:
        """Score a list of cleaned :class:`QAPair` objects (the batch primitive)."""
        if not pairs:
            return []
        with _gc_paused():
            return self._assess(pairs)

    def _assess(self, pairs: list[QAPair]) -> list[Assessment]:
        fx = self.features_
        qa = [(p.question, p.answer) for p in pairs]
        analyses = fx.analyse_many(qa)
        X = np.array([feature_vector(a) for a in analyses], dtype=np.float64)
        if self.text_ is not None:
            X = np.hstack([X, self.text_.transform(qa)])
        head = self.head_
        proba = _proba(head, X, self.offsets_)
        contrib = head.contributions(X)
        tech_proba = None
        if self.technique_head_ is not None:
            tech_proba = self.technique_head_.predict_proba(head.scaler_.transform(X))
        names = self.feature_names_
        classes = list(head.classes_)
        zeros = np.zeros(X.shape[1])
        refused = _parts_refused(X)
        by_parts = refused | _parts_mixed(X)  # rows whose label the parts rule bounds
        out = []
        for i, (p, a) in enumerate(zip(pairs, analyses)):
            probs = proba[i]
            label = LABELS[int(np.argmax(probs))]
            # A head trained without some class can still give it probability through the
            # parts rule; no feature pushed towards it then, so no reason is claimed.
            row = contrib[i, classes.index(label)] if label in classes else zeros
            out.append(
                _assessment(
                    p,
                    a,
                    probs,
                    label,
                    row,
                    X[i],
                    names,
                    None if tech_proba is None else tech_proba[i],
                    None if tech_proba is None else self.technique_head_.classes_,
                    bool(refused[i]),
                    bool(by_parts[i]),
                )
            )
        return out

    def explain(self, question: str, answer: str) -> str:
        """A plain-text report for people: label, score, parts, deciding sentences."""
        return str(self.score(question, answer))

    # ------------------------------------------------------------------ persistence

    def __getstate__(self) -> dict:
        # The card lives in the JSON file beside the model; keeping it out of the pickle makes
        # the model file's bytes depend on the data and seed only (not on paths or dates).
        state = self.__dict__.copy()
        state["card"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        # Models saved before text features and offsets existed load as they scored then.
        defaults = {
            "text_features": False,
            "tune_offsets": False,
            "text_": None,
            "text_views": ("answer", "opening"),
            "offsets_": np.zeros(len(LABELS)),
        }
        self.__dict__.update({**defaults, **state})
        pipe = self.__dict__.get("pipeline_")
        if pipe is not None and isinstance(pipe["features"], FeatureExtractor):
            # saved before the pipeline's steps applied the rules: wrap its fitted parts
            self.pipeline_ = Pipeline(
                [
                    ("features", PairFeatures(pipe["features"], self.text_)),
                    ("head", RuledHead(pipe["head"], self.offsets_)),
                ]
            )

    def save(self, path) -> dict:
        """Write the model (joblib) and its JSON card beside it; return the card."""
        from evascore.persist import save_model

        return save_model(self, path)


# ---------------------------------------------------------------------- pipeline steps


class PairFeatures(TransformerMixin, BaseEstimator):
    """Pipeline step: (question, answer) pairs -> the head's columns.

    Cleans the text (as :meth:`EvasionModel.predict_proba` does), then the handcrafted
    features and, when the model has them, the text models' columns. Holds fitted parts of
    an :class:`EvasionModel`; it is not fitted on its own (``fit`` is a no-op).
    """

    def __init__(self, features=None, text=None):
        self.features = features
        self.text = text

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> np.ndarray:
        return _transform(self.features, self.text, _clean_pairs(X))

    def __sklearn_is_fitted__(self) -> bool:
        return self.features is not None and hasattr(self.features, "idf_")


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
        return _proba(self.head, np.asarray(X, dtype=np.float64), self.offsets)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_is_fitted__(self) -> bool:
        return self.head is not None and hasattr(self.head, "model_")


# ---------------------------------------------------------------------- helpers


# Scorers in several threads share the one process-wide collector: it is paused while any of
# them runs and resumed (if it was on before the first) only when the last one leaves.
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a batch is scored.

    A batch allocates tens of thousands of small, acyclic objects (sentences, term sets,
    analyses); the collector's passes over them cost about 10% of scoring time
    (``benchmarks/speed.py``). Reference counting still frees everything; the collector
    resumes, as it was, when the last concurrent batch ends.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _clean_pairs(pairs) -> list[tuple[str, str]]:
    """(question, answer) tuples of cleaned text; QAPairs are clean already.

    Cleaning twice is not a no-op ("&amp;pound;" -> "&pound;" -> "£"), so it happens once.
    """
    if isinstance(pairs, (list, tuple)) and pairs and all(isinstance(p, QAPair) for p in pairs):
        return [(p.question, p.answer) for p in pairs]
    out = [(clean_text(q), clean_text(a)) for q, a in as_pairs(pairs)]
    # An empty answer (or one of only whitespace or markup) says nothing: scoring it would
    # give a confident label to no text at all. ``score`` refuses it; so do these.
    for i, (q, a) in enumerate(out):
        for name, v in (("question", q), ("answer", a)):
            if not v:
                raise InputError(
                    f"row {i}: field {name!r} is empty (after removing markup and whitespace)",
                    field=name,
                )
    return out


def _as_qapairs(pairs) -> Iterator[QAPair]:
    if isinstance(pairs, (str, bytes)):
        as_pairs(pairs)  # raises the friendly error
    if hasattr(pairs, "columns"):
        ids = pairs["id"].tolist() if "id" in pairs.columns else [None] * len(pairs)
        for (q, a), i in zip(as_pairs(pairs), ids):
            yield QAPair.make(q, a, _id_or_none(i))
        return
    for item in pairs:
        if isinstance(item, QAPair):
            yield item
        elif isinstance(item, dict):
            yield QAPair.make(item.get("question"), item.get("answer"), _id_or_none(item.get("id")))
        else:
            ((q, a),) = as_pairs([item])
            yield QAPair.make(q, a)


def _id_or_none(value) -> str | None:
    """An id as text; None, NaN and pandas.NA mean "no id" (a content hash is used)."""
    return None if is_missing(value) else str(value)


def feature_names(text_features: bool = False, views=("answer", "opening")) -> tuple[str, ...]:
    """The columns a model's head reads: handcrafted, then (optionally) the text models'."""
    if not text_features:
        return FEATURE_NAMES
    return FEATURE_NAMES + tuple(TextStack(views=tuple(views)).get_feature_names_out())


def _transform(fx: FeatureExtractor, text: TextStack | None, qa) -> np.ndarray:
    X = fx.transform(qa)
    return X if text is None else np.hstack([X, text.transform(qa)])


def _proba(head: ClarityHead, X: np.ndarray, offsets=None) -> np.ndarray:
    """The model's probabilities (LABELS order) from its feature matrix.

    The head's probabilities, then the parts rule, then the class offsets (if any): the
    offsets are tuned on cross-validated probabilities that had the parts rule applied, so
    they are applied in the same order.
    """
    proba = _parts_rule(_reorder(head.predict_proba(X), head.classes_), X)
    if offsets is not None and np.any(offsets):
        proba = proba * np.exp(offsets)
        proba /= proba.sum(axis=1, keepdims=True)
    return proba


def tune_offsets(proba: np.ndarray, y, step: float = 0.1, limit: float = 1.0) -> np.ndarray:
    """Log-probability offsets (direct fixed at 0) that maximise macro-F1 of ``proba``.

    A grid over [-limit, limit] for partial and evasive; ties go to the smallest shift.
    """
    y = np.asarray(y, dtype=object)
    idx = np.array([LABELS.index(v) for v in y])
    logp = np.log(proba + 1e-12)
    grid = np.round(np.arange(-limit, limit + step / 2, step), 6)
    best, best_f1 = np.zeros(len(LABELS)), -1.0
    for b1 in grid:
        for b2 in grid:
            off = np.array([0.0, b1, b2])
            f1 = _macro_f1(idx, np.argmax(logp + off, axis=1))
            if f1 > best_f1 + 1e-12 or (
                abs(f1 - best_f1) <= 1e-12 and np.abs(off).sum() < np.abs(best).sum()
            ):
                best, best_f1 = off, f1
    return best + 0.0  # no -0.0 in cards


def _macro_f1(true: np.ndarray, pred: np.ndarray, k: int = len(LABELS)) -> float:
    cm = np.bincount(true * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    return float(np.mean(np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)))


_PART_COLS = (FEATURE_NAMES.index("parts_explicit"), FEATURE_NAMES.index("parts_coverage"))
_REFUSED_COLS = (
    FEATURE_NAMES.index("refusal_parts_unanswered"),
    FEATURE_NAMES.index("cue_declining"),
    FEATURE_NAMES.index("cue_not_held"),
)
_FIGURE_TYPES = [FEATURE_NAMES.index(f"qtype_{t}") for t in ("count", "amount", "value")]


def _parts_rule(proba: np.ndarray, X: np.ndarray) -> np.ndarray:
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
    mixed = _parts_mixed(X)
    # The other bound: a question asking for figures part by part ((a) (b) (c), or per
    # year), none of the parts answered, and the answer declining or saying the figures are
    # not held: nothing asked is given, whatever else the answer says (the seed's pattern).
    # The probability of ``partial`` moves to ``evasive``. On the labelled real answers'
    # train months, 72% of such answers are evasive, 25% partial.
    refused = _parts_refused(X)
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


def _parts_mixed(X: np.ndarray) -> np.ndarray:
    """Rows with explicit parts, some but not all answered (see :func:`_parts_rule`)."""
    present, coverage = X[:, _PART_COLS[0]], X[:, _PART_COLS[1]]
    return (present > 0) & (coverage > 0) & (coverage < 1)


def _parts_refused(X: np.ndarray) -> np.ndarray:
    """Rows whose explicit parts are all unanswered while the answer declines or says the
    figures are not held, on a question asking for figures (see :func:`_parts_rule`)."""
    return (
        (X[:, _REFUSED_COLS[0]] > 0)
        & ((X[:, _REFUSED_COLS[1]] > 0) | (X[:, _REFUSED_COLS[2]] > 0))
        & (X[:, _FIGURE_TYPES].sum(axis=1) > 0)
    )


def _reorder(proba: np.ndarray, classes) -> np.ndarray:
    classes = list(classes)
    out = np.zeros((proba.shape[0], len(LABELS)))
    for j, lab in enumerate(LABELS):
        if lab in classes:
            out[:, j] = proba[:, classes.index(lab)]
    return out


def _data_hash(qa, y, techniques) -> str:
    h = hashlib.sha256()
    for i, (q, a) in enumerate(qa):
        t = None if techniques is None else techniques[i]
        h.update(json.dumps([q, a, y[i], t], ensure_ascii=False).encode("utf-8", "replace"))
        h.update(b"\n")
    return h.hexdigest()


def _technique(label: str, a: Analysis, tech_proba, tech_classes, refused: bool = False) -> str:
    """The most likely technique consistent with ``label``.

    With a technique head, its probability decides among the techniques of ``label`` (it
    reads the cue counts, parts and relevance itself: forcing "partial_parts" whenever some
    parts were found answered, or a cue's technique whenever one fired, cost 7 points on real
    answers). Without one, a technique with a lexicon cue (declining, not held, ...) is
    chosen only when one of its cues fired.
    """
    if label == "direct":
        return "explicit"
    if tech_proba is not None:
        prob = dict(zip(tech_classes, tech_proba))
        fired = {c.technique for c in a.cues}
        if label == "evasive":
            # A technique with lexicon cues (declining, not held, ...) only when one fired;
            # the parts rule's refusal is the technique when it decided the label.
            if refused:
                candidates = tuple(t for t in ("declining", "not_held") if t in fired)
            else:
                candidates = tuple(t for t in NON_REPLY if t in fired) + ("dodging",)
        else:
            candidates = _OF_LABEL[label]
        return max(candidates, key=lambda t: prob.get(t, 0.0))
    fired = {c.technique for c in a.cues}
    if label == "evasive":
        candidates = [t for t in NON_REPLY if t in fired] or ["dodging"]
    elif a.parts and any(p.addressed for p in a.parts) and not all(p.addressed for p in a.parts):
        return "partial_parts"
    else:
        candidates = ["implicit", "general", "deflection", "partial_parts"]
    # a model trained without techniques: the most frequent cue's
    return max(candidates, key=lambda t: sum(c.technique == t for c in a.cues))


_NON_REPLY = frozenset(NON_REPLY)
_OF_LABEL = {lab: tuple(t for t, v in TECHNIQUE_LABEL.items() if v == lab) for lab in LABELS}


def _deciding_sentences(a: Analysis, label: str, limit: int = 3) -> list[dict]:
    gives = "gives the asked-for " + a.frame.answer_type
    scored = []
    # relevance, typed and cue_sentence have one entry per sentence
    for i, (rel, typed, cues) in enumerate(zip(a.relevance, a.typed, a.cue_sentence)):
        refusal = not cues.isdisjoint(_NON_REPLY)
        answers = typed and rel > 0 and not refusal
        if label == "evasive" and refusal:
            why, w = "non-reply cue", 2 + rel
        elif label == "direct" and answers:
            why, w = gives, 2 + rel
        elif label == "partial" and (refusal or answers):
            why = "non-reply cue" if refusal else gives
            w = 2 + rel
        else:
            why, w = "closest to the question", rel
        scored.append((w, -i, i, why))
    scored.sort(reverse=True)
    out = []
    for w, _, i, why in scored[:limit]:
        s, e = a.sentences[i]
        if why == "closest to the question" and out and w == 0:
            continue
        out.append({"text": a.answer[s:e], "start": s, "end": e, "why": why})
    out.sort(key=lambda d: d["start"])
    return out


def _assessment(
    p: QAPair,
    a: Analysis,
    probs,
    label,
    contrib,
    x,
    names,
    tech_proba,
    tech_classes,
    refused: bool = False,
    by_parts: bool = False,
) -> Assessment:
    reasons = reasons_in_words(
        a, contrib.tolist(), names, label, lead="parts" if by_parts else None
    )
    probabilities = {lab: round(float(v), 6) for lab, v in zip(LABELS, probs)}
    evasiveness = round(float(probs[1] * 0.5 + probs[2]), 6)
    return Assessment(
        id=p.id,
        label=label,
        evasiveness=min(1.0, max(0.0, evasiveness)),
        probabilities=probabilities,
        technique=_technique(label, a, tech_proba, tech_classes, refused),
        parts=[r.to_dict(a.answer) for r in a.parts],
        cues=[c.to_dict() for c in a.cues if c.technique != "hedge"],
        reasons=reasons,
        sentences=_deciding_sentences(a, label),
        question=p.question,
        answer=p.answer,
    )
