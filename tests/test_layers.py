"""The package's modules form layers along the data flow: each imports only from below.

Every import counts, including those inside functions (they are how import circles hide).
The order below is the map in the README's "How it is built".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evascore"

# Bottom to top. A module may import any module listed before it, never one after it.
LAYERS = (
    # foundations: no evascore imports of their own (or only these)
    "_version",
    "errors",
    "labels",
    "text",
    "patterns",
    "departments",
    "batch",
    # the question and the cue lexicon
    "cues",
    "question",
    # input: readers and the one input coercion
    "pairs",
    # the evidence pass, and the assessment built from it
    "analysis",
    "reasons",
    "assessment",
    # the columns, the rules on the head, the model compiled to numpy (no scikit-learn below)
    "columns",
    "rules",
    "scorer",
    # features, text models, head: scikit-learn estimators
    "features",
    "textstack",
    "head",
    # model files and cards, the orchestration of training, then the model
    "persist",
    "training",
    "model",
    # output: referrals, the output format, the resumable stream, DataFrames
    "referrals",
    "writers",
    "stream",
    "frame",
    # people: summaries and reports
    "insight",
    "evaluation_report",
    "batch_report",
    # the front doors
    "__init__",
    "cli",
    "__main__",
)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every evascore module imported anywhere in ``path`` (line, module name)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("evascore")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "evascore":  # `from evascore import patterns`, or the package
                for a in node.names:
                    sub = PACKAGE / f"{a.name}.py"
                    out.append((node.lineno, f"evascore.{a.name}" if sub.exists() else "evascore"))
            elif node.module.startswith("evascore."):
                out.append((node.lineno, node.module))
    return out


def _layer(module: str) -> int:
    name = module.split(".")[1] if "." in module else "__init__"
    if name == "models":  # the shipped model's data package
        return -1
    return LAYERS.index(name)


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == set(LAYERS), (
        f"modules without a layer: {sorted(modules - set(LAYERS))}; "
        f"layers without a module: {sorted(set(LAYERS) - modules)}"
    )


@pytest.mark.parametrize("name", LAYERS)
def test_module_imports_only_from_below(name):
    here = LAYERS.index(name)
    upward = [
        f"line {line}: {mod}"
        for line, mod in _imports(PACKAGE / f"{name}.py")
        if _layer(mod) >= here
    ]
    assert not upward, f"evascore/{name}.py imports upward or sideways: {upward}"


def test_the_layer_check_sees_function_level_imports(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from evascore.cli import main\n    return main\n")
    assert _imports(src) == [(2, "evascore.cli")]


@pytest.mark.parametrize("name", LAYERS)
def test_module_imports_no_private_name_of_another(name):
    """A leading underscore means "this module's own": another module may not reach for it."""
    private = []
    for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evascore"):
            private += [
                f"line {node.lineno}: {node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
    assert not private, f"evascore/{name}.py imports private names: {private}"
