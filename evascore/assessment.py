"""The result of scoring one pair."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("direct", "partial", "evasive")

# Each technique fixes the label (training_data/GUIDELINES.md).
TECHNIQUE_LABEL = {
    "explicit": "direct",
    "implicit": "partial",
    "general": "partial",
    "partial_parts": "partial",
    "deflection": "partial",
    "dodging": "evasive",
    "declining": "evasive",
    "not_held": "evasive",
    "referral": "evasive",
    "transfer": "evasive",
    "holding": "evasive",
    "clarification": "evasive",
}
TECHNIQUES = tuple(TECHNIQUE_LABEL)


@dataclass
class Assessment:
    """How directly one answer meets its question.

    Attributes
    ----------
    label : {"direct", "partial", "evasive"}
    evasiveness : float
        ``P(partial) * 0.5 + P(evasive)``, in [0, 1]; 0 is a full, direct reply.
    probabilities : dict
        Calibrated probability of each label.
    technique : str
        The most likely technique consistent with ``label`` (see GUIDELINES.md).
    parts : list of dict
        Each requested part: ``text``, ``addressed``, ``evidence`` (the sentence, or None).
    cues : list of dict
        Cue phrases found: ``technique``, ``text``, ``start``, ``end`` (offsets into the
        cleaned answer).
    reasons : list of str
        What the answer did that pushed most towards ``label``, in words ("gives a number
        for the count asked", "says the information is not held", "answers 1 of 3 parts").
    sentences : list of dict
        The sentences that decided it: ``text``, ``start``, ``end``, ``why``.
    """

    id: str
    label: str
    evasiveness: float
    probabilities: dict
    technique: str
    parts: list = field(default_factory=list)
    cues: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    question: str = ""
    answer: str = ""

    def to_dict(self) -> dict:
        """The JSON-ready record (the CLI's output row, without ``source``)."""
        return {
            "id": self.id,
            "label": self.label,
            "evasiveness": self.evasiveness,
            "probabilities": self.probabilities,
            "technique": self.technique,
            "parts": self.parts,
            "cues": self.cues,
            "reasons": self.reasons,
            "sentences": self.sentences,
        }

    def __str__(self) -> str:
        return format_assessment(self)


def format_assessment(a: Assessment, question: bool = True) -> str:
    """A plain-text report of an assessment, for people."""
    lines = []
    if question and a.question:
        lines.append(f"Question: {a.question}")
    probs = ", ".join(f"{k} {v:.2f}" for k, v in a.probabilities.items())
    lines.append(f"Label: {a.label}   evasiveness {a.evasiveness:.2f}   technique {a.technique}")
    lines.append(f"Probabilities: {probs}")
    if a.parts:
        lines.append("Parts asked:")
        for p in a.parts:
            mark = "answered    " if p["addressed"] else "NOT answered"
            ev = f'  <- "{_short(p["evidence"])}"' if p["evidence"] else ""
            lines.append(f"  [{mark}] {p['text']}{ev}")
    if a.sentences:
        lines.append("Deciding sentences:")
        for s in a.sentences:
            lines.append(f"  [{s['start']}:{s['end']}] ({s['why']}) {_short(s['text'], 160)}")
    if a.cues:
        lines.append(
            "Cues: "
            + "; ".join(f'{c["technique"]} "{c["text"]}" [{c["start"]}:{c["end"]}]' for c in a.cues)
        )
    if a.reasons:
        lines.append("Why: " + "; ".join(a.reasons) + ".")
    return "\n".join(lines)


def _short(text: str, n: int = 100) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
