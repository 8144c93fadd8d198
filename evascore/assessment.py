"""The assessment: what scoring one pair says, and how it is built.

:class:`Assessment` is the result type. :func:`build_assessments` turns a batch's analyses,
probabilities and head contributions into assessments: the label, the technique consistent
with it, the parts asked and answered, the cues, the reasons in words and the deciding
sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evascore.analysis import Analysis
from evascore.cues import NON_REPLY
from evascore.labels import LABELS, TECHNIQUE_LABEL, TECHNIQUES
from evascore.pairs import QAPair
from evascore.reasons import push_matrix, ranked_reasons, reasons_in_words

__all__ = ["Assessment", "LABELS", "TECHNIQUES", "TECHNIQUE_LABEL", "build_assessments"]


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


# ---------------------------------------------------------------------- building


def build_assessments(
    pairs: list[QAPair],
    analyses: list[Analysis],
    proba: np.ndarray,
    contrib: np.ndarray,
    classes,
    names,
    tech_proba: np.ndarray | None,
    tech_classes,
    refused: np.ndarray,
    by_parts: np.ndarray,
) -> list[Assessment]:
    """One :class:`Assessment` per pair of a scored batch.

    ``proba`` holds the model's probabilities (``LABELS`` order), ``contrib`` the head's
    per-feature contributions (``classes`` order) to explain the label, ``tech_proba`` the
    technique head's probabilities (``tech_classes`` order) or None; ``refused`` and
    ``by_parts`` mark the rows whose label the parts rule decided.
    """
    args = (pairs, analyses, proba, contrib, classes, names, tech_proba, tech_classes)
    fast = _build_fast(*args, refused, by_parts)
    if fast is None:
        return _build_assessments_plain(*args, refused, by_parts)
    return fast


def _build_fast(
    pairs, analyses, proba, contrib, classes, names, tech_proba, tech_classes, refused, by_parts
) -> list[Assessment] | None:
    """:func:`build_assessments` with the batch's numbers turned into Python floats once
    (``tolist``) and the reason families summed a column at a time (``push_matrix``): the
    same floats, added in the same order. None (the plain path runs) for inputs of another
    shape or type, and for NaN anywhere, whose ordering the plain path defines.
    """
    n = len(pairs)
    if not (
        n
        and len(analyses) == n
        and isinstance(proba, np.ndarray)
        and proba.dtype == np.float64
        and proba.shape == (n, len(LABELS))
        and isinstance(contrib, np.ndarray)
        and contrib.ndim == 3
        and contrib.shape[0] == n
        and len(refused) == n
        and len(by_parts) == n
    ):
        return None
    if tech_proba is not None and not (
        isinstance(tech_proba, np.ndarray)
        and tech_proba.dtype in (np.float64, np.float32)
        and tech_proba.ndim == 2
        and tech_proba.shape[0] == n
    ):
        return None
    if np.isnan(proba).any():
        return None
    classes = list(classes)
    rows = proba.tolist()
    labels = [LABELS[_argmax(r)] for r in rows]
    where = {lab: classes.index(lab) for lab in LABELS if lab in classes}
    pick = np.array([where.get(lab, -1) for lab in labels], dtype=np.intp)
    take = np.maximum(pick, 0)
    if take.max() >= contrib.shape[1]:  # fewer class rows than classes: as the plain path has it
        return None
    chosen = contrib[np.arange(n), take]
    # A head trained without some class can still give it probability through the parts
    # rule; no feature pushed towards it then, so no reason is claimed.
    chosen[pick < 0] = 0.0
    pushed = push_matrix(chosen, names)
    if pushed is None:
        return None
    families, sums = pushed
    if np.isnan(sums).any():
        return None
    sums = sums.tolist()
    tech_rows = [None] * n if tech_proba is None else tech_proba.tolist()
    tech_classes = None if tech_classes is None else list(tech_classes)
    refused = [bool(v) for v in np.asarray(refused).tolist()]
    by_parts = [bool(v) for v in np.asarray(by_parts).tolist()]
    out = []
    for i, (p, a) in enumerate(zip(pairs, analyses)):
        probs, label = rows[i], labels[i]
        fired = {c.technique for c in a.cues}
        lead = "parts" if by_parts[i] else None
        evasiveness = round(probs[1] * 0.5 + probs[2], 6)
        out.append(
            Assessment(
                id=p.id,
                label=label,
                evasiveness=min(1.0, max(0.0, evasiveness)),
                probabilities={lab: round(v, 6) for lab, v in zip(LABELS, probs)},
                technique=_technique(label, a, tech_rows[i], tech_classes, refused[i]),
                parts=[r.to_dict(a.answer) for r in a.parts],
                cues=[c.to_dict() for c in a.cues if c.technique != "hedge"],
                reasons=ranked_reasons(a, families, sums[i], label, fired, lead=lead),
                sentences=_deciding_sentences(a, label),
                question=p.question,
                answer=p.answer,
            )
        )
    return out


def _argmax(values: list[float]) -> int:
    """The index of the first largest value, as ``np.argmax`` gives it (no NaN)."""
    best, top = 0, values[0]
    for i in range(1, len(values)):
        if values[i] > top:
            best, top = i, values[i]
    return best


def _build_assessments_plain(
    pairs: list[QAPair],
    analyses: list[Analysis],
    proba: np.ndarray,
    contrib: np.ndarray,
    classes,
    names,
    tech_proba: np.ndarray | None,
    tech_classes,
    refused: np.ndarray,
    by_parts: np.ndarray,
) -> list[Assessment]:
    """:func:`build_assessments` row by row, as first written: the definition its fast
    path is tested against, and what runs on inputs the fast path does not take."""
    classes = list(classes)
    zeros = np.zeros(contrib.shape[2])
    out = []
    for i, (p, a) in enumerate(zip(pairs, analyses)):
        probs = proba[i]
        label = LABELS[int(np.argmax(probs))]
        # A head trained without some class can still give it probability through the
        # parts rule; no feature pushed towards it then, so no reason is claimed.
        row = contrib[i, classes.index(label)] if label in classes else zeros
        out.append(
            _assessment(
                p,
                a,
                probs,
                label,
                row,
                names,
                None if tech_proba is None else tech_proba[i],
                tech_classes,
                bool(refused[i]),
                bool(by_parts[i]),
            )
        )
    return out


def _technique(label: str, a: Analysis, tech_proba, tech_classes, refused: bool = False) -> str:
    """The most likely technique consistent with ``label``.

    With a technique head, its probability decides among the techniques of ``label`` (it
    reads the cue counts, parts and relevance itself: forcing "partial_parts" whenever some
    parts were found answered, or a cue's technique whenever one fired, cost 7 points on real
    answers). Without one, a technique with a lexicon cue (declining, not held, ...) is
    chosen only when one of its cues fired.
    """
    if label == "direct":
        return "explicit"
    if tech_proba is not None:
        prob = dict(zip(tech_classes, tech_proba))
        fired = {c.technique for c in a.cues}
        if label == "evasive":
            # A technique with lexicon cues (declining, not held, ...) only when one fired;
            # the parts rule's refusal is the technique when it decided the label.
            if refused:
                candidates = tuple(t for t in ("declining", "not_held") if t in fired)
            else:
                candidates = tuple(t for t in NON_REPLY if t in fired) + ("dodging",)
        else:
            candidates = _OF_LABEL[label]
        return max(candidates, key=lambda t: prob.get(t, 0.0))
    fired = {c.technique for c in a.cues}
    if label == "evasive":
        candidates = [t for t in NON_REPLY if t in fired] or ["dodging"]
    elif a.parts and any(p.addressed for p in a.parts) and not all(p.addressed for p in a.parts):
        return "partial_parts"
    else:
        candidates = ["implicit", "general", "deflection", "partial_parts"]
    # a model trained without techniques: the most frequent cue's
    return max(candidates, key=lambda t: sum(c.technique == t for c in a.cues))


_NON_REPLY = frozenset(NON_REPLY)


_OF_LABEL = {lab: tuple(t for t, v in TECHNIQUE_LABEL.items() if v == lab) for lab in LABELS}


def _deciding_sentences(a: Analysis, label: str, limit: int = 3) -> list[dict]:
    gives = "gives the asked-for " + a.frame.answer_type
    scored = []
    # relevance, typed and cue_sentence have one entry per sentence
    for i, (rel, typed, cues) in enumerate(zip(a.relevance, a.typed, a.cue_sentence)):
        refusal = not cues.isdisjoint(_NON_REPLY)
        answers = typed and rel > 0 and not refusal
        if label == "evasive" and refusal:
            why, w = "non-reply cue", 2 + rel
        elif label == "direct" and answers:
            why, w = gives, 2 + rel
        elif label == "partial" and (refusal or answers):
            why = "non-reply cue" if refusal else gives
            w = 2 + rel
        else:
            why, w = "closest to the question", rel
        scored.append((w, -i, i, why))
    scored.sort(reverse=True)
    out = []
    for w, _, i, why in scored[:limit]:
        s, e = a.sentences[i]
        if why == "closest to the question" and out and w == 0:
            continue
        out.append({"text": a.answer[s:e], "start": s, "end": e, "why": why})
    out.sort(key=lambda d: d["start"])
    return out


def _assessment(
    p: QAPair,
    a: Analysis,
    probs,
    label,
    contrib,
    names,
    tech_proba,
    tech_classes,
    refused: bool = False,
    by_parts: bool = False,
) -> Assessment:
    reasons = reasons_in_words(
        a, contrib.tolist(), names, label, lead="parts" if by_parts else None
    )
    probabilities = {lab: round(float(v), 6) for lab, v in zip(LABELS, probs)}
    evasiveness = round(float(probs[1] * 0.5 + probs[2]), 6)
    return Assessment(
        id=p.id,
        label=label,
        evasiveness=min(1.0, max(0.0, evasiveness)),
        probabilities=probabilities,
        technique=_technique(label, a, tech_proba, tech_classes, refused),
        parts=[r.to_dict(a.answer) for r in a.parts],
        cues=[c.to_dict() for c in a.cues if c.technique != "hedge"],
        reasons=reasons,
        sentences=_deciding_sentences(a, label),
        question=p.question,
        answer=p.answer,
    )
