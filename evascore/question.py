"""What a question asks for: its answer type, its requested parts and its focus terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from evascore.text import content_terms

ANSWER_TYPES = ("count", "amount", "date", "list", "yesno", "reason", "steps", "assessment")

# Tried in order; the first match wins. Patterns look at the question with the
# "To ask the Secretary of State for X," preamble removed.
_TYPE_RULES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (t, re.compile(p, re.I))
    for t, p in (
        ("assessment", r"\bwhat (?:recent )?(?:assessment|estimate|evaluation|analysis)\b|"
                       r"\bwhat (?:is|was) (?:your|the government's|his|her) (?:view|assessment)"),
        ("amount", r"\bhow much\b|\bwhat (?:the |was the |is the )?(?:total |estimated |annual )?"
                   r"(?:cost|costs|value|amount|budget|spend|spending|expenditure|funding|price|"
                   r"revenue|sum|fee|salary|income|margin|guidance|capex)\b|\bhow much money\b"),
        ("count", r"\bhow many\b|\bwhat (?:number|proportion|percentage|share|rate|level)\b|"
                  r"\bwhat (?:the |is the |was the )?(?:number|proportion|percentage|rate)\b|"
                  r"\bthe number of\b"),
        ("date", r"^\s*when\b|\bwhen (?:he|she|they|you|the|will|did|does|is|was|do)\b|"
                 r"\bwhat (?:date|timetable|timescale|timeline|time)\b|\bby what date\b|"
                 r"\bhow long\b"),
        ("reason", r"\bwhy\b|\bfor what reason\b|\bon what basis\b|\bwhat (?:the )?reasons?\b"),
        ("list", r"\bwhich\b|\bwhat (?:organisations|bodies|countries|companies|schemes|"
                 r"projects|criteria|sites|locations|areas|meetings)\b|\bwho\b|\bname the\b|"
                 r"\blist\b"),
        ("steps", r"\bwhat (?:steps|action|actions|measures|plans|support|progress|"
                  r"discussions|representations|guidance|role)\b|\bhow (?:he|she|they|you|"
                  r"the|will|does|do|is|are|can|would)\b|\bwhat (?:is|are) (?:the|his|her|"
                  r"your) (?:plans?|policy|strategy|approach)\b|\bwhat\b"),
        ("yesno", r"\bwhether\b|\bif (?:he|she|they|his|her|the|it)\b|^\s*(?:will|would|"
                  r"does|do|did|is|are|was|were|can|could|has|have|should)\b|"
                  r"\byes or no\b|\b(?:will|would|does|do|did|is|are|can|could|has|have)"
                  r" (?:you|the|he|she|they|it|your|his|her|we|this|that)\b"),
    )
)

_PREAMBLE = re.compile(
    r"^\s*to ask (?:the |his |her )?(?:right hon\.?\w* )?[^,]{0,160}?,\s*", re.I
)
_PURSUANT = re.compile(r"^\s*pursuant to [^,]*(?:,[^,]*?\bon\b[^,]*)?,\s*", re.I)

# (a) ... (b) ... / (i) ... (ii) ... / 1) ... 2) ...
_ENUM = re.compile(r"\((?:[a-h]|i{1,3}|iv|v|vi{0,3}|[1-9])\)\s*", re.I)
_BROKEN_DOWN = re.compile(r"\b(?:broken down|disaggregated|split) by ([^.;?]+)", re.I)
_EACH_YEAR = re.compile(
    r"\bin each (?:of the )?(?:last|past|previous|next) (\w+) (years?|months?|financial years?|"
    r"quarters?)\b|\bin each year since (\d{4})\b", re.I
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "twelve": 12}
_TRAIL = re.compile(r"[\s,;.?]+$")
_SPLIT_JOIN = re.compile(r"\s*(?:,\s*(?:and|or)\s+|\s+and\s+|\s+or\s+|,\s*)\s*", re.I)


@dataclass(frozen=True)
class Part:
    """One requested part: its text and the stemmed terms an answer must mention."""

    text: str
    terms: tuple[str, ...]
    kind: str  # "enumerated", "year", "breakdown", "list"


@dataclass(frozen=True)
class QuestionFrame:
    """What is asked: the answer type, the requested parts and the focus terms.

    Examples
    --------
    >>> f = frame("how many NCA staff are posted to (a) Belgium (b) Germany and (c) Netherlands")
    >>> f.answer_type, [p.text for p in f.parts]
    ('count', ['Belgium', 'Germany', 'Netherlands'])
    """

    text: str
    core: str
    answer_type: str
    parts: tuple[Part, ...]
    focus: tuple[str, ...]


def strip_preamble(question: str) -> str:
    """Drop "To ask the Secretary of State for …," and "pursuant to the Answer of …,"."""
    core = _PREAMBLE.sub("", question, count=1)
    core = _PURSUANT.sub("", core, count=1)
    return core


def answer_type(core: str) -> str:
    """The expected answer type of a question (with its preamble removed)."""
    for name, pattern in _TYPE_RULES:
        if pattern.search(core):
            return name
    return "steps"


def _enumerated_parts(core: str) -> list[Part]:
    marks = list(_ENUM.finditer(core))
    if len(marks) < 2:
        return []
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(core)
        seg = core[m.end():end]
        if i + 1 == len(marks):
            seg = re.split(r"[?;]|\.(?:\s|$)|,\s+(?:and |broken|in each|for each)", seg)[0]
        seg = re.sub(r"\s*,?\s*\b(?:and|or)\s*$", "", seg.strip(), flags=re.I)
        seg = _TRAIL.sub("", seg)
        if seg:
            parts.append(Part(seg, tuple(dict.fromkeys(content_terms(seg))), "enumerated"))
    return parts


def _year_parts(core: str) -> list[Part]:
    m = _EACH_YEAR.search(core)
    if not m:
        return []
    if m.group(3):
        return [Part(f"each year since {m.group(3)}", ("year",), "year")]
    n = _NUMBERS.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else 0)
    if not 2 <= n <= 12:
        return []
    unit = m.group(2).rstrip("s")
    return [Part(f"{unit} {i + 1} of the last {n}", ("year",), "year") for i in range(n)]


def _breakdown_parts(core: str) -> list[Part]:
    m = _BROKEN_DOWN.search(core)
    if not m:
        return []
    dims = [d for d in _SPLIT_JOIN.split(m.group(1).strip()) if d.strip()]
    return [Part(f"broken down by {d.strip()}", tuple(content_terms(d)) or ("breakdown",),
                 "breakdown") for d in dims[:4]]


@lru_cache(maxsize=4096)
def frame(question: str) -> QuestionFrame:
    """Build the :class:`QuestionFrame` of a (cleaned) question. Cached: it is pure."""
    core = strip_preamble(question)
    parts = _enumerated_parts(core) or _year_parts(core)
    if not parts:
        parts = _breakdown_parts(core)
    else:
        parts += _breakdown_parts(core) if parts[0].kind == "year" else []
    focus = tuple(dict.fromkeys(content_terms(core)))
    return QuestionFrame(question, core, answer_type(core), tuple(parts), focus)
