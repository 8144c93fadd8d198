"""Reading regular expressions, to run them faster with the same results.

Python's regex engine tries a pattern at every position of a text unless the pattern opens
with a literal or a character set, and it tries alternatives one after another. The
helpers here read what a pattern can match (with the standard library's own parser), so
that callers can run fewer, better-shaped patterns: :func:`trie` merges alternatives that
share a start, and :func:`search_form` rewrites a pattern used only to ask "does it match
anywhere?".
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:  # the standard library's regex parser
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _sre_parse


class Unknown(Exception):
    """The pattern has a construct the expansion does not follow."""


class Marker:
    """A zero-width or class item in an expansion, with the regex that stands for it."""

    def __init__(self, regex: str):
        self.regex = regex

    def __repr__(self) -> str:
        return self.regex


BOUNDARY, LINE, GAP = Marker(r"\b"), Marker("^"), Marker(r"\s")
WORD_TAIL = Marker(r"\w*")  # only where expand is asked to follow \w*
_W_STAR = [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_WORD)])]


def parse(pattern: str) -> list | None:
    """The parsed items of ``pattern``, or None if it sets inline flags such as ``(?i)``."""
    parsed = _sre_parse.parse(pattern)
    if parsed.state.flags & ~(re.UNICODE | re.MULTILINE):
        return None
    return list(parsed)


def expand(
    seq: list, paths: list[tuple], settled=None, limit: int = 2048, word_tail: bool = False
) -> list[tuple]:
    """Extend each path (a tuple of characters and markers) through the parsed ``seq``.

    Every string the items can match becomes one path, \\b, ^ and \\s as markers. With
    ``settled``, a path stops growing once ``settled(path)`` is true, and a repeat is
    followed as far as every path through one pass is settled. With ``word_tail``, ``\\w*``
    becomes the marker :data:`WORD_TAIL`. Raises :class:`Unknown` for anything else (other
    classes, unbounded repeats, look-arounds, ...).
    """
    for op, av in seq:
        out = []
        for p in paths:
            if settled is not None and settled(p):
                out.append(p)
            elif op is _c.LITERAL:
                out.append(p + (chr(av),))
            elif op is _c.SUBPATTERN and not av[1] and not av[2]:  # no inline flags
                out.extend(expand(list(av[-1]), [p], settled, limit, word_tail))
            elif op is _c.BRANCH:
                out.extend(
                    q for alt in av[1] for q in expand(list(alt), [p], settled, limit, word_tail)
                )
            elif (
                word_tail
                and op is _c.MAX_REPEAT
                and av[:2] == (0, _c.MAXREPEAT)
                and list(av[2]) == _W_STAR
            ):
                out.append(p + (WORD_TAIL,))
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] <= 1:
                once = expand(list(av[2]), [p], settled, limit, word_tail)
                if av[1] != 1 and not (settled is not None and all(map(settled, once))):
                    raise Unknown  # a further pass could follow
                out.extend(([p] if av[0] == 0 else []) + once)
            elif op is _c.IN and _class_chars(av) is not None:
                out.extend(p + (ch,) for ch in _class_chars(av))
            elif op is _c.IN and av == [(_c.CATEGORY, _c.CATEGORY_SPACE)]:
                out.append(p + (GAP,))
            elif op is _c.AT and av is _c.AT_BOUNDARY:
                out.append(p + (BOUNDARY,))
            elif op is _c.AT and av is _c.AT_BEGINNING:
                out.append(p + (LINE,))
            else:
                raise Unknown
        if len(out) > limit:
            raise Unknown
        paths = out
    return paths


def _class_chars(items) -> list[str] | None:
    """The characters of a class made of literals and small ranges ([a-d], [1-4xy])."""
    chars = []
    for op, av in items:
        if op is _c.LITERAL:
            chars.append(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < 32:
            chars.extend(map(chr, range(av[0], av[1] + 1)))
        else:
            return None
    return chars


def trie(seqs) -> str:
    """A regex for exactly the strings ``seqs`` (of characters and markers), as a trie.

    The engine tries alternatives one by one, so ``a(?:bout|round)`` is much faster than
    ``about|around``.

    Examples
    --------
    >>> trie(["about", "around", "a"])
    'a(?:bout|round)?'
    """
    root: dict = {}
    end = object()
    for s in seqs:
        node = root
        for item in s:
            node = node.setdefault(item, {})
        node[end] = {}

    def emit(node: dict) -> str:
        keys = sorted(
            (k for k in node if k is not end), key=lambda k: (isinstance(k, Marker), str(k))
        )
        alts = [(k.regex if isinstance(k, Marker) else re.escape(k)) + emit(node[k]) for k in keys]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end in node:
            return f"(?:{body})?" if len(alts) == 1 else body + "?"
        return body

    return emit(root)


def alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|``.

    Examples
    --------
    >>> alternatives(r"a(?:b|c)|[|x]\\||d")
    ['a(?:b|c)', '[|x]\\\\|', 'd']
    """
    out, depth, start, i, n = [], 0, 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # skip the class; a ] first in it is a literal
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def search_form(pattern: str) -> str:
    """A pattern that matches somewhere in a text exactly when ``pattern`` does, but faster.

    Only for asking whether there is a match (what it matches may differ). Each top-level
    alternative with finitely many strings goes into one trie; a repeat that may match
    nothing at the end of an alternative is dropped first (it cannot decide whether there
    is a match); other alternatives are kept as they are.

    Examples
    --------
    >>> print(search_form(r"\\bwe will\\b|\\bwill not\\b|\\bwork\\w*|\\d+"))
    (?:\\bw(?:e\\ will\\b|ill\\ not\\b|ork))|\\d+
    """
    pieces = _search_pieces(pattern)
    if pieces is None:
        return pattern
    seqs, kept = pieces
    return "|".join(([f"(?:{trie(seqs)})"] if seqs else []) + kept)


def _search_pieces(pattern: str) -> tuple[list[tuple], list[str]] | None:
    """:func:`search_form`'s pieces: the strings of the alternatives that have finitely
    many, and the other alternatives; None when the pattern is best left whole."""
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        return None  # back-references tie alternatives together
    seqs, kept = [], []
    for alt in alternatives(pattern):
        items = parse(alt)
        try:
            if items is None:
                raise Unknown
            while items and items[-1][0] in (_c.MAX_REPEAT, _c.MIN_REPEAT) and items[-1][1][0] == 0:
                items.pop()
            if not items:
                return None  # an alternative that matches everywhere
            seqs.extend(map(_drop_word_tail, expand(items, [()], word_tail=True)))
        except Unknown:
            kept.append(alt)
    return seqs, kept


def _drop_word_tail(path: tuple) -> tuple:
    """``path`` without a closing ``\\w*`` or ``\\w*\\b`` after a word character: for
    whether there is a match, the same (the repeat may stop at once; or it runs to the end of
    the word, where \\b holds)."""
    end = path[-2:] if path[-1:] == (BOUNDARY,) else path[-1:]
    if end[:1] == (WORD_TAIL,):
        rest = path[: -len(end)]
        if rest and isinstance(rest[-1], str) and _WORD_CHAR.match(rest[-1]):
            return rest
    return path


#: Any character but an ASCII word character ([0-9A-Za-z_]): every non-word character, and
#: the characters beyond ASCII (where a word character must be ruled out after the match).
#: Written negated: the engine tests it in one lookup in a table of 256 bits (the
#: same set as the ranges [\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\U0010ffff], tested faster).
NOT_ASCII_WORD = r"[^0-9A-Za-z_]"
_WORD_CHAR = re.compile(r"\w")


def _opens_with_word(alt: str) -> bool:
    """Whether ``alt`` is ``\\b`` followed by something that always opens with a word
    character (so ``\\b`` there means: no word character before)."""
    if not alt.startswith("\\b"):
        return False
    items = parse(alt)
    if items is None or items[0] != (_c.AT, _c.AT_BOUNDARY):
        return False
    try:
        paths = expand(items, [()], settled=lambda p: len(p) >= 2)
    except Unknown:
        return False
    return all(len(p) == 2 and isinstance(p[1], str) and _WORD_CHAR.match(p[1]) for p in paths)


def search_test(pattern: str) -> Callable[[str], bool]:
    """A test of whether ``pattern`` matches somewhere in a text: the same answer as
    ``re.search(pattern, text) is not None``, a few times faster on English text.

    Python's engine starts a match attempt at every position of the text unless the pattern
    opens with a literal or a class; most of ours open with ``\\b`` before a word. Those
    alternatives are looked for together with the character before the word (any but an
    ASCII word character; one beyond ASCII that is a word character is passed over), in a
    pattern that opens with a class, so the engine skips through the words in a fast class
    test. A match at the very start of the text (no character before it, and the only place
    ``^`` matches without re.MULTILINE) is tried on its own, the other alternatives with a
    plain search.

    Examples
    --------
    >>> test = search_test(r"\\bwe will\\b|^no\\b|\\d+")
    >>> test("no."), test("know, we will"), test("I know; 4"), test("We Will"), test("éwe will")
    (True, True, True, False, False)
    """
    pieces = _search_pieces(pattern)
    if pieces is None or re.compile(pattern).flags & ~re.UNICODE:
        plain = re.compile(pattern)
        return lambda text: plain.search(text) is not None
    seqs, kept = pieces
    lead, other = [], []
    for s in seqs:
        if len(s) > 1 and s[0] is BOUNDARY and isinstance(s[1], str) and _WORD_CHAR.match(s[1]):
            lead.append(s[1:])
        elif s[:1] != (LINE,):  # ^ matches only at the start (no re.MULTILINE): tried there
            other.append(s)
    lead_alts = [alt[2:] for alt in kept if _opens_with_word(alt)]
    other_alts = [alt for alt in kept if not _opens_with_word(alt)]
    at_start = re.compile(search_form(pattern)).match
    lead_search = other_search = None
    if lead or lead_alts:
        body = "|".join(([trie(lead)] if lead else []) + lead_alts)
        lead_search = re.compile(f"{NOT_ASCII_WORD}(?:{body})").search
    if other or other_alts:
        other_search = re.compile("|".join(([f"(?:{trie(other)})"] if other else []) + other_alts))
        other_search = other_search.search

    def test(text: str) -> bool:
        if at_start(text) is not None:
            return True
        if lead_search is not None:
            # In ASCII text every match of lead_search opens with a non-word character.
            if text.isascii():
                if lead_search(text) is not None:
                    return True
            elif _after_non_word(lead_search, text):
                return True
        return other_search is not None and other_search(text) is not None

    if lead_search is None or other_search is not None:
        return test
    # Only words (after \b): in ASCII text every match of lead_search opens with a
    # non-word character, so one search answers (no check of the character, no loop).
    if any(s[:1] == (LINE,) for s in seqs) or any("(?<" in a or "(?(" in a for a in lead_alts):

        def words_after_start(text: str) -> bool:
            if at_start(text) is not None:
                return True
            if text.isascii():
                return lead_search(text) is not None
            return _after_non_word(lead_search, text)

        return words_after_start

    # And a word at the text's start is a word after the space put before it: nothing in
    # the words looks back past their first character (no look-behind), and \b there sees
    # a non-word character either way.
    def words(text: str) -> bool:
        if text.isascii():
            return lead_search(" " + text) is not None
        return at_start(text) is not None or _after_non_word(lead_search, text)

    return words


def _after_non_word(search, text: str) -> bool:
    """Whether ``search`` (of a pattern opening with :data:`NOT_ASCII_WORD`) finds a match
    in ``text`` whose first character is not a word character."""
    pos = 0
    while (m := search(text, pos)) is not None:
        before = text[m.start()]
        if before < "\x80" or _WORD_CHAR.match(before) is None:
            return True
        pos = m.start() + 1  # a word character beyond ASCII: not a word's start
    return False


def word_start_test(body: str) -> Callable[[str], bool]:
    """A test of whether ``\\b(?:body)`` matches somewhere in a text, for a ``body`` whose
    every match opens with a word character: the same answer as ``re.search``, found as
    :func:`search_test` finds its words (``body`` may hold scoped flags such as ``(?i:``).

    Examples
    --------
    >>> test = word_start_test(r"(?i:list(?:ed)?)\\b")
    >>> test("Listed"), test("as LISTED."), test("unlisted"), test("éList")
    (True, True, False, False)
    """
    at_start = re.compile(body).match
    search = re.compile(f"{NOT_ASCII_WORD}(?:{body})").search
    return lambda text: at_start(text) is not None or _after_non_word(search, text)
