"""Build training_data/real_answers.jsonl: real UK written answers with adjudicated labels.

Contains Parliamentary information licensed under the Open Parliament Licence v3.0; the
texts come from mySociety's uk-parl-written-questions data (see DATASHEET.md).

Inputs:
- the sample (``sample.make_sample``, redrawn from ``../shared/benchmarks/
  uk-written-answers-longform``: deterministic);
- ``training_data/annotation/real_pass_a.jsonl`` and ``real_pass_b.jsonl``: two blind,
  independent reading passes (item, label, technique, parts, drop, note);
- ``training_data/annotation/real_adjudication.jsonl``: a decision, with its reason, for
  every item on which the passes differ in label, technique or drop.

Rules: where the passes agree, their label and technique stand; otherwise the adjudicated
decision does. Parts come from the adjudication if it gave them, else from pass A, else pass
B. Dropped items (attachment-only substance, unintelligible question) are left out, and so
are items whose id is in the measurement-only API months (``uk-commons-written-questions``):
they stay measurement data; so are items whose answer has the same words as an API-month
answer (stock replies given to other questions; compared by :func:`same_words`, so a changed
space, quote or full stop does not hide a copy). Rows of 2025-07 .. 2025-12 form the
``test`` split.

    python training_data/real/build.py            # writes training_data/real_answers.jsonl
    python training_data/real/build.py --stats    # agreement figures for DATASHEET.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(DATA.parent))

import sample  # noqa: E402

from evascore.departments import department_of  # noqa: E402
from evascore.labels import TECHNIQUE_LABEL  # noqa: E402
from evascore.text import clean_text  # noqa: E402

ANN = DATA / "annotation"
OUT = DATA / "real_answers.jsonl"
API_MONTHS = DATA.parents[1] / "shared/benchmarks/uk-commons-written-questions"
LABEL_OF = TECHNIQUE_LABEL  # the scale: technique -> label
FIELDS = (
    "id",
    "group",
    "split",
    "setting",
    "department",
    "source",
    "source_id",
    "month",
    "question",
    "answer",
    "label",
    "technique",
    "parts",
    "agreement",
    "hard_case",
)


def read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    rows = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    for r in rows:
        # "direct" has one technique; a reader who left it blank meant it
        if r.get("label") == "direct" and not r.get("technique"):
            r["technique"] = "explicit"
    return {r["item"]: r for r in rows}


def same_words(text: str) -> str:
    """The text's words, lower-cased: the key two answers share when one copies the other."""
    return " ".join(re.findall(r"\w+", clean_text(text).lower()))


def api_months() -> tuple[set[str], set[str]]:
    """The ids and the answers' :func:`same_words` keys of the measurement-only API months."""
    ids: set[str] = set()
    answers: set[str] = set()
    for f in sorted(API_MONTHS.glob("*.json")):
        for rec in json.loads(f.read_text("utf-8")):
            ids.add(str(rec["value"]["id"]))
            if rec["value"].get("answerText"):
                answers.add(same_words(rec["value"]["answerText"]))
    return ids, answers


def needs_adjudication(a: dict, b: dict) -> bool:
    return (
        bool(a.get("drop")) != bool(b.get("drop"))
        or a.get("label") != b.get("label")
        or a.get("technique") != b.get("technique")
    )


def decide(a: dict, b: dict, adj: dict | None) -> dict | None:
    """The final decision for one item, or None when it is still waiting for adjudication."""
    if not needs_adjudication(a, b):
        if a.get("drop"):
            return {"drop": True}
        return {
            "label": a["label"],
            "technique": a["technique"],
            "parts": a.get("parts") or b.get("parts"),
            "drop": False,
        }
    if adj is None:
        return None
    return {
        "label": adj.get("label"),
        "technique": adj.get("technique"),
        "parts": adj.get("parts") or a.get("parts") or b.get("parts"),
        "drop": bool(adj.get("drop")),
    }


def _parts(parts) -> list | None:
    if not parts:
        return None
    return [{"text": str(p["text"]), "addressed": bool(p["addressed"])} for p in parts]


def build() -> tuple[list[dict], Counter]:
    items = {r["item"]: r for r in sample.make_sample()}
    pa, pb, adj = (
        read(ANN / "real_pass_a.jsonl"),
        read(ANN / "real_pass_b.jsonl"),
        read(ANN / "real_adjudication.jsonl"),
    )
    excluded, excluded_answers = api_months()
    why: Counter = Counter()
    rows = []
    for item in sorted(set(pa) & set(pb)):
        r = items[item]
        d = decide(pa[item], pb[item], adj.get(item))
        if d is None:
            why["waiting for adjudication"] += 1
            continue
        if d["drop"]:
            why["dropped by the readers"] += 1
            continue
        if r["source_id"] in excluded:
            why["in the measurement-only API months"] += 1
            continue
        if same_words(r["answer"]) in excluded_answers:  # another question, the same reply
            why["answer text identical to an API-month answer"] += 1
            continue
        if (
            d["label"] not in ("direct", "partial", "evasive")
            or LABEL_OF.get(d["technique"]) != d["label"]
        ):
            raise ValueError(f"{item}: inconsistent decision {d}")
        why["kept"] += 1
        rows.append(
            {
                "id": f"uwa-{r['source_id']}",
                "group": r["answer_group"],
                "split": "test" if r["test"] else "train",
                "setting": "uk_written",
                "department": department_of(clean_text(r["question"])),
                "source": "uk-written-answers-longform",
                "source_id": r["source_id"],
                "month": r["month"],
                "question": r["question"],
                "answer": r["answer"],
                "label": d["label"],
                "technique": d["technique"],
                "parts": _parts(d["parts"]),
                # whether the two blind passes agreed (else the adjudicated decision stands)
                "agreement": {
                    "label": pa[item]["label"] == pb[item]["label"],
                    "technique": pa[item]["technique"] == pb[item]["technique"],
                },
                "hard_case": None,
            }
        )
    rows.sort(key=lambda x: (x["month"], x["id"]))
    return rows, why


def stats() -> dict:
    """Agreement of the two passes (items both labelled, neither dropped)."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    pa, pb = read(ANN / "real_pass_a.jsonl"), read(ANN / "real_pass_b.jsonl")
    both = [i for i in sorted(set(pa) & set(pb)) if not pa[i].get("drop") and not pb[i].get("drop")]
    la, lb = [pa[i]["label"] for i in both], [pb[i]["label"] for i in both]
    ta, tb = [pa[i]["technique"] for i in both], [pb[i]["technique"] for i in both]
    labels = ["direct", "partial", "evasive"]
    return {
        "items_both_passes": len(both),
        "label_agreement": round(sum(x == y for x, y in zip(la, lb)) / len(both), 4),
        "label_kappa": round(float(cohen_kappa_score(la, lb)), 4),
        "technique_agreement": round(sum(x == y for x, y in zip(ta, tb)) / len(both), 4),
        "technique_kappa": round(float(cohen_kappa_score(ta, tb)), 4),
        "confusion_a_rows_b_cols": confusion_matrix(la, lb, labels=labels).tolist(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stats", action="store_true")
    a = ap.parse_args()
    if a.stats:
        print(json.dumps(stats(), indent=2))
        return
    rows, why = build()
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n")
    split = Counter(r["split"] for r in rows)
    print(
        f"wrote {len(rows)} rows to {OUT} ({split['train']} train, {split['test']} test); "
        + ", ".join(f"{k}: {v}" for k, v in sorted(why.items()))
    )


if __name__ == "__main__":
    main()
