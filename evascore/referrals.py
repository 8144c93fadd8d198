"""Referrals: "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1001".

:func:`parse_referrals` finds the answers a written answer points to (by UIN and date);
:func:`refers_to` gives an output row its ``refers_to`` object; :func:`resolve_referrals`
looks the named answers up among the scored records of the same batch (the stream does it for
a finished output file, :func:`evascore.stream.resolve_file`; ``evascore report`` for its
inputs).
"""

from __future__ import annotations

import datetime as _dt
import re

from evascore.pairs import Row

_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_REFER = re.compile(r"\b(?:I|we)\s+(?:would\s+|also\s+|therefore\s+|can\s+)*refer\b", re.I)
# The thing referred to must be an answer: a letter, a statement or a speech is not.
_TARGET = re.compile(r"\b(?:answer|reply|response|PQ|UIN|Question)s?\b", re.I)
# The sentence ends at a full stop before a capital, but not after "hon." or "Rt." ("the
# hon. Member", "Rt. Hon. Friend") or "No.".
_END = re.compile(r"(?<!\bhon)(?<!\bHon)(?<!\bRt)(?<!\bNo)\.\s*(?=[A-Z(])")
_UIN = re.compile(
    r"\b(?:W?PQ|UIN|Questions?(?:\s+(?:UIN|number|no\.?))?|number)\s*:?\s*"
    r"(HL\s?\d{1,6}|\d{1,6})\b",
    re.I,
)
_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|"
    r"July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|"
    r"Jul|Aug|Sept?|Oct|Nov|Dec)\.?(?:,?\s+(\d{4}))?\b",
    re.I,
)
_SPLIT = re.compile(r"\b(?:answer|reply|response)s?\b", re.I)  # one answer named each


def _date(m: re.Match, before: str | None) -> str | None:
    day, month = int(m.group(1)), _MONTHS[m.group(2).lower()[:3]]
    if m.group(3):
        year = int(m.group(3))
    elif before:  # "on 14th December": the latest such day on or before the answer
        ref = _dt.date.fromisoformat(before[:10])
        year = ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1
    else:
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_referrals(answer: str, answered: str | None = None) -> list[dict]:
    """The answers an answer refers to: ``[{"uin": "1001", "date": "2024-05-03"}, …]``.

    Only referrals to an answer count ("I refer the hon. Member to the answer I gave on …",
    "… to PQ 5043", "… my reply to UIN 322"), not to a letter, a statement or a speech. Either
    key may be ``None``. A date without a year takes the latest such day on or before
    ``answered`` (the referring answer's date).

    Examples
    --------
    >>> parse_referrals("I refer the hon. Member to the answer I gave on 3 May 2024 to "
    ...                 "Question 1001.")
    [{'uin': '1001', 'date': '2024-05-03'}]
    >>> parse_referrals("I refer the hon. Member to my letter of 3 May 2024.")
    []
    """
    out: list[dict] = []
    # Most answers refer to nothing: a substring test spares them the case-blind scan (exact:
    # no character lower-cases into these ASCII letters but the letters themselves).
    if "refer" not in answer.lower():
        return out
    for m in _REFER.finditer(answer):
        end = _END.search(answer, m.end())
        window = answer[m.end() : end.start() if end else m.end() + 400]
        if not _TARGET.search(window):
            continue
        # "my answer of 23 September 2024, PQ 5043 and my answer of 13 September, PQ 4663":
        # one target per answer named; several UINs in one segment share its date. Before
        # the first "answer" only a UIN names one ("to PQ 1263"): a date there belongs to
        # whatever else is named ("the Written Ministerial Statement of 30 July").
        starts = [s.start() for s in _SPLIT.finditer(window)]
        bounds = [0, *starts, len(window)]
        for n in range(len(bounds) - 1):
            seg = window[bounds[n] : bounds[n + 1]]
            uins = [re.sub(r"\s", "", u.group(1)).upper().lstrip("0") for u in _UIN.finditer(seg)]
            d = _DATE.search(seg)
            date = _date(d, answered) if d else None
            if uins:
                out.extend({"uin": u, "date": date} for u in uins)
            elif date and n > 0:
                out.append({"uin": None, "date": date})
    return out


def _days_apart(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return abs((_dt.date.fromisoformat(a[:10]) - _dt.date.fromisoformat(b[:10])).days)


#: How far a referral's date may be from the target's answer date (the minister's "the
#: answer of 12 June" is sometimes the day it was tabled or published).
DATE_SLACK_DAYS = 7


def resolve_referrals(records: list[dict]) -> None:
    """Fill ``found``, ``id``, ``label`` and ``evasiveness`` of every ``refers_to`` in place.

    A target is looked up by ``uin`` (UINs restart each session, so a UIN given with a date
    must have been answered within :data:`DATE_SLACK_DAYS` of it), else, when the referral
    gives only a date, by answer date and department, which must pick out exactly one answer.
    """
    by_uin: dict[str, list[dict]] = {}
    by_day: dict[tuple, list[dict]] = {}
    for r in records:
        meta = r.get("meta") or {}
        if meta.get("uin"):
            by_uin.setdefault(str(meta["uin"]).upper().lstrip("0"), []).append(r)
        if meta.get("date_answered"):
            by_day.setdefault((str(meta["date_answered"])[:10], meta.get("department")), []).append(
                r
            )
    for r in records:
        ref = r.get("refers_to")
        if not ref:
            continue
        dept = (r.get("meta") or {}).get("department")
        for target in [ref, *ref.get("also", [])]:
            target.update(found=False, id=None, label=None, evasiveness=None, match=None)
            if target.get("uin"):
                cands = [c for c in by_uin.get(target["uin"], []) if c is not r]
                if target.get("date"):
                    cands = [
                        c
                        for c in cands
                        if (
                            _days_apart((c.get("meta") or {}).get("date_answered"), target["date"])
                            or 0
                        )
                        <= DATE_SLACK_DAYS
                    ]
                how = "uin"
            else:
                cands = [c for c in by_day.get((target.get("date"), dept), []) if c is not r]
                how = "date and department"
            if len(cands) >= 1 and (how == "uin" or len(cands) == 1):
                hit = cands[0]
                target.update(
                    found=True,
                    id=hit.get("id"),
                    label=hit.get("label"),
                    evasiveness=hit.get("evasiveness"),
                    match=how,
                )
            elif len(cands) > 1:
                target["candidates"] = len(cands)


def refers_to(row: Row) -> dict | None:
    """The ``refers_to`` object of an output row (unresolved: ``found`` is ``None``)."""
    if row.pair is None:
        return None
    meta = row.pair.metadata
    answered = meta.get("date_answered")
    refs = parse_referrals(row.pair.answer, answered if isinstance(answered, str) else None)
    if not refs:
        return None
    blank = {"found": None, "id": None, "label": None, "evasiveness": None, "match": None}
    first = {**refs[0], **blank}
    if len(refs) > 1:
        first["also"] = [{**x, **blank} for x in refs[1:]]
    return first
