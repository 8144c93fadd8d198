"""Where the time goes when `evascore score` scores real answers: CPU time per stage, per pair.

    python benchmarks/stages.py               # 2,000 real answers, best of 3
    python benchmarks/stages.py --rows 5000 --repeat 5

Draws a seeded sample of real UK written answers from
``../shared/benchmarks/uk-written-answers-longform/`` (rows with both a question and an
answer; written only to a temporary folder) and times, with ``time.process_time`` (CPU time,
so other load on the machine moves the figures less than wall time), each stage the command
line runs for a chunk, through the scorer's own calls: reading and cleaning the rows, the
evidence pass (question frames not cached, as in a real batch, where questions are
distinct), the feature matrix, the text views (the answer and opening views from one
tokenisation), the head and technique head, building the assessments, and writing the JSON lines.
The model is frozen out of the collector's view first, as ``evascore score`` does; the
collector runs while rows are read and written, and is paused while assessing.
The peer's whole ``predict_proba`` on the same pairs is timed beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import SEED, table  # noqa: E402
from speed import longform_pairs, real_training_rows, write_jsonl  # noqa: E402


def _clear_frames() -> None:
    import evascore.question as question

    for name in dir(question):
        fn = getattr(question, name)
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import numpy as np

    from evascore.assessment import build_assessments
    from evascore.columns import feature_matrix
    from evascore.pairs import read_inputs
    from evascore.persist import load_scorer
    from evascore.rules import parts_refused, parts_ruled
    from evascore.writers import record, serialise

    common.print_machine()
    scorer = load_scorer()
    pairs = longform_pairs(args.rows, random.Random(SEED))
    best: dict[str, float] = {}

    def timed(name, fn):
        t0 = time.process_time()
        out = fn()
        best[name] = min(best.get(name, float("inf")), time.process_time() - t0)
        return out

    def one_pass(path: str) -> None:
        _clear_frames()
        rows = timed("read and clean the rows", lambda: list(read_inputs([path], None, False)))
        good = [r for r in rows if r.pair is not None]
        batch = [r.pair for r in good]
        qa = [(p.question, p.answer) for p in batch]
        gc.disable()  # as Scorer.assess does while it scores a chunk
        an = timed("evidence pass (analyse)", lambda: scorer.analyse_many(qa))
        X = timed("feature vector", lambda: feature_matrix(an))
        views = timed("text views", lambda: scorer._text_blocks(qa, an))
        X = np.hstack([X, *views])

        def heads():
            z = scorer.head.standardise(X)
            tech = None if scorer.technique is None else scorer.technique.proba(z)
            return scorer.proba(X), tech, scorer.head.contributions(X)

        proba, tech, contrib = timed("head, technique head, rules", heads)
        refused = parts_refused(X)
        tech_classes = None if scorer.technique is None else scorer.technique.classes
        done = timed(
            "build assessments",
            lambda: build_assessments(
                batch,
                an,
                proba,
                contrib,
                scorer.head.classes,
                scorer.feature_names_,
                tech,
                tech_classes,
                refused,
                parts_ruled(X),
            ),
        )
        gc.enable()
        by_row = {id(r): a for r, a in zip(good, done, strict=True)}
        timed(
            "write JSON lines",
            lambda: serialise([record(r, by_row.get(id(r))) for r in rows], "jsonl"),
        )

    with tempfile.TemporaryDirectory(prefix="evascore-stages-") as tmp:
        path = str(Path(tmp) / "in.jsonl")
        write_jsonl(Path(path), pairs)
        warm = [r.pair for r in read_inputs([path], None, False)][:100]
        scorer.assess(warm)  # the lexicon and the text views' indexes, built once
        gc.freeze()  # as `evascore score` does for its model (stream.score_files)
        for _ in range(args.repeat):
            one_pass(path)
    peer = common.peer().fit(*real_training_rows())
    texts = [common.peer_text(q, a) for q, a in pairs]
    peer_s = float("inf")
    for _ in range(args.repeat):
        t0 = time.process_time()
        peer.predict_proba(texts)
        peer_s = min(peer_s, time.process_time() - t0)
    n = len(pairs)
    rows = [[name, f"{1e6 * s / n:.1f}"] for name, s in best.items()]
    rows.append(["**evascore, all stages**", f"**{1e6 * sum(best.values()) / n:.1f}**"])
    rows.append(["TF-IDF+LR peer, predict_proba", f"{1e6 * peer_s / n:.1f}"])
    print(f"\n### CPU time per real answer ({n:,} pairs, best of {args.repeat}), µs\n")
    print(table(["stage", "µs per pair"], rows))
    print(json.dumps({k: round(1e6 * v / n, 1) for k, v in best.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
