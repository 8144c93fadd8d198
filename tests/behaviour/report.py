"""Print the behavioural suite's pass rate per kind, and what differs from the known limits.

Run from the repository root::

    python -m tests.behaviour.report                 # the shipped model
    python -m tests.behaviour.report --model m.joblib
    python -m tests.behaviour.report --failures      # also list every failing case
    python -m tests.behaviour.report --known-limits  # print KNOWN_LIMITS entries to paste
    python -m tests.behaviour.report --readme        # print README's "Known limits" section

Exit status 0 when the failures are exactly the known limits (the pytest suite is then green),
1 otherwise: a case listed in ``KNOWN_LIMITS`` that now passes (strict xfail would fail), or
a case not listed there that fails.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from tests.behaviour.cases import KINDS, KNOWN_LIMITS, all_checks


def run(model) -> list[tuple[object, bool, str]]:
    return [(c, *c.run(model)) for c in all_checks()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.behaviour.report", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--model", default=None, help="model file (default: the shipped model)")
    ap.add_argument("--failures", action="store_true", help="list every failing case")
    ap.add_argument(
        "--known-limits",
        action="store_true",
        help="print the failing cases as KNOWN_LIMITS entries",
    )
    ap.add_argument(
        "--readme",
        action="store_true",
        help="print README.md's 'Known limits' section for the current table",
    )
    args = ap.parse_args(argv)

    import evascore

    model = evascore.load_model(args.model)
    results = run(model)
    total, passed = Counter(), Counter()
    for c, ok, _ in results:
        total[c.kind] += 1
        passed[c.kind] += ok
    print(f"behavioural suite, model {args.model or 'shipped default'}")
    for kind in KINDS:
        n, k = total[kind], passed[kind]
        print(f"  {kind:<22} {k:>4}/{n:<4} pass  ({100 * k / n:5.1f}%)")
    n, k = sum(total.values()), sum(passed.values())
    print(f"  {'all':<22} {k:>4}/{n:<4} pass  ({100 * k / n:5.1f}%)")

    key = {id(c): f"{c.test}[{c.id}]" for c, _, _ in results}
    failing = [(c, d) for c, ok, d in results if not ok]
    new = [(c, d) for c, d in failing if key[id(c)] not in KNOWN_LIMITS]
    fixed = [c for c, ok, _ in results if ok and key[id(c)] in KNOWN_LIMITS]
    stale = set(KNOWN_LIMITS) - set(key.values())
    if args.failures:
        print(f"\nfailing cases ({len(failing)}):")
        for c, d in failing:
            tag = "" if key[id(c)] in KNOWN_LIMITS else "  [NEW]"
            print(f"  {key[id(c)]}: {d}{tag}")
    if new:
        print(f"\nfailing but not in KNOWN_LIMITS ({len(new)}): the pytest suite fails on these")
        for c, d in new:
            print(f"  {key[id(c)]}: {d}")
    if fixed:
        print(
            f"\nin KNOWN_LIMITS but now passing ({len(fixed)}): strict xfail fails on these; "
            "remove them from KNOWN_LIMITS and README's Known limits"
        )
        for c in fixed:
            print(f"  {key[id(c)]}")
    if stale:
        print(f"\nKNOWN_LIMITS entries that name no case ({len(stale)}):")
        for k in sorted(stale):
            print(f"  {k}")
    if args.known_limits:
        print("\nKNOWN_LIMITS = {")
        for c, d in failing:
            reason = KNOWN_LIMITS.get(key[id(c)], d)
            print(f"    {key[id(c)]!r}:\n        {reason!r},")
        print("}")
    if args.readme:
        print()
        print(readme_section(total, passed))
    return 1 if (new or fixed or stale) else 0


def readme_section(total, passed) -> str:
    """README.md's "Known limits" section: the pass rates and the KNOWN_LIMITS table."""
    import textwrap

    rates = ", ".join(f"{kind} {passed[kind]}/{total[kind]}" for kind in KINDS)
    intro = (
        "The behavioural suite (`tests/behaviour/`: CheckList's minimum functionality, "
        "invariance and directional tests, on texts written for it and absent from "
        "`training_data/`) runs against the shipped model in every test run. Minimum "
        "functionality is 72 cases, one per technique per setting, checked for the label and, "
        "where unambiguous, the technique; invariance allows no change at all for HTML and "
        "whitespace and 0.1 for renamed people, places and departments, US spelling and a "
        "trailing courtesy; directional edits must move the score the stated way by more than "
        f"0.01. Pass rates of the shipped model: {rates}. "
        "`python -m tests.behaviour.report --failures` prints them and the failing cases."
    )
    rule = (
        "A case the shipped model fails is not deleted: it is marked strict `xfail` and "
        "listed here with the reason. A listed case that starts passing fails the suite until "
        "it is removed from `KNOWN_LIMITS` in `tests/behaviour/cases.py` and from this table "
        "(`python -m tests.behaviour.report --readme` prints the table afresh)."
    )
    lines = [
        "## Known limits",
        "",
        textwrap.fill(intro, 95),
        "",
        textwrap.fill(rule, 95),
        "",
        "| cases | why they fail |",
        "|---|---|",
    ]
    by_reason: dict[str, list[str]] = {}
    for key, reason in KNOWN_LIMITS.items():
        by_reason.setdefault(reason, []).append(key)
    for reason, keys in by_reason.items():
        cases = "<br>".join(f"`{k}`" for k in keys)
        lines.append(f"| {cases} | {reason.replace('|', '/')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
