"""evascore: did that answer actually answer the question?

Examples
--------
>>> import evascore
>>> a = evascore.score("How many officers are posted to Belgium?",
...                    "For operational security reasons, we do not disclose this.")
>>> a.label, a.evasiveness > 0.5
('evasive', True)
"""

__version__ = "0.1.0"

from evascore.assessment import LABELS, TECHNIQUES, Assessment  # noqa: E402
from evascore.errors import EvascoreError, InputError, ModelError  # noqa: E402
from evascore.frame import score_frame  # noqa: E402
from evascore.insight import summarise  # noqa: E402
from evascore.model import EvasionModel  # noqa: E402
from evascore.pairs import QAPair  # noqa: E402
from evascore.persist import load_model  # noqa: E402

_default = None


def score(question: str, answer: str) -> Assessment:
    """Score one question–answer pair with the shipped default model.

    Examples
    --------
    >>> import evascore
    >>> evascore.score("Will the Minister publish the report?", "Yes, in March.").label
    'direct'
    """
    global _default
    if _default is None:
        _default = load_model()
    return _default.score(question, answer)


__all__ = ["score", "score_frame", "summarise", "load_model", "EvasionModel", "Assessment",
           "QAPair", "LABELS", "TECHNIQUES", "EvascoreError", "InputError", "ModelError",
           "__version__"]
