"""Draw the real-answer labelling sample from the longform written answers.

Reads ``../shared/benchmarks/uk-written-answers-longform/answers-2023-09_2025-12.jsonl.gz``
(Open Parliament Licence v3.0, via mySociety) and writes batches of about 100 items for the
blind labelling passes. Deterministic (seeded): rerunning gives the same sample.

Design:
- train months (2023-09 .. 2025-06) and test months (2025-07 .. 2025-12) are sampled
  separately; within each, every month gets a share proportional to its size (with a floor),
  and within a month, items are drawn to length quotas (< 300, 300-800, > 800 cleaned
  characters) so that long answers make up over 40% of the sample;
- answers over 6,000 cleaned characters (0.04% of the file) are left out: they do not fit a
  reader's batch;
- at most two items share one answer text (grouped answers repeat verbatim).

    python training_data/real/sample.py --out /tmp/labelling
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import random
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = (
    HERE.parents[2]
    / "shared/benchmarks/uk-written-answers-longform"
    / "answers-2023-09_2025-12.jsonl.gz"
)
TEST_MONTHS = {"2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"}
QUOTAS = ((0, 300, 0.20), (300, 800, 0.38), (800, 6000, 0.42))


def readable(text: str) -> str:
    """HTML as a person reads it: paragraphs and table rows on their own lines."""
    t = re.sub(r"(?i)<\s*br\s*/?>", "\n", text)
    t = re.sub(r"(?i)</\s*(p|div|li|tr|h[1-6]|table|ul|ol)\s*>", "\n", t)
    t = re.sub(r"(?i)<\s*li\b[^>]*>", "\n- ", t)
    t = re.sub(r"(?i)</\s*t[dh]\s*>", " | ", t)
    t = re.sub(r"<[^<>]+>", "", t)
    t = html.unescape(t).replace("\xa0", " ")
    lines = [" ".join(ln.split()) for ln in t.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def flat(text: str) -> str:
    return " ".join(readable(text).split())


def draw(
    n_train: int,
    n_test: int,
    seed: int = 20261204,
    exclude: set | None = None,
    answer_counts: dict | None = None,
) -> list[dict]:
    """Draw the sample; ``exclude`` (source ids) and ``answer_counts`` carry an earlier draw."""
    rng = random.Random(seed)
    exclude = exclude or set()
    by_month: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if not r.get("question") or not r.get("answer") or str(r["id"]) in exclude:
                continue
            n = len(flat(r["answer"]))
            if n == 0 or n > 6000:
                continue
            r["_len"] = n
            by_month[r["month"]].append(r)
    out, per_answer = [], defaultdict(int, answer_counts or {})
    for months, total in (
        (sorted(m for m in by_month if m not in TEST_MONTHS), n_train),
        (sorted(m for m in by_month if m in TEST_MONTHS), n_test),
    ):
        size = sum(len(by_month[m]) for m in months)
        for m in months:
            k = max(30, round(total * len(by_month[m]) / size))
            for lo, hi, share in QUOTAS:
                pool = [r for r in by_month[m] if lo <= r["_len"] < hi]
                rng.shuffle(pool)
                want, got = round(k * share), 0
                for r in pool:
                    if got >= want:
                        break
                    key = hashlib.sha1(flat(r["answer"]).encode()).hexdigest()[:12]
                    if per_answer[key] >= 2:
                        continue
                    per_answer[key] += 1
                    out.append(
                        {
                            "source_id": str(r["id"]),
                            "month": m,
                            "question": r["question"],
                            "answer": r["answer"],
                            "answer_group": "ans-" + key,
                            "test": m in TEST_MONTHS,
                        }
                    )
                    got += 1
    return out


# The draws made for the labelled set, in order: (train-month items, test-month items).
DRAWS = ((2600, 800), (2300, 300))


def make_sample(draws=DRAWS) -> list[dict]:
    """Every item of the given draws, with its ``item`` id, as the batches were written."""
    items: list[dict] = []
    counts: dict = defaultdict(int)
    for n_train, n_test in draws:
        new = draw(
            n_train,
            n_test,
            seed=20261204 + len(items),
            exclude={r["source_id"] for r in items},
            answer_counts=counts,
        )
        random.Random(7 + len(items)).shuffle(new)
        for i, r in enumerate(new):
            r["item"] = f"r{i + len(items):05d}"
            counts[r["answer_group"][4:]] += 1
        items.extend(new)
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n-train", type=int, default=2600)
    ap.add_argument("--n-test", type=int, default=800)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument(
        "--extend",
        action="store_true",
        help="draw more items, new to OUT/sample.jsonl, as further batches",
    )
    a = ap.parse_args()
    out = Path(a.out)
    old = []
    if a.extend:
        old = [json.loads(x) for x in open(out / "sample.jsonl", encoding="utf-8")]
    counts = defaultdict(int)
    for r in old:
        counts[r["answer_group"][4:]] += 1
    items = draw(
        a.n_train,
        a.n_test,
        seed=20261204 + len(old),
        exclude={r["source_id"] for r in old},
        answer_counts=counts,
    )
    random.Random(7 + len(old)).shuffle(items)
    (out / "batches").mkdir(parents=True, exist_ok=True)
    first_batch = -(-len(old) // a.batch)
    with open(out / "sample.jsonl", "a" if a.extend else "w", encoding="utf-8") as fh:
        for i, r in enumerate(items):
            r["item"] = f"r{i + len(old):05d}"
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for b in range(0, len(items), a.batch):
        name = f"b{first_batch + b // a.batch + 1:02d}"
        with open(out / "batches" / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r in items[b : b + a.batch]:
                fh.write(
                    json.dumps(
                        {
                            "item": r["item"],
                            "question": readable(r["question"]),
                            "answer": readable(r["answer"]),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    n_long = sum(len(flat(r["answer"])) > 800 for r in items)
    print(
        f"{len(items)} items ({sum(r['test'] for r in items)} test months), "
        f"{n_long / len(items):.0%} over 800 chars, {-(-len(items) // a.batch)} batches"
    )


if __name__ == "__main__":
    main()
