"""The cue lexicon: phrases that mark a non-reply (or a reply), each with its technique.

The lexicon is package data (``evascore/data/cues.tsv``), read with
:mod:`importlib.resources`, so users can read it and pass an extended copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from pathlib import Path

from evascore import patterns

NON_REPLY = ("declining", "not_held", "referral", "transfer", "holding", "clarification")
SOFT = ("boilerplate", "deflection", "hedge")
REPLY = ("no_plans", "yes_no", "override")
TECHNIQUES_IN_LEXICON = NON_REPLY + SOFT + REPLY


@dataclass(frozen=True)
class Cue:
    """One cue match: its technique, matched text and span in the cleaned answer."""

    technique: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {
            "technique": self.technique,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


# How find orders its cues: by start, then end, then technique.
_CUE_ORDER = attrgetter("start", "end", "technique")


@dataclass(frozen=True)
class Lexicon:
    """A compiled lexicon: one combined pattern per technique, and a word index for speed.

    Almost every entry can only match where a word from a small set begins (``\\bwill
    (?:write|reply)`` starts at "will"): :func:`_first_words` reads those words off the
    pattern, and :func:`_trigger` what must follow each up to the end of the next word. One
    scan finds where such words occur followed by such a word; only there are the entries
    that can start with that word tried, with ``match`` at that offset (first all at once, as
    a probe). Tried in order, per technique, that finds exactly what ``finditer`` of the
    technique's pattern finds, at a fraction of the cost. Techniques with an entry whose
    first words cannot be read off are scanned in full.
    """

    source: str
    entries: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, re.Pattern], ...]
    slow: tuple[tuple[str, re.Pattern], ...]
    trigger: re.Pattern | None = None  # any first word of an entry, and what follows
    # first word -> (a pattern of every entry that can start with it, or None when only one
    # technique has such entries; per technique in lexicon order: (technique index, its
    # entries that can start with the word))
    plan: dict = field(default_factory=dict, compare=False, repr=False)
    at_line: tuple[int, ...] = ()  # techniques with an entry that can start at a line start
    scanned: tuple[int, ...] = ()  # techniques scanned in full
    # The trigger after the character before the word (see _trigger_hits); None: not built.
    lead: re.Pattern | None = field(default=None, compare=False, repr=False)

    def find(self, text: str) -> list[Cue]:
        """All cue matches in ``text``, sorted by start offset."""
        return self._find(text, text.lower())

    def _find(self, text: str, low: str) -> list[Cue]:
        """:meth:`find` of ``text``, given ``low``, ``text.lower()`` (when the caller has it)."""
        # Patterns are compiled lower-case without re.IGNORECASE and run on the lower-cased
        # text: about twice as fast. Lower-casing keeps offsets for the texts evascore sees
        # (clean_text output); where it would not, fall back to the case-insensitive pass.
        if len(low) != len(text):
            return sorted(
                (
                    Cue(tech, m.group(), m.start(), m.end())
                    for tech, pat in self.slow
                    for m in pat.finditer(text)
                ),
                key=lambda c: (c.start, c.end, c.technique),
            )
        techs = self.patterns
        cues = []
        ends = [0] * len(techs)  # per technique, where its last match ended
        lines = self._line_starts(low) if self.at_line else []
        li = 0
        if self.trigger is not None:
            plan = self.plan
            for s, word in self._trigger_hits(low):
                while li < len(lines) and lines[li] <= s:
                    self._try_line(lines[li], text, low, ends, cues)
                    li += 1
                probe, tries = plan[word]
                if probe is not None and probe.match(low, s) is None:
                    continue  # no entry starting with this word matches here (most words)
                for ti, pat in tries:
                    if s >= ends[ti]:
                        m = pat.match(low, s)
                        if m is not None:
                            ends[ti] = e = m.end()
                            cues.append(Cue(techs[ti][0], text[s:e], s, e))
        for start in lines[li:]:
            self._try_line(start, text, low, ends, cues)
        for ti in self.scanned:
            tech, pat = techs[ti]
            cues.extend(
                Cue(tech, text[m.start() : m.end()], m.start(), m.end()) for m in pat.finditer(low)
            )
        if len(cues) > 1:
            cues.sort(key=_CUE_ORDER)
        return cues

    def _trigger_hits(self, low: str) -> list[tuple[int, str]]:
        """(start, word) of each match of ``trigger`` in ``low``, in order.

        A trigger word starts the text or follows a non-word character. ``lead`` looks for
        that character and the word after it: it opens with a class of characters (every
        one but the ASCII word characters), so the regex engine skips through words in a
        fast class test instead of trying the pattern at every position (about a third
        faster). Its matches are ``trigger``'s: the word is all word characters and what
        follows it is not one, so the matches never overlap the character before the next;
        a candidate after a word character beyond ASCII ("é") is not a word start, and
        hides no match (every position inside it follows a word character). Made as a
        list in one comprehension, not yielded one by one (cheaper per hit).
        """
        if self.lead is None:
            return [(m.start(), m.group()) for m in self.trigger.finditer(low)]
        if low.isascii():
            # No word character beyond ASCII to rule out; and a word at the start is a word
            # after the space put before it (nothing in the trigger looks back past a word's
            # first character but its opening look-behind): one scan, offsets as in ``low``.
            return [(m.start(), m.group()[1:]) for m in self.lead.finditer(" " + low)]
        pos = 0
        hits = []
        m = self.trigger.match(low)  # at the start: no character before the word
        if m is not None:
            hits.append((0, m.group()))
            pos = m.end()
        hits += [
            (m.start() + 1, hit[1:])
            for m in self.lead.finditer(low, pos)
            if (hit := m.group())[0] < "\x80" or _WORD_CHAR.match(hit[0]) is None
        ]
        return hits

    def _try_line(self, s: int, text: str, low: str, ends: list, cues: list) -> None:
        # At a line start any entry of these techniques may match: try the whole pattern
        # (before any word-indexed subset at the same offset, so entry order is kept).
        for ti in self.at_line:
            if s >= ends[ti]:
                tech, pat = self.patterns[ti]
                m = pat.match(low, s)
                if m is not None:
                    ends[ti] = e = m.end()
                    cues.append(Cue(tech, text[s:e], s, e))

    @staticmethod
    def _line_starts(low: str) -> list[int]:
        starts = [0]
        i = low.find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = low.find("\n", i + 1)
        return starts


def _parse(text: str, source: str) -> Lexicon:
    entries: list[tuple[str, str]] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("technique\t"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise ValueError(f"{source}:{lineno}: expected 'technique<TAB>pattern[<TAB>note]'")
        tech, pat = cols[0].strip(), cols[1]
        if tech not in TECHNIQUES_IN_LEXICON:
            raise ValueError(
                f"{source}:{lineno}: unknown technique {tech!r}; expected one of "
                f"{', '.join(TECHNIQUES_IN_LEXICON)}"
            )
        try:
            re.compile(pat)
        except re.error as exc:
            raise ValueError(f"{source}:{lineno}: bad pattern: {exc}") from None
        entries.append((tech, pat))
    grouped: dict[str, list[str]] = {}
    for tech, pat in entries:
        grouped.setdefault(tech, []).append(pat)
    slow = tuple(
        (tech, re.compile("|".join(f"(?:{p})" for p in pats), re.I | re.M))
        for tech, pats in grouped.items()
    )
    fast = tuple(
        (tech, re.compile("|".join(f"(?:{lower_pattern(p)})" for p in pats), re.M))
        for tech, pats in grouped.items()
    )
    # The word index: which entries can start with which word.
    by_word: dict[str, list[tuple[int, str]]] = {}
    follows: dict[str, list] = {}  # word -> the two-word openings of its entries
    at_line, scanned = [], []
    for ti, pats in enumerate(grouped.values()):
        lowered = [lower_pattern(p) for p in pats]
        starts = [_first_words(p) for p in lowered]
        if any(s is None for s in starts):
            scanned.append(ti)
            continue
        if any(line for _, line in starts):
            at_line.append(ti)
        openings = [_openings(p) for p in lowered]
        for word in sorted({w for words, _ in starts for w in words}):
            sub = "|".join(f"(?:{p})" for p, (words, _) in zip(lowered, starts) if word in words)
            by_word.setdefault(word, []).append((ti, sub))
            follows.setdefault(word, []).extend(
                op for op, (words, _) in zip(openings, starts) if word in words
            )
    trigger = _trigger(follows) if by_word else None
    lead = None
    if trigger is not None:
        assert trigger.pattern.startswith(_BEFORE_WORD)
        lead = re.compile(_NOT_ASCII_WORD + trigger.pattern[len(_BEFORE_WORD) :])
    plan = {
        w: (
            re.compile("|".join(sub for _, sub in v), re.M) if len(v) > 1 else None,
            tuple((ti, re.compile(sub, re.M)) for ti, sub in v),
        )
        for w, v in by_word.items()
    }
    return Lexicon(
        source, tuple(entries), fast, slow, trigger, plan, tuple(at_line), tuple(scanned), lead
    )


_BEFORE_WORD = r"(?<!\w)"
# Any character but an ASCII word character ([0-9A-Za-z_]): a non-word character, or one
# beyond ASCII (a word character there is ruled out after the match, rarely needed).
# Written negated: the engine tests it in one lookup in a table of 256 bits (the
# same set as the ranges [\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\U0010ffff], tested faster).
_NOT_ASCII_WORD = r"[^0-9A-Za-z_]"


def _trigger(follows: dict) -> re.Pattern:
    """A pattern for the index's words, each as a whole word, each followed where it can by
    what its entries need next, up to the end of the next word ("the" only before "party",
    "last", "answer" ...): most occurrences of common words are then not reported at all."""
    seqs = []
    for word, openings in follows.items():
        after = _what_follows(word, openings)
        tail = patterns.Marker(f"(?={patterns.trie(after)})") if after else patterns.BOUNDARY
        seqs.append((*word, tail))
    # Every sequence opens with a word character, and before one \b is the same test as
    # (?<!\w): no word character just before (both Unicode \w). The look-behind form scans
    # about an eighth faster.
    return re.compile(rf"{_BEFORE_WORD}(?:{patterns.trie(seqs)})")


def _openings(pattern: str) -> list[tuple] | None:
    """The paths of ``pattern`` up to the end of its second word (None: unreadable)."""
    items = patterns.parse(pattern)
    try:
        return None if items is None else patterns.expand(items, [()], settled=_two_words_read)
    except patterns.Unknown:
        return None


def _what_follows(word: str, openings: list) -> set[tuple] | None:
    """What a match of entries with these ``openings`` starting with ``word`` has after it,
    up to and including the character after the next word; None when that cannot be read."""
    out = set()
    for paths in openings:
        if paths is None:
            return None
        for path in paths:
            if path[:1] != (patterns.BOUNDARY,) or _leading_word(path[1:]) != word:
                continue  # another word's or a line start's path
            rest = path[1 + len(word) :]
            end = _next_word_end(rest)
            if end is None:
                return None  # the entry may end with this word
            out.add(rest[:end])
    return out


def _is_word_char(item) -> bool:
    return isinstance(item, str) and _WORD_CHAR.match(item) is not None


def _next_word_end(rest: tuple) -> int | None:
    """In ``rest`` (non-word items, a word, ...), the index after the item that ends the word."""
    i = 0
    while i < len(rest) and not _is_word_char(rest[i]):
        i += 1
    j = i
    while j < len(rest) and _is_word_char(rest[j]):
        j += 1
    return j + 1 if i < j < len(rest) else None


def _two_words_read(path: tuple) -> bool:
    if path[:1] != (patterns.BOUNDARY,):
        return bool(path)  # a line start (or a bad start): not indexed by word
    word = _leading_word(path[1:])
    return word is not None and _next_word_end(path[1 + len(word) :]) is not None


_WORD_CHAR = re.compile(r"\w")


def _first_words(pattern: str) -> tuple[frozenset, bool] | None:
    """The words a match of ``pattern`` can start with, and whether it can start a line.

    A match can only start at a word in the set (the whole run of word characters there is
    one of them), or, if the flag is set, at a line start (``^``). None when that cannot be
    read off the pattern (it does not open with ``\\b`` and a literal word, or ``^``).

    Examples
    --------
    >>> words, line = _first_words(r"\\b(?:it )?would (?:not|n't) be\\b|^no\\b")
    >>> sorted(words), line
    (['it', 'would'], True)
    >>> _first_words(r"\\bsome\\w*") is None
    True
    """
    items = patterns.parse(pattern)
    if items is None:
        return None  # inline flags such as (?i) change what a literal matches
    try:
        paths = patterns.expand(items, [()], settled=_settled)
    except patterns.Unknown:
        return None
    words, line = set(), False
    for path in paths:
        if path[:1] == (patterns.LINE,):
            line = True
            continue
        if path[:1] != (patterns.BOUNDARY,):
            return None
        word = _leading_word(path[1:])
        if not word:
            return None
        words.add(word)
    return frozenset(words), line


def _leading_word(path: tuple) -> str | None:
    """The word a path starts with, if a non-word element ends it within the path."""
    chars = []
    for item in path:
        if isinstance(item, str) and _WORD_CHAR.match(item):
            chars.append(item)
        else:
            return "".join(chars)
    return None  # the pattern may end inside the word: the text's word may go on


def _settled(path: tuple) -> bool:
    """Whether a path already decides its start: a line start, or \\b, a word, a non-word."""
    if path[:1] == (patterns.LINE,):
        return True
    if path[:1] != (patterns.BOUNDARY,):
        return bool(path)  # a bad start: _first_words gives up on it
    return _leading_word(path[1:]) is not None


def lower_pattern(pattern: str) -> str:
    """Lower-case a pattern's literals, leaving escapes such as \\S or \\B alone."""
    return re.sub(
        r"\\.|[A-Z]",
        lambda m: m.group() if m.group().startswith("\\") else m.group().lower(),
        pattern,
    )


@lru_cache(maxsize=8)
def load_lexicon(path: str | None = None) -> Lexicon:
    """Load the packaged lexicon, or a user's TSV file at ``path``.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> [c.technique for c in lex.find("For operational security reasons, we do not disclose it.")]
    ['declining', 'declining']
    """
    if path is None:
        text = resources.files("evascore").joinpath("data/cues.tsv").read_text("utf-8")
        return _parse(text, "evascore/data/cues.tsv")
    return _parse(Path(path).read_text("utf-8"), str(path))
