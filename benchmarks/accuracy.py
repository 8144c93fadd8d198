"""Accuracy of evascore beside the alternatives, on public data, in one run.

    python benchmarks/accuracy.py                  # QEvasion, congressional hearings, UK months
    python benchmarks/accuracy.py --only qevasion  # just QEvasion (a few minutes)
    python benchmarks/accuracy.py --only qevasion --no-peer   # quicker: evascore rows only

Reads ``../shared/benchmarks/`` (beside the repository; never copied into it) and says so,
exiting 0, when it is absent. Prints markdown tables (copied into benchmarks/RESULTS.md) and
the time each step took; writes ``benchmarks/out/accuracy.json`` and, for the UK months,
``benchmarks/out/uk_examples.md`` (out/ is gitignored: it holds benchmark text).

QEvasion (US political interviews, 3-way clarity): the shipped default model cross-domain;
evascore retrained on QEvasion train by the ``evascore train`` path, grouped by answer; the
majority class; a TF-IDF + logistic-regression peer trained on the same split. Only the
sub-question (``question``) and the answer (``interview_answer``) are used: never the
annotator or GPT-3.5 columns. Model selection uses the grouped cross-validation on train; the
test split is only scored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import OUT, SEED, step, table  # noqa: E402

LABELS = ("direct", "partial", "evasive")
PUBLISHED = (
    "published on QEvasion test (3-way macro-F1): TF-IDF+LR 0.445, RoBERTa-base 0.53, "
    "DeBERTa-v3-base 0.61"
)


PREDICTIONS: dict[int, list] = {}  # id(metrics dict) -> the predictions behind it


def metrics(y_true, y_pred) -> dict:
    from evascore.training import metrics as m

    out = m(list(y_true), list(y_pred))
    PREDICTIONS[id(out)] = list(y_pred)
    return out


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    f = []
    for lab in LABELS:
        tp = np.sum((y == lab) & (p == lab))
        denom = np.sum(y == lab) + np.sum(p == lab)
        f.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f))


def bootstrap(y_true, preds: list, n: int = 1000, seed: int = SEED) -> list[np.ndarray]:
    """Macro-F1 of each prediction list on the same ``n`` resamples of the rows."""
    y = np.asarray(y_true, dtype=object)
    ps = [np.asarray(p, dtype=object) for p in preds]
    rng = np.random.default_rng(seed)
    out = [np.empty(n) for _ in ps]
    for b in range(n):
        idx = rng.integers(0, len(y), len(y))
        for k, p in enumerate(ps):
            out[k][b] = _macro_f1(y[idx], p[idx])
    return out


def score_rows(results: dict[str, dict], y_true=None) -> str:
    """Metrics table; with ``y_true``, a 95% bootstrap interval of each macro-F1."""
    ci = {}
    if y_true is not None:
        boots = bootstrap(y_true, [PREDICTIONS[id(m)] for m in results.values()])
        ci = {name: np.percentile(b, [2.5, 97.5]) for name, b in zip(results, boots, strict=True)}
    rows = [
        [
            name,
            m["macro_f1"],
            *([f"{ci[name][0]:.3f}-{ci[name][1]:.3f}"] if ci else []),
            m["accuracy"],
            *(m["per_class"][lab]["f1"] for lab in LABELS),
            m["n"],
        ]
        for name, m in results.items()
    ]
    return table(
        [
            "method",
            "macro-F1",
            *(["95% CI (bootstrap)"] if ci else []),
            "accuracy",
            "F1 direct",
            "F1 partial",
            "F1 evasive",
            "rows",
        ],
        rows,
    )


def paired_difference(y_true, a: dict, b: dict, name_a: str, name_b: str) -> str:
    """Macro-F1 of ``a`` minus ``b`` on the same bootstrap resamples, with its 95% interval."""
    ba, bb = bootstrap(y_true, [PREDICTIONS[id(a)], PREDICTIONS[id(b)]])
    d = ba - bb
    lo, hi = np.percentile(d, [2.5, 97.5])
    return (
        f"{name_a} minus {name_b}: macro-F1 {a['macro_f1'] - b['macro_f1']:+.3f} "
        f"(95% bootstrap CI {lo:+.3f} to {hi:+.3f}; {name_a} ahead in "
        f"{np.mean(d > 0):.0%} of resamples)"
    )


def confusion_rows(results: dict[str, dict]) -> str:
    rows = [
        [name, *("/".join(str(v) for v in row) for row in m["confusion_matrix"])]
        for name, m in results.items()
    ]
    return table(
        ["method", "true direct -> d/p/e", "true partial -> d/p/e", "true evasive -> d/p/e"], rows
    )


def grouped_folds(y, groups, k: int = 5, seed: int = SEED):
    from sklearn.model_selection import StratifiedGroupKFold

    return list(
        StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(
            np.zeros(len(y)), y, groups
        )
    )


def oof(fit_predict, n: int, folds) -> np.ndarray:
    """Out-of-fold predictions: ``fit_predict(train_idx, test_idx)`` for each fold."""
    pred = np.empty(n, dtype=object)
    for tr, te in folds:
        pred[te] = fit_predict(tr, te)
    return pred


def evascore_fit_predict(pairs, labels, techniques=None, groups=None, **options):
    """``EvasionModel(**options)`` fitted on the training fold; with ``tune_offsets`` its own
    inner 5-fold CV (grouped by ``groups``) picks the offsets, so the outer fold stays unseen."""
    from evascore.model import DEFAULT_SEED, EvasionModel

    def fp(tr, te):
        tech = None if techniques is None else [techniques[i] for i in tr]
        inner = None if groups is None else [groups[i] for i in tr]
        m = EvasionModel(seed=DEFAULT_SEED, **options).fit(
            [pairs[i] for i in tr],
            [labels[i] for i in tr],
            tech,
            groups=inner,
            cv=5 if options.get("tune_offsets") else 0,
        )
        return m.predict([pairs[i] for i in te])

    return fp


STACKED = {"text_features": True, "tune_offsets": True}
STACKED_NAME = "evascore retrained --text-features --tune-offsets"


def peer_fit_predict(texts, labels):
    def fp(tr, te):
        p = common.peer().fit([texts[i] for i in tr], [labels[i] for i in tr])
        return p.predict([texts[i] for i in te])

    return fp


def majority_fit_predict(labels):
    def fp(tr, te):
        top = Counter(labels[i] for i in tr).most_common(1)[0][0]
        return [top] * len(te)

    return fp


# ------------------------------------------------------------------------------- QEvasion


def qevasion(args) -> dict | None:
    if common.need("qevasion") is None:
        return None
    import evascore
    from evascore.model import DEFAULT_SEED, train_files

    with step("qevasion: load"):
        train, test = common.load_qevasion("train"), common.load_qevasion("test")
    tr_pairs = list(zip(train["question"], train["answer"], strict=True))
    te_pairs = list(zip(test["question"], test["answer"], strict=True))
    y_tr, y_te = train["label"].tolist(), test["label"].tolist()
    print(
        f"\n## QEvasion\n\ntrain {len(train):,} rows ({train['answer'].nunique():,} distinct "
        f"answers), test {len(test):,} rows; labels train {dict(Counter(y_tr))}, "
        f"test {dict(Counter(y_te))}\n"
    )
    results = {}

    with step("qevasion: default model on test"):
        model = evascore.load_model(args.model)
        results["evascore default (cross-domain)"] = metrics(y_te, model.predict(te_pairs))

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "qevasion-train.jsonl"
        with open(data, "w", encoding="utf-8") as fh:
            for q, a, lab, tech in zip(
                train["question"], train["answer"], train["label"], train["technique"], strict=True
            ):
                group = hashlib.sha1(a.encode("utf-8")).hexdigest()  # CV folds group by answer
                fh.write(
                    json.dumps(
                        {
                            "question": q,
                            "answer": a,
                            "label": lab,
                            "technique": tech,
                            "group": group,
                        }
                    )
                    + "\n"
                )
        with step("qevasion: evascore train on train (5-fold CV grouped by answer + fit)"):
            retrained = train_files([str(data)], seed=DEFAULT_SEED)  # what `evascore train` runs
        cv = retrained.cv_
        with step("qevasion: evascore train --text-features --tune-offsets on train"):
            stacked = train_files([str(data)], seed=DEFAULT_SEED, **STACKED)
    with step("qevasion: retrained models on test"):
        results["evascore retrained on QEvasion train"] = metrics(y_te, retrained.predict(te_pairs))
        results[STACKED_NAME + " on QEvasion train"] = metrics(y_te, stacked.predict(te_pairs))
    with step("qevasion: majority class"):
        top = Counter(y_tr).most_common(1)[0][0]
        results[f"majority class ({top})"] = metrics(y_te, [top] * len(y_te))
    tr_text = [common.peer_text(q, a) for q, a in tr_pairs]
    te_text = [common.peer_text(q, a) for q, a in te_pairs]
    if not args.no_peer:
        with step("qevasion: TF-IDF+LR peer fit on train, predict test"):
            peer = common.peer().fit(tr_text, y_tr)
            results["TF-IDF(1-2)+LR balanced peer"] = metrics(y_te, peer.predict(te_text))

    # The same group keys as the training file, so these folds are the card's folds.
    folds = grouped_folds(
        y_tr, [hashlib.sha1(a.encode("utf-8")).hexdigest() for a in train["answer"]]
    )
    cv_results = {}
    if args.oof:
        with step("qevasion: evascore out-of-fold predictions on train (same 5 grouped folds)"):
            pred = oof(
                evascore_fit_predict(tr_pairs, y_tr, train["technique"].tolist()), len(y_tr), folds
            )
            cv_results["evascore retrained"] = metrics(y_tr, pred)
    if not args.no_peer:
        with step("qevasion: peer 5-fold CV on train grouped by answer"):
            cv_results["TF-IDF(1-2)+LR balanced peer"] = metrics(
                y_tr, oof(peer_fit_predict(tr_text, y_tr), len(y_tr), folds)
            )
    cv_results["majority class"] = metrics(y_tr, oof(majority_fit_predict(y_tr), len(y_tr), folds))

    print("### QEvasion test (308 rows), 3-way\n")
    print(score_rows(results, y_te))
    peer_name = "TF-IDF(1-2)+LR balanced peer"
    if peer_name in results:
        print()
        print(
            paired_difference(
                y_te,
                results["evascore retrained on QEvasion train"],
                results[peer_name],
                "evascore retrained",
                "the peer",
            )
        )
        print()
        print(
            paired_difference(
                y_te,
                results[STACKED_NAME + " on QEvasion train"],
                results[peer_name],
                STACKED_NAME,
                "the peer",
            )
        )
    print(
        "\nConfusion matrices on test (rows: true label; counts predicted direct/partial/"
        "evasive):\n"
    )
    print(confusion_rows(results))
    print(f"\n{PUBLISHED}.\n")
    # What the text features cost when scoring: in-process predict_proba on all 3,756 pairs.
    import time

    every = tr_pairs + te_pairs
    rates = {}
    for name, m in (("evascore retrained", retrained), (STACKED_NAME, stacked)):
        t0 = time.perf_counter()
        m.predict_proba(every)
        rates[name] = len(every) / (time.perf_counter() - t0)
    print(
        "Scoring cost (in-process `predict_proba`, QEvasion train + test, "
        f"{len(every):,} pairs): "
        + "; ".join(f"{k} {v:,.0f} pairs/s" for k, v in rates.items())
        + ".\n"
    )
    print("### QEvasion train, 5-fold cross-validation grouped by answer (model selection)\n")
    if cv:
        print(
            f"`evascore train` card: macro-F1 {cv['macro_f1']:.3f}, accuracy "
            f"{cv['accuracy']:.3f}, per-class F1 {cv['per_class_f1']} ({cv['folds']} folds, "
            f"{'grouped' if cv['grouped'] else 'NOT grouped'})\n"
        )
        s = stacked.cv_
        print(
            f"`{STACKED_NAME}` card: macro-F1 {s['macro_f1']:.3f} before offsets (offsets "
            f"{s['offsets']}; {s['macro_f1_after_offsets_in_sample']:.3f} after them, tuned "
            "on those same predictions, so optimistic: benchmarks/experiments.py has the "
            "nested figure)\n"
        )
    print(f"Out-of-fold predictions on the same folds (StratifiedGroupKFold, seed {SEED}):\n")
    print(score_rows(cv_results))
    print()
    print(confusion_rows(cv_results))
    return {"test": results, "train_cv_card": cv, "train_cv": cv_results}


# ------------------------------------------------------------------------------- congress


def congress(args) -> dict | None:
    if common.need("subjective-discourse-congress") is None:
        return None
    import evascore

    with step("congress: load"):
        d = common.load_congress()
    pairs = list(zip(d["question"], d["answer"], strict=True))
    y, groups = d["label"].tolist(), d["group"].tolist()
    print(
        f"\n## Congressional hearings (SubjectiveResponses)\n\n{len(d):,} rows, "
        f"{len(set(groups))} hearings; majority labels {dict(Counter(d['raw_label']))} -> "
        f"{dict(Counter(y))}\n"
    )
    results = {}
    with step("congress: default model on all rows"):
        model = evascore.load_model(args.model)
        results["evascore default (cross-domain, all rows)"] = metrics(y, model.predict(pairs))
    folds = grouped_folds(y, groups)
    with step("congress: evascore 5-fold CV grouped by hearing"):
        results["evascore retrained, 5-fold CV by hearing"] = metrics(
            y, oof(evascore_fit_predict(pairs, y), len(y), folds)
        )
    with step(
        "congress: evascore --text-features --tune-offsets, 5-fold CV by hearing "
        "(inner CV by hearing)"
    ):
        results[STACKED_NAME + ", 5-fold CV by hearing"] = metrics(
            y, oof(evascore_fit_predict(pairs, y, groups=groups, **STACKED), len(y), folds)
        )
    if not args.no_peer:
        with step("congress: peer 5-fold CV grouped by hearing"):
            text = [common.peer_text(q, a) for q, a in pairs]
            results["TF-IDF(1-2)+LR peer, 5-fold CV by hearing"] = metrics(
                y, oof(peer_fit_predict(text, y), len(y), folds)
            )
    results["majority class, 5-fold CV by hearing"] = metrics(
        y, oof(majority_fit_predict(y), len(y), folds)
    )
    print("### Congressional hearings, 3-way\n")
    print(score_rows(results, y))
    peer_name = "TF-IDF(1-2)+LR peer, 5-fold CV by hearing"
    if peer_name in results:
        print()
        print(
            paired_difference(
                y,
                results["evascore retrained, 5-fold CV by hearing"],
                results[peer_name],
                "evascore retrained",
                "the peer",
            )
        )
        print("(rows resampled independently; hearings are not, so the interval is too narrow)")
    print()
    print(confusion_rows(results))
    return {"results": results}


# ------------------------------------------------------------------------------- UK months


def uk(args) -> dict | None:
    folder = common.need("uk-commons-written-questions")
    if folder is None:
        return None
    import evascore
    from evascore.errors import InputError
    from evascore.pairs import QAPair

    with step("uk: load"):
        rows = []
        for f in sorted(folder.glob("*.json")):
            for rec in json.loads(f.read_text("utf-8")):
                v = rec.get("value") or {}
                q, a = v.get("questionText") or "", v.get("answerText") or ""
                if not a.strip() or not q.strip():
                    continue
                try:
                    pair = QAPair.make(q, a, id=str(v.get("id") or ""))
                except InputError:
                    continue
                rows.append((pair, v, f.stem))
    with step(f"uk: score {len(rows):,} answered rows with the default model"):
        model = evascore.load_model(args.model)
        out = model.score_many([r[0] for r in rows], n_jobs=1)
    labels = Counter(a.label for a in out)
    techniques = Counter((a.label, a.technique) for a in out)
    truncated = [raw["answerText"].rstrip().endswith("...") for _, raw, _ in rows]
    n = len(out)
    print(f"\n## UK written questions (unlabelled), {n:,} answered rows, default model\n")
    print(
        f"{sum(truncated):,} of {n:,} answers are truncated at about 255 characters by the "
        "API list view (SOURCE.md), so length features see a cut answer.\n"
    )
    by_trunc = {
        lab: [
            sum(1 for a, t in zip(out, truncated, strict=True) if a.label == lab and t == flag)
            for flag in (True, False)
        ]
        for lab in LABELS
    }
    n_t, n_f = sum(truncated), n - sum(truncated)
    print(
        table(
            ["label", "rows", "share", "share of truncated answers", "share of full answers"],
            [
                [
                    lab,
                    labels[lab],
                    f"{labels[lab] / n:.1%}",
                    f"{by_trunc[lab][0] / max(n_t, 1):.1%}",
                    f"{by_trunc[lab][1] / max(n_f, 1):.1%}",
                ]
                for lab in LABELS
            ],
        )
    )
    print()
    print(
        table(
            ["label", "technique", "rows", "share"],
            [
                [lab, tech, c, f"{c / n:.1%}"]
                for (lab, tech), c in sorted(
                    techniques.items(), key=lambda kv: (LABELS.index(kv[0][0]), -kv[1])
                )
            ],
        )
    )
    rng = random.Random(args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "uk_examples.md"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            "# UK written questions: 20 random examples per label (default model)\n\n"
            f"Seed {args.seed}. Benchmark text: do not commit. Contains Parliamentary "
            "information licensed under the Open Parliament Licence v3.0 (via mySociety). "
            "Most answers are cut at about 255 characters by the API list view; the "
            "model saw only the cut text.\n"
        )
        for lab in LABELS:
            idx = [i for i, a in enumerate(out) if a.label == lab]
            pick = sorted(rng.sample(idx, min(20, len(idx))))
            fh.write(f"\n## {lab} ({len(idx):,} rows; {len(pick)} shown)\n")
            for k, i in enumerate(pick, 1):
                a, (_, raw, month) = out[i], rows[i]
                cues = "; ".join(f'{c["technique"]}: "{c["text"]}"' for c in a.cues) or "none"
                fh.write(
                    f"\n### {lab} {k}: {month} uin {raw.get('uin')} - "
                    f"{raw.get('answeringBodyName')} - {raw.get('heading')}\n\n"
                    f"- label **{a.label}**, evasiveness {a.evasiveness:.2f}, technique "
                    f"{a.technique}; cues: {cues}\n"
                    f"- verdict (fill in): agree / disagree, should be ...\n\n"
                    f"**Q.** {a.question}\n\n**A.** {a.answer}\n"
                )
    print(
        f"\nwrote 20 random examples per label (seed {args.seed}) to "
        f"{path.relative_to(common.REPO)} for a human to read"
    )
    return {
        "rows": n,
        "truncated": sum(truncated),
        "labels": dict(labels),
        "techniques": {f"{lab}/{t}": c for (lab, t), c in techniques.items()},
    }


# ------------------------------------------------------------------------------- main


PARTS = {"qevasion": qevasion, "congress": congress, "uk": uk}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--only",
        action="append",
        choices=sorted(PARTS),
        help="run only this part (repeatable); default: all",
    )
    ap.add_argument(
        "--model", default=None, help="the model scored as 'default' (default: the shipped model)"
    )
    ap.add_argument(
        "--oof",
        action="store_true",
        help="also refit evascore on the QEvasion CV folds for its out-of-fold "
        "confusion matrix on train (about three minutes more; the `evascore "
        "train` CV figures are printed either way)",
    )
    ap.add_argument(
        "--no-peer",
        action="store_true",
        help="skip the TF-IDF+LR peer (its QEvasion figures do not change when "
        "evascore does: about two minutes saved)",
    )
    ap.add_argument("--seed", type=int, default=SEED, help="seed for the UK example sample")
    args = ap.parse_args(argv)
    if not common.BENCHMARKS.is_dir():
        print(
            f"skipped: {common.BENCHMARKS} is absent (benchmark data lives beside the "
            "repository in ../shared/benchmarks/; it is never copied into it)"
        )
        return 0
    common.pandas()
    print("# evascore accuracy benchmarks\n")
    common.print_machine()
    print(f"command: python benchmarks/accuracy.py {' '.join(argv or sys.argv[1:])}".rstrip())
    results = {}
    with step("accuracy: total"):
        for name in args.only or list(PARTS):
            results[name] = PARTS[name](args)
    print("\n### Steps\n")
    print(table(["step", "seconds"], [[n, f"{t:.1f}"] for n, t in common.TIMINGS]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "accuracy.json").write_text(
        json.dumps({"machine": common.machine(), **results}, indent=2, default=str) + "\n", "utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
