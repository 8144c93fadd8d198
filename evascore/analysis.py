"""The evidence pass: read one question–answer pair once.

:func:`analyse` finds the answer's sentences, the cue spans, how relevant each sentence is to
the question, which figures it gives and which requested parts it answers; the result is an
:class:`Analysis`. The features (:mod:`evascore.features`) and the assessment's reasons and
deciding sentences (:mod:`evascore.assessment`) are functions of it. No scikit-learn here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_

from evascore.cues import NON_REPLY, Cue, load_lexicon, lower_pattern
from evascore.patterns import NOT_ASCII_WORD, search_test, trie, word_start_test
from evascore.question import Part, QuestionFrame, frame
from evascore.text import WORD, span_words, split_sentences, terms_of_words

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
# And with its number words merged into a trie (the engine tries them letter by letter, not
# one by one: about a quarter faster). The same matches: at a position at most one of the
# alternatives can match (digits or a currency sign, or a letter; each word ends at \b, so
# no two of them; "no ..." needs its space, which "none" and "nil" have not).
_NUMBER_LOW_TRIE = re.compile(
    _DIGITS_PATTERN
    + r"|\b(?:"
    + trie([tuple(w) for w in (*_NUM_WORD_LIST, "half", "a quarter", "a third", "nil")])
    + r"|no (?:\w+ )?(?:"
    + "|".join(_NO_NOUNS)
    + r"))\b"
)
# Its first branch alone, for text where no number word can match, rewritten to open with a
# character set, then the look-behind: the regex engine then skips ahead fast instead of
# trying the pattern at every position. The set is $, 0-9 and everything beyond ASCII (£, €,
# other digits, and more), written negated (every ASCII character but $ and 0-9 left out): a
# 256-bit table, tested faster than ranges or a set holding \d (a Unicode category); the
# look-behinds after it keep only a currency sign or a digit (\d). Same matches as
# _DIGITS_PATTERN.
_DIGITS = re.compile(
    r"[^\x00-\x23\x25-\x2f\x3a-\x7f](?<![\w.].)(?:(?<=[£$€])\s?\d|(?<=\d))[\d,]*(?:\.\d+)?"
    r"(?:\s?(?:%|per ?cent|million|billion|bn|m|k))?"
)
# The number-word branch of _NUMBER_LOW_TRIE without its opening \b, looked for as
# patterns.word_start_test looks for words: at the text's start, or after a character that
# is not an ASCII word character (one beyond ASCII that is a word character is passed over).
_NUMBER_WORD_BODY = (
    r"(?:"
    + trie([tuple(w) for w in (*_NUM_WORD_LIST, "half", "a quarter", "a third", "nil")])
    + r"|no (?:\w+ )?(?:"
    + "|".join(_NO_NOUNS)
    + r"))\b"
)
_NUMBER_WORD_AT = re.compile(_NUMBER_WORD_BODY)
_NUMBER_WORD_LEAD = re.compile(NOT_ASCII_WORD + _NUMBER_WORD_BODY)
_WORD_CHAR = re.compile(r"\w")
# A sentence needs one of these words (whole, or between - and ') for a number word to match.
_NUMBER_GATE = frozenset(_NUM_WORD_LIST + ("half", "quarter", "third", "nil"))
_NO_NOUN_SET = frozenset(_NO_NOUNS)
# The words (without ' or -) whose number flags hold 1 or 2: a number word, or "no".
_NUMBERISH = _NUMBER_GATE | {"no"}
# A year is not a count, with the comma the digit scan takes after it ("In 2024, we ...":
# the digits' [\d,]* reads "2024,"), as without.
_YEAR = re.compile(r"^(?:19|20)\d\d,*$")
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

# _LIST's alternatives, each looked for fast (only whether one matches is asked). A list of
# capitalised names holds two commas, and is found by its first capital: [A-Z] then the
# look-behind \b stood for, a class the engine skips ahead to. The words as words
# (patterns.word_start_test).
_LIST_NAMES = re.compile(
    r"[A-Z](?<!\w.)[a-z]+(?: [A-Z][a-z]+)*,\s+(?:\b[A-Z][a-z]+(?: [A-Z][a-z]+)*,\s+)+"
)
_LIST_WORDS = word_start_test(r"(?i:include|including|are as follows|the following|listed)\b")
_SEMICOLON = re.compile(r";\s")


def _is_list(s: str) -> bool:
    """``_LIST.search(s) is not None``, faster."""
    return (
        "•" in s
        or (";" in s and _SEMICOLON.search(s) is not None)
        or (s.count(",") >= 2 and _LIST_NAMES.search(s) is not None)
        or _LIST_WORDS(s)
    )


def _lowered(pattern: re.Pattern, lowered: bool = False) -> Callable[[str], bool]:
    """A test running ``pattern`` without re.IGNORECASE on lower-cased text (faster), as a
    :func:`~evascore.patterns.search_test` (alternatives merged into a trie, words looked
    for with the character before them: a few times faster again). With ``lowered``, the
    test takes text already lower-cased."""
    test = search_test(lower_pattern(pattern.pattern))
    if lowered:
        return test
    return lambda s: test(s.lower())


_AMOUNT_FAST = _lowered(_AMOUNT)
_DATE_FAST = _lowered(_DATE)
_STATUS_FAST = _lowered(_STATUS)
_PERCENT = re.compile(r"\d\s?(?:%|per ?cent|percent|basis points|bps)", re.I)

_TYPE_TEST: dict[str, Callable[[str], bool]] = {
    "count": lambda s: bool(_count_numbers(s)),
    "amount": lambda s: _AMOUNT_FAST(s) or _PERCENT.search(s) is not None,
    "date": _lowered(_DATE),
    "list": _is_list,  # capitalised names: case matters
    "yesno": _lowered(_YESNO),
    "reason": _lowered(_REASON),
    "steps": lambda s: _STEPS_OR_STATUS_LOW(s.lower()),  # defined below
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
# "what progress": the steps taken or a done / not-yet status both answer it. Tested as the
# alternatives of one pattern (a text matches it exactly when it matches one of the two), so
# their words share one trie and a sentence is scanned once, not twice.
_STEPS_OR_STATUS_LOW = search_test(
    f"{lower_pattern(_STEPS.pattern)}|{lower_pattern(_STATUS.pattern)}"
)
_TYPE_TEST_LOW["steps"] = _STEPS_OR_STATUS_LOW


def _count_numbers(sentence: str) -> list[str]:
    """Numbers that could be a count or amount (years excluded), lower-cased."""
    low = sentence.lower()
    return _numbers(low, WORD.findall(low))


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
    """:func:`_count_numbers` of lower-cased text whose ``WORD`` words are ``words``.

    Number words (\\bone\\b, "no staff", ...) are whole words bounded by non-word characters,
    so each is a word of ``words`` or a piece of one split at - or '. Most sentences have
    none of them: then only the digit branch can match, and that runs fast (``digits``: its
    matches, when already found).
    """
    flags = reduce(or_, map(_NUMBER_FLAGS.__getitem__, words), 0)
    if flags & 1 or flags & 6 == 6:
        found = _number_scan(low, digits)
    else:
        found = _DIGITS.findall(low) if digits is None else digits
    return [t for t in found if not _YEAR.match(t.strip())] if found else found


def _number_scan(low: str, digits: list[str] | None = None) -> list[str]:
    """``_NUMBER_LOW_TRIE.findall(low)``, faster: its two branches looked for apart and merged
    (``digits``: the digit branch's matches, when already found).

    Tried at every position, the number words cost several times what the digits and the
    words looked for after a non-word character cost. The combined scan takes, left to
    right, each match that starts after the last one taken ended; the branches never match
    at the same position (a digit or currency sign, or a letter), and neither hides a match
    of its own branch inside a match of the other: a word match inside a digit match is the
    "million" or "billion" ending it, and a digit match inside a word match ("no 5 staff")
    ends before the noun. So the merge of the two scans, each match kept when it starts
    after the last kept one ends, is the combined scan.
    """
    words = []  # (start, end, text) of the number words, as \b(?:body) finds them in order
    pos = 0
    m = _NUMBER_WORD_AT.match(low)
    if m is not None:
        words.append((0, m.end(), m.group()))
        pos = m.end()
    while (m := _NUMBER_WORD_LEAD.search(low, pos)) is not None:
        start = m.start()
        before = low[start]
        if before >= "\x80" and _WORD_CHAR.match(before) is not None:
            pos = start + 1  # after a word character: not a word's start
            continue
        words.append((start + 1, m.end(), m.group()[1:]))
        pos = m.end()
    if not words:
        return _DIGITS.findall(low) if digits is None else digits
    if digits is not None and not digits:
        return [text for _, _, text in words]
    found = []
    end = 0
    for start, stop, text in sorted(
        [*words, *((m.start(), m.end(), m.group()) for m in _DIGITS.finditer(low))]
    ):
        if start >= end:
            found.append(text)
            end = stop
    return found


def _sentence_numbers(lows: list[str], words: list[list[str]], digits) -> list[list[str]]:
    """``[_numbers(t, w, d) for t, w, d in zip(lows, words, digits)]``, faster.

    A number word needs a word whose flags (:class:`_NumberFlags`) hold 1 or 2. In a
    sentence without ' or - every word is its only piece, and has those flags only if it is
    one of ``_NUMBERISH``: one set test then spares most sentences the flags of each word.
    """
    out = []
    for t, w, d in zip(lows, words, digits):
        if "-" in t or "'" in t or not _NUMBERISH.isdisjoint(w):
            out.append(_numbers(t, w, d))
            continue
        found = _DIGITS.findall(t) if d is None else d
        out.append([x for x in found if not _YEAR.match(x.strip())] if found else found)
    return out


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


def _without_question_numbers(sent_numbers: list[list[str]], question: str) -> list[list[str]]:
    """Each sentence's numbers less those the question gives itself."""
    # The question's numbers are pieces of its lower-cased text, as the answer's are of the
    # answer's: when no number of the answer occurs in the question's text (most answers),
    # none is one of them, and the question's numbers need not be read.
    qlow = question.lower()
    if not any(n.strip() in qlow for nums in sent_numbers for n in nums):
        return sent_numbers
    qnumbers = _question_numbers(question)
    return [[n for n in nums if n.strip() not in qnumbers] for nums in sent_numbers]


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
    #: Where the answer's first two sentences end (courtesies included): the opening text
    #: view's cut, ``len(scorer.opening(answer))``. None: not known (an Analysis made by hand).
    opening_end: int | None = None


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
        mentioned_at = [i for i, terms in enumerate(sent_terms) if not terms.isdisjoint(part.terms)]
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
    opening_end = sentences[min(2, len(sentences)) - 1][1]  # split_sentences(answer, limit=2)'s
    # Courtesies ("I hope this is helpful") say nothing about the question: leave them out.
    kept = tuple(
        sp
        for sp in sentences
        if not (_COURTESY_START.match(answer, sp[0]) and _COURTESY.match(answer, sp[0], sp[1]))
    )
    sentences = kept or sentences
    texts = [answer[s:e] for s, e in sentences]
    low, lows = _lower_sentences(answer, sentences, texts)
    # each sentence's words, read once
    words = span_words(low, sentences) if low is not None else [WORD.findall(t) for t in lows]
    sent_terms = [terms_of_words(w) for w in words]  # sets, only read here
    digits = _digits_by_sentence(low, sentences) if low is not None else [None] * len(lows)
    sent_numbers = _without_question_numbers(_sentence_numbers(lows, words, digits), question)
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
    # low, when there is one, is answer.lower(): find need not lower the answer again
    cues = tuple(lex.find(answer) if low is None else lex._find(answer, low))
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
    year_hits: list[int] = []  # only year parts read them
    if any(p.kind == "year" for p in fr.parts):
        period = fr.parts[0].terms[0] if fr.parts[0].kind == "year" else "year"
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
        opening_end,
    )
