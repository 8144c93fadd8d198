"""Chunked, order-preserving parallel map used by batch scoring."""

from __future__ import annotations

import os
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` consecutive items (the last may be shorter), lazily."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def map_chunks(
    fn: Callable[[list], list],
    chunks: Iterable[list],
    n_jobs: int | None = 1,
) -> Iterator[list]:
    """Apply ``fn`` to each chunk, yielding results in input order.

    ``n_jobs`` in (None, 1) runs in this process. Otherwise joblib runs chunks in worker
    processes (or on whatever backend ``joblib.parallel_config`` selects, e.g. Dask), with a
    bounded number of chunks in flight, so memory stays flat on long inputs.

    The worker processes do not outlive the run: closing this generator early (an error,
    Ctrl-C, SIGTERM turned into an exception by the command line) makes joblib kill them, and
    a worker whose parent process dies without clean-up (``kill -9``) exits by itself.
    """
    if n_jobs in (None, 1):
        for chunk in chunks:
            yield fn(chunk)
        return
    from joblib import Parallel, delayed

    task = _WithParentWatch(Shipped(fn), os.getpid())
    results = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")(
        delayed(task)(chunk) for chunk in chunks
    )
    try:
        yield from results
    finally:
        # A no-op after the last result; otherwise joblib aborts the run, which terminates
        # the worker processes instead of leaving them to finish (or idle) on their own.
        results.close()


class Shipped:
    """``fn`` (a model's bound method: the whole model) sent to workers as bytes pickled once
    per run, and unpickled once per worker process.

    joblib pickles a task's function with every chunk. A model is megabytes of vocabularies
    and arrays: pickling it for each chunk, unpickling it in the worker and rebuilding its
    lookup tables there cost more than scoring the chunk (``--n-jobs 2`` ran at half the rate
    of ``--n-jobs 1``). Here each chunk carries the same bytes (copied, not re-pickled), and a
    worker keeps the function it unpickled under the run's key.
    """

    def __init__(self, fn: Callable[[list], list]):
        self.fn = fn
        self._blob: tuple[str, bytes] | None = None

    def __call__(self, chunk: list):
        return self.fn(chunk)

    def __reduce__(self):
        if self._blob is None:
            self._blob = (uuid.uuid4().hex, pickle.dumps(self.fn, protocol=5))
        return (_unshipped, self._blob)


_SHIPPED: dict[str, Callable] = {}  # in a worker: run key -> the function, unpickled once
_SHIPPED_LOCK = threading.Lock()


def _unshipped(key: str, blob: bytes) -> Callable:
    with _SHIPPED_LOCK:
        fn = _SHIPPED.get(key)
        if fn is None:
            if len(_SHIPPED) >= 4:  # earlier runs' models: a worker holds a few at most
                _SHIPPED.clear()
            fn = _SHIPPED[key] = pickle.loads(blob)
    return fn


class _WithParentWatch:
    """``fn``, run in a worker that exits when the process that started it dies.

    joblib's loky workers otherwise sit on for minutes after their parent is killed.
    """

    def __init__(self, fn: Callable[[list], list], parent: int):
        self.fn, self.parent = fn, parent

    def __call__(self, chunk: list):
        # Only in direct children of the scoring process (loky workers), never in the parent
        # itself nor on a cluster's workers, which have lives of their own.
        if os.getpid() != self.parent and os.getppid() == self.parent:
            _watch_parent(self.parent)
        return self.fn(chunk)


_watching: int | None = None
_watch_lock = threading.Lock()


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """Start (once per process) a daemon thread that ends the process when ``parent`` dies."""
    global _watching
    with _watch_lock:
        if _watching == parent:
            return
        _watching = parent

    def watch() -> None:
        # An orphan is re-parented (to init or a subreaper): its parent id changes.
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="evascore-parent-watch", daemon=True).start()
