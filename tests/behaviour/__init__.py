"""Behavioural tests in CheckList's three kinds (minimum functionality, invariance, directional).

The cases live in :mod:`tests.behaviour.cases`; ``python -m tests.behaviour.report`` prints the
pass rate of each kind against the shipped model (or ``--model PATH``).
"""
