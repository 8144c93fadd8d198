"""Reading labelled files for training and evaluation."""

from __future__ import annotations

import json

import pytest

from evascore.errors import InputError
from evascore.training import read_labelled

ROW = {
    "question": "How many officers are posted to Belgium?",
    "answer": "Twelve officers are posted to Belgium.",
    "label": "direct",
    "technique": "explicit",
}


def test_training_row_without_a_technique_among_rows_with_one_is_an_error(tmp_path):
    src = tmp_path / "train.jsonl"
    rows = [ROW, {k: v for k, v in ROW.items() if k != "technique"}, ROW]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    with pytest.raises(InputError) as exc:
        read_labelled([str(src)])
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(src), 2, "technique")
    assert str(exc.value).startswith(f"{src}:2: field 'technique': missing")


def test_training_rows_all_without_a_technique_train_no_technique_head(tmp_path):
    src = tmp_path / "train.jsonl"
    row = {k: v for k, v in ROW.items() if k != "technique"}
    src.write_text((json.dumps(row) + "\n") * 2, "utf-8")
    data = read_labelled([str(src)])
    assert data.techniques is None and data.labels == ["direct", "direct"]
