"""The wheel carries what `pip install .` users need: the shipped model, its card, the lexicon."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_model_card_and_lexicon(tmp_path):
    # Built as `pip install .` builds it (isolated build environment from the registry).
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("evascore-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "evascore/models/evascore-default.joblib",
        "evascore/models/evascore-default.card.json",
        "evascore/data/cues.tsv",
        "evascore/cli.py",
    ):
        assert needed in names, needed
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "evascore = evascore.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_import_and_version_do_not_load_scikit_learn():
    # issue 12/15: `import evascore` loaded scikit-learn, so `evascore --version` took 2 s
    import subprocess
    import sys

    code = (
        "import sys, evascore, evascore.cli; print('sklearn' in sys.modules); "
        "evascore.EvasionModel; print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


def test_public_api_is_the_changelogs_twelve_names():
    """The CHANGELOG states the public API; ``evascore.__all__`` is it, at most 12 names."""
    import re

    import evascore
    from tests.conftest import ROOT

    names = [n for n in evascore.__all__ if not n.startswith("__")]
    assert len(names) <= 12
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    stated = text[text.index("**Public API**") :].split("\n- ", 1)[0]
    assert set(re.findall(r"`(\w+)`", stated)) - {"__all__", "__version__"} == set(names)
    for n in names:
        assert getattr(evascore, n) is not None
