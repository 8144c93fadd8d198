"""The cue lexicon: phrases that mark a non-reply (or a reply), each with its technique.

The lexicon is package data (``evascore/data/cues.tsv``), read with
:mod:`importlib.resources`, so users can read it and pass an extended copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

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
        return {"technique": self.technique, "text": self.text, "start": self.start,
                "end": self.end}


@dataclass(frozen=True)
class Lexicon:
    """A compiled lexicon: one combined pattern per technique, for speed."""

    source: str
    entries: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, re.Pattern], ...]
    slow: tuple[tuple[str, re.Pattern], ...]
    # Per technique, its entries as (lower-cased pattern, literals of which any match must
    # contain one, or None). A substring test is far cheaper than a regex scan, so entries
    # whose literals are absent are skipped.
    members: tuple[tuple[str, tuple[tuple[str, frozenset | None], ...]], ...] = ()
    literals: tuple[str, ...] = ()  # every literal of every entry, each once
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def find(self, text: str) -> list[Cue]:
        """All cue matches in ``text``, sorted by start offset."""
        # Patterns are compiled lower-case without re.IGNORECASE and run on the lower-cased
        # text: about twice as fast. Lower-casing keeps offsets for the texts evascore sees
        # (clean_text output); where it would not, fall back to the case-insensitive pass.
        low = text.lower()
        if len(low) != len(text):
            return sorted((Cue(tech, m.group(), m.start(), m.end())
                           for tech, pat in self.slow for m in pat.finditer(text)),
                          key=lambda c: (c.start, c.end, c.technique))
        cues = []
        present = frozenset([lit for lit in self.literals if lit in low])
        for tech, members in self.members:
            live = tuple(i for i, (_, need) in enumerate(members)
                         if need is None or not present.isdisjoint(need))
            if not live:
                continue
            key = (tech, live)
            pat = self._cache.get(key)
            if pat is None:
                # Only the entries whose literals occur can match: the combined pattern of
                # those finds exactly what the technique's full pattern would.
                pat = re.compile("|".join(members[i][0] for i in live), re.M)
                self._cache[key] = pat
            cues.extend(Cue(tech, text[m.start():m.end()], m.start(), m.end())
                        for m in pat.finditer(low))
        cues.sort(key=lambda c: (c.start, c.end, c.technique))
        return cues


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
            raise ValueError(f"{source}:{lineno}: unknown technique {tech!r}; expected one of "
                             f"{', '.join(TECHNIQUES_IN_LEXICON)}")
        try:
            re.compile(pat)
        except re.error as exc:
            raise ValueError(f"{source}:{lineno}: bad pattern: {exc}") from None
        entries.append((tech, pat))
    grouped: dict[str, list[str]] = {}
    for tech, pat in entries:
        grouped.setdefault(tech, []).append(pat)
    slow = tuple((tech, re.compile("|".join(f"(?:{p})" for p in pats), re.I | re.M))
                 for tech, pats in grouped.items())
    fast = tuple((tech, re.compile("|".join(f"(?:{_lower_pattern(p)})" for p in pats), re.M))
                 for tech, pats in grouped.items())
    members = tuple(
        (tech, tuple((f"(?:{_lower_pattern(p)})", required_literals(_lower_pattern(p)))
                     for p in pats))
        for tech, pats in grouped.items()
    )
    literals = tuple(sorted({lit for _, ms in members for _, need in ms if need for lit in need}))
    return Lexicon(source, tuple(entries), fast, slow, members, literals)


def required_literals(pattern: str, min_len: int = 3) -> frozenset | None:
    """Strings of which every match of ``pattern`` contains at least one, or None.

    Read off the parsed pattern: a run of literal characters that every match must pass
    through, or, for alternatives, the union of such runs over every branch.

    Examples
    --------
    >>> sorted(required_literals(r"\\bi refer (?:the|my) hon|\\bnot held\\b"))
    ['i refer ', 'not held']
    >>> required_literals(r"\\d+") is None
    True
    """
    try:
        from re import _parser as sre_parse  # Python 3.11+
        from re._constants import BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse
        from sre_constants import BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN

    def req(seq) -> frozenset | None:
        candidates: list[frozenset] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                candidates.append(frozenset(["".join(run)]))
                run.clear()

        for op, av in seq:
            if op is LITERAL:
                run.append(chr(av))
                continue
            flush()
            if op is SUBPATTERN:
                r = req(av[-1])
            elif op is BRANCH:
                rs = [req(b) for b in av[1]]
                r = None if any(x is None for x in rs) else frozenset().union(*rs)
            elif op in (MAX_REPEAT, MIN_REPEAT):
                r = req(av[2]) if av[0] >= 1 else None
            else:
                r = None
            if r:
                candidates.append(r)
        flush()
        candidates = [c for c in candidates if min(map(len, c)) >= min_len]
        return max(candidates, key=lambda c: min(map(len, c))) if candidates else None

    return req(sre_parse.parse(pattern))


def _lower_pattern(pattern: str) -> str:
    """Lower-case a pattern's literals, leaving escapes such as \\S or \\B alone."""
    return re.sub(r"\\.|[A-Z]", lambda m: m.group() if m.group().startswith("\\")
                  else m.group().lower(), pattern)


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
