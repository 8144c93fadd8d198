"""Scoring throughput, peak memory and training time, evascore beside the TF-IDF+LR peer.

    python benchmarks/speed.py           # 1k, 10k, 100k pairs (--n-jobs 2 up to 10k); training
    python benchmarks/speed.py --full    # also --n-jobs 2 at 100k (about four minutes more)
    python benchmarks/speed.py --sizes 1000,10000 --train-sizes 1000,3448   # quicker

Pairs are QEvasion questions and answers (test and train, sampled with replacement, seeded)
when ``../shared/benchmarks/qevasion`` is present, else synthetic text of the same length.
Every scoring measurement is a fresh subprocess (``evascore score IN -o OUT --n-jobs J``, or
the peer reading the same JSONL and writing JSONL) watched by a fresh measuring process: wall
time, the peak of the summed RSS of the whole process tree (sampled every 0.1 s), and the
largest single-process peak from ``getrusage(RUSAGE_CHILDREN)``. The peer is also timed in
this process (``vectorizer.transform`` + ``predict_proba`` on texts already in memory).
Benchmark text is written only to a temporary folder.

    python benchmarks/speed.py --compare          # issue 12: both inputs, one core (~3 min)
    python benchmarks/speed.py --compare --quick  # the same at 2,000 and 5,000 pairs, once
    python benchmarks/speed.py --compare --without-text   # and the speed-accuracy table
    python benchmarks/speed.py --compare --also-model m.joblib   # another model in that table
    python benchmarks/speed.py --decompose        # where the real-answer gap lies (~4 min)

``--compare`` measures, in one run, pinned to one CPU (``os.sched_setaffinity``, inherited
by every subprocess; BLAS and OpenMP limited to one thread), both inputs of issue 12:
8,000 QEvasion-length pairs (as above) and 20,000 real full-length UK written answers drawn
(seeded) from ``../shared/benchmarks/uk-written-answers-longform/`` (rows with an empty
question or answer skipped). On each: ``evascore score IN -o OUT --n-jobs 1`` against the
peer's JSONL-in/JSONL-out path (best wall time of ``--repeat`` fresh subprocesses each), and
both in-process (``score_many``, full assessments, against ``predict_proba``); the ratio
per input. The peer is trained on QEvasion train for the first input and on
``training_data/real_answers.jsonl`` (5,549 labelled UK written answers) for the second.
Also the wall time of ``evascore --version`` and of ``evascore score`` on a one-row file.
With ``--without-text``, also the speed-accuracy table of issue 12: a model trained by the
shipped model's command without its text views (``persist.DEFAULT_TRAINING`` less
``--text-features`` and ``--text-views``, trained into the temporary folder, about a minute),
scored by the same CLI on both inputs in the same run, beside each model's grouped
cross-validated macro-F1 (from its card).
``--decompose`` asks where the real-answer gap lies. On a seeded sample of 20,000 real rows,
one pinned CPU, it times ``evascore score`` and the peer's JSONL path on three files of as
many rows: a one-line question with a one-sentence answer, the real question with a
one-sentence answer, and the real question and answer; and each on a one-row file (start-up
and model load). A row's cost is (wall - one-row wall) / rows; the differences between the
files give the cost of the real question and of the real answer, for each tool.
With ``PYTHONPATH=CHECKOUT`` the evascore measured is CHECKOUT's (for before/after figures).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import SEED, step, table  # noqa: E402

HERE = Path(__file__).resolve()
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------ measuring a subprocess


def _tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            pass
        todo.extend(children.get(pid, ()))
    return total


def measure_child(cmd: list[str]) -> dict:
    """Run ``cmd``; return wall seconds, peak tree RSS, max single-process RSS, its stderr."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    err = []
    import threading

    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    reader.join()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "rc": proc.returncode,
        "seconds": wall,
        "peak_tree_mb": peak / 2**20,
        "maxrss_mb": ru.ru_maxrss / 1024,
        "cpu_seconds": ru.ru_utime + ru.ru_stime,
        "stderr": b"".join(err).decode("utf-8", "replace"),
    }


def measured(cmd: list[str], cwd: Path | None = None) -> dict:
    """:func:`measure_child` in a fresh process, so RUSAGE_CHILDREN covers only ``cmd``."""
    out = subprocess.run(
        [sys.executable, str(HERE), "--measure", "--", *cmd],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    res = json.loads(out.stdout)
    if res["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({res['rc']}): {res['stderr'][-2000:]}")
    return res


# ------------------------------------------------------------------ the peer's CLI-like path


def peer_score(model_path: str, in_path: str, out_path: str, batch: int = 1000) -> None:
    """Read JSONL pairs, write one JSON line per pair: what `evascore score` does, for the peer."""
    import joblib

    pipe = joblib.load(model_path)
    classes = [str(c) for c in pipe.classes_]
    tmp = out_path + ".partial"

    def flush(rows, sink):
        proba = pipe.predict_proba([common.peer_text(r["question"], r["answer"]) for r in rows])
        for r, p in zip(rows, proba, strict=True):
            k = int(p.argmax())
            sink.write(
                json.dumps(
                    {
                        "id": r.get("id"),
                        "label": classes[k],
                        "probabilities": dict(zip(classes, map(float, p), strict=True)),
                    }
                )
                + "\n"
            )

    with open(in_path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as sink:
        rows = []
        for line in src:
            rows.append(json.loads(line))
            if len(rows) >= batch:
                flush(rows, sink)
                rows = []
        if rows:
            flush(rows, sink)
    os.replace(tmp, out_path)


# ------------------------------------------------------------------ data


def corpus(rng: random.Random) -> tuple[list[tuple[str, str]], list[str], list, str]:
    """(question, answer) pairs to sample from, their labels/techniques, and where from."""
    if (common.BENCHMARKS / "qevasion").is_dir():
        common.pandas()
        train, test = common.load_qevasion("train"), common.load_qevasion("test")
        pairs = list(zip(train["question"], train["answer"], strict=True))
        pairs += list(zip(test["question"], test["answer"], strict=True))
        labels = train["label"].tolist() + test["label"].tolist()
        return pairs, labels, train["technique"].tolist(), "QEvasion train+test"
    print(
        f"note: {common.BENCHMARKS / 'qevasion'} is absent: using synthetic text of "
        "QEvasion length (questions ~85 characters, answers ~1,700)"
    )
    words = (
        "the government minister policy will figures department years report number "
        "staff costs we not people support plans review published local national year "
        "and of to in a is that for on with as by it be are this have has"
    ).split()

    def text(n):
        return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

    pairs, labels = [], []
    for i in range(4000):
        pairs.append(
            (
                f"How many {text(14)}?",
                " ".join(text(rng.randint(5, 30)) for _ in range(rng.randint(2, 34))),
            )
        )
        labels.append(("direct", "partial", "evasive")[i % 3])
    return pairs, labels, None, "synthetic"


def write_jsonl(path: Path, pairs) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, (q, a) in enumerate(pairs):
            fh.write(json.dumps({"id": str(i), "question": q, "answer": a}) + "\n")


_RATE = re.compile(r"([\d.]+) s, ([\d,]+) rows/s")


def loop_rate(stderr: str) -> float | None:
    """Rows/s inside `evascore score`'s loop (from its summary line), startup excluded."""
    m = _RATE.findall(stderr)
    return float(m[-1][1].replace(",", "")) if m else None


# ------------------------------------------------------------------ issue 12: both inputs

LONGFORM = common.BENCHMARKS / "uk-written-answers-longform" / "answers-2023-09_2025-12.jsonl.gz"
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_one_core(cpu: int | None) -> int:
    """Pin this process (and so every subprocess it starts) to one CPU; BLAS to one thread."""
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {cpu})
    for var in ONE_THREAD:
        os.environ[var] = "1"
    return cpu


def longform_pairs(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` real answers (question, answer), a seeded sample of the rows with both texts."""
    import gzip

    if not LONGFORM.is_file():
        raise SystemExit(f"{LONGFORM} is absent: --compare needs it (../shared/benchmarks/)")
    with gzip.open(LONGFORM, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    pairs = [(r["question"], r["answer"]) for r in rows if r["question"] and r["answer"]]
    if n > len(pairs):
        raise SystemExit(f"{LONGFORM} has {len(pairs):,} usable rows, fewer than {n:,}")
    return [pairs[i] for i in sorted(rng.sample(range(len(pairs)), n))]


def real_training_rows() -> tuple[list[str], list[str]]:
    """The peer's training texts and labels for real answers: the project's labelled rows."""
    path = common.REPO / "training_data" / "real_answers.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [common.peer_text(r["question"], r["answer"]) for r in rows], [r["label"] for r in rows]


def best_wall(cmd: list[str], repeat: int, cwd: Path) -> dict:
    """The fastest of ``repeat`` fresh runs of ``cmd`` (the least disturbed by other load)."""
    return min((measured(cmd, cwd) for _ in range(repeat)), key=lambda r: r["seconds"])


def issue12_inputs(n_qe: int, n_real: int) -> list[tuple[str, list, object]]:
    """Issue 12's two inputs, (name, pairs, fitted peer): ``n_qe`` QEvasion-length pairs
    (seeded draws from :func:`corpus`) with a peer trained on QEvasion train, and ``n_real``
    real UK written answers (:func:`longform_pairs`) with a peer trained on the labelled
    real rows. One seeded generator, drawn in this order, so every caller gets the same
    samples."""
    rng = random.Random(SEED)
    pool, pool_labels, pool_tech, source = corpus(rng)
    n_train = len(pool_tech) if pool_tech is not None else len(pool)
    qe_peer = common.peer().fit(
        [common.peer_text(q, a) for q, a in pool[:n_train]], pool_labels[:n_train]
    )
    return [
        (
            f"{n_qe:,} QEvasion-length pairs ({source})",
            [pool[rng.randrange(len(pool))] for _ in range(n_qe)],
            qe_peer,
        ),
        (
            f"{n_real:,} real UK written answers (uk-written-answers-longform)",
            longform_pairs(n_real, rng),
            common.peer().fit(*real_training_rows()),
        ),
    ]


def compare(args) -> int:
    """Issue 12's measurement: evascore beside the peer on both inputs, one core, one run."""
    import joblib
    import numpy as np
    from threadpoolctl import threadpool_limits

    n_qe, n_real, repeat = (2000, 5000, 1) if args.quick else (8000, 20000, args.repeat)
    cpu = pin_one_core(args.cpu)
    print("# evascore beside the TF-IDF+LR peer on both inputs of issue 12\n")
    common.print_machine()
    import evascore

    where = Path(evascore.__file__).resolve().parent.parent
    # The CLI runs must import this same evascore: put it first on their path, and run them
    # in the temporary folder (``python -m`` puts the working directory before PYTHONPATH).
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(where), os.environ.get("PYTHONPATH")) if p
    )
    head = subprocess.run(
        ["git", "-C", str(where), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"evascore measured (CLI and in-process): {where} at commit {head or '?'}")
    print(f"command: python benchmarks/speed.py {' '.join(args.argv)}".rstrip())
    print(f"pinned to CPU {cpu}; BLAS/OpenMP threads 1; best wall of {repeat} run(s) each")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min)")
    with step("compare: data and peers"):
        inputs = issue12_inputs(n_qe, n_real)
    model = evascore.load_model()
    exe = [sys.executable, "-m", "evascore"]
    results = []
    with tempfile.TemporaryDirectory(prefix="evascore-speed-") as tmp:
        tmp = Path(tmp)
        cli_from = subprocess.run(
            [sys.executable, "-c", "import evascore; print(evascore.__file__)"],
            cwd=tmp,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not cli_from or Path(cli_from).resolve().parent.parent != where:
            raise SystemExit(f"the CLI runs would import evascore from {cli_from}, not {where}")
        one = tmp / "one.jsonl"
        write_jsonl(one, [inputs[1][1][0]])
        with step("compare: evascore --version"):
            version = best_wall([*exe, "--version"], 3, tmp)
        with step("compare: evascore score, one row"):
            one_row = best_wall([*exe, "score", str(one), "-o", str(tmp / "one-out.jsonl")], 3, tmp)
        views = ",".join(model.card_.get("params", {}).get("text_views") or ()) or "none"
        variants = [(f"shipped (text views: {views})", None, model.card_)]
        for path in args.also_model or ():
            from evascore.persist import read_card

            card = read_card(path)
            views = ",".join(card.get("params", {}).get("text_views") or ())
            if not card.get("params", {}).get("text_features"):
                views = "none"
            variants.append((f"{Path(path).name} (text views: {views})", Path(path), card))
        if args.without_text:
            with step("compare: train the model without text views"):
                variants.append(("without text views", *train_without_text(tmp)))
        for name, pairs, peer in inputs:
            data, out = tmp / "in.jsonl", tmp / "out.jsonl"
            write_jsonl(data, pairs)
            peer_path = tmp / "peer.joblib"
            joblib.dump(peer, peer_path)
            chars = np.array([len(a) for _, a in pairs])
            by_variant = {}
            for variant, path, _card in variants:
                with step(f"compare: evascore score ({variant}), {name}"):
                    extra = [] if path is None else ["--model", str(path)]
                    by_variant[variant] = best_wall(
                        [*exe, "score", str(data), "-o", str(out), "--n-jobs", "1", *extra],
                        repeat,
                        tmp,
                    )
            ev = by_variant[variants[0][0]]
            with step(f"compare: peer JSONL in/out, {name}"):
                pr = best_wall(
                    [
                        sys.executable,
                        str(HERE),
                        "--peer-score",
                        str(peer_path),
                        str(data),
                        str(out),
                    ],
                    repeat,
                    tmp,
                )
            texts = [common.peer_text(q, a) for q, a in pairs]
            with step(f"compare: in-process, {name}"), threadpool_limits(1):
                model.score_many(pairs[:200])  # warm: lexicon, caches
                # This process holds the rows read and both peers; freeze them so the cyclic
                # collector does not rescan them while evascore allocates (a CLI holds none).
                gc.collect()
                gc.freeze()
                ev_ip, pr_ip = [], []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    model.score_many(pairs)
                    ev_ip.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    peer.predict_proba(texts)
                    pr_ip.append(time.perf_counter() - t0)
                gc.unfreeze()
            results.append(
                {
                    "input": name,
                    "n": len(pairs),
                    "answer_chars_mean": float(chars.mean()),
                    "answer_chars_median": float(np.median(chars)),
                    "evascore_cli_s": ev["seconds"],
                    "evascore_loop_rate": loop_rate(ev["stderr"]),
                    "evascore_rss_mb": ev["peak_tree_mb"],
                    "peer_cli_s": pr["seconds"],
                    "peer_rss_mb": pr["peak_tree_mb"],
                    "evascore_inprocess_s": min(ev_ip),
                    "peer_inprocess_s": min(pr_ip),
                    "variants_cli_s": {v: r["seconds"] for v, r in by_variant.items()},
                }
            )
            data.unlink()
    _print_compare(results, version["seconds"], one_row["seconds"])
    if len(variants) > 1:
        _print_tradeoff(results, variants)
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / "speed-compare.json").write_text(
        json.dumps(
            {
                "machine": common.machine(),
                "evascore_path": str(where),
                "evascore_commit": head,
                "cpu": cpu,
                "repeat": repeat,
                "results": results,
                "version_s": version["seconds"],
                "one_row_s": one_row["seconds"],
                "variants": {
                    v: (card.get("cross_validation") or {}).get("macro_f1")
                    for v, _p, card in variants
                },
            },
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    print("\n### Steps\n")
    print(table(["step", "seconds"], [[n, f"{t:.1f}"] for n, t in common.TIMINGS]))
    print(f"\ntotal {sum(t for _, t in common.TIMINGS):.0f} s")
    return 0


def train_without_text(tmp: Path) -> tuple[Path, dict]:
    """The shipped model's training command without its text views, into ``tmp``."""
    from evascore.persist import DEFAULT_TRAINING

    args, skip = [], False
    for a in DEFAULT_TRAINING.split()[2:]:  # after "evascore train"
        if skip:
            skip = False
        elif a == "--text-features":
            continue
        elif a == "--text-views":
            skip = True  # and its value
        else:
            args.append(a)
    path = tmp / "without-text.joblib"
    subprocess.run(
        [sys.executable, "-m", "evascore", "train", *args, "-o", str(path)],
        cwd=common.REPO,
        check=True,
        capture_output=True,
    )
    print(f"trained without text views: evascore train {' '.join(args)} -o {path.name}")
    from evascore.persist import read_card

    return path, read_card(path)


def _print_tradeoff(results: list[dict], variants: list) -> None:
    rows = []
    for variant, _path, card in variants:
        cv = card.get("cross_validation") or {}
        row = [variant, f"{cv.get('macro_f1', float('nan')):.3f}"]
        for r in results:
            ev = r["n"] / r["variants_cli_s"][variant]
            pr = r["n"] / r["peer_cli_s"]
            row += [f"{ev:,.0f}", f"**{ev / pr:.2f}**"]
        rows.append(row)
    header = ["model", "grouped CV macro-F1 (card)"]
    for r in results:
        header += [f"CLI pairs/s, {r['input']}", "ratio to peer"]
    print("\n### Speed and accuracy, with and without the text views (same run)\n")
    print(table(header, rows))


def _print_compare(results: list[dict], version_s: float, one_row_s: float) -> None:
    rows = []
    for r in results:
        n = r["n"]
        ev, pr = n / r["evascore_cli_s"], n / r["peer_cli_s"]
        ev_ip, pr_ip = n / r["evascore_inprocess_s"], n / r["peer_inprocess_s"]
        loop = r["evascore_loop_rate"]
        rows.append(
            [
                r["input"],
                f"{r['answer_chars_mean']:,.0f} / {r['answer_chars_median']:,.0f}",
                f"{ev:,.0f}",
                f"{loop:,.0f}" if loop else "-",
                f"{pr:,.0f}",
                f"**{ev / pr:.2f}**",
                f"{ev_ip:,.0f}",
                f"{pr_ip:,.0f}",
                f"{ev_ip / pr_ip:.2f}",
                f"{r['evascore_rss_mb']:.0f} / {r['peer_rss_mb']:.0f}",
            ]
        )
    print("\n### Pairs per second on one core (CLI: wall time, start-up and model load included)\n")
    print(
        table(
            [
                "input",
                "answer chars mean / median",
                "evascore CLI",
                "evascore CLI loop",
                "peer CLI",
                "ratio CLI",
                "evascore in-process",
                "peer in-process",
                "ratio in-process",
                "peak RSS MB evascore / peer",
            ],
            rows,
        )
    )
    print(
        f"\n`evascore --version`: {version_s:.2f} s wall (target < 0.3 s); `evascore score` of "
        f"a one-row file: {one_row_s:.2f} s wall (target < 1 s). Best of 3 fresh runs each."
    )


# ------------------------------------------------------------------ main


def decompose(args) -> int:
    """Where the real-answer gap lies: per-row CLI cost of evascore and the peer as the
    question and then the answer grow from a line to the real text (one core, one run)."""
    import joblib

    n, repeat = (5000, 1) if args.quick else (20000, args.repeat)
    cpu = pin_one_core(args.cpu)
    print("# Per-row cost, evascore CLI beside the peer's JSONL path, by what a row holds\n")
    common.print_machine()
    print(f"command: python benchmarks/speed.py {' '.join(args.argv)}".rstrip())
    print(f"pinned to CPU {cpu}; BLAS/OpenMP threads 1; best wall of {repeat} run(s) each")
    real = longform_pairs(n, random.Random(SEED))
    short = "The Department does not hold this information."
    inputs = [
        (
            "one-line question, one-sentence answer",
            [(f"How many staff work at site {i}?", "We do not hold this.") for i in range(n)],
        ),
        ("real question, one-sentence answer", [(q, short) for q, _ in real]),
        ("real question and real answer", real),
    ]
    exe = [sys.executable, "-m", "evascore", "score"]
    peer_cmd = [sys.executable, str(HERE), "--peer-score"]
    rows, per_row = [], []
    with tempfile.TemporaryDirectory(prefix="evascore-speed-") as tmp:
        tmp = Path(tmp)
        peer_path = tmp / "peer.joblib"
        with step("decompose: peer"):
            joblib.dump(common.peer().fit(*real_training_rows()), peer_path)
        one, out = tmp / "one.jsonl", tmp / "out.jsonl"
        write_jsonl(one, real[:1])
        with step("decompose: one row (start-up)"):
            ev0 = best_wall([*exe, str(one), "-o", str(out)], repeat, tmp)["seconds"]
            pr0 = best_wall([*peer_cmd, str(peer_path), str(one), str(out)], repeat, tmp)["seconds"]
        for name, pairs in inputs:
            data = tmp / "in.jsonl"
            write_jsonl(data, pairs)
            with step(f"decompose: {name}"):
                ev = best_wall([*exe, str(data), "-o", str(out), "--n-jobs", "1"], repeat, tmp)
                pr = best_wall([*peer_cmd, str(peer_path), str(data), str(out)], repeat, tmp)
            e_us = (ev["seconds"] - ev0) / len(pairs) * 1e6
            p_us = (pr["seconds"] - pr0) / len(pairs) * 1e6
            per_row.append((e_us, p_us))
            rows.append(
                [
                    name,
                    f"{ev['seconds']:.2f}",
                    f"{pr['seconds']:.2f}",
                    f"{e_us:.0f}",
                    f"{p_us:.0f}",
                    f"{pr['seconds'] / ev['seconds']:.2f}",
                ]
            )
    print(
        f"\n{n:,} rows each. One-row file (start-up and model load): evascore {ev0:.2f} s, "
        f"peer {pr0:.2f} s. Per row: (wall - one-row wall) / rows.\n"
    )
    print(
        table(
            ["rows hold", "evascore s", "peer s", "evascore µs/row", "peer µs/row", "ratio"], rows
        )
    )
    (e1, p1), (e2, p2), (e3, p3) = per_row
    print("\n| per row | evascore µs | peer µs | evascore / peer |\n|---|---|---|---|")
    for what, e, p in (
        ("a row of one line each (reading, scoring, writing)", e1, p1),
        ("the real question, beyond one line", e2 - e1, p2 - p1),
        ("the real answer, beyond one sentence", e3 - e2, p3 - p2),
    ):
        print(f"| {what} | {e:.0f} | {p:.0f} | {e / p:.1f} |")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="pairs to score (comma-separated; default 1000,10000,100000)",
    )
    ap.add_argument("--jobs", default="1,2", help="--n-jobs values (default 1,2)")
    ap.add_argument(
        "--train-sizes",
        default="1000,3448,10000",
        help="training-set sizes to time (default 1000,3448,10000; '' to skip)",
    )
    ap.add_argument(
        "--inprocess-max",
        type=int,
        default=10000,
        help="largest size for the in-process timings (default 10000)",
    )
    ap.add_argument(
        "--parallel-max",
        type=int,
        default=10000,
        help="largest size scored with --n-jobs above 1 (default 10000)",
    )
    ap.add_argument(
        "--full",
        action="store_true",
        help="score every size with every --n-jobs (no --parallel-max)",
    )
    ap.add_argument(
        "--compare",
        action="store_true",
        help="issue 12: both inputs (8,000 QEvasion-length pairs, 20,000 real UK answers), "
        "evascore CLI and in-process beside the peer, one core (only this)",
    )
    ap.add_argument(
        "--decompose",
        action="store_true",
        help="per-row cost of evascore and the peer as the question, then the answer, grow "
        "from one line to the real text: 20,000 real rows, one core (only this)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="with --compare: 2,000 and 5,000 pairs, one run each"
    )
    ap.add_argument(
        "--without-text",
        action="store_true",
        help="with --compare: also a model without text views (the speed-accuracy table)",
    )
    ap.add_argument(
        "--also-model",
        action="append",
        metavar="PATH",
        help="with --compare: also score with this model file (repeatable; same table)",
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="with --compare: runs per measurement (best kept)"
    )
    ap.add_argument(
        "--cpu", type=int, default=None, help="with --compare: the CPU to pin to (default: last)"
    )
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--peer-score", nargs=3, metavar=("MODEL", "IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure_child(args.cmd)))
        return 0
    if args.peer_score:
        peer_score(*args.peer_score)
        return 0
    if args.decompose:
        args.argv = list(sys.argv[1:] if argv is None else argv)
        return decompose(args)
    if args.compare:
        args.argv = list(sys.argv[1:] if argv is None else argv)
        return compare(args)

    if args.full:
        args.parallel_max = sys.maxsize
    sizes = [int(s) for s in args.sizes.split(",") if s]
    jobs = [int(j) for j in args.jobs.split(",") if j]
    train_sizes = [int(s) for s in args.train_sizes.split(",") if s]
    print("# evascore speed and memory benchmarks\n")
    common.print_machine()
    print(f"command: python benchmarks/speed.py {' '.join(argv or sys.argv[1:])}".rstrip())
    try:
        print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min)")
    except OSError:
        pass
    rng = random.Random(SEED)
    import joblib
    import numpy as np

    import evascore

    with step("speed: data and peer"):
        pool, pool_labels, pool_tech, source = corpus(rng)
        n_train = len(pool_tech) if pool_tech is not None else len(pool)
        peer = common.peer().fit(
            [common.peer_text(q, a) for q, a in pool[:n_train]], pool_labels[:n_train]
        )
    ans = np.array([len(a) for _, a in pool])
    print(
        f"text: {source}; answers mean {ans.mean():,.0f} characters (median "
        f"{np.median(ans):,.0f}), questions mean {np.mean([len(q) for q, _ in pool]):,.0f}\n"
    )
    scoring, inproc, training = [], [], []
    with tempfile.TemporaryDirectory(prefix="evascore-speed-") as tmp:
        tmp = Path(tmp)
        peer_path = tmp / "peer.joblib"
        joblib.dump(peer, peer_path)
        model = evascore.load_model()
        for n in sizes:
            pairs = [pool[rng.randrange(len(pool))] for _ in range(n)]
            data = tmp / f"pairs-{n}.jsonl"
            write_jsonl(data, pairs)
            for j in jobs:
                if j != 1 and n > args.parallel_max:
                    continue
                with step(f"speed: evascore score {n:,} pairs --n-jobs {j}"):
                    r = measured(
                        [
                            sys.executable,
                            "-m",
                            "evascore",
                            "score",
                            str(data),
                            "-o",
                            str(tmp / "out.jsonl"),
                            "--n-jobs",
                            str(j),
                        ]
                    )
                scoring.append(
                    {
                        "tool": "evascore score",
                        "n_jobs": j,
                        "n": n,
                        **r,
                        "loop_rate": loop_rate(r["stderr"]),
                    }
                )
                (tmp / "out.jsonl").unlink(missing_ok=True)
            with step(f"speed: peer JSONL->JSONL {n:,} pairs"):
                r = measured(
                    [
                        sys.executable,
                        str(HERE),
                        "--peer-score",
                        str(peer_path),
                        str(data),
                        str(tmp / "out.jsonl"),
                    ]
                )
            scoring.append(
                {
                    "tool": "TF-IDF+LR peer, JSONL in/out",
                    "n_jobs": 1,
                    "n": n,
                    **r,
                    "loop_rate": None,
                }
            )
            (tmp / "out.jsonl").unlink(missing_ok=True)
            if n <= args.inprocess_max:
                texts = [common.peer_text(q, a) for q, a in pairs]
                with step(f"speed: peer in-process {n:,} pairs"):
                    t0 = time.perf_counter()
                    peer.predict_proba(texts)
                    inproc.append(
                        {
                            "tool": "TF-IDF+LR peer (transform + predict_proba)",
                            "n": n,
                            "seconds": time.perf_counter() - t0,
                        }
                    )
                with step(f"speed: evascore in-process {n:,} pairs"):
                    t0 = time.perf_counter()
                    model.predict_proba(pairs)
                    inproc.append(
                        {
                            "tool": "evascore (predict_proba)",
                            "n": n,
                            "seconds": time.perf_counter() - t0,
                        }
                    )
            data.unlink()
        if pool_tech is not None:
            train_pool = list(zip(pool[:n_train], pool_labels[:n_train], pool_tech, strict=True))
        else:
            train_pool = list(zip(pool, pool_labels, [None] * len(pool), strict=True))
        for n in train_sizes:
            rows = (
                rng.sample(train_pool, n)
                if n <= len(train_pool)
                else [train_pool[rng.randrange(len(train_pool))] for _ in range(n)]
            )
            prs = [r[0] for r in rows]
            labs = [r[1] for r in rows]
            tech = None if pool_tech is None else [r[2] for r in rows]
            with step(f"speed: evascore fit {n:,} pairs"):
                t0 = time.perf_counter()
                evascore.EvasionModel().fit(prs, labs, tech, cv=0)
                t_ev = time.perf_counter() - t0
            with step(f"speed: peer fit {n:,} pairs"):
                t0 = time.perf_counter()
                common.peer().fit([common.peer_text(q, a) for q, a in prs], labs)
                t_peer = time.perf_counter() - t0
            training.append(
                {"n": n, "evascore": t_ev, "peer": t_peer, "resampled": n > len(train_pool)}
            )

    _print_results(scoring, inproc, training, sizes, jobs)
    common.OUT.mkdir(parents=True, exist_ok=True)
    for r in scoring:
        r.pop("stderr", None)
    (common.OUT / "speed.json").write_text(
        json.dumps(
            {
                "machine": common.machine(),
                "scoring": scoring,
                "in_process": inproc,
                "training": training,
            },
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    print("\n### Steps\n")
    print(table(["step", "seconds"], [[n, f"{t:.1f}"] for n, t in common.TIMINGS]))
    print(f"\ntotal {sum(t for _, t in common.TIMINGS):.0f} s")
    return 0


def _print_results(scoring, inproc, training, sizes, jobs) -> None:
    print("\n### Scoring throughput and memory (fresh subprocess per row)\n")
    base, prev = {}, {}
    rows = []
    for r in sorted(
        scoring, key=lambda r: (r["tool"] != "evascore score", r["tool"], r["n_jobs"], r["n"])
    ):
        key = (r["tool"], r["n_jobs"])
        b = base.setdefault(key, r)
        p = prev.get(key, r)
        prev[key] = r
        rows.append(
            [
                r["tool"],
                r["n_jobs"],
                f"{r['n']:,}",
                f"{r['seconds']:.1f}",
                f"{r['n'] / r['seconds']:,.0f}",
                f"{r['loop_rate']:,.0f}" if r.get("loop_rate") else "-",
                f"{1000 * r['seconds'] / r['n']:.2f}",
                f"{r['peak_tree_mb']:.0f}",
                f"{r['maxrss_mb']:.0f}",
                f"{r['peak_tree_mb'] / b['peak_tree_mb']:.2f}",
                f"{r['peak_tree_mb'] / p['peak_tree_mb']:.2f}",
            ]
        )
    print(
        table(
            [
                "tool",
                "n-jobs",
                "pairs",
                "wall s",
                "pairs/s (wall)",
                "pairs/s (loop)",
                "s per 1k pairs",
                "peak RSS tree MB",
                "max process RSS MB",
                f"RSS / RSS at {sizes[0]:,}",
                "RSS / previous size",
            ],
            rows,
        )
    )
    print(
        "\n(wall: the whole command, start-up included; loop: rows/s inside `evascore "
        "score`, from its summary line. At --n-jobs 2 and 1,000 pairs there is one chunk "
        "of 1,000 rows, so only one worker does work.)"
    )
    print("\n### In-process (texts already in memory)\n")
    print(
        table(
            ["tool", "pairs", "seconds", "pairs/s"],
            [
                [r["tool"], f"{r['n']:,}", f"{r['seconds']:.2f}", f"{r['n'] / r['seconds']:,.0f}"]
                for r in inproc
            ],
        )
    )
    print("\n### Ratio: evascore pairs/s divided by the peer's, same texts, same run\n")
    rate = {(r["tool"], r["n_jobs"], r["n"]): r["n"] / r["seconds"] for r in scoring}
    ip = {(r["tool"], r["n"]): r["n"] / r["seconds"] for r in inproc}
    rows = []
    for n in sizes:
        peer_cli = rate.get(("TF-IDF+LR peer, JSONL in/out", 1, n))
        peer_ip = ip.get(("TF-IDF+LR peer (transform + predict_proba)", n))
        row = [f"{n:,}"]
        for j in jobs:
            ev = rate.get(("evascore score", j, n))
            row.append(f"{ev / peer_cli:.2f}" if ev and peer_cli else "-")
        ev_ip = ip.get(("evascore (predict_proba)", n))
        row.append(f"{ev_ip / peer_ip:.2f}" if ev_ip and peer_ip else "-")
        rows.append(row)
    print(
        table(
            [
                "pairs",
                *(f"`evascore score --n-jobs {j}` / peer JSONL in/out" for j in jobs),
                "evascore / peer, both in-process",
            ],
            rows,
        )
    )
    if training:
        print("\n### Training time (seconds)\n")
        print(
            table(
                ["pairs", "evascore fit (no CV)", "peer fit", "evascore / peer"],
                [
                    [
                        f"{r['n']:,}" + (" (resampled)" if r["resampled"] else ""),
                        f"{r['evascore']:.1f}",
                        f"{r['peer']:.1f}",
                        f"{r['evascore'] / r['peer']:.2f}",
                    ]
                    for r in training
                ],
            )
        )


if __name__ == "__main__":
    raise SystemExit(main())
