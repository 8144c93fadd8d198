"""The ``evascore`` command line: score, report, explain, train, evaluate, info.

Exit codes: 0 every row scored; 1 fatal error (one-line message); 2 usage error;
3 finished, but some rows could not be scored (they are error rows in the output);
130 interrupted; 141 the output pipe was closed by its reader (``| head``); 143 terminated
(SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from evascore import __version__
from evascore.errors import EvascoreError

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_ROW_ERRORS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipeline cut short
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that a run stops as it does on Ctrl-C: worker
    processes are killed and the resume state is kept (Python's default just exits)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While scoring, SIGTERM raises :class:`Terminated`; the old handler is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (main() called from a thread)
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _positive_int(text: str) -> int:
    n = int(text)  # a ValueError becomes argparse's "invalid _positive_int value"
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _n_jobs(text: str) -> int:
    n = int(text)
    if n == 0:
        raise argparse.ArgumentTypeError("must not be 0 (1: this process; -1: all cores)")
    return n


def _add_model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="PATH",
        default=None,
        help="model file (.joblib with its .card.json); default: the shipped model",
    )


def _add_input_options(p: argparse.ArgumentParser) -> None:
    from evascore.pairs import DEFAULT_MAX_CHARS

    p.add_argument(
        "--max-chars",
        type=_positive_int,
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help="longest question or answer accepted, in characters; longer rows "
        f"become error rows unless --truncate (default {DEFAULT_MAX_CHARS:,})",
    )
    p.add_argument(
        "--truncate",
        action="store_true",
        help="score over-long texts cut to --max-chars (marked truncated: true)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evascore",
        description="Did that answer actually answer the question? Score question-answer pairs.",
    )
    parser.add_argument("--version", action="version", version=f"evascore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("score", help="score pairs from files, directories or - (stdin JSONL)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default=None,
        help="write here (atomically) instead of stdout",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default=None,
        help="output format (default: from OUT's suffix, else jsonl)",
    )
    _add_model_option(p)
    _add_input_options(p)
    p.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        metavar="N",
        help="worker processes (-1: all cores); output is identical to 1",
    )
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="rows per chunk (default 1000)",
    )
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted run into the same OUT"
    )
    p.add_argument(
        "--include-text",
        action="store_true",
        help="add the (cleaned) question and answer to each output row",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        default=None,
        help="print the traceback of the model's first failure (also: EVASCORE_DEBUG=1)",
    )

    p = sub.add_parser("report", help="a batch report for people: HTML page, CSV tables, PNGs")
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="SCORED",
        help="output of evascore score (JSONL or CSV; best with --include-text)",
    )
    p.add_argument("-o", "--output", metavar="DIR", required=True)
    _add_model_option(p)

    p = sub.add_parser("explain", help="a readable report for each pair in INPUT")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    _add_model_option(p)
    _add_input_options(p)

    p = sub.add_parser("train", help="train a model on labelled JSONL/CSV files")
    p.add_argument("inputs", nargs="+", metavar="DATA")
    p.add_argument("-o", "--output", metavar="MODEL", required=True)
    p.add_argument("--seed", type=int, default=None, help="seed for CV splits")
    p.add_argument("--C", type=float, default=1.0, help="inverse regularisation (default 1.0)")
    p.add_argument(
        "--calibration",
        choices=("temperature", "sigmoid", "isotonic", "none"),
        default="temperature",
        help="probability calibration (default temperature)",
    )
    p.add_argument("--cv", type=int, default=5, help="cross-validation folds (0: skip)")
    p.add_argument(
        "--text-features",
        action="store_true",
        help="stack word n-gram models of the answer on the handcrafted features "
        "(for thousands of labelled rows of one genre)",
    )
    p.add_argument(
        "--tune-offsets",
        action="store_true",
        help="shift class scores to maximise cross-validated macro-F1 (needs --cv > 1)",
    )
    p.add_argument(
        "--text-views",
        default="answer,opening",
        metavar="VIEWS",
        help="with --text-features: the texts modelled, comma-separated, from "
        "answer, opening, question (default answer,opening)",
    )
    p.add_argument(
        "--class-weight",
        choices=("balanced", "none"),
        default="balanced",
        help="class weights of the label head (default balanced)",
    )

    p = sub.add_parser("evaluate", help="accuracy, macro-F1 and per-class scores on labelled data")
    p.add_argument("inputs", nargs="+", metavar="DATA")
    _add_model_option(p)
    p.add_argument(
        "--report",
        metavar="DIR",
        default=None,
        help="write metrics.json, PNG plots and report.md into DIR",
    )
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")

    p = sub.add_parser("info", help="print a model's card")
    p.add_argument("model", nargs="?", default=None, metavar="MODEL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "score":
            from evascore.stream import output_conflict, score_files

            conflict = output_conflict(args.inputs, args.output)
            if conflict:
                parser.error(conflict)  # exit 2: scoring would replace an input
            with _sigterm_raises():
                summary = score_files(
                    args.inputs,
                    output=args.output,
                    fmt=args.format,
                    model_path=args.model,
                    max_chars=args.max_chars,
                    truncate=args.truncate,
                    n_jobs=args.n_jobs,
                    batch_size=args.batch_size,
                    resume=args.resume,
                    include_text=args.include_text,
                    debug=args.debug,
                )
            return EXIT_ROW_ERRORS if summary.errors else EXIT_OK
        if args.command == "report":
            from evascore.batch_report import write_batch_report

            write_batch_report(args.inputs, args.output, model_path=args.model)
            return EXIT_OK
        if args.command == "explain":
            return explain(args.inputs, args.model, args.max_chars, args.truncate)
        if args.command == "train":
            views = tuple(v.strip() for v in args.text_views.split(",") if v.strip())
            return train(
                args.inputs,
                args.output,
                args.seed,
                args.C,
                None if args.calibration == "none" else args.calibration,
                args.cv,
                args.text_features,
                args.tune_offsets,
                views,
                None if args.class_weight == "none" else args.class_weight,
            )
        if args.command == "evaluate":
            return evaluate(args.inputs, args.model, args.report, args.json)
        if args.command == "info":
            return info(args.model)
    except Terminated:
        print("evascore: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("evascore: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`evascore score big.jsonl | head`): stop quietly, as
        # shell tools do, and keep Python from complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except EvascoreError as exc:
        print(f"evascore: error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"evascore: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FATAL
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


def explain(inputs: Sequence[str], model_path: str | None, max_chars: int, truncate: bool) -> int:
    """Print a report for each row of the inputs; error rows are reported and counted."""
    from evascore.pairs import read_inputs
    from evascore.persist import load_scorer

    model = load_scorer(model_path)
    errors = 0
    for n, row in enumerate(read_inputs(inputs, max_chars, truncate)):
        if n:
            print("-" * 72)
        where = f"{row.file}:{row.line}"
        if row.error_type:
            errors += 1
            print(f"{where}: cannot be scored: {row.error_type}: {row.error_message}")
            continue
        try:
            a = model.assess([row.pair])[0]
        except Exception as exc:  # the model failed on this row: say so, go on
            if os.environ.get("EVASCORE_DEBUG", "") not in ("", "0"):
                raise
            errors += 1
            text = (str(exc) or repr(exc)).strip().splitlines() or [repr(exc)]
            print(
                f"{where}: cannot be scored: the model failed: {type(exc).__name__}: {text[0]} "
                "(EVASCORE_DEBUG=1 shows the traceback)"
            )
            continue
        print(f"Source: {where}   id: {a.id}")
        print(a)
    return EXIT_ROW_ERRORS if errors else EXIT_OK


def train(
    inputs: Sequence[str],
    output: str,
    seed: int | None,
    C: float,
    calibration: str | None,
    cv: int,
    text_features: bool = False,
    tune_offsets: bool = False,
    text_views: tuple = ("answer", "opening"),
    class_weight: str | None = "balanced",
) -> int:
    from evascore.model import DEFAULT_SEED, train_files

    model = train_files(
        inputs,
        seed=DEFAULT_SEED if seed is None else seed,
        C=C,
        calibration=calibration,
        cv=cv,
        text_features=text_features,
        tune_offsets=tune_offsets,
        text_views=text_views,
        class_weight=class_weight,
    )
    card = model.save(output)
    cvs = card["cross_validation"]
    if cvs:
        print(
            f"cross-validated macro-F1 {cvs['macro_f1']:.3f}, accuracy {cvs['accuracy']:.3f} "
            f"({cvs['folds']} folds{', grouped' if cvs['grouped'] else ''}; "
            f"{card['training_data']['rows']} rows)"
        )
        if "offsets" in cvs:
            tuned = cvs["macro_f1_after_offsets_in_sample"]
            print(
                f"class offsets (partial, evasive) {cvs['offsets'][1]:+.1f} "
                f"{cvs['offsets'][2]:+.1f}: macro-F1 {tuned:.3f} on the same "
                "cross-validated predictions they were tuned on (optimistic)"
            )
    print(f"wrote {output} and its card", file=sys.stderr)
    return EXIT_OK


def evaluate(
    inputs: Sequence[str], model_path: str | None, report: str | None, as_json: bool
) -> int:
    from evascore.persist import load_model
    from evascore.training import evaluate_labelled, read_labelled

    model = load_model(model_path)
    data = read_labelled(inputs)
    m, proba = evaluate_labelled(model, data)
    if report:
        from evascore.evaluation_report import write_report

        write_report(report, data.labels, proba, m, getattr(model, "card_", {}), data.files)
        print(f"wrote report to {report}/report.md", file=sys.stderr)
    if as_json:
        print(json.dumps(m, indent=2))
        return EXIT_OK
    print(f"rows {m['n']}   accuracy {m['accuracy']:.3f}   macro-F1 {m['macro_f1']:.3f}")
    print(f"{'label':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for lab, r in m["per_class"].items():
        print(
            f"{lab:<10}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}"
            f"{r['support']:>10}"
        )
    print("confusion matrix (rows: true, columns: predicted; direct, partial, evasive)")
    for lab, row in zip(m["labels"], m["confusion_matrix"]):
        print(f"{lab:<10}" + "".join(f"{v:>10}" for v in row))
    return EXIT_OK


def info(model_path: str | None) -> int:
    """Print a model's card, then check the file against it. The model is not unpickled."""
    from evascore.persist import check_card, default_model_path, read_card

    path = model_path or default_model_path()
    card = read_card(path)
    print(json.dumps(card, indent=2, sort_keys=True))
    check_card(path, card)  # a changed file or another scikit-learn: one line, exit 1
    return EXIT_OK
