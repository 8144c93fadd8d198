"""The cue lexicon: phrases that mark a non-reply (or a reply), each with its technique.

The lexicon is package data (``evascore/data/cues.tsv``), read with
:mod:`importlib.resources`, so users can read it and pass an extended copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

    def find(self, text: str) -> list[Cue]:
        """All cue matches in ``text``, sorted by start offset."""
        cues = [Cue(tech, m.group(), m.start(), m.end())
                for tech, pat in self.patterns for m in pat.finditer(text)]
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
        grouped.setdefault(tech, []).append(f"(?:{pat})")
    flags = re.I | re.M
    patterns = tuple((tech, re.compile("|".join(pats), flags)) for tech, pats in grouped.items())
    return Lexicon(source, tuple(entries), patterns)


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
