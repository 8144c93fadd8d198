"""Text normalisation, sentence splitting and tokenising shared by every stage.

Everything downstream (question frames, cue spans, features) sees the output of
:func:`clean_text`, so character offsets reported by evascore index the *cleaned* text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|li|ul|ol|div|tr|td|th|h[1-6]|table|blockquote)\b[^<>]*>", re.I
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_REPLACE = tuple(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2028": " ",
        "\u2029": " ",
        "\u200b": "",
        "\ufeff": "",
    }.items()
)


def clean_text(text: str) -> str:
    """Return ``text`` with HTML markup and entities removed and whitespace normalised.

    Block-level tags become spaces, inline tags vanish, entities are decoded, typographic
    quotes and dashes become ASCII, lone surrogates become U+FFFD, and every run of
    whitespace (line breaks included) becomes one space. The result is the same for an
    answer wrapped in ``<p>`` as for the bare answer.

    Examples
    --------
    >>> clean_text("<p>The figure is &pound;4.2&nbsp;million.</p>\\n")
    'The figure is £4.2 million.'
    """
    if "<" in text:
        text = _BLOCK_TAG.sub(" ", text)
        text = _TAG.sub("", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
        for char, repl in _REPLACE:  # str.replace is C-fast; str.translate with a dict is not
            if char in text:
                text = text.replace(char, repl)
    # The same as re.sub(r"\s+", " ", text).strip(): str.split, str.strip and \s all use
    # Python's one definition of whitespace. About three times as fast.
    return " ".join(text.split())


# A sentence ends at . ! or ? followed by space and an opening character, unless the
# full stop belongs to a common abbreviation ("hon.", "Mr.", "No. 10", "e.g.").
_ABBREV = (
    "hon|Hon|rt|Rt|Mr|Mrs|Ms|Dr|Prof|St|Nos|vol|Vol|Co|Ltd|Inc|Jr|Sr|Gen|Col|Lt|Sgt|"
    "Capt|Cllr|Gov|Sen|Rep|approx|cf|Fig|fig|para|paras|Sch|art|Art|ss|pp|vs|etc|al|Jan|Feb|"
    "Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\\.g|i\\.e|U\\.S|U\\.K"
)
# The match starts at the . ! or ? (a sentence ends one character after the match's start):
# a pattern opening with a character set lets the regex engine skip ahead quickly, where
# one opening with a look-behind, (?<=[.!?]), is tried at every position.
_SENT_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€•\-])")
_ABBREV_END = re.compile(r"(?:\b(?:" + _ABBREV + r")|\b[A-Z])\.$")
# The most letters before an abbreviation's full stop ("approx").
_ABBREV_LONGEST = max(len(a.replace("\\.", ".")) for a in _ABBREV.split("|"))
# "No." abbreviates "number" only before a figure ("No. 10"); "No. The Department has no
# plans" is a one-word answer followed by a new sentence.
_NO_END = re.compile(r"\b[Nn]o\.$")


def split_sentences(text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """Split cleaned ``text`` into sentences, returned as ``(start, end)`` character spans.

    With ``limit`` (0 or more), stop after that many: the result is
    ``split_sentences(text)[:limit]``, without reading the rest of the text.

    Examples
    --------
    >>> t = "I refer the hon. Member to my answer. The figure is 12."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['I refer the hon. Member to my answer.', 'The figure is 12.']
    >>> split_sentences(t, limit=1)
    [(0, 37)]
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    spans: list[tuple[int, int]] = []
    if limit == 0:
        return spans
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.start() + 1  # the sentence so far ends in . ! or ?, so it is never blank
        tail = text[max(start, end - 12) : end]
        # An abbreviation's full stop follows a letter, and a word start (\b) at most
        # _ABBREV_LONGEST letters back: after a longer run of letters (all word characters)
        # there is none, and the full stop ends a sentence without the search.
        run = tail[-_ABBREV_LONGEST - 2 : -1]
        if (
            tail[-1] == "."
            and tail[-2:-1].isalpha()
            and not (len(run) > _ABBREV_LONGEST and run.isalpha())
            and _ABBREV_END.search(tail)
        ):
            continue
        if text[m.end() : m.end() + 1].isdigit() and _NO_END.search(
            text[max(start, end - 4) : end]
        ):
            continue
        spans.append((start, end))
        if len(spans) == limit:
            return spans
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves may might must shall ask asks asked secretary state minister department
    hon member right gentleman lady friend government whether many much made make makes
    steps plans plan assessment tell please us let last year years number per cent one two
    three four five six seven eight nine ten what's it's there's we've we're i'm don't doesn't
    said says say take taken taking going get got since within across including include
    """.split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light stemmer: lower-case and strip common English suffixes.

    Examples
    --------
    >>> stem("Officers"), stem("policing"), stem("studies")
    ('officer', 'polic', 'study')
    """
    w = word.lower().strip("'-")
    if len(w) <= 3:
        return w
    if w.endswith("ss"):  # "address", "class": not a plural
        return w
    if w.endswith("sses"):  # "addresses", "classes" -> "address", "class"
        return w[:-2]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + repl
    return w


#: A word of lower-cased text (letters, apostrophes, hyphens): what terms are made of.
WORD = re.compile(r"[a-z][a-z'\-]*")


# WORD's characters kept, every other byte a space: the runs of [a-z'-] in ASCII text.
_WORD_BYTES = bytes(c if 97 <= c <= 122 or c in b"'-" else 32 for c in range(256))


def span_words(low: str, spans) -> list[list[str]]:
    """The ``WORD`` words of each ``(start, end)`` span of ``low``, in order.

    The same as ``[WORD.findall(low[s:e]) for s, e in spans]``, faster for ASCII text. A
    match of ``WORD`` is a run of letters, ' and - from its first letter on: so in each span
    of the text with every other character made a space, the runs ``str.split`` gives, less
    any ' and - before their first letter (none when no run opens with one).

    Examples
    --------
    >>> span_words("we don't -- can't say. 'twas 4-ply", [(0, 22), (23, 34)])
    [['we', "don't", "can't", 'say'], ['twas', 'ply']]
    """
    if not low.isascii():
        return [WORD.findall(low[s:e]) for s, e in spans]
    kept = low.encode("ascii").translate(_WORD_BYTES).decode("ascii")
    out = []
    for s, e in spans:
        seg = kept[s:e]
        words = seg.split()
        if " '" in seg or " -" in seg or seg[:1] in ("'", "-"):
            words = [w for w in (w.lstrip("'-") for w in words) if w]
        out.append(words)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` (stop words and bare numbers dropped), in order.

    Examples
    --------
    >>> content_terms("How many NCA officers were posted in 2023?")
    ['nca', 'officer', 'post']
    """
    return [t for t in map(_TERMS.__getitem__, WORD.findall(text.lower())) if t is not None]


class _TermCache(dict):
    """word -> its stemmed content term, or None for a stop word or a word under 3 letters."""

    def __missing__(self, word: str) -> str | None:
        if len(self) > 100_000:  # bounded, like stem's cache
            self.clear()
        term = stem(word) if len(word) >= 3 and word not in STOPWORDS else None
        self[word] = term
        return term


_TERMS = _TermCache()


def terms_of_words(words: list[str]) -> set[str]:
    """The content terms of words already found by ``WORD`` in lower-cased text."""
    terms = set(map(_TERMS.__getitem__, words))
    terms.discard(None)
    return terms
