"""The evaluation report behind ``evascore evaluate DATA --report DIR``.

Writes ``metrics.json``, three PNG plots (confusion matrix, reliability diagram, precision-
recall curves) drawn with scikit-learn's Display API, and ``report.md`` tying them together.
matplotlib is an optional extra (``pip install 'evascore[plots]'``); it is imported only here,
only when a report is asked for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evascore.assessment import LABELS
from evascore.errors import EvascoreError

N_BINS = 10
MISSING_MATPLOTLIB = "matplotlib is needed for --report: pip install 'evascore[plots]'"
PLOTS = {
    "confusion": "confusion_matrix.png",
    "calibration": "calibration.png",
    "pr": "precision_recall.png",
}


def calibration_error(outcome, prob, n_bins: int = N_BINS) -> float:
    """Expected calibration error of probabilities ``prob`` for binary ``outcome``.

    The probabilities are put into ``n_bins`` equal-width bins (``(lo, hi]``, as
    :func:`sklearn.calibration.calibration_curve` does; 0 goes to the first bin). The error
    is the mean over bins of ``|share of outcomes - mean probability|``, weighted by the
    share of samples in the bin.

    Examples
    --------
    >>> round(calibration_error([1, 0, 1, 1], [0.8, 0.8, 0.3, 0.3]), 6)
    0.5
    """
    y = np.asarray(outcome, dtype=float).ravel()
    p = np.asarray(prob, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"{y.size} outcomes but {p.size} probabilities")
    if y.size == 0:
        return 0.0
    # The same bins as calibration_curve, so the diagram and the number agree.
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], p)
    total = 0.0
    for b in np.unique(bins):
        m = bins == b
        total += m.sum() * abs(y[m].mean() - p[m].mean())
    return float(total / y.size)


def expected_calibration_error(
    y_true: Sequence[str], proba, labels: Sequence[str] = LABELS, n_bins: int = N_BINS
) -> float:
    """Top-label expected calibration error (ECE) of a probability matrix.

    For each row the confidence is the highest probability and the outcome is whether that
    label is the true one; the ECE is :func:`calibration_error` of those.

    Parameters
    ----------
    y_true : sequence of str
        The true labels.
    proba : array of shape (n, len(labels))
        Predicted probabilities, columns in ``labels`` order.
    labels : sequence of str
        The column labels (default: direct, partial, evasive).
    n_bins : int
        Number of equal-width confidence bins.

    Examples
    --------
    >>> round(expected_calibration_error(["direct", "evasive"],
    ...                                  [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2]]), 6)
    0.4
    """
    proba = np.asarray(proba, dtype=float)
    pred = np.asarray(labels, dtype=object)[np.argmax(proba, axis=1)]
    correct = pred == np.asarray(list(y_true), dtype=object)
    return calibration_error(correct, proba.max(axis=1), n_bins)


def _matplotlib():
    """Import matplotlib for drawing off-screen, or say in one line how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise EvascoreError(MISSING_MATPLOTLIB) from None
    if "matplotlib.pyplot" not in sys.modules:
        # Off-screen rendering; an interactive session that already chose a backend keeps it.
        matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure


def write_report(
    report_dir,
    y_true_labels: Sequence[str],
    proba,
    metrics_dict: dict,
    model_card: dict | None,
    files: Sequence[str],
) -> dict:
    """Write metrics, plots and ``report.md`` for an evaluation into ``report_dir``.

    Parameters
    ----------
    report_dir : str or Path
        Folder to write into (created if missing); existing report files are replaced.
    y_true_labels : sequence of str
        The true label of each row.
    proba : array of shape (n, 3)
        The model's probabilities, columns in ``LABELS`` order (direct, partial, evasive).
    metrics_dict : dict
        :func:`evascore.training.metrics` of the true and predicted labels.
    model_card : dict or None
        The evaluated model's card (summarised in the report).
    files : sequence of str
        The data files evaluated.

    Returns
    -------
    dict
        The metrics written to ``metrics.json``: ``metrics_dict`` plus the top-label ECE
        (``ece``) and each label's one-vs-rest ECE (``ece_one_vs_rest``).

    Raises
    ------
    EvascoreError
        When matplotlib is not installed (before anything is written).
    """
    Figure = _matplotlib()
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay

    y = np.asarray(list(y_true_labels), dtype=object)
    proba = np.asarray(proba, dtype=float)
    if proba.shape != (len(y), len(LABELS)):
        raise EvascoreError(
            f"probabilities have shape {proba.shape}, expected ({len(y)}, {len(LABELS)})"
        )
    top = np.asarray(LABELS, dtype=object)[np.argmax(proba, axis=1)]
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)

    ece = expected_calibration_error(y, proba)
    ovr = {lab: round(calibration_error(y == lab, proba[:, k]), 4) for k, lab in enumerate(LABELS)}
    metrics = {**metrics_dict, "ece": round(ece, 4), "ece_bins": N_BINS, "ece_one_vs_rest": ovr}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", "utf-8")

    fig = Figure(figsize=(5.5, 4.5), layout="constrained")
    ax = fig.subplots()
    # From the metrics, not from argmax(proba): the model's decision rule may differ.
    ConfusionMatrixDisplay(
        np.asarray(metrics["confusion_matrix"]), display_labels=metrics["labels"]
    ).plot(ax=ax, cmap="Blues")
    ax.set_title("Confusion matrix (rows: true label)")
    fig.savefig(out / PLOTS["confusion"], dpi=110)

    fig = Figure(figsize=(11, 4.8), layout="constrained")
    ax_ovr, ax_top = fig.subplots(1, 2)
    for k, lab in enumerate(LABELS):
        CalibrationDisplay.from_predictions(
            (y == lab).astype(int),
            proba[:, k],
            n_bins=N_BINS,
            name=f"{lab} (ECE {ovr[lab]:.3f})",
            ax=ax_ovr,
        )
    ax_ovr.set_title("Each label, one-vs-rest")
    ax_ovr.set_xlabel("Predicted probability of the label")
    ax_ovr.set_ylabel("Share of rows that have the label")
    CalibrationDisplay.from_predictions(
        (top == y).astype(int),
        proba.max(axis=1),
        n_bins=N_BINS,
        name="most probable label",
        ax=ax_top,
    )
    ax_top.set_title(f"Most probable label: top-label ECE {metrics['ece']:.3f} ({N_BINS} bins)")
    ax_top.set_xlabel("Confidence (the highest probability)")
    ax_top.set_ylabel("Share of rows where that label is right")
    fig.savefig(out / PLOTS["calibration"], dpi=110)

    fig = Figure(figsize=(6, 4.8), layout="constrained")
    ax = fig.subplots()
    no_positives = []
    for k, lab in enumerate(LABELS):
        if not (y == lab).any():
            no_positives.append(lab)  # a PR curve needs at least one positive
            continue
        PrecisionRecallDisplay.from_predictions(
            (y == lab).astype(int), proba[:, k], name=lab, ax=ax
        )
    title = "Precision-recall, each label one-vs-rest"
    if no_positives:
        title += f"\n(no rows labelled {', '.join(no_positives)})"
    ax.set_title(title)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    fig.savefig(out / PLOTS["pr"], dpi=110)

    (out / "report.md").write_text(
        _markdown(metrics, model_card or {}, files, no_positives), "utf-8"
    )
    return metrics


def _markdown(m: dict, card: dict, files: Sequence[str], no_positives: list[str]) -> str:
    lines = [
        "# evascore evaluation report",
        "",
        f"{m['n']} labelled rows from: " + ", ".join(f"`{f}`" for f in files),
        "",
        "| metric | value |",
        "|---|---|",
        f"| accuracy | {m['accuracy']:.3f} |",
        f"| macro-F1 | {m['macro_f1']:.3f} |",
        f"| expected calibration error (top label, {m['ece_bins']} bins) | {m['ece']:.3f} |",
        "",
        "| label | precision | recall | F1 | support | ECE one-vs-rest |",
        "|---|---|---|---|---|---|",
    ]
    for lab, r in m["per_class"].items():
        lines.append(
            f"| {lab} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r['support']} | {m['ece_one_vs_rest'][lab]:.3f} |"
        )
    lines += [
        "",
        "## Confusion matrix",
        "",
        "Rows: true label; columns: predicted.",
        "",
        "| true \\ predicted | " + " | ".join(m["labels"]) + " |",
        "|---|" + "---|" * len(m["labels"]),
    ]
    for lab, row in zip(m["labels"], m["confusion_matrix"], strict=True):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    lines += [
        "",
        f"![confusion matrix]({PLOTS['confusion']})",
        "",
        "## Calibration",
        "",
        "Left: for each label, the share of rows that have it against its predicted "
        "probability. Right: how often the most probable label is right against its "
        "probability (the confidence); the expected calibration error (ECE) is the "
        "row-weighted mean gap between the two over the bins. The ECE measures the "
        "probabilities; the predicted labels above come from the model's decision "
        "rule, which need not be the most probable label.",
        "",
        f"![reliability diagram]({PLOTS['calibration']})",
        "",
        "## Precision and recall",
        "",
    ]
    if no_positives:
        lines += [f"No curve for {', '.join(no_positives)}: no row has that label.", ""]
    lines += [f"![precision-recall curves]({PLOTS['pr']})", "", "## Model", ""]
    lines += _card_lines(card) or ["(no model card)"]
    return "\n".join(lines) + "\n"


def _card_lines(card: dict) -> list[str]:
    out = []
    if card.get("created"):
        out.append(f"- created {card['created']}")
    v = card.get("versions") or {}
    if v:
        out.append("- versions: " + ", ".join(f"{k} {val}" for k, val in sorted(v.items())))
    td = card.get("training_data") or {}
    if td:
        bits = [
            f"{td['rows']} rows" if "rows" in td else None,
            "files " + ", ".join(f"`{f}`" for f in td["files"]) if td.get("files") else None,
            f"sha256 {td['sha256'][:16]}…" if td.get("sha256") else None,
        ]
        out.append("- training data: " + "; ".join(b for b in bits if b))
    cv = card.get("cross_validation")
    if cv:
        out.append(
            f"- cross-validated on its training data: macro-F1 {cv['macro_f1']:.3f}, "
            f"accuracy {cv['accuracy']:.3f} ({cv['folds']} folds"
            f"{', grouped' if cv.get('grouped') else ''})"
        )
    if card.get("params"):
        out.append("- parameters: " + ", ".join(f"{k}={val}" for k, val in card["params"].items()))
    if card.get("seed") is not None:
        out.append(f"- seed {card['seed']}")
    if card.get("model_sha256"):
        out.append(f"- model file sha256 {card['model_sha256'][:16]}…")
    return out
