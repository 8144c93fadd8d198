"""Peak memory of `evascore score` on one endless line (a script, not a test).

Issue 14, item 6: a 1.1 MB gzip that expands to a 1.15 GB JSON line used to be read whole
before --max-chars was checked, peaking at 4.3 GB RSS. Lines are now read with a bound
(``evascore.pairs.line_limit``: 32 MiB at the default --max-chars), and a longer line is
an error row, read past in pieces and never held.

This writes such a file (a good row, the long line, a good row; the text is this script's
own), runs ``python -m evascore score IN -o OUT`` in a subprocess and prints its peak RSS
(from ``os.wait4``), the wall time and the three output rows' errors. A short baseline
file (the two good rows alone) gives the memory the CLI takes anyway.

Usage::

    python benchmarks/long_line.py                 # 1.15 GB line
    python benchmarks/long_line.py --gb 0.2        # quicker
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOOD = (
    json.dumps(
        {
            "id": "good",
            "question": "How many officers are posted to Belgium?",
            "answer": "Twelve officers are posted to Belgium.",
        }
    )
    + "\n"
)


def write(path: Path, gigabytes: float) -> int:
    """The long-line file; returns the long line's length in bytes."""
    piece = "x" * (1 << 20)
    n = int(gigabytes * 1e9) // len(piece)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(GOOD)
        fh.write('{"id": "long", "question": "Why?", "answer": "')
        for _ in range(n):
            fh.write(piece)
        fh.write('"}\n')
        fh.write(GOOD)
    return n * len(piece) + 50


def run(src: Path, out: Path) -> tuple[float, float, list[dict]]:
    """Peak RSS (MB) and wall time (s) of one CLI run, and its output rows."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "evascore", "score", str(src), "-o", str(out)],
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    return usage.ru_maxrss / 1024, wall, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.15, help="length of the long line (GB)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, src = Path(tmp) / "base.jsonl", Path(tmp) / "long.jsonl.gz"
        base.write_text(GOOD * 2, "utf-8")
        size = write(src, args.gb)
        print(f"input: {src.stat().st_size / 1e6:.2f} MB gzip, long line {size / 1e9:.2f} GB")
        rss0, wall0, _ = run(base, Path(tmp) / "base.out.jsonl")
        rss, wall, rows = run(src, Path(tmp) / "out.jsonl")
        print(f"baseline (two short rows): peak RSS {rss0:.0f} MB, {wall0:.1f} s")
        print(f"with the long line:        peak RSS {rss:.0f} MB, {wall:.1f} s")
        for r in rows:
            err = r["error"]
            print(
                f"  line {r['source']['line']}: id={r['id']!r} "
                f"{'scored' if err is None else err['type'] + ': ' + err['message']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
