"""``evascore evaluate --report``: metrics.json against hand counts, the plots, the ECE."""

from __future__ import annotations

import json
import struct
import sys

import numpy as np
import pytest

from evascore.cli import main
from evascore.evaluation_report import (
    MISSING_MATPLOTLIB,
    calibration_error,
    expected_calibration_error,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNGS = ("confusion_matrix.png", "calibration.png", "precision_recall.png")

# A tiny hand-made labelled set, and the probabilities a stand-in model gives each answer.
# true label, question, answer, (P(direct), P(partial), P(evasive))
TINY = [
    (
        "direct",
        "How many nurses work at the hospital?",
        "There are 412 nurses.",
        (0.85, 0.10, 0.05),
    ),
    ("direct", "When will the bridge reopen?", "The bridge reopens on 3 May.", (0.65, 0.25, 0.10)),
    (
        "direct",
        "Will the Minister publish the review?",
        "Yes, the review is published today.",
        (0.30, 0.55, 0.15),
    ),
    (
        "partial",
        "How much did the scheme cost in 2023?",
        "The scheme was good value for money.",
        (0.15, 0.75, 0.10),
    ),
    (
        "partial",
        "Which schools will close?",
        "Several schools in the north are under review.",
        (0.10, 0.35, 0.55),
    ),
    (
        "partial",
        "Why was the contract cancelled?",
        "Contracts are kept under regular review.",
        (0.10, 0.65, 0.25),
    ),
    (
        "evasive",
        "How many staff are posted to Belgium?",
        "We do not disclose staff locations.",
        (0.05, 0.10, 0.85),
    ),
    (
        "evasive",
        "What was the cost of the report?",
        "That information is not held centrally.",
        (0.45, 0.25, 0.30),
    ),
]
# By hand: predictions are the largest probability of each row.
#   true direct : direct, direct, partial        -> row [2, 1, 0]
#   true partial: partial, evasive, partial      -> row [0, 2, 1]
#   true evasive: evasive, direct                -> row [1, 0, 1]
# accuracy 5/8; F1 direct 2/3 (P 2/3, R 2/3), partial 2/3, evasive 1/2; macro-F1 11/18.
# Top-label ECE, 10 bins: confidences .85 .65 .55x .75 .55x .65 .85 .45x (x = wrong):
#   (.8,.9]: 2 right, gap .15; (.6,.7]: 2 right, gap .35; (.5,.6]: 2 wrong, gap .55;
#   (.7,.8]: 1 right, gap .25; (.4,.5]: 1 wrong, gap .45
#   ECE = (2*.15 + 2*.35 + 2*.55 + .25 + .45) / 8 = 2.8 / 8 = 0.35
HAND_CM = [[2, 1, 0], [0, 2, 1], [1, 0, 1]]
HAND_ACCURACY = 5 / 8
HAND_MACRO_F1 = 11 / 18
HAND_ECE = 0.35


class StandInModel:
    """Gives each answer of TINY its fixed probabilities (so the metrics are known by hand)."""

    card_ = {
        "created": "2026-01-01T00:00:00+00:00",
        "versions": {"evascore": "test"},
        "training_data": {"rows": 12, "sha256": "ab" * 32},
        "cross_validation": {"macro_f1": 0.5, "accuracy": 0.6, "folds": 5, "grouped": True},
    }

    def predict_proba(self, pairs):
        by_answer = {a: p for _, _, a, p in TINY}
        return np.array([by_answer[p.answer] for p in pairs])

    def predict(self, pairs):
        return np.array(["direct", "partial", "evasive"])[self.predict_proba(pairs).argmax(1)]


def _write_tiny(path, rows=TINY):
    with open(path, "w", encoding="utf-8") as fh:
        for lab, q, a, _ in rows:
            fh.write(json.dumps({"question": q, "answer": a, "label": lab}) + "\n")
    return path


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr("evascore.persist.load_model", lambda path=None: StandInModel())


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert width > 100 and height > 100
    assert len(data) > 5000  # a drawn figure, not an empty canvas


def test_report_metrics_match_hand_computation(tmp_path, stand_in, capsys):
    data = _write_tiny(tmp_path / "tiny.jsonl")
    out = tmp_path / "rep" / "nested"
    assert main(["evaluate", str(data), "--report", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    assert m["n"] == 8
    assert m["labels"] == ["direct", "partial", "evasive"]
    assert m["confusion_matrix"] == HAND_CM
    assert m["accuracy"] == pytest.approx(HAND_ACCURACY, abs=1e-4)
    assert m["macro_f1"] == pytest.approx(HAND_MACRO_F1, abs=1e-4)
    assert m["per_class"]["evasive"]["f1"] == pytest.approx(0.5, abs=1e-4)
    assert m["per_class"]["direct"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["ece"] == pytest.approx(HAND_ECE, abs=1e-4)
    assert m["ece_bins"] == 10
    assert set(m["ece_one_vs_rest"]) == {"direct", "partial", "evasive"}
    for name in PNGS:
        _assert_png(out / name)
    md = (out / "report.md").read_text("utf-8")
    for name in PNGS:
        assert f"]({name})" in md
    assert "| accuracy | 0.625 |" in md
    assert "| macro-F1 | 0.611 |" in md
    assert "| evasive | 1 | 0 | 1 |" in md  # confusion-matrix row
    assert str(data) in md and "12 rows" in md and "macro-F1 0.500" in md
    assert "report.md" in capsys.readouterr().err


def test_report_with_the_shipped_model(tmp_path, model):
    """The real path: metrics.json agrees with counting the shipped model's own predictions."""
    data = _write_tiny(tmp_path / "tiny.jsonl")
    out = tmp_path / "rep"
    assert main(["evaluate", str(data), "--report", str(out), "--json"]) == 0
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    pred = list(model.predict([(q, a) for _, q, a, _ in TINY]))
    true = [lab for lab, *_ in TINY]
    labels = ["direct", "partial", "evasive"]
    pairs = list(zip(true, pred, strict=True))
    cm = [[sum(t == a and p == b for t, p in pairs) for b in labels] for a in labels]
    assert m["confusion_matrix"] == cm
    assert m["accuracy"] == pytest.approx(sum(t == p for t, p in pairs) / 8, abs=1e-4)
    assert 0.0 <= m["ece"] <= 1.0
    for name in PNGS:
        _assert_png(out / name)


def test_report_when_a_label_is_absent(tmp_path, stand_in):
    """No evasive rows: no PR curve for it, said in the report, and nothing crashes."""
    data = _write_tiny(tmp_path / "tiny.jsonl", [r for r in TINY if r[0] != "evasive"])
    out = tmp_path / "rep"
    assert main(["evaluate", str(data), "--report", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    assert m["per_class"]["evasive"]["support"] == 0
    assert m["confusion_matrix"][2] == [0, 0, 0]
    assert "No curve for evasive" in (out / "report.md").read_text("utf-8")
    for name in PNGS:
        _assert_png(out / name)


def test_missing_matplotlib_is_a_one_line_error(tmp_path, stand_in, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    data = _write_tiny(tmp_path / "tiny.jsonl")
    out = tmp_path / "rep"
    assert main(["evaluate", str(data), "--report", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == f"evascore: error: {MISSING_MATPLOTLIB}\n"
    assert MISSING_MATPLOTLIB == (
        "matplotlib is needed for --report: pip install 'evascore[plots]'"
    )
    assert not out.exists()


def test_calibration_error_by_hand():
    # bins (.7,.8]: outcomes 1,0 mean .5 vs prob .8 -> gap .3 over 2 rows;
    #      (.2,.3]: outcomes 1,1 mean 1 vs prob .3 -> gap .7 over 2 rows -> (0.6 + 1.4) / 4
    assert calibration_error([1, 0, 1, 1], [0.8, 0.8, 0.3, 0.3]) == pytest.approx(0.5)
    # perfectly calibrated within each bin
    assert calibration_error([1, 0, 0, 0, 1, 1, 1, 0], [0.25] * 4 + [0.75] * 4) == pytest.approx(
        0.0
    )
    # the end points land in the first and last bins
    assert calibration_error([0, 1], [0.0, 1.0]) == pytest.approx(0.0)
    assert calibration_error([1, 0], [0.0, 1.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="outcomes"):
        calibration_error([1, 0], [0.5])


def test_expected_calibration_error_by_hand():
    y = [lab for lab, *_ in TINY]
    proba = [p for *_, p in TINY]
    assert expected_calibration_error(y, proba) == pytest.approx(HAND_ECE)
    # with one bin, ECE is |accuracy - mean confidence|: 5/8 vs 5.3/8
    assert expected_calibration_error(y, proba, n_bins=1) == pytest.approx(0.3 / 8)
