"""Chunked, order-preserving parallel map used by batch scoring."""

from __future__ import annotations

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


def map_chunks(fn: Callable[[list], list], chunks: Iterable[list], n_jobs: int | None = 1,
               ) -> Iterator[list]:
    """Apply ``fn`` to each chunk, yielding results in input order.

    ``n_jobs`` in (None, 1) runs in this process. Otherwise joblib runs chunks in worker
    processes (or on whatever backend ``joblib.parallel_config`` selects, e.g. Dask), with a
    bounded number of chunks in flight, so memory stays flat on long inputs.
    """
    if n_jobs in (None, 1):
        for chunk in chunks:
            yield fn(chunk)
        return
    from joblib import Parallel, delayed

    with Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs") as par:
        yield from par(delayed(fn)(chunk) for chunk in chunks)
