"""Columns: an :class:`~evascore.analysis.Analysis` -> named numeric columns.

The feature functions in :data:`REGISTRY` are pure functions of the evidence pass
(:func:`evascore.analysis.analyse`). The column order, :data:`FEATURE_NAMES` and
:meth:`evascore.features.FeatureExtractor.get_feature_names_out` all derive from the
registry. No scikit-learn here: the compiled scorer (:mod:`evascore.scorer`) reads it too.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np

from evascore.analysis import Analysis
from evascore.cues import NON_REPLY, TECHNIQUES_IN_LEXICON
from evascore.question import ANSWER_TYPES

# --------------------------------------------------------------------------- features
# One pure function per small family; each returns values in the order of its names.

_REFUSAL_TECHS = frozenset(NON_REPLY)

FeatureFamily = tuple[tuple[str, ...], Callable[[Analysis], tuple[float, ...]]]


_NO_PARTS = (0.0, 1.0, 1.0, 0.0, 1.0, 0.0)


def _f_parts(a: Analysis) -> tuple[float, ...]:
    n = len(a.parts)
    if not n:
        return _NO_PARTS
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


_ONE_HOT = {t: tuple(float(t == u) for u in ANSWER_TYPES) for t in ANSWER_TYPES}
_NO_TYPE = (0.0,) * len(ANSWER_TYPES)


def _f_answer_type(a: Analysis) -> tuple[float, ...]:
    return _ONE_HOT.get(a.frame.answer_type, _NO_TYPE)


def _f_type_tied(a: Analysis) -> tuple[float, ...]:
    if not any(a.typed):  # what the general case gives when no sentence is typed
        return (0.0, 0.0, 0.0, 0.0 * a.relevance[0], 0.0)
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


_NO_CUES = tuple(math.log1p(0) for _ in TECHNIQUES_IN_LEXICON)


def _f_cues(a: Analysis) -> tuple[float, ...]:
    if not a.cues:
        return _NO_CUES
    counts = Counter(c.technique for c in a.cues)
    return tuple(map(math.log1p, map(counts.get, TECHNIQUES_IN_LEXICON, repeat(0))))


def _f_cue_position(a: Analysis) -> tuple[float, ...]:
    n = len(a.sentences)
    refusal = [bool(s & _REFUSAL_TECHS) for s in a.cue_sentence]
    if True not in refusal:  # what the general case gives without a refusal
        return (0.0, 0.0, 0.0, 0.0, 0.0)
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
    cover = sum(map(a.answer_terms.__contains__, focus)) / len(focus) if focus else 0.0
    on_topic = sum(map((0.25).__le__, rel)) / n  # how many r >= 0.25
    top = max(rel)
    # The first position of the maximum: max(range(n), key=rel.__getitem__), as max keeps
    # the first of equal values (and tuple.index matches a NaN by identity).
    best = rel.index(top)
    return (top, sum(rel) / n, rel[0], on_topic, cover, best / n if n > 1 else 0.0)


def _f_shape(a: Analysis) -> tuple[float, ...]:
    # Capped: "short" is informative, but beyond about 60 words, 4 sentences or 3 times the
    # question, length says more about the setting than about evasion. Uncapped, a model
    # trained on written answers read long spoken answers as evasive (trained on
    # training_data/, macro-F1 on QEvasion train 0.25 uncapped, 0.32 capped; grouped CV on
    # the corpus 0.763 -> 0.773).
    qwords = _n_words(a.question) or 1
    # Counted only as far as matters: from max(60, 3 * qwords) words on, every value below
    # is the same (both minima are at their caps, and words/qwords >= 3.0 exactly).
    enough = max(60, 3 * qwords)
    words = 0
    answer = a.answer
    marks = _word_marks(answer)
    for s, e in a.sentences:
        if marks is None:
            words += len(answer[s:e].split())
        elif s < e:  # the words of answer[s:e]: a word starts at s, and after each space
            words += marks.count(b" x", s, e) + (marks[s] == 120)  # 120: b"x"
        if words >= enough:
            break
    return (
        math.log1p(min(words, 60)),
        math.log1p(min(len(a.sentences), 4)),
        math.log1p(min(words / qwords, 3.0)),
        float(words <= 6),
    )


# str.split()'s whitespace among the Latin-1 characters -> b" ", every other one -> b"x".
_SPACE_OR_WORD = bytes(0x20 if chr(b).isspace() else 0x78 for b in range(256))


def _word_marks(text: str) -> bytes | None:
    """For a Latin-1 text, one byte per character: b" " where ``str.split`` splits, b"x"
    elsewhere, so that ``text[s:e]`` has as many words as ``marks[s:e]`` has runs of b"x"
    (counted without making the words); None for other texts."""
    try:
        return text.encode("latin-1").translate(_SPACE_OR_WORD)
    except UnicodeEncodeError:
        return None


def _n_words(text: str) -> int:
    """``len(text.split())``."""
    marks = _word_marks(text)
    if marks is None:
        return len(text.split())
    return marks.count(b" x") + (marks[:1] == b"x")


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


def feature_matrix(analyses: Sequence[Analysis]) -> np.ndarray:
    """:func:`feature_vector` of each analysis as the rows of one float64 array, built from
    one flat list (one conversion, not one per row).

    Examples
    --------
    >>> from evascore.analysis import analyse
    >>> feature_matrix([analyse("How many staff?", "Four.")]).shape == (1, len(FEATURE_NAMES))
    True
    """
    families = [fn for _, fn in REGISTRY]
    flat: list[float] = []
    extend = flat.extend
    for a in analyses:
        for fn in families:
            extend(fn(a))
    return np.array(flat, dtype=np.float64).reshape(len(analyses), len(FEATURE_NAMES))


__all__ = ["REGISTRY", "FEATURE_NAMES", "FeatureFamily", "feature_matrix", "feature_vector"]
