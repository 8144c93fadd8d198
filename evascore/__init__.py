"""evascore: did that answer actually answer the question?

Examples
--------
>>> import evascore
>>> a = evascore.score("How many officers are posted to Belgium?",
...                    "For operational security reasons, we do not disclose this.")
>>> a.label, a.evasiveness > 0.5
('evasive', True)
"""

from evascore._version import __version__
from evascore.errors import EvascoreError, InputError, ModelError
from evascore.labels import LABELS, TECHNIQUES

# The rest of the public API loads on first use (PEP 562), so that `import evascore` and
# `evascore --version` do not pay for scikit-learn (about 2 s) until a model is needed.
_LAZY = {
    "Assessment": "evascore.assessment",
    "EvasionModel": "evascore.model",
    "load_model": "evascore.persist",
    "score_frame": "evascore.frame",
    "summarise": "evascore.insight",
    "QAPair": "evascore.pairs",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evascore' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


_default = None


def score(question: str, answer: str) -> "Assessment":  # noqa: F821 (loaded lazily)
    """Score one question–answer pair with the shipped default model.

    Examples
    --------
    >>> import evascore
    >>> evascore.score("Will the Minister publish the report?", "Yes, in March.").label
    'direct'
    """
    global _default
    if _default is None:  # the compiled scorer: loads without scikit-learn
        from evascore.persist import load_scorer

        _default = load_scorer()
    return _default.score(question, answer)


__all__ = [
    "score",
    "score_frame",
    "summarise",
    "load_model",
    "EvasionModel",
    "Assessment",
    "QAPair",
    "LABELS",
    "TECHNIQUES",
    "EvascoreError",
    "InputError",
    "ModelError",
    "__version__",
]
