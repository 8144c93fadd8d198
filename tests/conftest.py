"""Shared fixtures. The shipped models/ folder is read-only during tests."""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODELS = (ROOT / "models").resolve()
SEED = ROOT / "seeds" / "000_a0cc2ae2f2bdecf9.txt"
SHARED = ROOT.parent / "shared"
BENCHMARKS = SHARED / "benchmarks"


def _guard(path) -> None:
    try:
        p = Path(os.fspath(path)).resolve()
    except TypeError:
        return
    if p == MODELS or MODELS in p.parents:
        raise PermissionError(
            f"tests must not write to the shipped models/ folder: {p}; save to tmp_path instead"
        )


@pytest.fixture(autouse=True)
def _models_read_only(monkeypatch):
    """A test that trains or saves must pass tmp_path; writing into models/ fails."""
    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
            _guard(file)
        return real_open(file, mode, *args, **kwargs)

    real_replace, real_mkstemp = os.replace, __import__("tempfile").mkstemp

    def guarded_replace(src, dst, *a, **k):
        _guard(dst)
        return real_replace(src, dst, *a, **k)

    def guarded_mkstemp(*a, dir=None, **k):
        if dir is not None:
            _guard(Path(dir) / "x")
        return real_mkstemp(*a, dir=dir, **k)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "replace", guarded_replace)
    monkeypatch.setattr("tempfile.mkstemp", guarded_mkstemp)
    yield


@pytest.fixture(scope="session")
def model():
    """The shipped default model (loaded once)."""
    import evascore

    return evascore.load_model()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


def needs_benchmarks(*subs: str) -> Path:
    """``../shared/benchmarks``, once every sub-folder (or file) a test reads is there.

    Name each one the test reads: a test that globs an absent folder finds nothing and
    passes without checking anything. Skips with a message naming the first one that is
    absent or empty.
    """
    if not subs:
        raise TypeError("needs_benchmarks() takes the sub-folder(s) or file(s) the test reads")
    for sub in subs:
        p = BENCHMARKS / sub
        if not (p.is_file() or (p.is_dir() and any(p.iterdir()))):
            pytest.skip(
                f"{p} is absent or empty: benchmark data lives beside the repo in "
                "../shared/benchmarks/"
            )
    return BENCHMARKS
