"""Training: labelled files in, and the orchestration of a fit.

:func:`read_labelled` reads labelled files; :func:`cross_validate` runs the grouped,
stratified cross-validation behind a model card's figures and the offsets;
:func:`tune_offsets` / :func:`offsets_for` choose the class offsets; :func:`technique_head`
fits the technique head; :func:`data_hash` fingerprints the training data; :func:`metrics`
and :func:`evaluate_labelled` measure a model on labelled data. The model
(:class:`evascore.model.EvasionModel`) calls these from its ``fit``;
:func:`evascore.model.train_files` trains from files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from evascore.errors import InputError
from evascore.labels import LABELS, TECHNIQUE_LABEL, TECHNIQUES
from evascore.pairs import expand_inputs, read_inputs
from evascore.persist import sha256_file


@dataclass
class Labelled:
    """Labelled pairs read from files: parallel lists."""

    pairs: list
    labels: list
    techniques: list | None
    groups: list
    files: list
    sha256: str


def read_labelled(inputs, label_field: str = "label") -> Labelled:
    """Read rows with ``question``, ``answer`` and ``label`` (optional ``technique``, ``group``).

    Any bad row stops the read with an :class:`InputError` naming file, line and field.
    ``technique`` is all or nothing: a row without one among rows that have one is an error
    (it would silently turn off the technique head). ``group`` defaults to the question text,
    so rows sharing a question share a fold.
    """
    files = expand_inputs(inputs)
    pairs, labels, techniques, groups = [], [], [], []
    have_tech = False
    first_without: tuple[str, int] | None = None  # (file, line) of the first row without one
    h = hashlib.sha256()
    for f in files:
        if f != "-":
            sha256_file(f, h)
    for row in read_inputs(files, max_chars=None):
        if row.error_type:
            raise InputError(row.error_message, file=row.file, line=row.line)
        meta = row.pair.metadata
        lab = meta.get(label_field)
        if lab not in LABELS:
            raise InputError(
                f"label {lab!r} is not one of {', '.join(LABELS)}",
                file=row.file,
                line=row.line,
                field=label_field,
            )
        tech = meta.get("technique")
        if tech in (None, ""):
            first_without = first_without or (row.file, row.line)
        elif tech not in TECHNIQUE_LABEL:
            raise InputError(
                f"technique {tech!r} is not one of {', '.join(TECHNIQUE_LABEL)}",
                file=row.file,
                line=row.line,
                field="technique",
            )
        elif TECHNIQUE_LABEL[tech] != lab:
            raise InputError(
                f"technique {tech!r} implies label {TECHNIQUE_LABEL[tech]!r}, row says {lab!r}",
                file=row.file,
                line=row.line,
                field="technique",
            )
        else:
            have_tech = True
        pairs.append(row.pair)
        labels.append(lab)
        techniques.append(tech)
        groups.append(str(meta.get("group") or row.pair.question))
    if not pairs:
        raise InputError("no labelled rows found", file=", ".join(files))
    if have_tech and first_without is not None:
        raise InputError(
            "missing, but other rows have a technique: give every row one, or none",
            file=first_without[0],
            line=first_without[1],
            field="technique",
        )
    return Labelled(pairs, labels, techniques if have_tech else None, groups, files, h.hexdigest())


def metrics(y_true, y_pred) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix."""
    y_true, y_pred = list(y_true), list(y_pred)
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=list(LABELS), zero_division=0
    )
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(
            float(f1_score(y_true, y_pred, labels=list(LABELS), average="macro", zero_division=0)),
            4,
        ),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(LABELS)
        },
        "labels": list(LABELS),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=list(LABELS)).tolist(),
    }


def evaluate_labelled(model, data: Labelled) -> tuple[dict, np.ndarray]:
    """Metrics of ``model`` on labelled data, and the probability matrix (LABELS order)."""
    proba = model.predict_proba(data.pairs)
    pred = [LABELS[i] for i in np.argmax(proba, axis=1)]  # what model.predict returns
    return metrics(data.labels, pred), proba


# ---------------------------------------------------------------------- the orchestration of a fit


def cross_validate(fit_fold, qa, y, groups, cv: int, seed: int) -> tuple[dict, np.ndarray]:
    """Out-of-fold probabilities and the card's figures.

    ``fit_fold(qa, y, groups)`` fits on one fold's rows and returns a function from other rows
    to probabilities (``LABELS`` order). Folds are stratified, and grouped when ``groups`` is
    given (rows of a group stay in one fold); at most as many as the rarest label has rows.
    """
    n_min = min(np.unique(y, return_counts=True)[1])
    k = max(2, min(cv, n_min))
    if groups is not None:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        splits = splitter.split(qa, y, groups)
    else:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        splits = splitter.split(qa, y)
    pred = np.empty(len(y), dtype=object)
    oof = np.zeros((len(y), len(LABELS)))
    g = None if groups is None else np.asarray(groups, dtype=object)
    for tr, te in splits:
        score = fit_fold([qa[i] for i in tr], y[tr], None if g is None else g[tr])
        oof[te] = score([qa[i] for i in te])
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


def offsets_for(cv: dict, oof: np.ndarray, y) -> np.ndarray:
    """The offsets tuned on the out-of-fold probabilities; ``cv`` (the card's figures) gains
    them and the macro-F1 after them, which is optimistic (tuned on the same predictions)."""
    offsets = tune_offsets(oof, y)
    pred = np.asarray(LABELS, dtype=object)[np.argmax(np.log(oof + 1e-12) + offsets, axis=1)]
    cv["offsets"] = [round(float(v), 2) for v in offsets]
    cv["macro_f1_after_offsets_in_sample"] = round(float(f1_score(y, pred, average="macro")), 4)
    return offsets


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
            f1 = macro_f1(idx, np.argmax(logp + off, axis=1))
            if f1 > best_f1 + 1e-12 or (
                abs(f1 - best_f1) <= 1e-12 and np.abs(off).sum() < np.abs(best).sum()
            ):
                best, best_f1 = off, f1
    return best + 0.0  # no -0.0 in cards


def macro_f1(true: np.ndarray, pred: np.ndarray, k: int = len(LABELS)) -> float:
    cm = np.bincount(true * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    return float(np.mean(np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)))


def technique_head(techniques, Z: np.ndarray, C: float) -> LogisticRegression:
    """The technique head on the label head's standardised columns ``Z``.

    Unweighted: the technique's prior matters (most partial answers are "general"; balanced
    weights sent them to rare techniques). Among the labelled real answers' train months this
    took the technique, where the label was right, from 69% to 77%.
    """
    t = np.asarray(techniques, dtype=object)
    bad = sorted({str(v) for v in t if v not in TECHNIQUE_LABEL})
    if bad:
        raise InputError(
            f"unknown technique(s) {', '.join(bad)}; expected one of {', '.join(TECHNIQUES)}",
            field="technique",
        )
    return LogisticRegression(C=C, max_iter=3000).fit(Z, t)


def data_hash(qa, y, techniques) -> str:
    h = hashlib.sha256()
    for i, (q, a) in enumerate(qa):
        t = None if techniques is None else techniques[i]
        h.update(json.dumps([q, a, y[i], t], ensure_ascii=False).encode("utf-8", "replace"))
        h.update(b"\n")
    return h.hexdigest()
