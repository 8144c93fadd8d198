"""Model files you can trust: the card check on load, one-line errors for bad files,
`evascore info`, determinism of training and scoring, and the bound on text length."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import sklearn

import evascore
from evascore import cli
from evascore.errors import ModelError
from evascore.model import train_files
from evascore.persist import (
    DEFAULT_TRAINING,
    card_path,
    default_model_path,
    load_model,
    read_card,
)
from evascore.stream import score_files
from tests.conftest import ROOT

CORPUS = ROOT / "training_data" / "corpus.jsonl"
RETRAIN = "evascore train training_data/real_answers.jsonl training_data/corpus.jsonl"
RETRAIN_ALL = DEFAULT_TRAINING + " -o"
PAIRS = [
    (
        "How many NCA officers are posted to (a) Belgium and (b) Germany?",
        "Four officers are posted to Belgium. We do not disclose other postings.",
    ),
    ("Will the Minister publish the report?", "Yes, in March."),
    ("How much did the programme cost?", "This information is not held centrally."),
]


@pytest.fixture
def model_copy(tmp_path):
    """A copy of the shipped model and its card in tmp_path."""
    src = default_model_path()
    dst = tmp_path / "copy.joblib"
    shutil.copyfile(src, dst)
    shutil.copyfile(card_path(src), card_path(dst))
    return dst


@pytest.fixture
def pairs_file(tmp_path):
    p = tmp_path / "pairs.jsonl"
    p.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "question": q, "answer": a}) + "\n"
            for i, (q, a) in enumerate(PAIRS)
        ),
        "utf-8",
    )
    return p


def _flip_byte(path, offset=None):
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def _run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "evascore", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def _assert_one_line_fatal(returncode, stdout, stderr, *needles):
    assert returncode == 1, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("evascore: error: ")
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _main(capsys, *args):
    """Run the CLI in this process: (exit code, stdout, stderr)."""
    rc = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


# --------------------------------------------------------------------------- the card check


def test_shipped_model_matches_its_card():
    import hashlib

    card = read_card(default_model_path())
    # The file's own digest, computed here, not the card compared with itself (issue 14).
    digest = hashlib.sha256(default_model_path().read_bytes()).hexdigest()
    assert card["model_sha256"] == digest
    assert card["model_bytes"] == default_model_path().stat().st_size
    model = evascore.load_model()
    assert list(model.feature_names_) == card["feature_names"]
    assert card["versions"]["scikit-learn"].split(".")[:2] == sklearn.__version__.split(".")[:2]
    assert "run code" in card["warning"]


@pytest.mark.parametrize(
    "damage", ["flip_middle", "flip_first", "flip_last", "truncate", "empty", "append"]
)
def test_changed_model_file_is_refused_on_load(model_copy, damage):
    data = model_copy.read_bytes()
    if damage.startswith("flip"):
        _flip_byte(
            model_copy, {"flip_middle": None, "flip_first": 0, "flip_last": len(data) - 1}[damage]
        )
    elif damage == "truncate":
        model_copy.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        model_copy.write_bytes(b"")
    else:
        model_copy.write_bytes(data + b"\0")
    with pytest.raises(ModelError, match=r"sha256 .* does not match its card") as exc:
        load_model(model_copy)
    msg = str(exc.value)
    assert "\n" not in msg and RETRAIN in msg and str(model_copy) in msg


def test_default_model_is_checked_too(model_copy, monkeypatch):
    """load_model() with no path (the shipped model, or $EVASCORE_MODEL) runs the check."""
    _flip_byte(model_copy)
    monkeypatch.setenv("EVASCORE_MODEL", str(model_copy))
    with pytest.raises(ModelError, match="does not match its card"):
        evascore.load_model()


def test_cli_score_with_a_tampered_model_is_one_line_and_exit_1(model_copy, pairs_file):
    _flip_byte(model_copy)
    proc = _run_cli("score", "--model", model_copy, pairs_file)  # a real process: no traceback
    _assert_one_line_fatal(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        "does not match its card",
        RETRAIN,
        str(model_copy),
    )


def test_cli_with_a_truncated_model_is_one_line_and_exit_1(model_copy, pairs_file, capsys):
    model_copy.write_bytes(model_copy.read_bytes()[:1000])
    for command in ("score", "explain", "evaluate"):
        _assert_one_line_fatal(
            *_main(capsys, command, "--model", model_copy, pairs_file),
            "does not match its card",
            RETRAIN,
        )


def test_bad_pickle_with_a_matching_card_is_one_line_and_exit_1(model_copy, pairs_file, capsys):
    """Even when the card was rewritten to match, an unreadable file is one line, not a
    traceback from inside the unpickler."""
    model_copy.write_bytes(model_copy.read_bytes()[:5000])
    card = read_card(model_copy)
    import hashlib

    card["model_sha256"] = hashlib.sha256(model_copy.read_bytes()).hexdigest()
    card_path(model_copy).write_text(json.dumps(card), "utf-8")
    with pytest.raises(ModelError, match="cannot be loaded"):
        load_model(model_copy)
    _assert_one_line_fatal(
        *_main(capsys, "score", "--model", model_copy, pairs_file), "cannot be loaded", RETRAIN
    )


@pytest.mark.parametrize(
    "card_text,needle",
    [
        (None, "no model card"),
        ("{not json", "unreadable model card"),
        ("[1, 2, 3]", "not a model card"),
        ('"a string"', "not a model card"),
        ("{}", "not an evascore model card"),
        ('{"format": "evascore-model/1", "versions": "1.9"}', "does not match its card"),
    ],
)
def test_missing_or_broken_card_is_a_clear_error(model_copy, card_text, needle):
    cp = card_path(model_copy)
    if card_text is None:
        cp.unlink()
    else:
        cp.write_text(card_text, "utf-8")
    with pytest.raises(ModelError, match=needle):
        load_model(model_copy)
    assert cli.main(["info", str(model_copy)]) == 1


def _rewrite_card(path, **changes):
    card = read_card(path)
    for key, value in changes.items():
        if key == "sklearn":
            card["versions"]["scikit-learn"] = value
        else:
            card[key] = value
    card_path(path).write_text(json.dumps(card), "utf-8")


def _other_minor() -> str:
    major, minor = (int(x) for x in sklearn.__version__.split(".")[:2])
    return f"{major}.{minor - 1 if minor else minor + 1}.2"


def test_other_sklearn_minor_names_both_versions_and_the_retrain_command(
    model_copy, pairs_file, capsys
):
    other = _other_minor()
    _rewrite_card(model_copy, sklearn=other)
    with pytest.raises(ModelError) as exc:
        load_model(model_copy)
    msg = str(exc.value)
    assert f"scikit-learn {other}" in msg and f"scikit-learn {sklearn.__version__}" in msg
    assert f"{RETRAIN_ALL} {model_copy}" in msg
    _assert_one_line_fatal(
        *_main(capsys, "score", "--model", model_copy, pairs_file),
        other,
        sklearn.__version__,
        RETRAIN,
    )


def test_other_sklearn_patch_release_loads_with_a_warning(model_copy):
    major, minor = sklearn.__version__.split(".")[:2]
    _rewrite_card(model_copy, sklearn=f"{major}.{minor}.999")
    from evascore.persist import VersionWarning

    with pytest.warns(VersionWarning, match=r"\.999"):
        m = load_model(model_copy)
    assert m.score(*PAIRS[1]).label in evascore.LABELS


def test_other_labels_or_features_are_refused(model_copy):
    _rewrite_card(model_copy, labels=["yes", "no"])
    with pytest.raises(ModelError, match="labels"):
        load_model(model_copy)
    _rewrite_card(model_copy, labels=list(evascore.LABELS), feature_names=["a", "b"])
    with pytest.raises(ModelError, match="different feature set"):
        load_model(model_copy)


# --------------------------------------------------------------------------- evascore info


def test_info_prints_the_card(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == read_card(default_model_path())


def test_info_prints_a_given_models_card_without_unpickling_it(model_copy, capsys, monkeypatch):
    import joblib

    def no_load(*a, **k):
        raise AssertionError("info must not unpickle the model")

    monkeypatch.setattr(joblib, "load", no_load)
    assert cli.main(["info", str(model_copy)]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["model_sha256"] == read_card(model_copy)["model_sha256"]
    assert set(card) >= {
        "versions",
        "labels",
        "feature_names",
        "training_data",
        "cross_validation",
        "seed",
        "created",
        "warning",
    }


def test_info_on_a_tampered_model_prints_the_card_then_fails(model_copy, capsys):
    _flip_byte(model_copy)
    assert cli.main(["info", str(model_copy)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["model_sha256"]
    assert captured.err.count("\n") == 1 and "does not match its card" in captured.err


# --------------------------------------------------------------------------- determinism


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent")
    lines = CORPUS.read_text("utf-8").splitlines()
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(lines[::4][:300]) + "\n", "utf-8")
    return path


@pytest.mark.slow
def test_training_twice_with_the_same_seed_gives_identical_predictions(small_corpus, tmp_path):
    rows = [json.loads(x) for x in small_corpus.read_text("utf-8").splitlines()]
    assert len(rows) == 300
    probe = [(r["question"], r["answer"]) for r in rows[:60]] + PAIRS
    m1 = train_files([str(small_corpus)], seed=7, cv=0)
    m2 = train_files([str(small_corpus)], seed=7, cv=0)
    np.testing.assert_array_equal(m1.predict_proba(probe), m2.predict_proba(probe))
    assert m1.data_sha256_ == m2.data_sha256_
    # ... and the saved model round-trips to identical probabilities.
    card = m1.save(tmp_path / "m1.joblib")
    assert card["seed"] == 7 and card["training_data"]["rows"] == 300
    again = load_model(tmp_path / "m1.joblib")
    np.testing.assert_array_equal(m1.predict_proba(probe), again.predict_proba(probe))
    assert [a.to_dict() for a in m1.score_many(probe)] == [
        a.to_dict() for a in again.score_many(probe)
    ]


def test_scoring_in_another_process_gives_identical_bytes(model, pairs_file, tmp_path):
    # Not the same input scored twice in one process (caches would hide a difference,
    # issue 14): once here, once in a fresh interpreter with another hash seed.
    import os
    import subprocess
    import sys

    for fmt in ("jsonl", "csv"):
        here, there = tmp_path / f"here.{fmt}", tmp_path / f"there.{fmt}"
        score_files([str(pairs_file)], output=str(here), model=model, progress=False)
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        subprocess.run(
            [sys.executable, "-m", "evascore", "score", str(pairs_file), "-o", str(there)],
            check=True,
            capture_output=True,
            env=env,
        )
        assert here.read_bytes() == there.read_bytes()
        assert len(here.read_bytes().splitlines()) >= len(PAIRS)


def test_scoring_is_independent_of_batching_and_order_of_calls(model):
    one = [model.score(q, a).to_dict() for q, a in PAIRS]
    many = [a.to_dict() for a in model.score_many(PAIRS, batch_size=2)]
    assert one == many
    assert [model.score(q, a).to_dict() for q, a in reversed(PAIRS)] == one[::-1]


# --------------------------------------------------------------------------- bounds

TEN_MB = 10 * 1024 * 1024


def _big_answer():
    sentence = "The Department keeps the number of officers under review. "
    return (sentence * (TEN_MB // len(sentence) + 1))[:TEN_MB]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt"])
def test_ten_megabyte_answer_is_refused_by_max_chars(tmp_path, suffix, capsys):
    q = "How many officers work on the review?"
    big = _big_answer()
    path = tmp_path / f"big{suffix}"
    if suffix == ".jsonl":
        path.write_text(
            json.dumps({"id": "big", "question": q, "answer": big})
            + "\n"
            + json.dumps({"id": "small", "question": q, "answer": "Twelve."})
            + "\n",
            "utf-8",
        )
    elif suffix == ".csv":
        path.write_text(f'id,question,answer\nbig,{q},"{big}"\nsmall,{q},Twelve.\n', "utf-8")
    else:  # a question page, as in seeds/
        path.write_text(
            f"Officers\nQuestion to the Home Office:\nTo ask the Secretary of State "
            f"for the Home Department, {q}\nAnswered by\nA Minister\nThis question "
            f"was answered on 1 May 2025.\n{big}\n",
            "utf-8",
        )
    out = tmp_path / "out.jsonl"
    rc = cli.main(["score", str(path), "-o", str(out)])
    assert rc == cli.EXIT_ROW_ERRORS
    recs = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    big_rec = recs[0]
    assert big_rec["label"] is None
    msg = big_rec["error"]["message"]
    assert "'answer'" in msg and "--max-chars 100,000" in msg and "--truncate" in msg
    assert f"{TEN_MB:,}" in msg or suffix == ".txt"  # a page's answer is measured cleaned
    if suffix != ".txt":
        assert recs[1]["label"] in evascore.LABELS  # the next row is still scored
    assert "1 errors" in capsys.readouterr().err


def test_ten_megabyte_answer_truncated_on_request(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(
        json.dumps({"question": "How many officers?", "answer": _big_answer()}) + "\n", "utf-8"
    )
    out = tmp_path / "out.jsonl"
    assert cli.main(["score", str(path), "-o", str(out), "--max-chars", "2000", "--truncate"]) == 0
    (rec,) = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert rec["truncated"] is True and rec["label"] in evascore.LABELS
