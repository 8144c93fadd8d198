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
import threading
import time
from pathlib import Path

import pytest

from evascore.cli import main
from evascore.stream import score_files
from evascore.writers import CSV_COLUMNS

GOOD = {
    "question": "How many officers are posted to Belgium?",
    "answer": "Twelve officers are posted to Belgium.",
}
GOOD_LINE = json.dumps(GOOD).encode("utf-8")

# Words of our own for synthetic answers of a realistic length.
WORDS = (
    "the department keeps this matter under review and will set out further detail in "
    "due course while officers continue to work closely with partners across regions "
    "on funding staffing training and the wider programme of support for local "
    "services which remains a priority"
).split()


def synthetic(path: Path, n: int, words: int = 60) -> Path:
    """n valid rows, with a few bad ones sprinkled in, as JSONL."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 97 == 13:
                fh.write(f'{{"id": "bad{i}", "question": 1}}\n')
                continue
            answer = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(words))
            fh.write(
                json.dumps(
                    {
                        "id": f"r{i}",
                        "question": f"How many officers were posted "
                        f"to region {i % 11} in {2000 + i % 20}?",
                        "answer": answer.capitalize() + f". The figure is {i}.",
                    }
                )
                + "\n"
            )
    return path


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    data.decode("utf-8")  # the output is valid UTF-8
    return [json.loads(line) for line in data.split(b"\n") if line]


def partial_of(out: Path) -> Path:
    """The one partial file of an interrupted run into ``out`` (its name is the run's own)."""
    (partial,) = out.parent.glob(f".{out.name}.*.evascore-partial")
    return partial


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
    ("html_only_answer", b'{"question": "Why?", "answer": "<p></p>"}', "InputError", "is empty"),
    ("number_question", b'{"question": 7, "answer": "So."}', "InputError", "got int"),
    ("list_answer", b'{"question": "Why?", "answer": ["a"]}', "InputError", "got list"),
    ("object_answer", b'{"question": "Why?", "answer": {"t": "a"}}', "InputError", "got dict"),
    (
        "cp1252_apostrophe",
        b'{"question": "Why?", "answer": "It\x92s late."}',
        "EncodingError",
        "0x92",
    ),
    (
        "lone_surrogate",
        b'{"id": "x\\ud800", "question": "Why \\ud800?", "answer": "Because \\udfff it is."}',
        None,
        None,
    ),
    (
        "u2028_in_text",
        json.dumps(
            {"question": "Why?", "answer": "Because.\u2028It is late."}, ensure_ascii=False
        ).encode("utf-8"),
        None,
        None,
    ),
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
    plain = {
        "question": "Will the Minister publish the report?",
        "answer": "Yes. It's due in March and will be laid before the House.",
    }
    wrapped = {
        "question": "<p>Will the Minister publish the report?</p>",
        "answer": "<p>Yes.</p>\n<p>It&rsquo;s due in <b>March</b> and will be laid "
        "before the House.</p>",
    }
    rows, _ = score_to(tmp_path, [json.dumps(plain).encode(), json.dumps(wrapped).encode()])
    for key in ("id", "label", "evasiveness", "probabilities", "cues", "sentences"):
        assert rows[0][key] == rows[1][key]
    assert all("<" not in s["text"] for s in rows[1]["sentences"])


def test_csv_field_longer_than_131072_characters(tmp_path):
    long_answer = "Twelve officers are posted to Belgium. " * 3500  # 136,500 characters
    src = tmp_path / "in.csv"
    src.write_text(
        f"id,question,answer\nlong,How many officers are posted to Belgium?,"
        f'"{long_answer}"\nshort,Why?,Because.\n',
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["score", str(src), "-o", str(out), "--max-chars", "200000"]) == 0
    rows = read_jsonl(out)
    assert [(r["id"], r["source"]["line"], r["error"]) for r in rows] == [
        ("long", 2, None),
        ("short", 3, None),
    ]


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
    assert [
        (r["source"]["file"], r["source"]["line"], (r["error"] or {}).get("type")) for r in rows
    ] == [(str(a), 1, None), (str(a), 2, "JSONDecodeError"), (str(b), 2, "InputError")]


def test_a_row_that_crashes_the_model_becomes_an_error_row(tmp_path, model):
    class Fussy:
        card = model.card_

        def assess(self, pairs):
            if any("explode" in p.answer for p in pairs):
                raise RuntimeError("boom")
            return model.assess(pairs)

    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(GOOD)
        + "\n"
        + json.dumps({"question": "Why?", "answer": "It will explode."})
        + "\n"
        + json.dumps(GOOD)
        + "\n",
        "utf-8",
    )
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
    cmd = [
        sys.executable,
        "-m",
        "evascore",
        "score",
        str(src),
        "-o",
        str(out),
        "--batch-size",
        "50",
    ]
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
    partial = partial_of(out)
    assert partial.exists() and partial.stat().st_size > 0  # the work done so far is kept
    done = json.loads(state.read_text("utf-8"))["rows_done"]
    assert 100 <= done < 2500

    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr  # the synthetic input holds some bad rows
    assert r.stdout == ""
    assert re.fullmatch(
        r"evascore: 2500 rows, \d+ scored, 26 errors, .*", r.stderr.splitlines()[-1]
    )

    fresh = tmp_path / "fresh.jsonl"
    score_files([str(src)], output=str(fresh), model=model, batch_size=500)
    assert out.read_bytes() == fresh.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.jsonl", "in.jsonl", "out.jsonl"]


class Interrupting:
    """The model, but Ctrl-C arrives while scoring chunk number ``after`` + 1."""

    def __init__(self, model, after: int):
        self.model, self.after, self.calls = model, after, 0
        self.card_ = model.card_

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
    partial = partial_of(out)
    # A chunk half-written when the process died is cut off on resume.
    with open(partial, "ab") as fh:
        fh.write(b'{"id": "half-writ')
    summary = score_files([str(src)], output=str(out), model=model, batch_size=40, resume=True)
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
        score_files([str(src)], output=str(out), model=Interrupting(load_model(), 1), batch_size=20)
    return src, out


def test_resume_refuses_when_the_input_changed(tmp_path, capsys):
    src, out = _interrupted_run(tmp_path)
    with open(src, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(GOOD) + "\n")
    assert main(["score", str(src), "-o", str(out), "--resume"]) == 1
    err = capsys.readouterr().err
    assert "cannot resume: the input files changed" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and partial_of(out).exists()


def test_resume_refuses_when_the_model_changed(tmp_path, model, capsys):
    src, out = _interrupted_run(tmp_path)
    other = copy.deepcopy(model)
    other.C = 0.123  # a different model file
    other.save(tmp_path / "other.joblib")
    assert (
        main(
            [
                "score",
                str(src),
                "-o",
                str(out),
                "--resume",
                "--model",
                str(tmp_path / "other.joblib"),
            ]
        )
        == 1
    )
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
    pairs = [
        (
            f"How many officers are posted to region {i}?",
            " ".join(WORDS[(i + k) % len(WORDS)] for k in range(12)) + f". It is {i}.",
        )
        for i in range(90)
    ]
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
    assert table[0][: len(CSV_COLUMNS)] == list(CSV_COLUMNS) and len(table) == 3
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
    assert re.fullmatch(
        r"evascore: 3 rows, 2 scored, 1 errors, \d+\.\d s, [\d,]+ rows/s\n", cap.err
    )


# ---------------------------------------------------------------------- run safety (issue 14)


class SecondRun:
    """The model, but while scoring its first chunk another run writes the same OUT."""

    def __init__(self, model, args: list[str]):
        self.model, self.args, self.card_ = model, args, model.card_
        self.code: int | None = None

    def assess(self, pairs):
        if self.code is None:
            self.code = main(self.args)
        return self.model.assess(pairs)


def test_two_runs_writing_the_same_out_second_refuses_and_out_is_one_complete_run(
    tmp_path, model, capsys
):
    src = synthetic(tmp_path / "in.jsonl", 60, words=10)
    other = tmp_path / "other.jsonl"
    other.write_bytes(GOOD_LINE + b"\n")
    out = tmp_path / "out.jsonl"
    second = SecondRun(model, ["score", str(other), "-o", str(out)])
    summary = score_files([str(src)], output=str(out), model=second, batch_size=20)
    assert second.code == 1  # the second run refused: it did not write into OUT
    err = capsys.readouterr().err
    refusal = [x for x in err.splitlines() if x.startswith("evascore: error:")]
    assert len(refusal) == 1 and "another evascore run is writing it" in refusal[0]
    assert summary.rows == 60
    fresh = tmp_path / "fresh.jsonl"
    score_files([str(src)], output=str(fresh), model=model)
    assert out.read_bytes() == fresh.read_bytes()  # one complete run, nothing of the other
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fresh.jsonl",
        "in.jsonl",
        "other.jsonl",
        "out.jsonl",
    ]


def test_a_run_after_an_interrupted_one_starts_afresh_and_leaves_no_stale_files(tmp_path, model):
    src, out = _interrupted_run(tmp_path)
    stale = partial_of(out)
    score_files([str(src)], output=str(out), model=model)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def _fifo_reader(fifo: Path) -> tuple[list[bytes], threading.Thread]:
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    return got, t


@pytest.mark.parametrize("via_link", [False, True])
def test_out_on_a_fifo_or_device_is_written_through_not_replaced(tmp_path, via_link):
    import stat

    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD_LINE + b"\n" + GOOD_LINE + b"\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = fifo
    if via_link:  # as /dev/stdout is a link to the real thing
        out = tmp_path / "link"
        out.symlink_to(fifo)
    got, reader = _fifo_reader(fifo)
    assert main(["score", str(src), "-o", str(out)]) == 0
    reader.join(60)
    assert not reader.is_alive(), "nothing was written through the FIFO"
    rows = [json.loads(x) for x in got[0].splitlines()]
    assert [r["source"]["line"] for r in rows] == [1, 2]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not a regular file
    assert not via_link or out.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.jsonl", "pipe"] + (["link"] if via_link else [])
    )


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc/self/fd")
def test_out_on_dev_fd_appends_to_the_open_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD_LINE + b"\n")
    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier line\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)  # as a shell opens `>> log.txt`
    try:
        assert main(["score", str(src), "-o", f"/proc/self/fd/{fd}"]) == 0
    finally:
        os.close(fd)
    first, second = log.read_bytes().splitlines()
    assert first == b"earlier line" and json.loads(second)["source"]["line"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "log.txt"]


def test_resume_into_a_fifo_is_refused(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD_LINE + b"\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["score", str(src), "-o", str(fifo), "--resume"]) == 1
    err = capsys.readouterr().err
    assert "cannot resume: it is not a regular file" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_out_inside_an_input_directory_is_not_read_back(tmp_path, fmt):
    data = tmp_path / "data"
    data.mkdir()
    synthetic(data / "in.jsonl", 5, words=10)
    out = data / f"out.{fmt}"
    assert main(["score", str(data), "-o", str(out)]) == 0
    first = out.read_bytes()
    # A later run, and one with a stray resume state and lock of another OUT in the folder.
    (data / ".x.jsonl.evascore-resume.json").write_text("{}", "utf-8")
    (data / ".x.jsonl.evascore-lock").write_text("", "utf-8")
    assert main(["score", str(data), "-o", str(out)]) == 0
    assert out.read_bytes() == first


def _state_of(out: Path) -> Path:
    return out.with_name(f".{out.name}.evascore-resume.json")


def test_resume_with_a_partial_shorter_than_its_state_is_refused(tmp_path, capsys):
    src, out = _interrupted_run(tmp_path)
    partial = partial_of(out)
    done = json.loads(_state_of(out).read_text("utf-8"))["bytes_done"]
    with open(partial, "r+b") as fh:
        fh.truncate(done - 100)  # cut short, e.g. copied back from a backup
    assert main(["score", str(src), "-o", str(out), "--resume"]) == 1
    err = capsys.readouterr().err
    assert f"fewer than the {done:,} its state records" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and partial.stat().st_size == done - 100


def _damaged_states(state: dict) -> list:
    text = json.dumps(state)
    return [
        ("not_json", "{oops"),
        ("cut_short", text[: len(text) // 2]),
        ("not_an_object", "[1, 2]"),
        ("no_rows_done", json.dumps({k: v for k, v in state.items() if k != "rows_done"})),
        ("negative_bytes", json.dumps({**state, "bytes_done": -1})),
        ("string_rows", json.dumps({**state, "rows_done": "20"})),
        ("no_partial", json.dumps({k: v for k, v in state.items() if k != "partial"})),
        ("partial_elsewhere", json.dumps({**state, "partial": "../in.jsonl"})),
        ("not_utf8", b"\xff\xfe{".decode("latin-1")),
    ]


@pytest.mark.parametrize("case", range(9))
def test_resume_with_a_corrupt_or_incomplete_state_is_refused(tmp_path, capsys, case):
    src, out = _interrupted_run(tmp_path)
    state_path = _state_of(out)
    name, text = _damaged_states(json.loads(state_path.read_text("utf-8")))[case]
    state_path.write_bytes(text.encode("latin-1"))
    before = src.read_bytes()
    assert main(["score", str(src), "-o", str(out), "--resume"]) == 1, name
    err = capsys.readouterr().err
    assert err.startswith("evascore: error: ") and "cannot resume" in err, name
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists() and src.read_bytes() == before


def _descendants(pid: int) -> list:
    psutil = pytest.importorskip("psutil")
    return psutil.Process(pid).children(recursive=True)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_n_jobs_2_run_leaves_no_worker_processes(tmp_path, sig):
    psutil = pytest.importorskip("psutil")
    src = synthetic(tmp_path / "in.jsonl", 20000, words=40)
    out = tmp_path / "out.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "evascore",
        "score",
        str(src),
        "-o",
        str(out),
        "--batch-size",
        "20",
        "--n-jobs",
        "2",
    ]
    # Files, not pipes: a surviving worker holding a pipe open would hang the test.
    with open(tmp_path / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    workers: list = []
    try:
        _wait_for_progress(_state_of(out), proc, 100)
        workers = _descendants(proc.pid)  # the two workers, and joblib's resource trackers
        assert sum("popen_loky" in " ".join(p.cmdline()) for p in workers) == 2
        proc.send_signal(sig)
        proc.wait(60)
        if sig == signal.SIGTERM:
            assert proc.returncode == 143
            assert (tmp_path / "stderr.txt").read_text().splitlines()[-1] == (
                "evascore: terminated"
            )
            assert partial_of(out).exists()  # resumable, as after Ctrl-C
        deadline = time.monotonic() + 60  # a bound on the polling, not a timing claim
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert alive == [], f"processes outlived the run: {[p.cmdline() for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(60)
        for p in workers:  # whatever survived a failing run
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass


class Broken:
    """A model with a bug that hits every row."""

    def __init__(self, model):
        self.card_ = model.card_

    def assess(self, pairs):
        raise RuntimeError("the weights are missing\nsecond line")


@pytest.mark.parametrize("debug", ["", "--debug", "EVASCORE_DEBUG=1"])
def test_model_failing_on_every_row_of_the_first_chunk_is_fatal(
    tmp_path, model, capsys, monkeypatch, debug
):
    import evascore.stream

    monkeypatch.setattr(evascore.stream, "load_scorer", lambda path=None: Broken(model))
    monkeypatch.delenv("EVASCORE_DEBUG", raising=False)
    if debug.startswith("EVASCORE_DEBUG"):
        monkeypatch.setenv("EVASCORE_DEBUG", "1")
    src = synthetic(tmp_path / "in.jsonl", 30, words=10)
    out = tmp_path / "out.jsonl"
    args = ["score", str(src), "-o", str(out)] + (["--debug"] if debug == "--debug" else [])
    assert main(args) == 1
    err = capsys.readouterr().err
    message = [x for x in err.splitlines() if x.startswith("evascore: error:")]
    assert len(message) == 1
    assert "failed on every row of the first chunk" in message[0]
    assert "RuntimeError: the weights are missing" in message[0]
    assert ("Traceback (most recent call last)" in err) == bool(debug)  # the first one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing at OUT


# ------------------------------------------------ issue 13's output with issue 14's run safety

Q_REF = "How many officers are posted to Belgium?"
REFERRING = [
    {
        "id": "1",
        "question": Q_REF,
        "answer": "Twelve officers are posted to Belgium.",
        "uin": "1001",
        "date_answered": "2024-05-03",
        "department": "Ministry of Defence",
    },
    {
        "id": "2",
        "question": Q_REF,
        "answer": "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001.",
        "uin": "1002",
        "date_answered": "2024-07-29",
        "department": "Ministry of Defence",
    },
]


def _referring(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in REFERRING), "utf-8")
    return src


def test_referrals_resolved_under_the_lock_leave_no_files_behind(tmp_path, model, monkeypatch):
    import evascore.stream

    src = _referring(tmp_path)
    out = tmp_path / "out.jsonl"
    lock = tmp_path / ".out.jsonl.evascore-lock"
    seen = []
    real = evascore.stream.resolve_file

    def watching(path, fmt="jsonl"):
        # Resolving reads this run's own partial file while the run still holds the lock.
        seen.append((Path(path).name, lock.exists()))
        return real(path, fmt)

    monkeypatch.setattr(evascore.stream, "resolve_file", watching)
    score_files([str(src)], output=str(out), model=model)
    ((name, locked),) = seen
    assert re.fullmatch(r"\.out\.jsonl\.[0-9a-f]{16}\.evascore-partial", name) and locked
    target, referring = read_jsonl(out)
    assert referring["refers_to"]["found"] is True and referring["refers_to"]["id"] == "1"
    assert referring["refers_to"]["label"] == target["label"]
    assert target["meta"]["department"] == "Ministry of Defence"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@pytest.mark.parametrize("again", ["--resume", "afresh"])
def test_killed_while_resolving_referrals_resumes_or_starts_afresh(
    tmp_path, model, monkeypatch, again
):
    import evascore.stream

    src = _referring(tmp_path)
    out = tmp_path / "out.jsonl"
    real = evascore.stream.resolve_file

    def killed(path, fmt="jsonl"):
        Path(str(path) + ".resolved").write_bytes(b'{"half": ')  # cut off mid-write
        raise KeyboardInterrupt

    monkeypatch.setattr(evascore.stream, "resolve_file", killed)
    with pytest.raises(KeyboardInterrupt):
        score_files([str(src)], output=str(out), model=model)
    assert not out.exists() and partial_of(out).exists()  # every row scored and kept
    monkeypatch.setattr(evascore.stream, "resolve_file", real)
    summary = score_files([str(src)], output=str(out), model=model, resume=again == "--resume")
    assert summary.rows == 2
    fresh = tmp_path / "fresh.jsonl"
    score_files([str(src)], output=str(fresh), model=model)
    assert out.read_bytes() == fresh.read_bytes()
    assert read_jsonl(out)[1]["refers_to"]["found"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.jsonl", "in.jsonl", "out.jsonl"]


def test_resume_refuses_when_include_text_changed(tmp_path, capsys):
    src, out = _interrupted_run(tmp_path)
    assert main(["score", str(src), "-o", str(out), "--resume", "--include-text"]) == 1
    err = capsys.readouterr().err
    assert "cannot resume: --include-text changed" in err
    assert len(err.strip().splitlines()) == 1


def test_csv_with_text_written_through_a_fifo_has_the_full_header(tmp_path):
    src = _referring(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got, reader = _fifo_reader(fifo)
    assert (
        main(["score", str(src), "-o", str(fifo), "--format", "csv", "--include-text", "--debug"])
        == 0
    )
    reader.join(60)
    assert not reader.is_alive(), "nothing was written through the FIFO"
    table = list(csv.DictReader(io.StringIO(got[0].decode("utf-8"))))
    assert [r["id"] for r in table] == ["1", "2"]
    assert table[0]["meta_department"] == "Ministry of Defence"
    assert table[1]["question"] == Q_REF and table[1]["refers_to_uin"] == "1001"
    assert table[1]["refers_to_found"] == ""  # written through: rows left before resolving
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "pipe"]


def test_every_file_a_run_keeps_beside_out_is_skipped_in_an_input_directory(tmp_path):
    from evascore.pairs import OWN_FILE_MARK, expand_inputs
    from evascore.stream import _locked, _new_partial, _state_path

    data = tmp_path / "data"
    data.mkdir()
    (data / "in.jsonl").write_bytes(GOOD_LINE + b"\n")
    out = data / "out.jsonl"
    partial = _new_partial(out)
    own = [partial, Path(f"{partial}.resolved"), _state_path(out), Path(f"{_state_path(out)}.tmp")]
    with _locked(out, str(out)):
        own.append(out.with_name(f".{out.name}.evascore-lock"))
        for p in own:
            assert OWN_FILE_MARK in p.name, p.name
            if not p.exists():
                p.write_bytes(GOOD_LINE + b"\n")
        # Named as readable input too: not read back, by train and evaluate either.
        (data / ".out.jsonl.0123456789abcdef.evascore-partial.jsonl").write_bytes(GOOD_LINE)
        assert expand_inputs([str(data)]) == [str(data / "in.jsonl")]


def _resolved_in_memory(path: Path, fmt: str) -> bytes:
    """The plain definition: every row's lookup keys in memory, one resolution, rewrite."""
    from evascore.referrals import resolve_referrals
    from evascore.stream import _slim
    from evascore.writers import csv_text

    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        head = {c: i for i, c in enumerate(rows[0])}

        def cell(cells, name):
            return cells[head[name]] or None

        slim = []
        for cells in rows[1:]:
            ref = None
            if cell(cells, "refers_to_uin") or cell(cells, "refers_to_date"):
                ref = {"uin": cell(cells, "refers_to_uin"), "date": cell(cells, "refers_to_date")}
            ev = cell(cells, "evasiveness")
            meta = {k: cell(cells, "meta_" + k) for k in ("uin", "date_answered", "department")}
            slim.append(
                {
                    "id": cell(cells, "id"),
                    "label": cell(cells, "label"),
                    "evasiveness": float(ev) if ev else None,
                    "meta": meta,
                    "refers_to": ref,
                }
            )
        resolve_referrals(slim)
        for cells, s in zip(rows[1:], slim):
            for key in ("found", "id", "label") if s["refers_to"] else ():
                v = s["refers_to"][key]
                cells[head["refers_to_" + key]] = "" if v is None else str(v)
        return csv_text(rows).encode("utf-8")
    lines = path.read_bytes().splitlines(keepends=True)
    recs = [_slim(json.loads(x)) for x in lines]
    resolve_referrals(recs)
    out = []
    for raw, s in zip(lines, recs):
        if s["refers_to"] is None:
            out.append(raw)
        else:
            rec = json.loads(raw)
            rec["refers_to"] = s["refers_to"]
            out.append(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
    return b"".join(out)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_referrals_resolve_streaming_holding_only_rows_that_take_part(
    tmp_path, model, fmt, monkeypatch
):
    """resolve_file keeps only referring rows and rows with a UIN or answer date (memory flat
    on other inputs: a 1M-row run held every row's keys, 753 MB) and gives the bytes the
    all-in-memory resolution gives; with no referral at all the file is final as written."""
    import evascore.stream
    from evascore.stream import resolve_file

    filler = [
        {"id": f"f{i}", "question": Q_REF, "answer": f"There are {i} officers in Belgium."}
        for i in range(30)
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(json.dumps(r) + "\n" for r in filler[:10] + REFERRING + filler[10:]), "utf-8"
    )
    # the output as the stream writes it before resolving
    monkeypatch.setattr(evascore.stream, "resolve_file", lambda path, fmt: path)
    scored = tmp_path / f"scored.{fmt}"
    score_files([str(src)], output=str(scored), model=model, fmt=fmt)
    lonely = tmp_path / f"lonely.{fmt}"
    only_filler = tmp_path / "filler.jsonl"
    only_filler.write_text("".join(json.dumps(r) + "\n" for r in filler), "utf-8")
    score_files([str(only_filler)], output=str(lonely), model=model, fmt=fmt)
    monkeypatch.undo()

    expect = _resolved_in_memory(scored, fmt)
    got = resolve_file(scored, fmt)
    assert got != scored and got.read_bytes() == expect
    assert expect != scored.read_bytes()  # the referral was found: a real rewrite compared
    before = lonely.read_bytes()
    assert resolve_file(lonely, fmt) == lonely and lonely.read_bytes() == before


def test_a_run_freezes_the_collector_for_its_model_and_leaves_it_as_it_found_it(
    tmp_path, monkeypatch
):
    """score_files moves the model it loads out of the collector's view for the run
    (gc.freeze) and undoes that at the end, also when the run fails."""
    import gc

    import evascore.stream
    from evascore.stream import score_files

    src = synthetic(tmp_path / "in.jsonl", 5, words=10)
    counts = []
    real = evascore.stream._score_into

    def spy(*args, **kwargs):
        counts.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(evascore.stream, "_score_into", spy)
    assert gc.get_freeze_count() == 0
    score_files([str(src)], output=str(tmp_path / "out.jsonl"))
    assert counts[0] > 0 and gc.get_freeze_count() == 0

    def fails(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(evascore.stream, "_score_into", fails)
    with pytest.raises(RuntimeError):
        score_files([str(src)], output=str(tmp_path / "out2.jsonl"))
    assert gc.get_freeze_count() == 0
