"""What a question asks for: its answer type, its requested parts and its focus terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from evascore.cues import lower_pattern
from evascore.patterns import alternatives, search_test
from evascore.text import WORD, content_terms, stem

ANSWER_TYPES = (
    "count",
    "amount",
    "date",
    "list",
    "yesno",
    "reason",
    "steps",
    "assessment",
    "value",
)

# Tried in order; the first match wins. Patterns look at the question with the
# "To ask the Secretary of State for X," preamble removed.
_TYPE_RULES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (t, re.compile(p, re.I))
    for t, p in (
        (
            "assessment",
            r"\bwhat (?:recent )?(?:assessment|estimate|evaluation|analysis)\b|"
            r"\bwhat (?:is|was) (?:your|the government's|his|her) (?:view|assessment)",
        ),
        (
            "amount",
            r"\bhow much\b|\bwhat (?:(?:is|was|are|were|will be) )?(?:the |your |his |her |"
            r"its |our |their )?(?:\w+ ){0,2}(?:cost|costs|value|amount|budget|spend|"
            r"spending|expenditure|funding|price|revenue|sum|fee|fees|salary|income|margin|"
            r"guidance|capex|charges?|profits?|sales|earnings|ebitda|dividend|pay|wages?)\b",
        ),
        (
            "count",
            r"\bhow many\b|\bwhat (?:(?:is|was|are|were|will be) )?(?:the |your |its |our |"
            r"their )?(?:\w+ ){0,2}(?:churn|rate|growth|percentage|proportion|share|level|"
            r"volume|headcount|turnover|occupancy|attendance|backlog|total)\b|"
            r"\bwhat (?:number|proportion|percentage|share|rate|level)\b|"
            r"\bwhat (?:the |is the |was the )?(?:number|proportion|percentage|rate)\b|"
            r"\bthe number of\b",
        ),
        (
            "date",
            r"^\s*when\b|\bwhen (?:he|she|they|you|the|will|did|does|is|was|do)\b|"
            r"\bwhat (?:(?:is |was |will be )?the )?(?:date|timetable|timescale|timeline|"
            r"time)\b|\bby what date\b|"
            r"\bhow long\b",
        ),
        ("reason", r"\bwhy\b|\bfor what reason\b|\bon what basis\b|\bwhat (?:the )?reasons?\b"),
        (
            "list",
            r"\bwhich\b|\bwhat (?:organisations|bodies|countries|companies|schemes|"
            r"projects|criteria|sites|locations|areas|meetings)\b|\bwho\b|\bname the\b|"
            r"\blist\b",
        ),
        # "what the average waiting time was", "what the status is of …": a value, not steps
        # (policy, plans and the like are described in words: they stay "steps").
        (
            "value",
            r"\bwhat (?:the|his|her|their|its|your) (?!(?:[\w'-]+ ){0,3}?(?:policy|policies|"
            r"plans?|strategy|approach|position|view|views|role|purpose|steps|guidance|"
            r"process|processes|rationale|basis|criteria|priorities|objectives?|aims?|"
            r"response|arrangements|implications|impact|effect|terms|scope|remit|"
            r"reasons?|definition|responsibilities|powers|timetable|timescale)\b)"
            r"(?:[\w'-]+ ){1,4}?(?:is|was|are|were|has been|had been|will be)\b",
        ),
        (
            "steps",
            r"\bwhat (?:steps|action|actions|measures|plans|support|progress|"
            r"discussions|representations|guidance|role)\b|\bhow (?:he|she|they|you|"
            r"the|will|does|do|is|are|can|would)\b|\bwhat (?:is|are) (?:the|his|her|"
            r"your) (?:plans?|policy|strategy|approach)\b|\bwhat\b",
        ),
        (
            "yesno",
            r"\bwhether\b|\bif (?:he|she|they|his|her|the|it)\b|^\s*(?:will|would|"
            r"does|do|did|is|are|was|were|can|could|has|have|should)\b|"
            r"\byes or no\b|\b(?:will|would|does|do|did|is|are|can|could|has|have)"
            r" (?:you|the|he|she|they|it|your|his|her|we|this|that)\b",
        ),
    )
)

_PREAMBLE = re.compile(r"^\s*to ask (?:the |his |her )?(?:right hon\.?\w* )?[^,]{0,160}?,\s*", re.I)
_PURSUANT = re.compile(r"^\s*pursuant to [^,]*(?:,[^,]*?\bon\b[^,]*)?,\s*", re.I)

# (a) ... (b) ... / (i) ... (ii) ... / 1) ... 2) ...
_ENUM = re.compile(r"\((?:[a-h]|i{1,3}|iv|v|vi{0,3}|[1-9])\)\s*", re.I)
_BROKEN_DOWN = re.compile(r"\b(?:broken down|disaggregated|split) by ([^.;?]+)", re.I)
_EACH_YEAR = re.compile(
    r"\bin each (?:of the )?(?:last|past|previous|next) (\w+) (years?|months?|financial years?|"
    r"quarters?)\b|\bin each year since (\d{4})\b",
    re.I,
)
# "in each year between 2021 and 2023", "for each of the years 2019 to 2023"
_EACH_YEAR_RANGE = re.compile(
    r"\b(?:in |for )?each (?:of the )?(?:financial |calendar |academic )?years? (?:between |from )?"
    r"((?:19|20)\d\d)(?:[-/]\d\d)? (?:and|to|-) ((?:19|20)\d\d)\b",
    re.I,
)
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
_TAIL_QUALIFIER = re.compile(
    r",\s|\s(?:in|since|for|during|over|by|on|at|from|between|"
    r"within|across|as)\s",
    re.I,
)
_TRAIL = re.compile(r"[\s,;.?]+$")
# _TRAIL.sub("", s) as a strip: re's \s is exactly the characters for which str.isspace()
# holds (these, tests/test_question_fast_paths.py checks), and "$" before a final newline
# changes nothing (the newline is in the run too).
_TRAIL_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000,;.?"
)
_SPLIT_JOIN = re.compile(r"\s*(?:,\s*(?:and|or)\s+|\s+and\s+|\s+or\s+|,\s*)\s*", re.I)


@dataclass(frozen=True)
class Part:
    """One requested part: its text and the stemmed terms an answer must mention."""

    text: str
    terms: tuple[str, ...]
    kind: str  # "enumerated", "year", "breakdown", "clause"
    answer_type: str | None = None  # its own type, when it differs from the question's


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
    # Both patterns open with "^" (no re.MULTILINE): their only match is at the start, so
    # substituting it away is cutting at its end.
    m = _PREAMBLE.match(question)
    core = question[m.end() :] if m is not None else question
    m = _PURSUANT.match(core)
    return core[m.end() :] if m is not None else core


_REQUEST = re.compile(
    r"^\s*(?:(?:can|could|would|will) you|(?:will|would|can|could) (?:the|my right hon\.?|"
    r"the right hon\.?) \w+(?: \w+)?|please|I wonder if you could) (?:please )?(?:give|tell|"
    r"provide|share|update|set out|outline|explain)(?: (?:us|me|the house|the "
    r"committee|members|the market|investors|viewers))?(?: with)?(?: an? update on)?\s+",
    re.I,
)
_QUANTITY = re.compile(
    r"\b(?:growth|revenue|number|figure|figures|rate|cost|costs|margin|"
    r"margins|sales|percentage|proportion|total|level|levels|amount|spend|"
    r"budget|price|volume|headcount|guidance|forecast|capex|churn)\b",
    re.I,
)


_QUANTITY_LOW = search_test(lower_pattern(_QUANTITY.pattern))


_ASCII_LETTER = re.compile("[a-z]", re.I)


@lru_cache(maxsize=4096)
def _lowers_safely_char(c: str) -> bool:
    return c.lower() == c and _ASCII_LETTER.fullmatch(c) is None


def _lowers_safely(text: str) -> bool:
    """Whether matching ``text`` case-blind with an ASCII pattern is matching
    ``text.lower()`` with the pattern lower-cased: so for ASCII text, and for text whose
    other characters lower-case to themselves and match no ASCII letter case-blind ("£",
    "é", "–"; not "É", nor "ſ", "K", "İ", "ı", which re.IGNORECASE takes for s, k, i).
    Lower-casing then changes only ASCII letters, in place."""
    return text.isascii() or all(c < "\x80" or _lowers_safely_char(c) for c in set(text))


def answer_type(core: str) -> str:
    """The expected answer type of a question (with its preamble removed).

    A request ("Can you give us revenue growth for …", "Will the Minister tell the House
    when …") is typed by what it asks for, not as a yes/no question.

    Examples
    --------
    >>> answer_type("Can you give us revenue growth for Europe?"), answer_type("Will you resign?")
    ('count', 'yesno')
    """
    # _REQUEST opens with "^": its one match is at the start, and cutting it away is what
    # substituting it would do.
    request = _REQUEST.match(core)
    asked = core[request.end() :] if request is not None else core
    if _lowers_safely(asked):
        return _answer_type_low(asked.lower(), request is not None)
    rules, quantity, text = _TYPE_RULES, _QUANTITY, asked
    if request is not None:
        for name, pattern in rules:
            if name != "yesno" and pattern.search(text):
                return name if name != "steps" or not quantity.search(text) else "count"
        return "count" if quantity.search(text) else "steps"
    for name, pattern in rules:  # here text is the core
        if pattern.search(text):
            return name
    return "steps"


def _leading_literal(alt: str) -> str:
    """The literal text every match of the alternative ``alt`` opens with (after a leading
    ``\\b`` or ``^\\s*``): "how many" for ``\\bhow many\\b``; "" when there is none."""
    if alt.startswith("\\b"):
        alt = alt[2:]
    elif alt.startswith("^\\s*"):
        alt = alt[4:]
    n = 0
    while n < len(alt) and (alt[n].isalpha() or alt[n] in " '"):
        n += 1
    if n < len(alt) and alt[n] in "?*{":  # the last character is optional or repeated
        n -= 1
    return alt[:n]


def _split_rule(pattern: str) -> tuple[re.Pattern | None, Callable[[str], bool] | None, tuple]:
    """A lower-case rule split in two: its alternatives opening with ``\\bwhat``, to be
    matched only where "what" occurs (compiled, or None), and the others as a search test
    (or None) with the literals one of which each of their matches holds (() when some
    alternative has none: always scanned)."""
    alts = alternatives(pattern)
    what = [a for a in alts if a.startswith("\\bwhat")]
    other = [a for a in alts if not a.startswith("\\bwhat")]
    words = [_leading_literal(a) for a in other]
    # a literal holding another is present only when that one is: looking for it is no gate
    words = [w for w in dict.fromkeys(words) if not any(u != w and u in w for u in words)]
    return (
        re.compile("|".join(what)) if what else None,
        search_test("|".join(other)) if other else None,
        () if "" in words else tuple(words),
    )


# The rules split as _split_rule does. Most rules open each alternative with "what", and
# most questions hold one or two: matching those alternatives only where "what" occurs
# replaces a scan of the whole question per rule. A match of such an alternative starts at
# an occurrence of "what" (its first literal); re's match at a position still sees the
# character before it for \b.
_TYPE_RULES_SPLIT = tuple((t, *_split_rule(lower_pattern(p.pattern))) for t, p in _TYPE_RULES)
_WHAT = re.compile("what")


def _answer_type_low(text: str, request: bool) -> str:
    """:func:`answer_type` of lower-cased ASCII text: a rule's "what" alternatives are tried
    where "what" occurs, its others skipped when none of their literals occurs."""
    whats = [m.start() for m in _WHAT.finditer(text)]
    for name, what, other, words in _TYPE_RULES_SPLIT:
        if request and name == "yesno":
            continue
        hit = False
        if what is not None:
            for p in whats:
                if what.match(text, p) is not None:
                    hit = True
                    break
        if not hit and other is not None:
            if words:
                for w in words:
                    if w in text:
                        hit = other(text)
                        break
            else:
                hit = other(text)
        if hit:
            if request and name == "steps" and _QUANTITY_LOW(text):
                return "count"
            return name
    if request:
        return "count" if _QUANTITY_LOW(text) else "steps"
    return "steps"


_LAST_PART_END = re.compile(r"[?;]|\.(?:\s|$)|,\s+(?:and |broken|in each|for each)")
# The same matches, opening with one class so that the engine skips to its characters:
# the character matched picks the alternative through the look-behind.
_LAST_PART_END_FAST = re.compile(
    r"[?;.,](?:(?<=[?;])|(?<=\.)(?:\s|$)|(?<=,)\s+(?:and |broken|in each|for each))"
)
_AND_OR_END = re.compile(r"\s*,?\s*\b(?:and|or)\s*$", re.I)


def _drop_and_or(seg: str) -> str:
    """``seg`` stripped, without a closing "and" or "or" ("(a) Leeds and")."""
    seg = seg.strip()
    # The pattern (tried at every position) needs "and" or "or" at the very end: strip()
    # leaves no space after it, and no character beyond ASCII matches one of these letters
    # case-blind. So a part that does not end so is left as it is.
    if seg[-3:].lower().endswith(("and", "or")):
        seg = _AND_OR_END.sub("", seg)
    return seg


def _enumerated_parts(core: str) -> list[Part]:
    if "(" not in core:  # every mark starts with one
        return []
    marks = list(_ENUM.finditer(core))
    if len(marks) < 2:
        return []
    texts = []
    for m, after in zip(marks, marks[1:]):
        seg = _drop_and_or(core[m.end() : after.start()]).rstrip(_TRAIL_CHARS)
        if seg:
            texts.append(seg)
    seg = core[marks[-1].end() :]
    stop = _LAST_PART_END_FAST.search(seg)  # _LAST_PART_END.split(seg)[0]
    if stop is not None:
        seg = seg[: stop.start()]
    seg = _drop_and_or(seg).rstrip(_TRAIL_CHARS)
    if texts:
        # "(a) made and (b) approved in South Holland": the tail qualifies every part.
        longest = max(len(t.split()) for t in texts)
        words = len(seg.split())
        if words > 2 * longest + 1:
            seg = _TAIL_QUALIFIER.split(seg, maxsplit=1)[0].strip() or seg
            words = len(seg.split())
        if words > longest + 1:
            # "(c) midwives left the NHS": the question's verb phrase follows the last part
            seg = _cut_at_verb(seg)
    if seg:
        texts.append(seg)
    terms = _distinct_terms([_part_terms(t) for t in texts])
    return [Part(t, own, "enumerated") for t, own in zip(texts, terms)]


_VERBS = frozenset(
    "is are was were be been being has have had do does did will would can could shall should "
    "may might must left leave leaves join joined joins received receive receives took take "
    "takes made make makes got get gets went go goes came come comes paid pay pays spent spend "
    "spends lost lose loses won win gave give gives applied apply applies".split()
)


def _cut_at_verb(seg: str) -> str:
    """The part before the first verb-like word (after its first word): "midwives left the
    NHS" -> "midwives". Unchanged when no verb follows."""
    words = seg.split()
    for i, w in enumerate(words[1:], start=1):
        low = w.lower().strip(",;")
        if low in _VERBS or (low.endswith("ed") and len(low) > 4 and words[i - 1][:1].islower()):
            return " ".join(words[:i])
    return seg


_ARTICLES = frozenset("the a an of and or in on to for by with at from its their his her".split())


# Every byte but a-z, "'" and "-" to a space.
_NOT_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz'-" else 32 for c in range(256))


def _words(low: str) -> list[str]:
    """``WORD.findall(low)`` of lower-cased text. In ASCII text WORD's matches are the
    longest runs of a-z, "'" and "-" that open with a letter: with every other character
    a space, they are the text's whitespace-split tokens, unless a token opens with "'" or
    "-" (then WORD is asked)."""
    if not low.isascii():
        return WORD.findall(low)
    spaced = low.encode("ascii").translate(_NOT_WORD_BYTES).decode("ascii")
    if spaced[:1] in ("'", "-") or " '" in spaced or " -" in spaced:
        return WORD.findall(low)
    return spaced.split()


class _TermOf(dict):
    """A word of lower-cased text (a match of WORD) -> its content term, or None: what
    content_terms makes of the word alone, since the word is its one match of WORD."""

    def __missing__(self, word: str) -> str | None:
        if len(self) > 100_000:  # bounded, like content_terms' own map
            self.clear()
        terms = content_terms(word)
        term = self[word] = terms[0] if terms else None
        return term


_TERM_OF = _TermOf()


def _unique_terms(text: str) -> tuple[str, ...]:
    """``tuple(dict.fromkeys(content_terms(text)))`` without a loop in Python: a word with
    no term maps to None, and none to "" (a word opens with a letter, which stem keeps)."""
    return tuple(dict.fromkeys(filter(None, map(_TERM_OF.__getitem__, _words(text.lower())))))


def _part_terms(seg: str) -> tuple[str, ...]:
    """Terms an answer must mention for a part; short or common words when nothing else."""
    terms = _unique_terms(seg)
    if not terms:  # "(a) made", "(b) the UK": fall back to any non-article word
        terms = tuple(
            dict.fromkeys(
                stem(w.lower())
                for w in re.findall(r"[A-Za-z]{2,}", seg)
                if w.lower() not in _ARTICLES
            )
        )
    return terms


def _distinct_terms(terms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each part's terms less those another part holds too (all of them when none is left)."""
    # Collect the terms held by two parts or more in one pass (linear in the parts;
    # comparing every pair was quadratic, issue 14). Most questions' parts share none.
    if len(terms) < 2:
        return terms
    seen: set[str] = set()
    shared: set[str] = set()
    for ts in terms:
        held = set(ts)
        shared |= seen & held
        seen |= held
    if not shared:
        return terms
    return [tuple(t for t in ts if t not in shared) or ts for ts in terms]


def _distinctive(parts: list[Part]) -> list[Part]:
    """Drop terms every other part shares: "Thames Water"/"Southern Water" -> thame/southern."""
    own = _distinct_terms([p.terms for p in parts])
    # the same part when it keeps all its terms (a frozen dataclass is slow to build)
    return [
        p if ts == p.terms else Part(p.text, ts, p.kind, p.answer_type) for p, ts in zip(parts, own)
    ]


def _year_parts(core: str) -> list[Part]:
    # Both patterns need "each" (matched case-blind: only its ASCII letters lower-case into
    # it), so most questions skip both scans.
    if "each" not in core.lower():
        return []
    r = _EACH_YEAR_RANGE.search(core)
    if r:
        first, last = int(r.group(1)), int(r.group(2))
        if 1 <= last - first <= 11:
            return [Part(f"year {y}", ("year",), "year") for y in range(first, last + 1)]
    m = _EACH_YEAR.search(core)
    if not m:
        return []
    if m.group(3):
        return [Part(f"each year since {m.group(3)}", ("year",), "year")]
    n = _NUMBERS.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else 0)
    if not 2 <= n <= 12:
        return []
    unit = m.group(2).lower().rstrip("s")
    # The term says which period a part is: a figure for a month is found by a month's name.
    period = "month" if unit == "month" else "quarter" if unit == "quarter" else "year"
    return [Part(f"{unit} {i + 1} of the last {n}", (period,), "year") for i in range(n)]


def _breakdown_parts(core: str) -> list[Part]:
    # Every match holds "broken down", "disaggregated" or "split"; matched case-blind, and
    # beyond ASCII "ſ" and "K" (Kelvin) match "s" and "k" without lower-casing into them,
    # so only questions that lower-case safely are skipped on the literals (nearly all).
    if _lowers_safely(core):
        low = core.lower()
        if "split" not in low and "broken down" not in low and "disaggregated" not in low:
            return []
    m = _BROKEN_DOWN.search(core)
    if not m:
        return []
    dims = [d for d in _SPLIT_JOIN.split(m.group(1).strip()) if d.strip()]
    return [
        Part(f"broken down by {d.strip()}", tuple(content_terms(d)) or ("breakdown",), "breakdown")
        for d in dims[:4]
    ]


_CLAUSE_SPLIT = re.compile(
    r"(?:[,;]\s*(?:and\s+)?|\s+and\s+|\?\s+(?:And\s+)?)(?=(?:how many|how much|what|when|"
    r"whether|which|why|if (?:he|she|they|the)|will|does|is|are|has|have|can)\b)",
    re.I,
)


_ASKS = re.compile(
    r"(?:how|what|when|whether|which|why|who|where|if (?:he|she|they|the)|will|"
    r"would|does|do|did|is|are|was|were|can|could|has|have|should)\b",
    re.I,
)


_CLAUSE_MARK = re.compile(r"[,;?]")


def _clause_split(core: str) -> list[str]:
    """``_CLAUSE_SPLIT.split(core)``, the pattern tried only where a match can start.

    A match starts at "," ";" "?" or at the first of the spaces before an "and" (its other
    alternative); tried there in order, from the end of the last match on, it finds the
    matches the engine's scan of every position finds. A run of spaces never holds the end
    of a match, which is the start of an asking word. Only questions that lower-case
    safely: otherwise case-blind matching and lower-casing part ways.
    """
    if not _lowers_safely(core):
        return _CLAUSE_SPLIT.split(core)
    starts = [m.start() for m in _CLAUSE_MARK.finditer(core)]
    low = core.lower()
    i = low.find("and", 1)
    while i > 0:
        if low[i - 1].isspace():  # re's \s
            r = i - 1
            while r > 0 and low[r - 1].isspace():
                r -= 1
            starts.append(r)
        i = low.find("and", i + 3)
    pieces, last = [], 0
    for s in sorted(starts):
        if s >= last and (m := _CLAUSE_SPLIT.match(core, s)) is not None:
            pieces.append(core[last:s])
            last = m.end()
    pieces.append(core[last:])
    return pieces


def _clause_parts(core: str) -> list[Part]:
    """Separate questions in one turn: "how many were arrested, and how many were injured?"."""
    clauses = [c for c in _clause_split(core) if c and c.strip()]
    # Every clause must itself ask something: "First Minister, how many ..." is one question
    # with a vocative, not two.
    clauses = [c for c in clauses if _ASKS.match(c.strip())]
    if not 2 <= len(clauses) <= 4:
        return []
    parts = [
        Part(c.strip().rstrip(_TRAIL_CHARS), _part_terms(c), "clause", answer_type(c))
        for c in clauses
    ]
    parts = [p for p in parts if p.terms]
    return _distinctive(parts) if len(parts) >= 2 else []


@lru_cache(maxsize=4096)
def frame(question: str) -> QuestionFrame:
    """Build the :class:`QuestionFrame` of a (cleaned) question. Cached: it is pure."""
    core = strip_preamble(question)
    parts = _enumerated_parts(core) or _year_parts(core)
    if not parts:
        parts = _breakdown_parts(core) or _clause_parts(core)
    else:
        parts += _breakdown_parts(core) if parts[0].kind == "year" else []
    focus = _unique_terms(core)
    return QuestionFrame(question, core, answer_type(core), tuple(parts), focus)
