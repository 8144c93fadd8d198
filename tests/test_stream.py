"""Streaming batch scoring: conservation, atomic output, resume, parallel, formats, progress."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evascore.cli import main
from evascore.stream import CSV_COLUMNS, score_files

GOOD = {"question": "How many officers are posted to Belgium?",
        "answer": "Twelve officers are posted to Belgium."}
GOOD_LINE = json.dumps(GOOD).encode("utf-8")

# Words of our own for synthetic answers of a realistic length.
WORDS = ("the department keeps this matter under review and will set out further detail in "
         "due course while officers continue to work closely with partners across regions "
         "on funding staffing training and the wider programme of support for local "
         "services which remains a priority").split()


def synthetic(path: Path, n: int, words: int = 60) -> Path:
    """n valid rows, with a few bad ones sprinkled in, as JSONL."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 97 == 13:
                fh.write(f'{{"id": "bad{i}", "question": 1}}\n')
                continue
            answer = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(words))
            fh.write(json.dumps({"id": f"r{i}", "question": f"How many officers were posted "
                                 f"to region {i % 11} in {2000 + i % 20}?",
                                 "answer": answer.capitalize() + f". The figure is {i}."})
                     + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    data.decode("utf-8")  # the output is valid UTF-8
    return [json.loads(line) for line in data.split(b"\n") if line]


def score_to(tmp_path, lines: list[bytes], name="in.jsonl", **kw) -> tuple[list[dict], int]:
    """Write ``lines`` as a file, run the CLI with -o, return the output rows and exit code."""
    src = tmp_path / name
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    args = ["score", str(src), "-o", str(out)]
    for k, v in kw.items():
        flag = "--" + k.replace("_", "-")
        args += [flag] if v is True else [flag, str(v)]
    code = main(args)
    return read_jsonl(out), code


# ---------------------------------------------------------------------- conservation

BAD_CASES = [
    # name, middle line, error type (None: must be scored), part of the message
    ("invalid_json", b'{"question": "Why?", "answer": ', "JSONDecodeError", "invalid JSON"),
    ("not_an_object_list", b'["Why?", "Because."]', "InputError", "expected a JSON object"),
    ("not_an_object_string", b'"Why? Because."', "InputError", "got str"),
    ("not_an_object_null", b"null", "InputError", "got NoneType"),
    ("missing_question", b'{"answer": "Because."}', "InputError", "missing field 'question'"),
    ("missing_answer", b'{"question": "Why?"}', "InputError", "missing field 'answer'"),
    ("null_question", b'{"question": null, "answer": "So."}', "InputError", "is null"),
    ("null_answer", b'{"question": "Why?", "answer": null}', "InputError", "is null"),
    ("empty_question", b'{"question": "", "answer": "So."}', "InputError", "is empty"),
    ("blank_answer", b'{"question": "Why?", "answer": " \\n\\t "}', "InputError", "is empty"),
    ("html_only_answer", b'{"question": "Why?", "answer": "<p></p>"}', "InputError",
     "is empty"),
    ("number_question", b'{"question": 7, "answer": "So."}', "InputError", "got int"),
    ("list_answer", b'{"question": "Why?", "answer": ["a"]}', "InputError", "got list"),
    ("object_answer", b'{"question": "Why?", "answer": {"t": "a"}}', "InputError",
     "got dict"),
    ("cp1252_apostrophe", b'{"question": "Why?", "answer": "It\x92s late."}', "EncodingError",
     "0x92"),
    ("lone_surrogate", b'{"id": "x\\ud800", "question": "Why \\ud800?", '
                       b'"answer": "Because \\udfff it is."}', None, None),
    ("u2028_in_text", json.dumps({"question": "Why?", "answer": "Because.\u2028It is late."},
                                 ensure_ascii=False).encode("utf-8"), None, None),
    ("html", b'{"question": "<p>Why?</p>", "answer": "<p>It&rsquo;s late.</p>"}', None, None),
]


@pytest.mark.parametrize("name, line, etype, message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_every_row_gives_one_output_row(tmp_path, name, line, etype, message):
    first = json.dumps({"id": "first", **GOOD}).encode()
    last = json.dumps({"id": "last", **GOOD}).encode()
    rows, code = score_to(tmp_path, [first, b"", line, last])  # a blank line 2: not a record
    assert [r["source"]["line"] for r in rows] == [1, 3, 4]
    assert {r["source"]["file"] for r in rows} == {str(tmp_path / "in.jsonl")}
    assert rows[0]["id"] == "first" and rows[2]["id"] == "last"
    assert rows[0]["error"] is None and rows[2]["error"] is None
    mid = rows[1]
    if etype is None:
        assert mid["error"] is None and mid["label"] in ("direct", "partial", "evasive")
        assert code == 0
    else:
        assert mid["error"]["type"] == etype
        assert message in mid["error"]["message"]
        assert mid["label"] is None and mid["evasiveness"] is None
        assert code == 3


def test_utf8_bom_on_the_first_line(tmp_path):
    rows, code = score_to(tmp_path, [b"\xef\xbb\xbf" + GOOD_LINE, GOOD_LINE])
    assert code == 0 and [r["error"] for r in rows] == [None, None]
    assert rows[0]["label"] == rows[1]["label"]


def test_lone_surrogates_do_not_crash_the_writer(tmp_path):
    rows, code = score_to(tmp_path, [b'{"id": "q\\ud800", "question": "Why?", "answer": "So."}'])
    assert code == 0 and rows[0]["id"] == "q\ud800"  # escaped in the JSON, so it round-trips


def test_html_is_scored_as_its_text(tmp_path):
    plain = {"question": "Will the Minister publish the report?",
             "answer": "Yes. It's due in March and will be laid before the House."}
    wrapped = {"question": "<p>Will the Minister publish the report?</p>",
               "answer": "<p>Yes.</p>\n<p>It&rsquo;s due in <b>March</b> and will be laid "
                         "before the House.</p>"}
    rows, _ = score_to(tmp_path, [json.dumps(plain).encode(), json.dumps(wrapped).encode()])
    for key in ("id", "label", "evasiveness", "probabilities", "cues", "sentences"):
        assert rows[0][key] == rows[1][key]
    assert all("<" not in s["text"] for s in rows[1]["sentences"])


def test_csv_field_longer_than_131072_characters(tmp_path):
    long_answer = "Twelve officers are posted to Belgium. " * 3500  # 136,500 characters
    src = tmp_path / "in.csv"
    src.write_text(f'id,question,answer\nlong,How many officers are posted to Belgium?,'
                   f'"{long_answer}"\nshort,Why?,Because.\n', "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(src), "-o", str(out), "--max-chars", "200000"]) == 0
    rows = read_jsonl(out)
    assert [(r["id"], r["source"]["line"], r["error"]) for r in rows] == [
        ("long", 2, None), ("short", 3, None)]


@pytest.fixture(scope="module")
def huge_line() -> bytes:
    answer = "Twelve officers are posted to Belgium. " * 270_000  # about 10 MB
    assert len(answer) > 10_000_000
    return json.dumps({"id": "huge", "question": GOOD["question"], "answer": answer}).encode()


def test_10mb_answer_is_an_error_row_by_default(tmp_path, huge_line):
    rows, code = score_to(tmp_path, [GOOD_LINE, huge_line, GOOD_LINE])
    assert code == 3 and len(rows) == 3
    assert rows[1]["id"] == "huge" and rows[1]["source"]["line"] == 2
    assert rows[1]["error"]["type"] == "InputError"
    assert "--max-chars 100,000" in rows[1]["error"]["message"]
    assert "truncated" not in rows[1]


def test_10mb_answer_is_scored_truncated_with_truncate(tmp_path, huge_line):
    rows, code = score_to(tmp_path, [GOOD_LINE, huge_line], max_chars=20_000, truncate=True)
    assert code == 0
    assert rows[1]["error"] is None and rows[1]["truncated"] is True
    assert rows[1]["label"] in ("direct", "partial", "evasive")
    assert "truncated" not in rows[0]


def test_error_rows_from_several_files_keep_their_file_and_line(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.csv"
    a.write_bytes(GOOD_LINE + b"\n{oops\n")
    b.write_text("question,answer\nWhy?,\n", "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(a), str(b), "-o", str(out)]) == 3
    rows = read_jsonl(out)
    assert [(r["source"]["file"], r["source"]["line"], (r["error"] or {}).get("type"))
            for r in rows] == [(str(a), 1, None), (str(a), 2, "JSONDecodeError"),
                               (str(b), 2, "InputError")]


def test_a_row_that_crashes_the_model_becomes_an_error_row(tmp_path, model):
    class Fussy:
        card = model.card

        def assess(self, pairs):
            if any("explode" in p.answer for p in pairs):
                raise RuntimeError("boom")
            return model.assess(pairs)

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD) + "\n" + json.dumps({"question": "Why?",
                                                          "answer": "It will explode."})
                   + "\n" + json.dumps(GOOD) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    summary = score_files([str(src)], output=str(out), model=Fussy(), batch_size=10)
    rows = read_jsonl(out)
    assert [r["error"] and r["error"]["type"] for r in rows] == [None, "RuntimeError", None]
    assert rows[1]["error"]["message"] == "boom"
    assert (summary.rows, summary.scored, summary.errors) == (3, 2, 1)


# ---------------------------------------------------------------------- atomic output


def test_output_is_written_to_a_temporary_file_beside_out_then_renamed(tmp_path, monkeypatch):
    src = synthetic(tmp_path / "in.jsonl", 30, words=20)
    out = tmp_path / "res" / "out.jsonl"
    out.parent.mkdir()
    seen = []
    real_replace = os.replace

    def spy(a, b, *args, **kw):
        # At the moment of the rename nothing is at OUT's name yet.
        if Path(b) == out:
            seen.append((Path(a), Path(b), out.exists(), Path(a).stat().st_size))
        return real_replace(a, b, *args, **kw)

    monkeypatch.setattr(os, "replace", spy)
    assert main(["score", str(src), "-o", str(out), "--batch-size", "8"]) == 3
    ((tmp, dst, existed, size),) = seen
    assert tmp.parent == out.parent and tmp != out and not existed
    assert size == out.stat().st_size
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.jsonl"]  # nothing left over


def _wait_for_progress(state: Path, proc: subprocess.Popen, rows: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run finished before it could be interrupted"
        try:
            if json.loads(state.read_text("utf-8"))["rows_done"] >= rows:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError("the run made no progress")


@pytest.mark.slow
def test_sigkill_leaves_nothing_at_out_and_resume_is_byte_identical(tmp_path, model):
    src = synthetic(tmp_path / "in.jsonl", 2500, words=40)
    out = tmp_path / "out.jsonl"
    state = tmp_path / ".out.jsonl.evascore-resume.json"
    cmd = [sys.executable, "-m", "evascore", "score", str(src), "-o", str(out),
           "--batch-size", "50"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_progress(state, proc, 100)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    partial = tmp_path / ".out.jsonl.evascore-partial"
    assert partial.exists() and partial.stat().st_size > 0  # the work done so far is kept
    done = json.loads(state.read_text("utf-8"))["rows_done"]
    assert 100 <= done < 2500

    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr  # the synthetic input holds some bad rows
    assert r.stdout == ""
    assert re.fullmatch(r"evascore: 2500 rows, \d+ scored, 26 errors, .*",
                        r.stderr.splitlines()[-1])

    fresh = tmp_path / "fresh.jsonl"
    score_files([str(src)], output=str(fresh), model=model, batch_size=500)
    assert out.read_bytes() == fresh.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.jsonl", "in.jsonl",
                                                           "out.jsonl"]


class Interrupting:
    """The model, but Ctrl-C arrives while scoring chunk number ``after`` + 1."""

    def __init__(self, model, after: int):
        self.model, self.after, self.calls = model, after, 0
        self.card = model.card

    def assess(self, pairs):
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return self.model.assess(pairs)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_interrupt_is_byte_identical(tmp_path, model, fmt):
    src = synthetic(tmp_path / "in.jsonl", 120, words=15)
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(KeyboardInterrupt):
        score_files([str(src)], output=str(out), model=Interrupting(model, 2), batch_size=25)
    assert not out.exists()
    partial = tmp_path / f".out.{fmt}.evascore-partial"
    # A chunk half-written when the process died is cut off on resume.
    with open(partial, "ab") as fh:
        fh.write(b'{"id": "half-writ')
    summary = score_files([str(src)], output=str(out), model=model, batch_size=40,
                          resume=True)
    assert summary.rows == 120
    fresh = tmp_path / f"fresh.{fmt}"
    score_files([str(src)], output=str(fresh), model=model)
    assert out.read_bytes() == fresh.read_bytes()
    if fmt == "csv":
        text = out.read_text("utf-8")
        assert text.count("id,label,evasiveness") == 1 and text.startswith("id,label,")


def _interrupted_run(tmp_path) -> tuple[Path, Path]:
    """An interrupted run with the shipped model, as the CLI would load it."""
    from evascore.persist import load_model

    src = synthetic(tmp_path / "in.jsonl", 60, words=10)
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        score_files([str(src)], output=str(out), model=Interrupting(load_model(), 1),
                    batch_size=20)
    return src, out


def test_resume_refuses_when_the_input_changed(tmp_path, capsys):
    src, out = _interrupted_run(tmp_path)
    with open(src, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(GOOD) + "\n")
    assert main(["score", str(src), "-o", str(out), "--resume"]) == 1
    err = capsys.readouterr().err
    assert "cannot resume: the input files changed" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and (tmp_path / ".out.jsonl.evascore-partial").exists()


def test_resume_refuses_when_the_model_changed(tmp_path, model, capsys):
    src, out = _interrupted_run(tmp_path)
    other = copy.deepcopy(model)
    other.C = 0.123  # a different model file
    other.save(tmp_path / "other.joblib")
    assert main(["score", str(src), "-o", str(out), "--resume", "--model",
                 str(tmp_path / "other.joblib")]) == 1
    assert "cannot resume: the model changed" in capsys.readouterr().err
    assert not out.exists()


def test_resume_with_nothing_to_resume(tmp_path, capsys):
    src = synthetic(tmp_path / "in.jsonl", 3)
    assert main(["score", str(src), "-o", str(tmp_path / "out.jsonl"), "--resume"]) == 1
    assert "nothing to resume" in capsys.readouterr().err


# ---------------------------------------------------------------------- parallel


@pytest.mark.slow
def test_n_jobs_2_gives_byte_identical_output(tmp_path):
    src = synthetic(tmp_path / "in.jsonl", 300, words=20)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["score", str(src), "-o", str(one), "--batch-size", "40"]) == 3
    assert main(["score", str(src), "-o", str(two), "--batch-size", "40", "--n-jobs", "2"]) == 3
    assert one.read_bytes() == two.read_bytes()
    assert len(read_jsonl(one)) == 300


def test_score_many_n_jobs_2_is_identical_to_n_jobs_1(model):
    pairs = [(f"How many officers are posted to region {i}?",
              " ".join(WORDS[(i + k) % len(WORDS)] for k in range(12)) + f". It is {i}.")
             for i in range(90)]
    one = model.score_many(iter(pairs), n_jobs=1)
    two = model.score_many(iter(pairs), n_jobs=2, batch_size=16)
    assert len(two) == 90
    assert [a.to_dict() for a in two] == [a.to_dict() for a in one]


# ---------------------------------------------------------------------- formats


def test_csv_output_has_flat_columns_and_one_header(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([json.dumps({"id": "a", **GOOD}).encode(), b"{bad"]) + b"\n")
    out = tmp_path / "out.csv"  # the format follows OUT's suffix
    assert main(["score", str(src), "-o", str(out)]) == 3
    with open(out, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    # The fixed columns come first; referral and meta_* columns follow them.
    assert table[0][:len(CSV_COLUMNS)] == list(CSV_COLUMNS) and len(table) == 3
    good, bad = (dict(zip(table[0], r, strict=True)) for r in table[1:])
    assert good["id"] == "a" and good["label"] in ("direct", "partial", "evasive")
    p = [float(good[k]) for k in ("p_direct", "p_partial", "p_evasive")]
    assert abs(sum(p) - 1) < 1e-4 and 0 <= float(good["evasiveness"]) <= 1
    assert good["source_line"] == "1" and good["error_type"] == ""
    assert bad["source_line"] == "2" and bad["error_type"] == "JSONDecodeError"
    assert bad["label"] == "" and bad["evasiveness"] == ""


def test_csv_output_to_stdout(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD_LINE + b"\n")
    assert main(["score", str(src), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(",".join(CSV_COLUMNS) + ",") and len(lines) == 2


def test_output_is_deterministic(tmp_path, model):
    src = synthetic(tmp_path / "in.jsonl", 50, words=15)
    for fmt in ("jsonl", "csv"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        score_files([str(src)], output=str(a), model=model)
        score_files([str(src)], output=str(b), model=model, batch_size=7)
        assert a.read_bytes() == b.read_bytes()


# ---------------------------------------------------------------------- progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_tty_only(tmp_path, monkeypatch, model):
    src = synthetic(tmp_path / "in.jsonl", 20, words=10)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    score_files([str(src)], output=str(tmp_path / "a.jsonl"), model=model, batch_size=5)
    assert "\r" in tty.getvalue()
    assert re.search(r"20 rows \[", tty.getvalue())  # tqdm's bar

    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    score_files([str(src)], output=str(tmp_path / "b.jsonl"), model=model, batch_size=5)
    assert "\r" not in plain.getvalue()
    assert plain.getvalue().count("\n") == 1


def test_summary_on_stderr_and_data_on_stdout(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD_LINE + b"\n{bad\n" + GOOD_LINE + b"\n")
    assert main(["score", str(src)]) == 3
    cap = capsys.readouterr()
    assert [json.loads(x)["source"]["line"] for x in cap.out.splitlines()] == [1, 2, 3]
    assert re.fullmatch(r"evascore: 3 rows, 2 scored, 1 errors, \d+\.\d s, [\d,]+ rows/s\n",
                        cap.err)
