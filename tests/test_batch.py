"""Parallel chunks: the model travels to the workers as bytes pickled once per run and is
unpickled once per worker process (issue 12: it used to be pickled and unpickled per chunk,
and --n-jobs 2 ran at half the rate of --n-jobs 1)."""

from __future__ import annotations

import os
import pickle

from evascore import batch
from evascore.batch import Shipped, chunked, map_chunks


class Recorder:
    """A picklable chunk function that writes a line each time it is unpickled."""

    def __init__(self, log: str):
        self.log = log

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")

    def __call__(self, chunk: list) -> list:
        return [x * 2 for x in chunk]


def test_shipped_pickles_once_and_unpickles_once_per_process(tmp_path):
    log = tmp_path / "unpickled.txt"
    shipped = Shipped(Recorder(str(log)))
    first, second = pickle.dumps(shipped), pickle.dumps(shipped)
    assert first == second  # the same key and bytes for every chunk of the run
    a, b = pickle.loads(first), pickle.loads(second)
    assert a is b and a([1, 2]) == [2, 4]
    assert log.read_text().splitlines() == [str(os.getpid())]  # unpickled once
    other = pickle.loads(pickle.dumps(Shipped(Recorder(str(log)))))  # another run: its own
    assert other is not a and len(log.read_text().splitlines()) == 2


def test_a_worker_keeps_a_few_runs_models_at_most():
    batch._SHIPPED.clear()
    for i in range(9):
        pickle.loads(pickle.dumps(Shipped(abs)))
        assert len(batch._SHIPPED) <= 4, i
    batch._SHIPPED.clear()


def test_parallel_chunks_unpickle_the_function_once_per_worker(tmp_path):
    log = tmp_path / "unpickled.txt"
    chunks = list(chunked(range(300), 10))  # 30 chunks
    out = list(map_chunks(Recorder(str(log)), iter(chunks), n_jobs=2))
    assert out == [[2 * x for x in c] for c in chunks]
    pids = log.read_text().splitlines()
    assert 1 <= len(pids) <= 2 and len(set(pids)) == len(pids), pids
