"""Checks on the test suite itself: helpers and property tests that could hide failures."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tests.conftest as conftest

TESTS = Path(__file__).parent


def test_needs_benchmarks_skips_when_the_sub_folder_is_missing(tmp_path, monkeypatch):
    from tests import test_training_data

    monkeypatch.setattr(conftest, "BENCHMARKS", tmp_path)  # the folder, without its data
    (tmp_path / "qevasion").mkdir()  # present but empty counts as absent
    with pytest.raises(pytest.skip.Exception, match="uk-commons-written-questions"):
        test_training_data.test_no_sentences_copied_from_benchmarks([])
    (tmp_path / "uk-commons-written-questions").mkdir()
    (tmp_path / "uk-commons-written-questions" / "2024-07.json").write_text("[]", "utf-8")
    with pytest.raises(pytest.skip.Exception, match="qevasion is absent or empty"):
        conftest.needs_benchmarks("uk-commons-written-questions", "qevasion")
    with pytest.raises(TypeError, match="sub-folder"):
        conftest.needs_benchmarks()


def _returns_early(fn: ast.FunctionDef) -> list[int]:
    """Lines of ``if ...: return`` at the top level of a test: a filter that passes silently."""
    return [
        node.lineno
        for node in fn.body
        if isinstance(node, ast.If) and any(isinstance(s, ast.Return) for s in node.body)
    ]


def test_property_tests_filter_with_assume_not_return():
    # A property test that returns on an unwanted example counts it as a pass; assume()
    # makes hypothesis draw another one, and fail as Unsatisfiable when none qualify.
    tree = ast.parse((TESTS / "test_properties.py").read_text("utf-8"))
    found = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "id", "") == "given"
            for d in fn.decorator_list
        ):
            if _returns_early(fn):
                found[fn.name] = _returns_early(fn)
    assert not found, f"use hypothesis.assume, not return: {found}"


def test_known_limit_xfails_only_accept_a_wrong_answer_not_a_crash():
    # issue 14: a strict xfail without raises=AssertionError let a crash count as the
    # expected failure
    from tests.behaviour.cases import KNOWN_LIMITS, marks_for

    for key in KNOWN_LIMITS:
        test, case_id = key.split("[", 1)
        (mark,) = marks_for(test, case_id[:-1])
        assert mark.kwargs["strict"] is True and mark.kwargs["raises"] is AssertionError
