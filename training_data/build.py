"""Build training_data/corpus.jsonl from the hand-written parts in training_data/parts/.

Deterministic: rows sorted by id; the development split (about 20% of question groups) is
chosen by a hash of the group, so adding rows never moves an existing group between splits.

    python training_data/build.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = (
    "id",
    "group",
    "split",
    "setting",
    "department",
    "question",
    "answer",
    "label",
    "technique",
    "parts",
    "hard_case",
)


def split_of(group: str) -> str:
    return "dev" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 5 == 0 else "train"


def build() -> list[dict]:
    rows = []
    for f in sorted((HERE / "parts").glob("*.jsonl")):
        for line in f.read_text("utf-8").split("\n"):
            if line.strip():
                r = json.loads(line)
                r["group"] = r.get("group") or r["id"]
                r["split"] = split_of(r["group"])
                rows.append({k: r.get(k) for k in FIELDS})
    rows.sort(key=lambda r: r["id"])
    return rows


if __name__ == "__main__":
    rows = build()
    with open(HERE / "corpus.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {HERE / 'corpus.jsonl'}")
