"""What compiling evascore with Cython buys: the pure package, a compiled copy and the peer.

    pip install -e ".[bench]"                     # or: pip install "cython>=3"
    python benchmarks/compiled.py                 # both inputs of issue 12, best of 3 (~6 min)
    python benchmarks/compiled.py --quick         # 2,000 and 5,000 pairs, once
    python benchmarks/compiled.py --tests         # also the test suite against the copy

Issue 12 asks evascore's `evascore score` to keep up with the TF-IDF+LR peer on one core.
The profiles of four rounds of speed work end at the same place: what is left is regex scans
and small objects, spread thin over the evidence pass, with no stage standing out, and "a
compiled extension" is the next step they name. This script measures the cheapest one:
every module of ``evascore/`` (but ``__init__``, ``__main__`` and ``_version``) compiled as
it is by Cython, with Python's semantics (``annotation_typing=False``: type hints are not
turned into C types) and no line of the code changed.

Two trees of this checkout's HEAD (``git archive``) go to a temporary folder: one is left
as it is, the other compiled in place (``build_ext --inplace``, timed). On one pinned CPU
(BLAS one thread), each input of issue 12 (the same seeded samples as ``speed.py
--compare``: 8,000 QEvasion-length pairs, 20,000 real UK written answers) is scored by
``python -m evascore score IN -o OUT --n-jobs 1`` from each tree (``PYTHONPATH`` set to it,
a temporary working directory) and by the peer's JSONL path; best wall time of ``--repeat``
fresh runs each. The two trees' outputs are compared byte for byte. With ``--tests`` the
copy's own test suite then runs against the compiled modules.

Nothing is installed and the repository is not touched; benchmark text is written only to
the temporary folder. Needs git, a C compiler, Python's headers, Cython and
``../shared/benchmarks/uk-written-answers-longform/``.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import step, table  # noqa: E402
from speed import best_wall, issue12_inputs, pin_one_core, write_jsonl  # noqa: E402

REPO = common.REPO
KEEP_PURE = ("__init__.py", "__main__.py", "_version.py")

_BUILD = """
import os, sys
from setuptools import setup
from Cython.Build import cythonize
mods = sys.argv[1:]
sys.argv[1:] = ["build_ext", "--inplace", "--parallel", str(os.cpu_count() or 1)]
setup(
    name="evascore-compiled-copy",
    ext_modules=cythonize(
        mods,
        compiler_directives={"language_level": 3, "annotation_typing": False},
        nthreads=os.cpu_count() or 1,
        quiet=True,
    ),
)
"""


def _tree(rev: str, into: Path) -> Path:
    """``git archive rev`` unpacked into ``into``."""
    blob = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    return into


def _compile(tree: Path) -> tuple[list[str], float]:
    """Compile ``tree``'s evascore modules in place; their names and the seconds it took."""
    mods = sorted(
        f"evascore/{p.name}" for p in (tree / "evascore").glob("*.py") if p.name not in KEEP_PURE
    )
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, *mods], cwd=tree, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"compiling failed:\n{done.stderr[-3000:]}")
    missing = [m for m in mods if not list((tree / m).parent.glob(Path(m).stem + ".*.so"))]
    if missing:
        raise SystemExit(f"no extension built for {missing}")
    return mods, time.perf_counter() - t0


def _imports_compiled(tree: Path, cwd: Path) -> bool:
    code = "import evascore.analysis as a; print(a.__file__)"
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    return out.stdout.strip().endswith(".so")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 and 5,000 pairs, once")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rev", default="HEAD", help="the commit to measure (default HEAD)")
    ap.add_argument("--cpu", type=int, help="the CPU to pin to (default: the last allowed)")
    ap.add_argument("--tests", action="store_true", help="run the copy's tests when compiled")
    args = ap.parse_args(argv)
    try:
        import Cython
    except ImportError:
        raise SystemExit('this benchmark needs Cython: pip install "cython>=3"') from None
    import joblib

    n_qe, n_real, repeat = (2000, 5000, 1) if args.quick else (8000, 20000, args.repeat)
    print("# evascore compiled by Cython, beside the pure package and the TF-IDF+LR peer\n")
    common.print_machine()
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", args.rev], capture_output=True, text=True
    ).stdout.strip()
    print(f"commit measured: {head or args.rev}; Cython {Cython.__version__}")
    print(f"command: python benchmarks/compiled.py {' '.join(argv or sys.argv[1:])}".rstrip())
    with tempfile.TemporaryDirectory(prefix="evascore-compiled-") as tmp:
        tmp = Path(tmp)
        with step("compiled: two trees, one compiled"):
            pure = _tree(args.rev, tmp / "pure")
            compiled = _tree(args.rev, tmp / "compiled")
            mods, build_s = _compile(compiled)
        work = tmp / "work"
        work.mkdir()
        if not _imports_compiled(compiled, work) or _imports_compiled(pure, work):
            raise SystemExit("the trees do not import as intended (compiled / pure)")
        print(f"compiled {len(mods)} modules in {build_s:.0f} s (build_ext --inplace, all CPUs)")
        allowed = os.sched_getaffinity(0)
        cpu = pin_one_core(args.cpu)
        print(f"pinned to CPU {cpu}; BLAS/OpenMP threads 1; best wall of {repeat} run(s) each")
        with step("compiled: data and peers"):
            inputs = issue12_inputs(n_qe, n_real)
        rows = []
        speed_py = str(Path(__file__).resolve().parent / "speed.py")
        for k, (name, pairs, peer) in enumerate(inputs):
            src = work / f"in{k}.jsonl"
            write_jsonl(src, pairs)
            peer_path = work / f"peer{k}.joblib"
            joblib.dump(peer, peer_path)
            walls = {}
            for label, tree in (("pure", pure), ("compiled", compiled)):
                os.environ["PYTHONPATH"] = str(tree)
                out = work / f"out{k}-{label}.jsonl"
                cmd = [sys.executable, "-m", "evascore", "score", str(src), "-o", str(out)]
                with step(f"compiled: evascore score ({label}), {name}"):
                    walls[label] = best_wall([*cmd, "--n-jobs", "1"], repeat, work)["seconds"]
            os.environ.pop("PYTHONPATH")
            with step(f"compiled: peer JSONL in/out, {name}"):
                cmd = [sys.executable, speed_py, "--peer-score", str(peer_path), str(src)]
                walls["peer"] = best_wall([*cmd, str(work / "peer-out.jsonl")], repeat, work)[
                    "seconds"
                ]
            same = (work / f"out{k}-pure.jsonl").read_bytes() == (
                work / f"out{k}-compiled.jsonl"
            ).read_bytes()
            n = len(pairs)
            rows.append(
                [
                    name,
                    f"{n / walls['pure']:,.0f}",
                    f"{n / walls['compiled']:,.0f}",
                    f"{n / walls['peer']:,.0f}",
                    f"**{walls['peer'] / walls['pure']:.2f}**",
                    f"**{walls['peer'] / walls['compiled']:.2f}**",
                    f"{walls['pure'] / walls['compiled']:.2f}x",
                    "yes" if same else "**no**",
                ]
            )
        print("\n### Pairs per second on one core (CLI wall time, start-up included)\n")
        header = [
            "input",
            "pure",
            "compiled",
            "peer",
            "ratio to peer, pure",
            "ratio to peer, compiled",
            "compiled speed-up",
            "outputs byte-identical",
        ]
        print(table(header, rows))
        failed = any(r[-1] != "yes" for r in rows)
        if args.tests:
            os.sched_setaffinity(0, allowed)
            shared = REPO.parent / "shared"
            if shared.is_dir():  # the copy's ../shared, as beside a checkout
                (tmp / "shared").symlink_to(shared)
            with step("compiled: the test suite against the compiled copy"):
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:randomly"],
                    cwd=compiled,
                    capture_output=True,
                    text=True,
                )
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
            print("\n### The copy's tests, run against its compiled modules\n")
            print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)")
            for ln in lines[:40]:
                print(f"- {ln}")
            failed = failed or done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
