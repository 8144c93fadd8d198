"""Peak memory and throughput of `evascore score` on synthetic input (a script, not a test).

Generates N rows of question-answer pairs of the length of written parliamentary answers
(~200-word answers; the words are this script's own, not benchmark text), runs
`python -m evascore score IN -o OUT --n-jobs J` in a subprocess for each N and J, and prints

- peak RSS of the largest single process (the CLI or one of its joblib workers), from
  ``os.wait4``'s rusage (which folds in the worker processes the CLI reaps),
- peak RSS of the whole process tree (CLI + workers), sampled from /proc every 0.1 s,
- wall time and rows/s (wall, including start-up), and the CLI's own rows/s summary.

Memory that stays flat from 10k to 1M rows is the point: the CLI streams in chunks.

Usage::

    python benchmarks/batch_memory.py                 # N = 10k; estimates 1M from the rate
    python benchmarks/batch_memory.py --rows 10000 100000
    python benchmarks/batch_memory.py --million       # also run N = 1M (takes a long time)
    python benchmarks/batch_memory.py --rows 10000 --million --n-jobs 1 --words 30 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENINGS = [
    "The department keeps this matter under close review",
    "Officials continue to work with partners across the country",
    "We have made good progress on delivering the programme",
    "Local services received additional support this year",
    "The figures requested are set out in the table below",
    "Decisions on funding are taken by the relevant authority",
]
WORDS = (
    "scheme funding staff officers regions councils schools hospitals contracts review "
    "programme delivery training guidance support measures policy budget spending year "
    "quarter figures data report published annual national local community providers "
    "partners agencies services capacity investment improvement framework assessment "
    "outcomes priority commitment standards access waiting times applications grants "
    "allocation million pounds percent total average across each since during while "
    "further detail will be provided in due course as part of the wider work"
).split()
TOPICS = [
    "road maintenance",
    "school buildings",
    "ambulance response times",
    "flood defences",
    "prison places",
    "broadband coverage",
    "apprenticeships",
    "bus services",
    "housing repairs",
    "court backlogs",
    "veterans support",
    "air quality",
]
QUESTION_FORMS = [
    "To ask the Secretary of State, how many {t} projects were funded in each of the last "
    "five years.",
    "To ask the Secretary of State, what the cost of {t} was in {y}.",
    "To ask the Secretary of State, whether she will publish the review of {t}.",
    "To ask the Secretary of State, what steps the department is taking to improve {t} in "
    "(a) rural and (b) urban areas.",
    "To ask the Secretary of State, when the department will report on {t}.",
]


def _answer(r: random.Random, words: int) -> str:
    sentences, n = [], 0
    while n < words:
        k = r.randint(12, 28)
        body = " ".join(r.choice(WORDS) for _ in range(k))
        lead = r.choice(OPENINGS) if not sentences or r.random() < 0.2 else None
        s = f"{lead}, and {body}" if lead else body.capitalize()
        if r.random() < 0.3:
            s += f" with {r.randint(2, 9000):,} in {r.randint(2015, 2024)}"
        sentences.append(s + ".")
        n += k + (len(lead.split()) if lead else 0)
    return " ".join(sentences)


def generate(path: Path, n: int, seed: int = 7, words: tuple[int, int] = (150, 250)) -> None:
    r = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            q = r.choice(QUESTION_FORMS).format(t=r.choice(TOPICS), y=r.randint(2015, 2024))
            fh.write(
                json.dumps({"id": f"b{i}", "question": q, "answer": _answer(r, r.randint(*words))})
                + "\n"
            )


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(src: Path, out: Path, n_jobs: int, batch_size: int) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "evascore",
        "score",
        str(src),
        "-o",
        str(out),
        "--n-jobs",
        str(n_jobs),
        "--batch-size",
        str(batch_size),
    ]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err_fh:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_fh)
        tree_peak = 0
        can_sample = os.path.isdir("/proc")
        while True:
            # wait4 (not poll) so that this run's own peak RSS comes back with it:
            # RUSAGE_CHILDREN would be a running maximum over every run so far.
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if can_sample:
                tree_peak = max(tree_peak, sum(_rss_kb(p) for p in _tree(proc.pid)))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err_fh.seek(0)
        err = err_fh.read().decode()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"evascore failed ({proc.returncode}): {err}")
    m = re.search(r"([\d,]+) rows/s", err)
    return {
        "wall": wall,
        "tree_peak_kb": tree_peak,
        "max_rss_kb": ru.ru_maxrss,
        "cli_rate": float(m.group(1).replace(",", "")) if m else float("nan"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows", type=int, nargs="+", default=[10_000], help="input sizes (default 10000)"
    )
    ap.add_argument("--million", action="store_true", help="also run N = 1,000,000")
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--workdir", default=None, help="where to put the synthetic files")
    ap.add_argument(
        "--words",
        type=int,
        nargs=2,
        default=[150, 250],
        metavar=("MIN", "MAX"),
        help="answer length range in words (default 150 250)",
    )
    args = ap.parse_args(argv)
    sizes = sorted(set(args.rows + ([1_000_000] if args.million else [])))
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        tmp = Path(tmp)
        print(
            f"{'rows':>9} {'n_jobs':>6} {'maxRSS MB':>10} {'tree MB':>8} {'wall s':>8} "
            f"{'rows/s':>8} {'cli rows/s':>10}"
        )
        rates: dict[int, float] = {}
        for n in sizes:
            src = tmp / f"in_{n}.jsonl"
            generate(src, n, words=tuple(args.words))
            for j in args.n_jobs:
                out = tmp / f"out_{n}_{j}.jsonl"
                r = run(src, out, j, args.batch_size)
                rates[j] = r["cli_rate"]
                print(
                    f"{n:>9,} {j:>6} {r['max_rss_kb'] / 1024:>10.0f} "
                    f"{r['tree_peak_kb'] / 1024:>8.0f} {r['wall']:>8.1f} "
                    f"{n / r['wall']:>8.0f} {r['cli_rate']:>10,.0f}",
                    flush=True,
                )
                out.unlink()
            src.unlink()
        if 1_000_000 not in sizes:
            for j, rate in rates.items():
                if rate == rate and rate > 0:
                    print(
                        f"N = 1,000,000 with --n-jobs {j} would take about "
                        f"{1_000_000 / rate / 60:.0f} min at {rate:,.0f} rows/s "
                        "(run with --million to measure)"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
