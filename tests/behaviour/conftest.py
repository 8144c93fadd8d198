"""Tally the behavioural tests by kind and print the pass rates at the end of the run."""

from __future__ import annotations

from collections import Counter

from tests.behaviour.cases import KINDS

_KIND = {
    "test_mft_label": KINDS[0],
    "test_mft_technique": KINDS[0],
    "test_invariance": KINDS[1],
    "test_directional": KINDS[2],
}
_total: Counter = Counter()
_passed: Counter = Counter()
_xfailed: Counter = Counter()


def _kind(nodeid: str) -> str | None:
    if "behaviour/" not in nodeid.replace("\\", "/"):
        return None
    return _KIND.get(nodeid.split("::")[-1].split("[")[0])


def pytest_runtest_logreport(report):
    kind = _kind(report.nodeid)
    if kind is None:
        return
    # Count each test once: at "call", or at "setup" when it never got that far.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _total[kind] += 1
        if report.passed and not hasattr(report, "wasxfail"):
            _passed[kind] += 1
        elif report.skipped and hasattr(report, "wasxfail"):
            _xfailed[kind] += 1


def pytest_terminal_summary(terminalreporter):
    if not _total:
        return
    tr = terminalreporter
    tr.section("behavioural suite: pass rate per kind (known limits count as failures)")
    for kind in KINDS:
        n = _total[kind]
        if n:
            rate = 100 * _passed[kind] / n
            tr.write_line(
                f"{kind:<22} {_passed[kind]:>4}/{n:<4} pass ({rate:5.1f}%), "
                f"{_xfailed[kind]} known limits (xfail)"
            )
    tr.write_line(
        "list failing cases and stale known limits: python -m tests.behaviour.report --failures"
    )
