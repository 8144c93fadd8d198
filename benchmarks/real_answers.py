"""Real UK written answers: model selection by grouped CV on the early months, one test.

    python benchmarks/real_answers.py                 # CV table, then the test months once
    python benchmarks/real_answers.py --cv-only       # the selection table only
    python benchmarks/real_answers.py --parts-rule    # the parts rule's variants, grouped CV
    python benchmarks/real_answers.py --before REV    # the "before" model from git (default
                                                      # 7a60b70, the last model trained on
                                                      # authored text only)

Data: ``training_data/real_answers.jsonl`` (labelled real answers, Open Parliament Licence)
and ``training_data/corpus.jsonl`` (texts written for the project). Rows of 2025-07 ..
2025-12 (``split == "test"``) are never used for fitting or choosing: candidates are compared
by grouped 5-fold CV (groups: identical answers) over the ``train`` real rows, with the
authored rows added to every training fold where a candidate uses them. The candidate with
the best CV macro-F1 is then fitted on all train rows and scored on the test months, beside
the model before this change and a TF-IDF + logistic-regression peer trained on the same
rows. Figures by answer length (< 300, 300-1,000, > 1,000 cleaned characters), top-label
ECE (10 equal-width bins) and technique accuracy (on rows whose two readers agreed on it)
are printed as markdown for ``benchmarks/RESULTS.md``.

``--parts-rule`` compares variants of the parts rule (:func:`evascore.rules.parts_rule`) on
the same grouped 5-fold CV of the train months, for the shipped candidate (the one
``persist.DEFAULT_TRAINING`` trains): the head's out-of-fold probabilities are computed
once, and each variant is applied to them. Nothing of the test months is read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import REPO, SEED, table  # noqa: E402

LABELS = ("direct", "partial", "evasive")
DATA = REPO / "training_data"
BEFORE = "7a60b70"
AOQ = ("answer", "opening", "question")
LENGTHS = (("< 300", 0, 300), ("300-1,000", 300, 1000), ("> 1,000", 1000, 10**9))

# name -> (EvasionModel options, which authored rows join the training folds: "all", "other"
# (the other registers: oral, committee, press, earnings, FOI; not the authored UK written
# answers) or "none")
CANDIDATES = {
    "features": ({}, "none"),
    "features, + all authored": ({}, "all"),
    "features + text": ({"text_features": True}, "none"),
    "features + text, + all authored": ({"text_features": True}, "all"),
    "features + text, + authored other registers": ({"text_features": True}, "other"),
    "features + text, unweighted": ({"text_features": True, "class_weight": None}, "none"),
    "features + text (answer, opening, question)": (
        {"text_features": True, "text_views": AOQ},
        "none",
    ),
    "features + text (answer, opening, question), unweighted, + authored other registers": (
        {"text_features": True, "class_weight": None, "text_views": AOQ},
        "other",
    ),
    "features + text (answer, opening, question), unweighted, + all authored": (
        {"text_features": True, "class_weight": None, "text_views": AOQ},
        "all",
    ),
    # issue 12: the answer view alone (the opening and question views cost ~35 us per answer)
    "features + text (answer), unweighted, + all authored": (
        {"text_features": True, "class_weight": None, "text_views": ("answer",)},
        "all",
    ),
}
# The default: ship a model trained on all labelled rows, real and authored. A
# candidate that uses them all is preferred when its CV macro-F1 is within this margin of the
# best (smaller differences are below what 5-fold CV on about 4,500 rows can tell apart).
PREFER_ALL_MARGIN = 0.005


def authored_rows(which: str, authored: list[dict]) -> list[dict]:
    if which == "all":
        return authored
    if which == "other":
        return [r for r in authored if r["setting"] != "uk_written"]
    return []


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def clean_len(text: str) -> int:
    from evascore.text import clean_text

    return len(clean_text(text))


def ece(proba: np.ndarray, y: list[str], bins: int = 10) -> float:
    """Top-label expected calibration error, equal-width bins."""
    conf = proba.max(axis=1)
    pred = np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)]
    right = pred == np.asarray(y, dtype=object)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(right[m].mean() - conf[m].mean())
    return float(total)


def fit_model(options: dict, rows: list[dict]):
    from evascore.model import DEFAULT_SEED, EvasionModel

    pairs = [(r["question"], r["answer"]) for r in rows]
    opts = dict(options)
    m = EvasionModel(seed=DEFAULT_SEED, **opts)
    cv = 5 if opts.get("tune_offsets") else 0
    return m.fit(
        pairs,
        [r["label"] for r in rows],
        [r["technique"] for r in rows],
        groups=[r["group"] for r in rows],
        cv=cv,
    )


def proba_of(model, rows):
    return model.predict_proba([(r["question"], r["answer"]) for r in rows])


def cv_candidate(options, use_authored, train, authored, folds):
    proba = np.zeros((len(train), 3))
    for tr, te in folds:
        fit_rows = [train[i] for i in tr] + authored_rows(use_authored, authored)
        m = fit_model(options, fit_rows)
        proba[te] = proba_of(m, [train[i] for i in te])
    return proba


def peer_proba(fit_rows, rows):
    p = common.peer().fit(
        [common.peer_text(r["question"], r["answer"]) for r in fit_rows],
        [r["label"] for r in fit_rows],
    )
    out = p.predict_proba([common.peer_text(r["question"], r["answer"]) for r in rows])
    return out[:, [list(p.classes_).index(lab) for lab in LABELS]]


def summary(y, proba) -> dict:
    from evascore.training import metrics

    pred = [LABELS[i] for i in proba.argmax(axis=1)]
    m = metrics(y, pred)
    m["ece"] = round(ece(proba, y), 4)
    m["evasive_share"] = round(float(np.mean([p == "evasive" for p in pred])), 4)
    return m


def before_proba(rev: str, rows: list[dict]) -> np.ndarray:
    """Probabilities of the model shipped at ``rev``, run with the code of ``rev``.

    The code and the model are taken from git into a temporary directory and run in a
    subprocess, so a later change of the features cannot break the comparison.
    """
    tmp = Path(tempfile.mkdtemp())
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "evascore", "models"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    pairs = tmp / "pairs.json"
    pairs.write_text(json.dumps([[r["question"], r["answer"]] for r in rows]), "utf-8")
    code = (
        "import json, sys, time, joblib; m = joblib.load(sys.argv[1]); "
        "p = [tuple(x) for x in json.load(open(sys.argv[2]))]; "
        "t = time.perf_counter(); m.score_many(p); t = time.perf_counter() - t; "
        "print(json.dumps([m.predict_proba(p).tolist(), len(p) / t]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp / "models" / "evascore-default.joblib"), str(pairs)],
        cwd=tmp,
        env={"PYTHONPATH": str(tmp), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    proba, rate = json.loads(out)
    RATES[f"before ({rev})"] = rate
    return np.asarray(proba)


SHIPPED = "features + text (answer, opening, question), unweighted, + all authored"


def parts_rule_variants(train, authored, folds, y) -> int:
    """Grouped CV of the shipped candidate's head under variants of the parts rule."""
    from evascore.rules import _FIGURE_TYPES, _PART_COLS, parts_mixed, parts_refused, reorder

    options, use_authored = CANDIDATES[SHIPPED]
    head = np.zeros((len(train), 3))
    shipped = np.zeros((len(train), 3))
    X = None
    for tr, te in folds:
        m = fit_model(options, [train[i] for i in tr] + authored_rows(use_authored, authored))
        rows = [train[i] for i in te]
        pipe = m.pipeline_
        Xf = pipe[:-1].transform([(r["question"], r["answer"]) for r in rows])
        last = pipe[-1]
        head[te] = reorder(last.head.predict_proba(Xf), last.head.classes_)
        shipped[te] = last.predict_proba(Xf)
        if X is None:
            X = np.zeros((len(train), Xf.shape[1]))
        X[te] = Xf
    coverage = X[:, _PART_COLS[1]]
    figures = X[:, _FIGURE_TYPES].sum(axis=1) > 0
    mixed_all, refused = parts_mixed(X), parts_refused(X)

    def ruled(mixed, soft=False, with_refused=True):
        p = head.copy()
        keep = p[mixed, 2] * 0.5 * (1.0 - coverage[mixed])
        p[mixed, 1] += p[mixed, 2] - keep + (0.0 if soft else p[mixed, 0])
        if not soft:
            p[mixed, 0] = 0.0
        p[mixed, 2] = keep
        if with_refused:
            p[refused, 2] += p[refused, 1]
            p[refused, 1] = 0.0
        return p

    none = np.zeros(len(train), bool)
    variants = {
        "no rule (the head alone)": ruled(none, with_refused=False),
        "both rules on every question (the rule before 2026-12-05)": ruled(mixed_all),
        "refusal rule only": ruled(none),
        "refusal rule; mixed rule moving only evasive, every question": ruled(mixed_all, True),
        "refusal rule; mixed rule on figures questions only": ruled(mixed_all & figures),
        "refusal rule; mixed rule moving only evasive, figures questions": ruled(
            mixed_all & figures, True
        ),
        "the shipped code's rule (check)": shipped,
    }
    idx = [LABELS.index(v) for v in y]
    rows = []
    for name, p in variants.items():
        s = summary(y, p)
        loss = -np.mean(np.log(np.clip(p[np.arange(len(y)), idx], 1e-12, 1.0)))
        rows.append(
            [
                name,
                s["macro_f1"],
                *(s["per_class"][lab]["f1"] for lab in LABELS),
                s["ece"],
                f"{loss:.3f}",
            ]
        )
    yy = np.asarray(y, dtype=object)
    print(
        f"\n### The parts rule's variants: grouped 5-fold CV on the train months ({len(train)} "
        "real rows; the shipped candidate's head, out of fold)\n"
    )
    print(
        f"Rows with some explicit parts answered and some not: {int(mixed_all.sum())} "
        f"(readers: {int((yy[mixed_all] == 'direct').sum())} direct, "
        f"{int((yy[mixed_all] == 'partial').sum())} partial, "
        f"{int((yy[mixed_all] == 'evasive').sum())} evasive); on figures questions "
        f"{int((mixed_all & figures).sum())} ({int((yy[mixed_all & figures] == 'direct').sum())} "
        f"direct). Rows the refusal rule bounds: {int(refused.sum())} "
        f"({int((yy[refused] == 'evasive').sum())} evasive, "
        f"{int((yy[refused] == 'partial').sum())} partial).\n"
    )
    header = ["variant", "macro-F1", "F1 direct", "F1 partial", "F1 evasive", "ECE", "log-loss"]
    print(table(header, rows))
    return 0


RATES: dict[str, float] = {}  # model -> pairs/s of score_many (full assessments), one core


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--before", default=BEFORE)
    ap.add_argument("--only", help="semicolon-separated candidate names (default: all)")
    ap.add_argument("--parts-rule", action="store_true", help="the parts rule's variants (CV only)")
    args = ap.parse_args(argv)
    real_path = DATA / "real_answers.jsonl"
    if not real_path.exists():
        print(f"skipped: {real_path} is absent (python training_data/real/build.py)")
        return 0
    common.print_machine()
    real = read(real_path)
    authored = read(DATA / "corpus.jsonl")
    train = [r for r in real if r["split"] == "train"]
    test = [r for r in real if r["split"] == "test"]
    print(
        f"real rows: {len(train)} train months, {len(test)} test months; authored rows: "
        f"{len(authored)}"
    )
    from sklearn.model_selection import StratifiedGroupKFold

    from evascore.model import DEFAULT_SEED  # noqa: F401  (import check)

    y_train = [r["label"] for r in train]
    folds = list(
        StratifiedGroupKFold(5, shuffle=True, random_state=SEED).split(
            np.zeros(len(train)), y_train, [r["group"] for r in train]
        )
    )
    if args.parts_rule:
        return parts_rule_variants(train, authored, folds, y_train)
    names = list(CANDIDATES) if not args.only else [n.strip() for n in args.only.split(";")]
    rows, cv = [], {}
    for name in names:
        options, use_authored = CANDIDATES[name]
        t0 = time.perf_counter()
        proba = cv_candidate(options, use_authored, train, authored, folds)
        s = summary(y_train, proba)
        cv[name] = s
        rows.append(
            [
                name,
                s["macro_f1"],
                *(s["per_class"][lab]["f1"] for lab in LABELS),
                s["ece"],
                f"{time.perf_counter() - t0:.0f} s",
            ]
        )
        print(f"[cv] {name}: macro-F1 {s['macro_f1']:.3f}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    pp = np.zeros((len(train), 3))
    for tr, te in folds:
        pp[te] = peer_proba([train[i] for i in tr], [train[i] for i in te])
    s = summary(y_train, pp)
    rows.append(
        [
            "TF-IDF+LR peer (real rows)",
            s["macro_f1"],
            *(s["per_class"][lab]["f1"] for lab in LABELS),
            s["ece"],
            f"{time.perf_counter() - t0:.0f} s",
        ]
    )
    print(
        "\n### Selection: grouped 5-fold CV on the train months "
        f"({len(train)} real rows; authored rows, where used, only ever in training folds)\n"
    )
    print(
        table(
            ["candidate", "macro-F1", "F1 direct", "F1 partial", "F1 evasive", "ECE", "time"], rows
        )
    )
    best = max(names, key=lambda n: cv[n]["macro_f1"])
    uses_all = [
        n
        for n in names
        if CANDIDATES[n][1] == "all"
        and cv[n]["macro_f1"] >= cv[best]["macro_f1"] - PREFER_ALL_MARGIN
    ]
    if uses_all and CANDIDATES[best][1] != "all":
        top = max(uses_all, key=lambda n: cv[n]["macro_f1"])
        print(
            f"\nbest by CV: {best} ({cv[best]['macro_f1']:.3f}); {top} "
            f"({cv[top]['macro_f1']:.3f}) uses all labelled rows and is within "
            f"{PREFER_ALL_MARGIN}: preferred"
        )
        best = top
    print(f"\nchosen by CV: **{best}**")
    if args.cv_only:
        return 0

    # ---- the test months, once
    options, use_authored = CANDIDATES[best]
    fit_rows = train + authored_rows(use_authored, authored)
    y = [r["label"] for r in test]
    results = {}
    results[f"shipped before ({args.before}, authored text only)"] = before_proba(args.before, test)
    new = fit_model(options, fit_rows)
    results[f"new: {best}"] = proba_of(new, test)
    results["TF-IDF+LR peer, same rows"] = peer_proba(fit_rows, test)
    lens = [clean_len(r["answer"]) for r in test]
    print(
        f"\n### Test months (2025-07 .. 2025-12): {len(test)} rows, never used to fit or choose\n"
    )
    head = [
        "model",
        "macro-F1",
        "F1 direct",
        "F1 partial",
        "F1 evasive",
        "accuracy",
        "ECE",
        "called evasive",
    ]
    trows, crow, lrows = [], [], []
    true_ev = np.mean([v == "evasive" for v in y])
    for name, proba in results.items():
        s = summary(y, proba)
        trows.append(
            [
                name,
                s["macro_f1"],
                *(s["per_class"][lab]["f1"] for lab in LABELS),
                s["accuracy"],
                s["ece"],
                f"{s['evasive_share']:.0%}",
            ]
        )
        crow.append([name, *("/".join(str(v) for v in r) for r in s["confusion_matrix"])])
        cells = []
        for _, lo, hi in LENGTHS:
            idx = [i for i, n in enumerate(lens) if lo <= n < hi]
            si = summary([y[i] for i in idx], proba[idx])
            cells.append(f"{si['macro_f1']:.3f} (n={len(idx)})")
        lrows.append([name, *cells])
    print(table(head, trows))
    print(f"\n(readers call {true_ev:.0%} of the test rows evasive)\n")
    print(
        table(
            ["model", "true direct -> d/p/e", "true partial -> d/p/e", "true evasive -> d/p/e"],
            crow,
        )
    )
    print()
    print(table(["model", *(f"macro-F1, {n} chars" for n, _, _ in LENGTHS)], lrows))
    t = time.perf_counter()
    new.score_many([(r["question"], r["answer"]) for r in test])
    RATES["new"] = len(test) / (time.perf_counter() - t)
    print(
        "\nscoring speed on the test rows (score_many, full assessments, in-process, one "
        "core): " + ", ".join(f"{k} {v:,.0f} pairs/s" for k, v in RATES.items())
    )
    # technique, where the two readers agreed on it
    agreed = [i for i, r in enumerate(test) if r.get("agreement", {}).get("technique")]
    got = new.score_many([(test[i]["question"], test[i]["answer"]) for i in agreed])
    ok = sum(a.technique == test[i]["technique"] for a, i in zip(got, agreed))
    print(
        f"\ntechnique right where the readers agreed on it (new model): {ok}/{len(agreed)}"
        f" = {ok / len(agreed):.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
