"""The worst case inside the default --max-chars: a crafted row that once took 20-33 s.

    python benchmarks/worst_case.py

A 100,000-character question with thousands of enumerated parts ((a) place0 (b) place1 ...)
and a 100,000-character answer of short sentences naming random places. Matching parts to
sentences used to grow as parts x sentences; it is now linear in the text (issue 14, item 7;
target < 1 s). Prints the time of one ``score`` call, best of three.
"""

from __future__ import annotations

import random
import time

import evascore


def crafted() -> tuple[str, str]:
    letters = "abcdefgh"
    q = "How many staff are posted to " + " ".join(
        f"({letters[i % 8]}) place{i}" for i in range(10000)
    )
    rng = random.Random(1)
    a = " ".join(
        f"There are {rng.randint(1, 99)} staff in place{rng.randint(0, 9999)}." for _ in range(4000)
    )
    return q[:100000], a[:100000]


def main() -> None:
    q, a = crafted()
    model = evascore.load_model()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = model.score(q, a)
        times.append(time.perf_counter() - t0)
    print(
        f"crafted row ({len(q):,}-char question, {len(result.parts):,} parts; "
        f"{len(a):,}-char answer): best {min(times):.2f} s of 3 "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
