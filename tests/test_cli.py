"""The installed command line: entry point, `python -m`, stdin, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

import evascore
from evascore.cli import main

GOOD = json.dumps(
    {
        "id": "g",
        "question": "How many officers are posted to Belgium?",
        "answer": "Twelve officers are posted to Belgium.",
    }
)


def test_python_m_evascore_version_and_console_script():
    r = subprocess.run(
        [sys.executable, "-m", "evascore", "--version"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"evascore {evascore.__version__}"
    # The wheel really installs the `evascore` command (skops once shipped a CLI it did not).
    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "evascore"]
    assert ep.value == "evascore.cli:main"
    assert ep.load() is main


def test_stdin_to_stdout_in_a_subprocess():
    data = GOOD + "\n" + "[1, 2]\n" + GOOD.replace('"g"', '"h"') + "\n"
    r = subprocess.run(
        [sys.executable, "-m", "evascore", "score", "-"],
        input=data,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 3
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["id"], x["source"]["file"], x["source"]["line"]) for x in rows] == [
        ("g", "-", 1),
        (None, "-", 2),
        ("h", "-", 3),
    ]
    assert rows[1]["error"]["type"] == "InputError"
    # Messages go to stderr, ending with the summary line; no bar (not a TTY). A library
    # version warning may come first on a machine with other patch releases.
    assert "\r" not in r.stderr
    assert re.fullmatch(
        r"evascore: 3 rows, 2 scored, 1 errors, \S+ s, \S+ rows/s", r.stderr.splitlines()[-1]
    )


def test_exit_0_when_every_row_is_scored(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(GOOD + "\n", "utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.jsonl")]) == 0
    assert capsys.readouterr().out == ""  # with -o, nothing on stdout


def test_exit_3_when_some_rows_failed(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(GOOD + '\n{"question": "Why?"}\n', "utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.jsonl")]) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["score", "{tmp}/missing.jsonl"], "no such file or directory"),
        (["score", "-", "-o", "{tmp}/out.jsonl", "--resume"], "cannot be used with standard input"),
        (["score", "{tmp}/in.jsonl", "--model", "{tmp}/none.joblib"], "none.joblib"),
    ],
)
def test_exit_1_with_a_one_line_message(tmp_path, capsys, args, message):
    (tmp_path / "in.jsonl").write_text(GOOD + "\n", "utf-8")
    assert main([a.format(tmp=tmp_path) for a in args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("evascore: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_exit_2_on_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["score", "x.jsonl", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
        (["--batch-size", "-5"], "argument --batch-size: must be at least 1, got -5"),
        (["--n-jobs", "0"], "argument --n-jobs: must not be 0"),
        (["--max-chars", "0"], "argument --max-chars: must be at least 1, got 0"),
    ],
)
def test_batch_size_0_and_n_jobs_0_are_usage_errors(tmp_path, capsys, args, message):
    (tmp_path / "in.jsonl").write_text(GOOD + "\n", "utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["score", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("via_link", [False, True])
def test_output_naming_an_input_file_is_a_usage_error(tmp_path, capsys, via_link):
    src = tmp_path / "in.jsonl"
    src.write_text(GOOD + "\n", "utf-8")
    out = src
    if via_link:
        out = tmp_path / "link.jsonl"
        out.symlink_to(src)
    with pytest.raises(SystemExit) as exc:
        main(["score", str(src), "-o", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"is the input file {src}" in err and "Traceback" not in err
    assert src.read_text("utf-8") == GOOD + "\n"  # the input is left as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.jsonl"] + (["link.jsonl"] if via_link else [])
    )


def test_broken_pipe_is_quiet(tmp_path):
    """`evascore score big.jsonl | head -1`: no traceback, exit 141 (128 + SIGPIPE)."""
    import subprocess
    import sys

    data = tmp_path / "many.jsonl"
    row = json.dumps({"question": "How many staff?", "answer": "There are 12 staff."})
    data.write_text("\n".join([row] * 3000) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "evascore", "score", str(data), "--batch-size", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert json.loads(first)["label"] in ("direct", "partial", "evasive")
    assert "Traceback" not in err and "Broken pipe" not in err


def test_score_many_dataframe_without_ids_uses_content_hashes(model):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "question": ["How many?", "When?"],
            "answer": ["Twelve.", "In May."],
            "id": [float("nan"), None],
        }
    )
    ids = [a.id for a in model.score_many(df)]
    assert all(i.startswith("qa-") for i in ids) and len(set(ids)) == 2


def test_explain_reports_a_model_failure_on_a_row_and_goes_on(tmp_path, model, monkeypatch, capsys):
    """A model that raises on one row: that row is reported in one line (no traceback), the
    others are explained, and the exit status counts it as a row error."""
    import evascore.persist

    scorer = model.scorer_

    class FailsOnSecond:
        def __init__(self):
            self.calls = 0

        def assess(self, pairs):
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("the weights are missing\nsecond line")
            return scorer.assess(pairs)

    monkeypatch.setattr(evascore.persist, "load_scorer", lambda path=None: FailsOnSecond())
    monkeypatch.delenv("EVASCORE_DEBUG", raising=False)
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([GOOD, GOOD.replace('"g"', '"h"'), GOOD]) + "\n", "utf-8")
    assert main(["explain", str(src)]) == 3  # EXIT_ROW_ERRORS
    out = capsys.readouterr().out
    assert (
        f"{src}:2: cannot be scored: the model failed: RuntimeError: the weights are missing" in out
    )
    assert "second line" not in out and "Traceback" not in out
    assert out.count("Source: ") == 2
    monkeypatch.setenv("EVASCORE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["explain", str(src)])
