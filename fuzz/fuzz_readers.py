"""Fuzz the readers: arbitrary bytes as JSONL, CSV, gzip and page files.

Every file must read into rows: each a pair or an error row (with a one-line message), with
line numbers that never go back, and no exception (a CSV header that cannot be parsed is an
error row too). Each error row must serialise to a valid JSON output line.

    python -m fuzz.fuzz_readers --seconds 300
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile

from fuzz._engine import instrumented, main

with instrumented():
    from evascore.pairs import Row, read_path
    from evascore.writers import record, to_json_line

SUFFIXES = (".jsonl", ".csv", ".txt", ".jsonl.gz", ".csv.gz", ".ndjson", ".tsv", ".json")
_DIR = tempfile.mkdtemp(prefix="evascore-fuzz-readers-")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    flags, body = data[0], data[1:]
    suffix = SUFFIXES[flags % len(SUFFIXES)]
    if suffix.endswith(".gz") and not flags & 0x80:  # else: raw bytes, a corrupt .gz
        body = gzip.compress(body, mtime=0)
    path = os.path.join(_DIR, "input" + suffix)
    with open(path, "wb") as fh:
        fh.write(body)
    max_chars = None if flags & 0x20 else 300
    rows = list(read_path(path, max_chars=max_chars, truncate=bool(flags & 0x40)))
    last = 0
    if suffix == ".txt":
        assert len(rows) == 1, rows
    for r in rows:
        assert isinstance(r, Row)
        assert (r.pair is None) != (r.error_type is None), r
        assert r.line >= max(last, 1), (r.line, last)
        last = r.line
        if r.pair is None:
            assert r.error_message and "\n" not in r.error_message, r.error_message
            out = json.loads(to_json_line(record(r)))
            assert out["error"]["type"] == r.error_type
        else:
            assert r.pair.question and r.pair.answer and r.id == r.pair.id
            if max_chars is not None and not r.truncated and suffix != ".txt":
                assert len(r.pair.answer) <= max_chars


SEEDS = [
    b"\x00" + b'{"question": "How many?", "answer": "Twelve."}\n{"question": 1}\n',
    b"\x01" + b'id,question,answer\n1,"How many, exactly?","Twelve."\n2,q\n',
    b"\x02" + b"Title\nQuestion to the Home Office:\nTo ask the Secretary of State, how many?\n"
    b"Answered by\nA Minister\nThis question was answered on 1 May 2025.\nTwelve.\n",
    b"\x03" + b'{"question": "q?", "answer": "a."}\n',
    b"\x84" + b"\x1f\x8b\x08\x00garbage",
    b"\x01" + b'\xef\xbb\xbfquestion,answer\n\xff,ok\nq,"open\n',
]
DICTIONARY = [
    b'"question"',
    b'"answer"',
    b'"id"',
    b"question,answer\n",
    b"{",
    b"}",
    b":",
    b",",
    b'"',
    b"\\u",
    b"\\ud800",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"null",
    b"[",
    b"]",
    b"1e999",
    b"To ask",
    b"Answered by",
    b"This question was answered on",
    b"Question to the",
    b"View Source",
    b"[" * 64,
    b"9" * 512,
]  # deep nesting and 4,300+ digit numbers crashed once

if __name__ == "__main__":
    sys.exit(main("fuzz_readers", TestOneInput, SEEDS, DICTIONARY))
