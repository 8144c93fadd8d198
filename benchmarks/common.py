"""Shared pieces of the benchmark scripts: where the data is, how it is read, the peer model.

The benchmark data lives beside the repository in ``../shared/benchmarks/`` and is never
copied into it. Only the columns a real user would have are read: the QEvasion annotator and
GPT-3.5 columns are label-leaky and are never loaded.
"""

from __future__ import annotations

import ast
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
OUT = REPO / "benchmarks" / "out"  # gitignored: may hold benchmark text
SEED = 20261130

QEVASION_LABEL = {"Clear Reply": "direct", "Ambivalent": "partial", "Clear Non-Reply": "evasive"}
# QEvasion's 9 evasion labels -> evascore techniques (each consistent with the 3-way label).
# QEvasion "Dodging" is Ambivalent (it still gives something); evascore's "dodging" is a
# non-reply, so it maps to evascore's nearest partial technique, "deflection".
QEVASION_TECHNIQUE = {
    "Explicit": "explicit",
    "Implicit": "implicit",
    "General": "general",
    "Partial/half-answer": "partial_parts",
    "Deflection": "deflection",
    "Dodging": "deflection",
    "Declining to answer": "declining",
    "Claims ignorance": "not_held",
    "Clarification": "clarification",
}
# Only these columns are ever read (never annotator1/2/3, gpt3.5_summary, gpt3.5_prediction),
# plus interview_question (the whole turn) when asked for.
QEVASION_COLUMNS = ["question", "interview_answer", "clarity_label", "evasion_label"]

CONGRESS_LABEL = {
    "answer": "direct",
    "answer_overans-sway": "direct",
    "shift-dodge": "partial",
    "shift-correct": "partial",
    "cant-answer-sincere": "evasive",
    "cant-answer-lying": "evasive",
}
CONGRESS_COLUMNS = ["hearing_id", "q_text", "r_text", "gold_coarse_labels"]


def need(sub: str) -> Path | None:
    """The benchmark folder ``sub``, or None after saying clearly that it is absent."""
    p = BENCHMARKS / sub
    if not p.is_dir():
        print(
            f"skipped: {p} is absent (benchmark data lives beside the repository in "
            "../shared/benchmarks/; it is never copied into it)"
        )
        return None
    return p


def pandas():
    try:
        import pandas as pd
        import pyarrow  # noqa: F401  (parquet)
    except ImportError:
        sys.exit("the benchmarks need pandas and pyarrow: pip install 'evascore[bench]'")
    return pd


def load_qevasion(split: str, turn: bool = False):
    """QEvasion ``split`` with columns question, answer, label, technique (3-way label).

    ``turn=True`` adds ``turn``, the whole question turn (``interview_question``), of which
    ``question`` is one sub-question.
    """
    pd = pandas()
    path = BENCHMARKS / "qevasion" / f"{split}-00000-of-00001.parquet"
    d = pd.read_parquet(path, columns=QEVASION_COLUMNS + (["interview_question"] if turn else []))
    out = pd.DataFrame(
        {
            "question": d["question"],
            "answer": d["interview_answer"],
            "label": d["clarity_label"].map(QEVASION_LABEL),
            "technique": d["evasion_label"].map(QEVASION_TECHNIQUE),  # NaN in test (empty)
        }
    )
    if turn:
        out["turn"] = d["interview_question"]
    if out["label"].isna().any():
        raise SystemExit(
            f"{path}: unexpected clarity labels "
            f"{sorted(set(d['clarity_label']) - set(QEVASION_LABEL))}"
        )
    return out


def majority(labels: tuple[str, ...]) -> str:
    """Most frequent annotator label; a tie goes to the one listed first (as SOURCE.md counts)."""
    return Counter(labels).most_common(1)[0][0]


def load_congress():
    """The hearings set: question, answer, raw majority label, 3-way label, hearing_id."""
    pd = pandas()
    path = (
        BENCHMARKS
        / "subjective-discourse-congress"
        / "with_features_annotated_questions_responses_gold.tsv"
    )
    d = pd.read_csv(path, sep="\t", usecols=CONGRESS_COLUMNS)
    raw = [majority(ast.literal_eval(s)) for s in d["gold_coarse_labels"]]
    return pd.DataFrame(
        {
            "question": d["q_text"],
            "answer": d["r_text"],
            "raw_label": raw,
            "label": [CONGRESS_LABEL[r] for r in raw],
            "group": d["hearing_id"],
        }
    )


def peer(seed: int = SEED):
    """The peer a user would pick instead: TF-IDF (1-2-grams) + balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed),
    )


def peer_text(question: str, answer: str) -> str:
    """The peer's input: the question and the answer as one text."""
    return f"{question}\n{answer}"


def machine() -> dict:
    """What the figures were measured on."""
    import numpy
    import sklearn

    import evascore

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "evascore", "models"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        commit = (
            (commit + (" (+ uncommitted changes)" if dirty else ""))
            if commit
            else "? (not a git checkout)"
        )
    except OSError:
        commit = "? (no git)"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "evascore": evascore.__version__,
        "commit": commit,
    }


def print_machine() -> None:
    m = machine()
    print(
        f"date {m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM; Python "
        f"{m['python']}, scikit-learn {m['scikit-learn']}, numpy {m['numpy']}, "
        f"evascore {m['evascore']} at {m['commit']}"
    )


@contextmanager
def step(name: str):
    """Print how long a step took."""
    t0 = time.perf_counter()
    print(f"[{name}] ...", file=sys.stderr, flush=True)
    yield
    took = time.perf_counter() - t0
    print(f"[step] {name}: {took:.1f} s", flush=True)
    TIMINGS.append((name, took))


TIMINGS: list[tuple[str, float]] = []


def table(header: list[str], rows: list[list]) -> str:
    """A markdown table."""

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)
