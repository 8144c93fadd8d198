"""Run a fuzz target for a fixed time with atheris (coverage-guided) or hypothesis.

Each target is ``TestOneInput(data: bytes)`` that returns normally on any input and raises
(an ``AssertionError`` or anything unexpected) on a bug. Both engines stop at the first
crash, print the input and exit 1; otherwise they print how many inputs ran and exit 0.

Command line (every target)::

    python -m fuzz.fuzz_readers [--seconds 300] [--engine auto|atheris|hypothesis]
                                [--corpus DIR] [--max-len 4096]

``auto`` uses atheris when it is installed (``pip install atheris``), else hypothesis.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence


def _args(argv: Sequence[str], add_help: bool = False) -> argparse.Namespace:
    ap = argparse.ArgumentParser(add_help=add_help, usage="python -m fuzz.TARGET [options]")
    ap.add_argument("--seconds", type=float, default=300, help="time box (default 300)")
    ap.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    ap.add_argument(
        "--corpus",
        default=None,
        help="atheris: directory to keep interesting inputs in (default: a temp dir)",
    )
    ap.add_argument("--max-len", type=int, default=4096, help="longest input in bytes")
    ap.add_argument(
        "--slow",
        type=float,
        default=5.0,
        help="seconds after which one input counts as a hang (default 5)",
    )
    args, _ = ap.parse_known_args(list(argv))
    if args.engine == "auto":
        try:
            import atheris  # noqa: F401

            args.engine = "atheris"
        except ImportError:
            args.engine = "hypothesis"
    return args


# Parsed at import: the engine must be known before the code under test is imported.
ARGS = _args(sys.argv[1:])


def instrumented():
    """Instrument the imports inside this block for coverage when atheris runs them."""
    if ARGS is not None and ARGS.engine == "atheris":
        import atheris

        return atheris.instrument_imports(include=["evascore"])
    return contextlib.nullcontext()


class Hang(AssertionError):
    """One input took longer than --slow seconds (a pathological regular expression?)."""


def timed(target: Callable[[bytes], None], limit: float) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        t0 = time.perf_counter()
        target(data)
        took = time.perf_counter() - t0
        if took > limit:
            raise Hang(f"one input of {len(data)} bytes took {took:.1f} s")

    return run


def main(
    name: str, target: Callable[[bytes], None], seeds: Sequence[bytes], dictionary: Sequence[bytes]
) -> int:
    args = _args(sys.argv[1:], add_help=True)
    run = timed(target, args.slow)
    for s in seeds:  # the seeds must pass before any search
        run(s)
    print(
        f"{name}: engine {args.engine}, {args.seconds:.0f} s, max {args.max_len} bytes",
        file=sys.stderr,
    )
    if args.engine == "atheris":
        return _atheris(name, run, seeds, dictionary, args)
    return _hypothesis(name, run, seeds, dictionary, args)


def _atheris(name, run, seeds, dictionary, args) -> int:
    import atheris

    corpus = args.corpus or tempfile.mkdtemp(prefix=f"{name}-corpus-")
    os.makedirs(corpus, exist_ok=True)
    for i, s in enumerate(seeds):
        with open(os.path.join(corpus, f"seed-{i}"), "wb") as fh:
            fh.write(s)
    dict_path = os.path.join(tempfile.mkdtemp(prefix=f"{name}-dict-"), "tokens.dict")
    with open(dict_path, "w", encoding="ascii") as fh:
        for tok in dictionary:
            fh.write('"' + "".join(f"\\x{b:02x}" for b in tok) + '"\n')
    libfuzzer = [
        sys.argv[0],
        f"-max_total_time={int(args.seconds)}",
        f"-max_len={args.max_len}",
        f"-timeout={int(args.slow * 4)}",
        "-rss_limit_mb=3072",
        f"-dict={dict_path}",
        "-print_final_stats=1",
        f"-artifact_prefix={corpus}/",
        corpus,
    ]
    atheris.Setup(libfuzzer, run)
    atheris.Fuzz()  # exits the process: 0 when the time box ends, non-zero on a crash
    return 0


def _hypothesis(name, run, seeds, dictionary, args) -> int:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(list(dictionary) + list(seeds))
    data = st.one_of(
        st.binary(max_size=args.max_len),
        st.lists(st.one_of(pieces, st.binary(max_size=16)), max_size=64).map(
            lambda xs: b"".join(xs)[: args.max_len]
        ),
    )
    count = 0

    @settings(
        max_examples=2000,
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(data)
    def search(d):
        nonlocal count
        count += 1
        run(d)

    t0 = time.monotonic()
    rounds = 0
    while time.monotonic() - t0 < args.seconds:
        search()  # raises (after shrinking) on the first crash
        rounds += 1
    took = time.monotonic() - t0
    print(
        f"{name}: hypothesis ran {count} inputs in {took:.0f} s ({rounds} rounds), no crash",
        file=sys.stderr,
    )
    return 0
