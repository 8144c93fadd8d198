"""Featuriser: question–answer pairs -> named numeric features, plus the evidence behind them.

:func:`analyse` reads one pair once (sentences, cue spans, which requested parts are
answered, how relevant each sentence is); the feature functions in :data:`REGISTRY` are pure
functions of that analysis. The column order and :meth:`FeatureExtractor.get_feature_names_out`
both derive from the registry.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from evascore.cues import NON_REPLY, TECHNIQUES_IN_LEXICON, Cue, _lower_pattern, load_lexicon
from evascore.errors import InputError
from evascore.patterns import search_form
from evascore.question import ANSWER_TYPES, Part, QuestionFrame, frame
from evascore.text import _ALPHA, content_terms, split_sentences, stem, terms_of_words

# --------------------------------------------------------------------------- evidence

_NUM_WORD_LIST = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "dozen",
    "none",
    "zero",
)
_NO_NOUNS = (
    "staff",
    "officers",
    "people",
    "cases",
    "patients",
    "schools",
    "such",
    "claims",
    "one",
    "payments",
    "applications",
    "incidents",
    "prosecutions",
    "vehicles",
    "sites",
    "contracts",
)
_NUM_WORDS = (
    "|".join(_NUM_WORD_LIST)
    + r"|no (?:\w+ )?(?:"
    + "|".join(_NO_NOUNS)
    + r")|half|a quarter|a third|nil"
)
_DIGITS_PATTERN = (
    r"(?<![\w.])(?:[£$€]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|per ?cent|"
    r"million|billion|bn|m|k))?"
)
_NUMBER = re.compile(_DIGITS_PATTERN + r"|\b(?:" + _NUM_WORDS + r")\b", re.I)
# The same pattern without re.IGNORECASE, for lower-cased text (about twice as fast).
_NUMBER_LOW = re.compile(_NUMBER.pattern)
# Its first branch alone, for text where no number word can match, rewritten to open with a
# character set ([£$€\d], then the look-behind): the regex engine then skips ahead fast
# instead of trying the pattern at every position. Same matches as _DIGITS_PATTERN.
_DIGITS = re.compile(
    r"[£$€\d](?<![\w.].)(?:(?<=[£$€])\s?\d|(?<=\d))[\d,]*(?:\.\d+)?"
    r"(?:\s?(?:%|per ?cent|million|billion|bn|m|k))?"
)
# A sentence needs one of these words (whole, or between - and ') for a number word to match.
_NUMBER_GATE = frozenset(_NUM_WORD_LIST + ("half", "quarter", "third", "nil"))
_NO_NOUN_SET = frozenset(_NO_NOUNS)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEARISH = re.compile(r"\b(?:19|20)\d\d(?:\s?[-/]\s?(?:19|20)?\d\d)?\b")
_PERIOD = {
    "month": re.compile(
        r"\b(?:January|February|March|April|May|June|July|August|"
        r"September|October|November|December)\b"
    ),
    "quarter": re.compile(
        r"\b(?:Q[1-4]|(?:first|second|third|fourth|final) quarter|"
        r"quarter (?:one|two|three|four|[1-4]))\b",
        re.I,
    ),
}
_AMOUNT = re.compile(
    r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:million|billion|bn|m|k|pounds|dollars|"
    r"euros|pence|p)\b|\b(?:million|billion) (?:pounds|dollars)\b",
    re.I,
)
_MONTH = (
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December"
)
_DATE = re.compile(
    r"\b(?:" + _MONTH + r")\b|\b(?:19|20)\d\d\b|\b(?:spring|summer|autumn|"
    r"winter|end of the year|this year|next year|next month|this month|"
    r"by the end of|quarter|Q[1-4]|weeks?|months?|days?)\b",
    re.I,
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|the reason|reasons? (?:for|"
    r"why|is|was)|in order to|so that|since|given that|on the basis|driven by|"
    r"was caused|following)\b",
    re.I,
)
_STEPS = re.compile(
    r"\b(?:introduc|launch|invest|establish|publish|set up|fund|provid|"
    r"develop|deliver|implement|work(?:ing)? with|taking|taken|announc|"
    r"allocat|recruit|expand|extend|commission|roll(?:ed|ing)? out|creat|"
    r"support|train|legislat|consult|review|increas|reduc|build)\w*",
    re.I,
)
_ASSESS = re.compile(
    r"\b(?:assess\w*|estimat\w*|evaluat\w*|evidence|analys\w*|impact|"
    r"conclud\w*|found that|find that|expect\w*|judge\w*|our view|considers?|"
    r"indicat\w*|projected|modelling|shows?|on track|as planned|on schedule|"
    r"adequate|sufficient|effective|working well|remains? (?:appropriate|fit)|"
    r"(?:is|are) satisfied|believes?|confident|merits?|benefits?|advantages?|"
    r"drawbacks?|disadvantages?|promising|risks?|challenges?|cheaper|costlier|"
    r"more efficient|less efficient|would not|would be|concerns?)\b",
    re.I,
)
_YESNO = re.compile(
    r"^(?:yes|no)\b|\b(?:has|have) no (?:current )?plans?\b|\b(?:will|does|"
    r"do|is|are|has|have|did|was|were|can|would) not\b|\b(?:won't|doesn't|"
    r"don't|isn't|aren't|hasn't|haven't|didn't|can't|wouldn't)\b|\bI can "
    r"confirm\b|\bwe will\b|\bthe (?:government|department) will\b|"
    r"\b(?:yes|no)[,.]|\babsolutely\b|\bcorrect\b|\bthat is right\b",
    re.I,
)
# A status for "what progress" / "what the status is": done, under way, not yet.
_STATUS = re.compile(
    r"\b(?:completed?|finished|concluded|on track|on schedule|delayed|under ?way|"
    r"in progress|began|begun|started|commenced|launched|opened|closed|"
    r"not yet|has not|have not|is expected|are expected|scheduled|due to|"
    r"remains? open|went live|in place|operational)\b",
    re.I,
)
_LIST = re.compile(
    r"(?:\b[A-Z][a-z]+(?: [A-Z][a-z]+)*,\s+){2,}|(?i:\b(?:include|including|"
    r"are as follows|the following|listed)\b)|•|;\s"
)


def _lowered(pattern: re.Pattern, lowered: bool = False) -> Callable[[str], bool]:
    """A test running ``pattern`` without re.IGNORECASE on lower-cased text (faster), in
    its search form (alternatives merged into a trie: a few times faster again). With
    ``lowered``, the test takes text already lower-cased."""
    fast = re.compile(search_form(_lower_pattern(pattern.pattern)))
    if lowered:
        search = fast.search
        return lambda low: search(low) is not None
    return lambda s: fast.search(s.lower()) is not None


_AMOUNT_FAST = _lowered(_AMOUNT)
_DATE_FAST = _lowered(_DATE)
_STATUS_FAST = _lowered(_STATUS)
_STEPS_FAST = _lowered(_STEPS)
_PERCENT = re.compile(r"\d\s?(?:%|per ?cent|percent|basis points|bps)", re.I)

_TYPE_TEST: dict[str, Callable[[str], bool]] = {
    "count": lambda s: bool(_count_numbers(s)),
    "amount": lambda s: _AMOUNT_FAST(s) or _PERCENT.search(s) is not None,
    "date": _lowered(_DATE),
    "list": lambda s: _LIST.search(s) is not None,  # capitalised names: case matters
    "yesno": _lowered(_YESNO),
    "reason": _lowered(_REASON),
    "steps": lambda s: _STEPS_FAST(s) or _STATUS_FAST(s),
    "assessment": _lowered(_ASSESS),
    # "what the X was": a number, an amount, a date or a status
    "value": lambda s: (
        bool(_count_numbers(s))
        or _AMOUNT_FAST(s)
        or _PERCENT.search(s) is not None
        or _DATE_FAST(s)
        or _STATUS_FAST(s)
    ),
}
# The same tests of text already lower-cased: _TYPE_TEST[t](s) == _TYPE_TEST_LOW[t](s.lower()).
_TYPE_TEST_LOW: dict[str, Callable[[str], bool]] = {
    name: _lowered(pattern, lowered=True)
    for name, pattern in (
        ("date", _DATE),
        ("yesno", _YESNO),
        ("reason", _REASON),
        ("assessment", _ASSESS),
    )
}
_STEPS_LOW, _STATUS_LOW = _lowered(_STEPS, lowered=True), _lowered(_STATUS, lowered=True)
# "what progress": the steps taken or a done / not-yet status both answer it.
_TYPE_TEST_LOW["steps"] = lambda low: _STEPS_LOW(low) or _STATUS_LOW(low)


def _count_numbers(sentence: str) -> list[str]:
    """Numbers that could be a count or amount (years excluded), lower-cased."""
    low = sentence.lower()
    return _numbers(low, _ALPHA.findall(low))


class _NumberFlags(dict):
    """word -> 1 if it or a piece of it between - and ' is a number word, | 2 for "no",
    | 4 for a noun "no" counts ("no staff")."""

    def __missing__(self, word: str) -> int:
        if len(self) > 100_000:
            self.clear()
        pieces = word.replace("'", "-").split("-")
        flags = (
            (not _NUMBER_GATE.isdisjoint(pieces))
            | 2 * ("no" in pieces)
            | 4 * (not _NO_NOUN_SET.isdisjoint(pieces))
        )
        self[word] = flags
        return flags


_NUMBER_FLAGS = _NumberFlags()


def _numbers(low: str, words: list[str], digits: list[str] | None = None) -> list[str]:
    """:func:`_count_numbers` of lower-cased text whose ``_ALPHA`` words are ``words``.

    Number words (\\bone\\b, "no staff", ...) are whole words bounded by non-word characters,
    so each is a word of ``words`` or a piece of one split at - or '. Most sentences have
    none of them: then only the digit branch can match, and that runs fast (``digits``: its
    matches, when already found).
    """
    flags = reduce(or_, map(_NUMBER_FLAGS.__getitem__, words), 0)
    if flags & 1 or flags & 6 == 6:
        found = _NUMBER_LOW.findall(low)
    else:
        found = _DIGITS.findall(low) if digits is None else digits
    return [t for t in found if not _YEAR.match(t.strip())] if found else found


def _digits_by_sentence(low: str, sentences) -> list[list[str]]:
    """The digit-branch matches in each sentence, from one scan of the whole (lower-cased)
    answer. The same as scanning each sentence: a match cannot start between sentences
    (only closing quotes, brackets and spaces are there) or run past a sentence's final
    . ! or ?, and the space before a sentence passes the (?<![\\w.]) look-behind as the
    start of a text does."""
    out: list[list[str]] = [[] for _ in sentences]
    i, n = 0, len(sentences)
    for m in _DIGITS.finditer(low):
        start = m.start()
        while i < n and sentences[i][1] <= start:
            i += 1
        if i == n:
            break
        if sentences[i][0] <= start:
            out[i].append(m.group())
    return out


@lru_cache(maxsize=4096)
def _question_numbers(question: str) -> frozenset:
    return frozenset(n.strip() for n in _count_numbers(question))


_REFUSAL_TECHS = frozenset(NON_REPLY)
_INDEX_PARTS_ABOVE = 400  # parts x sentences beyond which sentences are indexed by term
_NO_CUES: frozenset = frozenset()
_COURTESY = re.compile(
    r"\s*(?:I|We) (?:hope|trust) (?:this|that|the above) (?:is|was|has been|will be|helps|"
    r"answers|clarifies)[^.!?]*[.!?]?\s*$|\s*(?:Thank you|Thanks) (?:for (?:your|the) "
    r"(?:question|letter|request|email|enquiry)[^.!?]*)?[.!?]?\s*$|\s*I am grateful to the "
    r"(?:hon|right hon)[^.!?]*[.!?]?\s*$|\s*(?:Please|Do) (?:do )?(?:let (?:me|us) know|get in "
    r"touch|contact (?:me|us))[^.!?]*[.!?]?\s*$|\s*(?:Kind|Best) regards[^.!?]*[.!?]?\s*$",
    re.I,
)
# How a courtesy can start (its openings, cut short, with the same \s* and the same
# case-insensitive matching): a quick test that spares most sentences the full pattern.
_COURTESY_START = re.compile(r"\s*(?:i |we |thank|please|do |kind |best )", re.I)


@dataclass(frozen=True)
class PartResult:
    """Whether one requested part was answered, and the sentence that shows it."""

    part: Part
    addressed: bool
    mentioned: bool
    evidence: tuple[int, int] | None

    def to_dict(self, answer: str) -> dict:
        ev = None if self.evidence is None else answer[self.evidence[0] : self.evidence[1]]
        return {"text": self.part.text, "addressed": self.addressed, "evidence": ev}


@dataclass(frozen=True)
class Analysis:
    """Everything evascore reads from one pair; the features are functions of it."""

    question: str
    answer: str
    frame: QuestionFrame
    sentences: tuple[tuple[int, int], ...]
    relevance: tuple[float, ...]
    typed: tuple[bool, ...]
    cues: tuple[Cue, ...]
    cue_sentence: tuple[frozenset, ...]
    parts: tuple[PartResult, ...]
    answer_terms: frozenset
    n_numbers: int
    n_numbers_tied: int


def _weights(terms: Iterable[str], idf: dict[str, float] | None, default: float) -> dict:
    if idf is None:
        return {t: 1.0 for t in terms}
    return {t: idf.get(t, default) for t in terms}


def _part_result(
    part: Part,
    sentences,
    texts,
    sent_terms,
    typed,
    cue_sentence,
    sent_numbers,
    atype: str,
    year_hits: list[int],
    year_index: int,
    term_index: dict | None = None,
    sent_words: list | None = None,
) -> PartResult:
    if part.kind == "year":
        named = part.text[5:] if part.text.startswith("year ") else ""
        if named.isdigit():  # "year 2022" (from a range): a figure in a sentence naming it
            hit = next((i for i in year_hits if named in texts[i]), None)
            ev = None if hit is None else sentences[hit]
            return PartResult(part, hit is not None, hit is not None, ev)
        ok = year_index < len(year_hits)
        ev = sentences[year_hits[year_index]] if ok else None
        return PartResult(part, ok, ok, ev)
    ptype = part.answer_type or atype
    if term_index is not None:  # many parts and sentences: look the terms up
        mentioned_at = sorted({i for t in part.terms for i in term_index.get(t, ())})
    else:
        mentioned_at = [
            i
            for i, terms in enumerate(sent_terms)
            if part.terms and any(t in terms for t in part.terms)
        ]
    short = [t for t in part.terms if len(t) < 3]
    if short and sent_words is not None:
        # "(a) the UK": content terms skip words under three letters, so a part named by
        # one ("UK", "EU") is looked for among the sentences' words.
        mentioned_at = sorted(
            set(mentioned_at)
            | {i for i, words in enumerate(sent_words) if any(t in words for t in short)}
        )
    for i in mentioned_at:
        refusal = bool(cue_sentence[i] & _REFUSAL_TECHS) and "override" not in cue_sentence[i]
        if ptype in ("count", "amount"):
            gives = bool(sent_numbers[i])
        elif ptype == atype:
            gives = typed[i]
        else:
            gives = _TYPE_TEST[ptype](texts[i])
        if gives and not refusal:
            return PartResult(part, True, True, sentences[i])
    ev = sentences[mentioned_at[0]] if mentioned_at else None
    return PartResult(part, False, bool(mentioned_at), ev)


def _lower_sentences(answer: str, sentences, texts: list[str]) -> tuple[str | None, list[str]]:
    """The lower-cased answer, if its slices are the lower-cased sentences, and those.

    They are unless lower-casing changes the length ("İ" becomes two characters) or depends
    on context (a final capital sigma); only U+03A3 is lower-cased by context.
    """
    low = answer.lower()
    if len(low) == len(answer) and "\u03a3" not in answer:
        return low, [low[s:e] for s, e in sentences]
    return None, [t.lower() for t in texts]


def analyse(
    question: str,
    answer: str,
    idf: dict[str, float] | None = None,
    default_idf: float = 1.0,
    lexicon_path: str | None = None,
) -> Analysis:
    """Read one (cleaned) pair: sentences, relevance, cues and requested parts.

    Examples
    --------
    >>> a = analyse("How many staff are posted to (a) Belgium and (b) Germany?",
    ...             "There are 4 staff in Belgium. We do not disclose other postings.")
    >>> [(p.part.text, p.addressed) for p in a.parts]
    [('Belgium', True), ('Germany', False)]
    """
    fr = frame(question)
    lex = load_lexicon(lexicon_path)
    sentences = tuple(split_sentences(answer)) or ((0, len(answer)),)
    # Courtesies ("I hope this is helpful") say nothing about the question: leave them out.
    kept = tuple(
        sp
        for sp in sentences
        if not (_COURTESY_START.match(answer, sp[0]) and _COURTESY.match(answer, sp[0], sp[1]))
    )
    sentences = kept or sentences
    texts = [answer[s:e] for s, e in sentences]
    low, lows = _lower_sentences(answer, sentences, texts)
    words = [_ALPHA.findall(t) for t in lows]  # each sentence's words, read once
    sent_terms = [terms_of_words(w) for w in words]  # sets, only read here
    qnumbers = _question_numbers(question)
    digits = _digits_by_sentence(low, sentences) if low is not None else [None] * len(lows)
    sent_numbers = [
        [n for n in _numbers(t, w, d) if n.strip() not in qnumbers]
        for t, w, d in zip(lows, words, digits)
    ]
    focus_w = _weights(fr.focus, idf, default_idf)
    total_w = sum(focus_w.values()) or 1.0
    # The focus weights in focus order, summed as sum(w for t, w in ... if t in terms) would.
    weight = focus_w.__getitem__
    relevance = tuple(
        sum(map(weight, filter(terms.__contains__, focus_w))) / total_w for terms in sent_terms
    )
    if fr.answer_type == "count":
        typed = tuple(bool(n) for n in sent_numbers)
    elif fr.answer_type in _TYPE_TEST_LOW:
        test = _TYPE_TEST_LOW[fr.answer_type]
        typed = tuple(map(test, lows))  # lows[i] is texts[i].lower()
    else:
        test = _TYPE_TEST[fr.answer_type]
        typed = tuple(map(test, texts))
    cues = tuple(lex.find(answer))
    cue_sets: dict[int, set] = {}  # only sentences with a cue
    ends = [e for _, e in sentences]  # sentences are in order and do not overlap
    for c in cues:
        i = bisect_right(ends, c.start)  # the first sentence ending after the cue starts
        while i < len(sentences) and sentences[i][0] < c.end:
            cue_sets.setdefault(i, set()).add(c.technique)
            i += 1
    cue_sentence = [_NO_CUES] * len(sentences)
    for i, x in cue_sets.items():
        cue_sentence[i] = frozenset(x)
    period = fr.parts[0].terms[0] if fr.parts and fr.parts[0].kind == "year" else "year"
    when = _PERIOD.get(period, _YEARISH)
    year_hits = [i for i, t in enumerate(texts) if sent_numbers[i] and when.search(t)]
    # Several years (months, quarters) in one sentence each count as one answered.
    year_hits = [i for i in year_hits for _ in range(max(1, len(when.findall(texts[i]))))]
    parts = []
    yi = 0
    # Matching every part against every sentence grows as parts x sentences (a crafted
    # question with thousands of parts took 20-30 s): past a small size, index the sentences
    # by term once, so the cost is linear in the text. Same results either way.
    term_index = None
    if len(fr.parts) * len(sentences) > _INDEX_PARTS_ABOVE:
        term_index = {}
        for i, terms in enumerate(sent_terms):
            for t in terms:
                term_index.setdefault(t, []).append(i)
    for p in fr.parts:
        parts.append(
            _part_result(
                p,
                sentences,
                texts,
                sent_terms,
                typed,
                cue_sentence,
                sent_numbers,
                fr.answer_type,
                year_hits,
                yi,
                term_index,
                words,
            )
        )
        yi += p.kind == "year"
    # A number is tied to the question when its sentence is on topic or names a requested
    # part ("Four officers are posted to Belgium" answers part (a)).
    part_terms = frozenset(t for p in fr.parts if p.kind != "year" for t in p.terms)
    n_numbers = n_tied = 0
    for nums, rel, terms in zip(sent_numbers, relevance, sent_terms):
        n_numbers += len(nums)
        if rel >= 0.34 or not part_terms.isdisjoint(terms):
            n_tied += len(nums)
    answer_terms = frozenset().union(*sent_terms) if sent_terms else frozenset()
    return Analysis(
        question,
        answer,
        fr,
        sentences,
        relevance,
        typed,
        cues,
        tuple(cue_sentence),
        tuple(parts),
        answer_terms,
        n_numbers,
        n_tied,
    )


# --------------------------------------------------------------------------- features
# One pure function per small family; each returns values in the order of its names.

FeatureFamily = tuple[tuple[str, ...], Callable[[Analysis], tuple[float, ...]]]


def _f_parts(a: Analysis) -> tuple[float, ...]:
    n = len(a.parts)
    if not n:
        return (0.0, 1.0, 1.0, 0.0, 1.0, 0.0)
    addressed = sum(p.addressed for p in a.parts)
    mentioned = sum(p.mentioned for p in a.parts)
    # Explicit parts: (a) (b) (c), or one per period ("in each of the last three years",
    # "each year between 2021 and 2023"): the detector is reliable on both.
    explicit = float(a.parts[0].part.kind in ("enumerated", "year"))
    return (
        1.0,
        addressed / n,
        float(addressed == n),
        float(addressed == 0),
        mentioned / n,
        explicit,
    )


def _f_answer_type(a: Analysis) -> tuple[float, ...]:
    return tuple(float(a.frame.answer_type == t) for t in ANSWER_TYPES)


def _f_type_tied(a: Analysis) -> tuple[float, ...]:
    tied = [r for r, ok in zip(a.relevance, a.typed) if ok]
    first = float(a.typed[0]) * a.relevance[0]
    return (
        max(tied, default=0.0),
        float(any(a.typed)),
        sum(a.typed) / len(a.typed),
        first,
        float(a.typed[0]),
    )


def _f_numbers(a: Analysis) -> tuple[float, ...]:
    # Numbers near the question and numbers elsewhere are counted apart: six paragraphs of
    # figures about something else (the seed's trap) must not look like an answer. They
    # count only where a number is what is asked (how many, how much): for "what steps" or
    # "whether" the absence of figures says nothing, and the question-type columns carry
    # the base rate.
    if a.frame.answer_type not in ("count", "amount", "value"):
        return (0.0, 0.0, 0.0, 0.0)
    untied = a.n_numbers - a.n_numbers_tied
    return (
        math.log1p(a.n_numbers_tied),
        math.log1p(untied),
        a.n_numbers_tied / a.n_numbers if a.n_numbers else 0.0,
        float(a.n_numbers > 0 and a.n_numbers_tied == 0),
    )


def _f_cues(a: Analysis) -> tuple[float, ...]:
    counts = Counter(c.technique for c in a.cues)
    return tuple(math.log1p(counts[t]) for t in TECHNIQUES_IN_LEXICON)


def _f_cue_position(a: Analysis) -> tuple[float, ...]:
    n = len(a.sentences)
    refusal = [bool(s & _REFUSAL_TECHS) for s in a.cue_sentence]
    # A non-reply cue in a sentence that is also on topic and typed is the seed's pattern:
    # the only sentence near the question is the refusal.
    top = max(range(n), key=a.relevance.__getitem__)
    override = any("override" in s for s in a.cue_sentence)
    answers = any(t and not r and rel > 0 for t, r, rel in zip(a.typed, refusal, a.relevance))
    # Opens with a refusal and never gives the asked-for type elsewhere: a refusal
    # followed by the figure ("We do not usually publish this, but it is 412") is not.
    opens_refusing = refusal[0] and not answers and not override
    # The seed's pattern: explicit parts asked ((a) (b) (c), or one per year), none of them
    # answered, and a refusal or "not held" in the answer, however much else it says. On the
    # labelled real answers' train months, 72% of such count questions are evasive.
    parts_refused = float(
        bool(a.parts)
        and a.parts[0].part.kind in ("enumerated", "year")
        and not any(p.addressed for p in a.parts)
        and any(refusal)
        and not override
    )
    return (
        float(opens_refusing),
        sum(refusal) / n,
        float(refusal[top]),
        float(any(refusal) and not any(t and not r for t, r in zip(a.typed, refusal))),
        parts_refused,
    )


def _f_relevance(a: Analysis) -> tuple[float, ...]:
    rel = a.relevance
    n = len(rel)
    focus = a.frame.focus
    cover = sum(t in a.answer_terms for t in focus) / len(focus) if focus else 0.0
    on_topic = sum(r >= 0.25 for r in rel) / n
    best = max(range(n), key=rel.__getitem__)
    return (max(rel), sum(rel) / n, rel[0], on_topic, cover, best / n if n > 1 else 0.0)


def _f_shape(a: Analysis) -> tuple[float, ...]:
    # Capped: "short" is informative, but beyond about 60 words, 4 sentences or 3 times the
    # question, length says more about the setting than about evasion. Uncapped, a model
    # trained on written answers read long spoken answers as evasive (trained on
    # training_data/, macro-F1 on QEvasion train 0.25 uncapped, 0.32 capped; grouped CV on
    # the corpus 0.763 -> 0.773).
    qwords = len(a.question.split()) or 1
    # Counted only as far as matters: from max(60, 3 * qwords) words on, every value below
    # is the same (both minima are at their caps, and words/qwords >= 3.0 exactly).
    enough = max(60, 3 * qwords)
    words = 0
    for s, e in a.sentences:
        words += len(a.answer[s:e].split())
        if words >= enough:
            break
    return (
        math.log1p(min(words, 60)),
        math.log1p(min(len(a.sentences), 4)),
        math.log1p(min(words / qwords, 3.0)),
        float(words <= 6),
    )


REGISTRY: tuple[FeatureFamily, ...] = (
    (
        (
            "parts_present",
            "parts_coverage",
            "parts_all",
            "parts_none",
            "parts_mentioned",
            "parts_explicit",
        ),
        _f_parts,
    ),
    (tuple(f"qtype_{t}" for t in ANSWER_TYPES), _f_answer_type),
    (("type_tied_max", "type_any", "type_share", "type_first_tied", "type_first"), _f_type_tied),
    (
        ("numbers_tied_log", "numbers_untied_log", "numbers_tied_share", "numbers_all_untied"),
        _f_numbers,
    ),
    (tuple(f"cue_{t}" for t in TECHNIQUES_IN_LEXICON), _f_cues),
    (
        (
            "refusal_first_unanswered",
            "refusal_share",
            "refusal_in_best",
            "refusal_only_typed",
            "refusal_parts_unanswered",
        ),
        _f_cue_position,
    ),
    (
        ("rel_max", "rel_mean", "rel_first", "rel_on_topic", "rel_focus_cover", "rel_best_pos"),
        _f_relevance,
    ),
    (("len_log", "sentences_log", "len_ratio_log", "very_short"), _f_shape),
)

FEATURE_NAMES: tuple[str, ...] = tuple(n for names, _ in REGISTRY for n in names)


def feature_vector(a: Analysis) -> list[float]:
    """All registry features of one analysis, in :data:`FEATURE_NAMES` order."""
    out: list[float] = []
    for _, fn in REGISTRY:
        out.extend(fn(a))
    return out


# --------------------------------------------------------------------------- estimator


def as_pairs(X) -> list[tuple[str, str]]:
    """Accept pairs as QAPair objects, (question, answer) tuples, dicts or a DataFrame."""
    if isinstance(X, (str, bytes)):
        raise InputError(
            "expected an iterable of question-answer pairs, got a single "
            "string; wrap it as [(question, answer)]"
        )
    if hasattr(X, "columns") and hasattr(X, "itertuples"):
        missing = {"question", "answer"} - set(X.columns)
        if missing:
            raise InputError(f"DataFrame lacks column(s) {', '.join(sorted(missing))}")
        return list(zip(X["question"].tolist(), X["answer"].tolist()))
    out = []
    for i, item in enumerate(X):
        if hasattr(item, "question") and hasattr(item, "answer"):
            out.append((item.question, item.answer))
        elif isinstance(item, dict):
            out.append((item.get("question"), item.get("answer")))
        elif isinstance(item, (tuple, list, np.ndarray)) and len(item) == 2:
            out.append((item[0], item[1]))
        else:
            raise InputError(
                f"row {i}: expected a QAPair, a (question, answer) pair or a "
                f"dict, got {type(item).__name__}"
            )
    for i, (q, a) in enumerate(out):
        for name, v in (("question", q), ("answer", a)):
            if not isinstance(v, str):
                raise InputError(f"row {i}: expected text, got {type(v).__name__}", field=name)
    return out


class FeatureExtractor(TransformerMixin, BaseEstimator):
    """Turn question–answer pairs into the named numeric features of :data:`REGISTRY`.

    Parameters
    ----------
    lexicon : str or None
        Path to a cue lexicon TSV; ``None`` uses the packaged one.
    use_idf : bool
        Weight question terms by inverse document frequency learned in ``fit`` when
        measuring sentence relevance.

    Examples
    --------
    >>> fx = FeatureExtractor().fit([("How many staff?", "There are 12 staff.")])
    >>> X = fx.transform([("How many staff?", "We do not disclose this.")])
    >>> X.shape[1] == len(fx.get_feature_names_out())
    True
    """

    def __init__(self, lexicon: str | None = None, use_idf: bool = True):
        self.lexicon = lexicon
        self.use_idf = use_idf

    def fit(self, X, y=None):
        pairs = as_pairs(X)
        load_lexicon(self.lexicon)  # fail early on a bad lexicon
        df: Counter = Counter()
        for q, a in pairs:
            df.update(set(content_terms(q)) | set(content_terms(a)))
        n = len(pairs) * 2
        # Sorted so the pickled model is byte-identical across runs (set order is hashed).
        self.idf_ = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in sorted(df.items())}
        self.default_idf_ = math.log(1 + n) + 1.0
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def analyse(self, question: str, answer: str) -> Analysis:
        """The :class:`Analysis` of one (cleaned) pair, with this extractor's IDF."""
        return self.analyse_many([(question, answer)])[0]

    def analyse_many(self, pairs) -> list[Analysis]:
        """Analyses of many (cleaned) pairs; the fitted check runs once, not per pair."""
        return list(self._iter_analyses(pairs))

    def _iter_analyses(self, pairs) -> Iterable[Analysis]:
        check_is_fitted(self, "idf_")
        idf = self.idf_ if self.use_idf else None
        return (analyse(q, a, idf, self.default_idf_, self.lexicon) for q, a in pairs)

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "idf_")
        pairs = as_pairs(X)
        out = np.empty((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
        for i, an in enumerate(self._iter_analyses(pairs)):
            out[i] = feature_vector(an)
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(FEATURE_NAMES, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


__all__ = ["FeatureExtractor", "Analysis", "analyse", "FEATURE_NAMES", "REGISTRY", "stem"]
