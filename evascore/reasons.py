"""Reasons in words: what the answer did, for the features that decided its label.

The label head weighs features; people want to read what the answer *did* ("gives a number
for the count asked", "says the information is not held", "answers 1 of 3 parts"). Each
feature belongs to one family below; the families are ranked by how much their features
pushed towards the chosen label, and each is said in words from the analysis itself (the
facts), never as a feature name with a weight. The answer's length and shape are context for
the model, never a reason: they are not shown.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from evascore.analysis import Analysis
from evascore.cues import NON_REPLY

# What each cue technique means, said of the answer.
_CUE_WORDS = {
    "declining": "declines to give the information",
    "not_held": "says the information is not held or not available",
    "referral": "points elsewhere (another answer, a publication or a link) instead of "
    "giving the content",
    "transfer": "says the matter is for another body",
    "holding": "promises a later answer or says it is still being considered",
    "clarification": "asks what was meant",
    "boilerplate": "uses general policy language (commitments, priorities, keeping things "
    "under review)",
    "deflection": "turns to another subject",
    "no_plans": 'gives a clear no ("no plans to")',
    "yes_no": "opens with a yes or a no",
    "override": "sets a refusal aside and gives the figure",
}
_REFUSALS = frozenset(NON_REPLY)
_TYPE_WORDS = {
    "count": "a number for the count asked",
    "amount": "an amount for the sum asked",
    "date": 'a date or time for the "when" asked',
    "list": "the items asked for",
    "yesno": "a yes or a no",
    "reason": 'a reason for the "why" asked',
    "steps": "steps taken or a status for what was asked",
    "assessment": "an assessment of what was asked",
    "value": "the figure, date or status asked for",
}
_SHAPE = ("len_log", "sentences_log", "len_ratio_log", "very_short")


def family(feature: str) -> str | None:
    """The reason family of a feature name, or None for features never shown as a reason."""
    if feature in _SHAPE:
        return None
    if feature.startswith("parts_"):
        return "parts"
    if feature.startswith(("qtype_", "type_")):
        return "type"
    if feature.startswith("numbers_"):
        return "numbers"
    if feature.startswith("cue_"):
        tech = feature[4:]
        return f"cue:{tech}" if tech != "hedge" else None
    if feature.startswith("refusal_"):
        return "refusal"
    if feature.startswith("rel_"):
        return "relevance"
    if feature.startswith("text_"):
        return "wording"
    return None


@lru_cache(maxsize=16)
def _family_columns(names: tuple[str, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each reason family with the columns of its features, families in first-seen order."""
    columns: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        fam = family(name)
        if fam is not None:
            columns.setdefault(fam, []).append(i)
    return tuple((fam, tuple(cols)) for fam, cols in columns.items())


def _push(contrib, names) -> dict[str, float]:
    """Each family's summed contribution, added in column order (as a plain loop adds them).

    The families depend only on the names, so they are worked out once per model.
    """
    values = contrib.tolist() if hasattr(contrib, "tolist") else [float(c) for c in contrib]
    if len(values) != len(names):
        return _push_plain(contrib, names)
    push: dict[str, float] = {}
    for fam, cols in _family_columns(tuple(names)):
        w = 0.0
        for i in cols:
            w += values[i]
        push[fam] = w
    return push


def _push_plain(contrib, names) -> dict[str, float]:
    push: dict[str, float] = {}
    for name, c in zip(names, contrib):
        fam = family(name)
        if fam is not None:
            push[fam] = push.get(fam, 0.0) + float(c)
    return push


def say(fam: str, a: Analysis, label: str) -> str | None:
    """The family's reason, in words, from the facts of the analysis (None: nothing to say)."""
    return _say(fam, a, label, {c.technique for c in a.cues})


def _say(fam: str, a: Analysis, label: str, fired: set) -> str | None:
    """:func:`say`, given the techniques whose cues fired (worked out once per answer)."""
    atype = a.frame.answer_type
    if fam == "parts":
        if not a.parts:
            return None
        done = sum(p.addressed for p in a.parts)
        return f"answers {done} of {len(a.parts)} parts asked"
    if fam == "type":
        # Said only where the fact points the same way as the label: a sentence of the asked
        # type is evidence for a reply, its absence evidence against one.
        what = _TYPE_WORDS.get(atype, "what was asked")
        tied = any(t and r > 0 for t, r in zip(a.typed, a.relevance))
        if tied and label != "evasive":
            return f"gives {what}"
        if not tied and label != "direct":
            return f"gives no {what.removeprefix('a ').removeprefix('an ')}"
        return None
    if fam == "numbers":
        if atype not in ("count", "amount", "value") or not a.n_numbers:
            return None if atype not in ("count", "amount", "value") else "gives no figures at all"
        untied = a.n_numbers - a.n_numbers_tied
        if a.n_numbers_tied == 0:
            return f"its {a.n_numbers} figure(s) are about other matters, not what was asked"
        if untied:
            return (
                f"gives {a.n_numbers_tied} figure(s) on the question's subject (and "
                f"{untied} on other matters)"
            )
        return f"gives {a.n_numbers_tied} figure(s) on the question's subject"
    if fam.startswith("cue:"):
        tech = fam[4:]
        if tech in fired:
            return _CUE_WORDS.get(tech)
        if tech in _REFUSALS and fired.isdisjoint(_REFUSALS) and label != "evasive":
            return 'has no refusal, "not held", referral or holding line'
        return None
    if fam == "refusal":
        refusing = [not s.isdisjoint(_REFUSALS) for s in a.cue_sentence]
        if not any(refusing):
            return None
        best = max(range(len(a.relevance)), key=a.relevance.__getitem__)
        if refusing[best]:
            return "its sentence closest to the question is a refusal or a non-answer"
        return "contains a refusal or non-answer beside its other content"
    if fam == "relevance":
        on = sum(r >= 0.25 for r in a.relevance) / len(a.relevance)
        if on >= 0.5:
            return "stays on the question's subject" if label != "evasive" else None
        if label == "direct":
            return None
        if on > 0:
            return "spends most of its length on other matters"
        return "does not mention the question's subject"
    if fam == "wording":
        return f"its wording resembles answers that readers labelled {label}"
    return None


def reasons_in_words(
    a: Analysis, contrib, names, label: str, limit: int = 3, lead: str | None = None
) -> list[str]:
    """Up to ``limit`` reasons for ``label``, strongest first, as plain sentences.

    ``lead`` names a family said first whatever its weight: the parts, when the parts rule
    set the label.
    """
    push = _push(contrib, names)
    out: list[str] = []
    if lead is not None:
        text = say(lead, a, label)
        if text:
            out.append(text)
            push.pop(lead, None)
    for fam, w in sorted(push.items(), key=lambda kv: (-kv[1], kv[0])):
        if w <= 0 or len(out) >= limit:
            break
        text = say(fam, a, label)
        if text and text not in out:
            out.append(text)
    return out


# ---------------------------------------------------------------------- a batch at once


def push_matrix(contrib, names) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Every row's family sums at once: the families and an (n rows, n families) array.

    ``contrib`` holds one row of per-feature contributions per answer. Each family's sum
    adds the same floats in the same order as :func:`_push` (``0.0``, then each column in
    turn, in float64), one column across all rows at a time, so each value is the one the
    plain loop gives. None when ``contrib`` is not a float array with one column per name.
    """
    if (
        not isinstance(contrib, np.ndarray)
        or contrib.ndim != 2
        or contrib.dtype not in (np.float64, np.float32)
        or contrib.shape[1] != len(names)
    ):
        return None
    families = _family_columns(tuple(names))
    columns = np.asarray(contrib, dtype=np.float64).T
    sums = np.zeros((len(families), contrib.shape[0]))
    with np.errstate(all="ignore"):  # inf - inf is nan here as in the plain loop, silently
        for k, (_, cols) in enumerate(families):
            w = sums[k]
            for i in cols:
                w += columns[i]
    return tuple(fam for fam, _ in families), sums.T


def ranked_reasons(
    a: Analysis,
    families: tuple[str, ...],
    pushed: list[float],
    label: str,
    fired: set,
    limit: int = 3,
    lead: str | None = None,
) -> list[str]:
    """:func:`reasons_in_words` for one row of :func:`push_matrix` (no NaN in ``pushed``).

    Only the families that pushed towards the label (``w > 0``) are ranked: the plain loop
    stops at the first other one, and without NaN the order of the rest is a total order.
    """
    out: list[str] = []
    if lead is not None:
        text = _say(lead, a, label, fired)
        if text:
            out.append(text)
        else:
            lead = None  # reasons_in_words keeps it among the others then
    ranked = sorted([(-w, fam) for fam, w in zip(families, pushed) if w > 0 and fam != lead])
    for _, fam in ranked:
        if len(out) >= limit:
            break
        text = _say(fam, a, label, fired)
        if text and text not in out:
            out.append(text)
    return out
