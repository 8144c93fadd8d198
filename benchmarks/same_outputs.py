"""Are two versions' outputs byte-identical? Score the same inputs with both and compare.

    python benchmarks/same_outputs.py 52b2c10          # that commit against the working tree
    python benchmarks/same_outputs.py 52b2c10 HEAD     # two commits

Each version's tree (``git archive REV``, or this working tree for ``.``) scores, in a fresh
``python -m evascore`` process with ``PYTHONPATH`` set to it and a temporary folder as the
working directory, each with its own shipped model:

- ``training_data/corpus.jsonl`` (JSONL and CSV output);
- 3,000 QEvasion pairs (seeded sample of train), when ``../shared/benchmarks/qevasion`` is there;
- every 17th row of ``../shared/benchmarks/uk-written-answers-longform`` (about 2,000 real
  answers, empty ones included: they are error rows), when it is there;
- ten edge cases (empty, missing and null fields, 40,000 characters, non-ASCII, a referral);
- the seed, through ``evascore explain`` and ``evascore score``.

Benchmark text is written only to the temporary folder. The exit status is 0 when every
output (and every exit status) is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_a0cc2ae2f2bdecf9.txt"
EDGE = [
    {"id": "e1", "question": "", "answer": "Yes."},
    {"id": "e2", "question": "How many?", "answer": ""},
    {
        "id": "e3",
        "question": "How many staff are in (a) Belgium, (b) Germany and (c) France?",
        "answer": "We do not disclose this.",
    },
    {"id": "e4", "question": "Will he?", "answer": "No."},
    {"id": "e5", "question": "x" * 5000, "answer": "y " * 20000},
    {"id": "e6", "question": "What is the cost?", "answer": "£4.2 million in 2024, £3.1m in 2023."},
    {
        "id": "e7",
        "question": "Is it true?",
        "answer": "éè café — naïve. I refer the hon. Member to the answer I gave on 3 May 2024 "
        "to Question 12345.",
    },
    {"id": "e8", "question": None, "answer": "Yes"},
    {"id": "e9"},
    {"id": "e10", "question": "Q?", "answer": "A" * 100},
]


def write_inputs(folder: Path) -> list[str]:
    """The input files, written into ``folder``; their names."""
    names = []

    def jsonl(name, rows):
        with open(folder / name, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
        names.append(name)

    (folder / "corpus.jsonl").write_bytes((REPO / "training_data" / "corpus.jsonl").read_bytes())
    names.append("corpus.jsonl")
    jsonl("edge.jsonl", EDGE)
    if common.need("qevasion") is not None:
        d = common.load_qevasion("train")
        rows = [
            {"id": f"qe{i}", "question": q, "answer": a}
            for i, (q, a) in enumerate(zip(d["question"], d["answer"], strict=True))
        ]
        random.Random(1).shuffle(rows)
        jsonl("qevasion.jsonl", rows[:3000])
    longform = common.need("uk-written-answers-longform")
    if longform is not None:
        rows = []
        with gzip.open(next(longform.glob("*.jsonl.gz")), "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i % 17 == 0:
                    r = json.loads(line)
                    rows.append({k: r[k] for k in ("id", "question", "answer")})
        jsonl("longform.jsonl", rows)
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    return names


def tree(rev: str, folder: Path) -> Path:
    """The source tree of ``rev`` ("." is this working tree)."""
    if rev == ".":
        return REPO
    out = folder / f"tree-{rev}"
    out.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def run_all(src: Path, folder: Path, inputs: list[str], tag: str) -> dict[str, bytes]:
    """Every output of ``src``'s evascore on the inputs (bytes), and each exit status."""
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    out: dict[str, bytes] = {}

    def run(name, args):
        p = subprocess.run(
            [sys.executable, "-m", "evascore", *args], cwd=folder, env=env, capture_output=True
        )
        out[name + " (exit status)"] = str(p.returncode).encode()
        return p

    for name in inputs:
        stem = name.removesuffix(".jsonl")
        for suffix in (".jsonl", ".csv") if stem == "corpus" else (".jsonl",):
            target = folder / f"{tag}-{stem}{suffix}"
            label = f"{stem} scored to {suffix[1:].upper()}"
            run(label, ["score", name, "-o", str(target), "--n-jobs", "1"])
            out[label] = target.read_bytes() if target.exists() else b""
    out["seed explain"] = run("seed explain", ["explain", "seed.txt"]).stdout
    target = folder / f"{tag}-seed.jsonl"
    run("seed score", ["score", "seed.txt", "-o", str(target)])
    out["seed score"] = target.read_bytes()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="a git revision")
    ap.add_argument("after", nargs="?", default=".", help="a git revision (default: this tree)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evascore-same-") as tmp:
        folder = Path(tmp)
        inputs = write_inputs(folder)
        a = run_all(tree(args.before, folder), folder, inputs, "before")
        b = run_all(tree(args.after, folder), folder, inputs, "after")
    print(f"| output | {args.before} | identical in {args.after} |\n|---|---|---|")
    same = True
    for name in a:
        ok = a[name] == b.get(name)
        same &= ok
        what = a[name].decode() if "exit status" in name else f"{len(a[name]):,} bytes"
        print(f"| {name} | {what} | {'yes' if ok else '**no**'} |")
    print("\nall identical" if same else "\nDIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
