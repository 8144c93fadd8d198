"""Training and evaluation on labelled files (the library side of ``train``/``evaluate``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from evascore.assessment import LABELS, TECHNIQUE_LABEL
from evascore.errors import InputError
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
    from evascore.model import EvasionModel

    data = read_labelled(inputs)
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
