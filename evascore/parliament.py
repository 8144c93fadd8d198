"""Parliament's own formats: the Written Questions API JSON, metadata, and referrals.

The UK Parliament Written Questions API returns (and mySociety republishes by month) a
JSON array of ``{"value": {...}, "links": [...]}`` records. :func:`read_api_json` turns each
record into one :class:`~evascore.pairs.Row`, with the fields people ask about at batch level
(department, dates, heading, members) kept as metadata. :func:`output_meta` gives every
output row its ``meta`` object, deriving the department from the question's opening when the
input names none. :func:`parse_referrals` and :func:`resolve_referrals` find "I refer the
hon. Member to the answer I gave on 3 May 2024 to Question 1001" and look that answer up in
the same batch.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable, Iterator

from evascore.departments import department_of
from evascore.pairs import DEFAULT_MAX_CHARS, Row, row_from_record

#: ``meta`` keys of an API record, in the order the CSV output's ``meta_*`` columns take.
API_META = (
    "uin",
    "department",
    "department_source",
    "date_tabled",
    "date_answered",
    "heading",
    "asking_member_id",
    "answering_member_id",
    "is_holding",
)


def is_api_json(path: str) -> bool:
    """True for a ``.json`` file holding a JSON array (the API's format), not JSON Lines."""
    if not path.lower().endswith(".json"):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"[")


def _day(value) -> str | None:
    """``2024-08-30T00:00:00`` -> ``2024-08-30``; anything else unchanged (None stays None)."""
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
        return value[:10]
    return value


def api_record(value: dict) -> tuple[dict, dict]:
    """The (question/answer/id record, meta) of one API ``value`` object."""
    meta = {
        "uin": None if value.get("uin") is None else str(value["uin"]),
        "department": value.get("answeringBodyName"),
        "department_source": "answeringBodyName" if value.get("answeringBodyName") else None,
        "date_tabled": _day(value.get("dateTabled")),
        "date_answered": _day(value.get("dateAnswered")),
        "heading": value.get("heading"),
        "asking_member_id": value.get("askingMemberId"),
        "answering_member_id": value.get("answeringMemberId"),
        "is_holding": value.get("answerIsHolding"),
    }
    rec = {"question": value.get("questionText"), "answer": value.get("answerText")}
    if value.get("id") is not None:
        rec["id"] = str(value["id"])
    return rec, meta


def read_api_json(
    path: str, max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
) -> Iterator[Row]:
    """Yield one :class:`Row` per record of a Written Questions API JSON file.

    ``line`` is the 1-based record number in the array (a JSON array has no useful line
    numbers: the API writes it on one line). A record without an answer (not yet answered,
    withdrawn) is an error row that still carries its ``meta``. A file that is not valid
    JSON, or not an array, is one error row.
    """
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield Row(
            path,
            1,
            error_type="EncodingError",
            error_message=f"not valid UTF-8 ({exc.reason}); re-save the file as UTF-8",
        )
        return
    except (ValueError, RecursionError) as exc:
        yield Row(
            path,
            1,
            error_type="JSONDecodeError",
            error_message=f"invalid JSON: {str(exc).split(';')[0]}",
        )
        return
    if not isinstance(data, list):
        yield Row(
            path,
            1,
            error_type="InputError",
            error_message=f"expected a JSON array of records, got {type(data).__name__}",
        )
        return
    for n, item in enumerate(data, start=1):
        value = item.get("value", item) if isinstance(item, dict) else item
        if not isinstance(value, dict):
            yield Row(
                path,
                n,
                error_type="InputError",
                error_message=f"expected a JSON object, got {type(value).__name__}",
            )
            continue
        rec, meta = api_record(value)
        row = row_from_record(rec, path, n, max_chars, truncate)
        if row.pair is not None:
            row.pair.metadata.update(meta)
        else:
            row.meta = meta
        yield row


# --------------------------------------------------------------------------- meta


def output_meta(row: Row) -> dict:
    """The ``meta`` object of an output row: the input's extra fields, with a department.

    When the input names no department, it comes from the answering body on a question page,
    else from the question's opening ("To ask the Secretary of State for Defence, …" ->
    Ministry of Defence); ``department_source`` says which.
    """
    meta = dict(row.pair.metadata if row.pair is not None else (row.meta or {}))
    if meta.get("department"):
        meta.setdefault("department_source", "input")
    elif meta.get("answering_body"):
        meta["department"] = meta["answering_body"]
        meta["department_source"] = "page"
    elif row.pair is not None:
        dept = department_of(row.pair.question)
        if dept:
            meta["department"] = dept
            meta["department_source"] = "question opening"
    return meta


def meta_columns(keys: Iterable[str]) -> list[str]:
    """CSV ``meta_*`` column names: the API's keys first, then the others in first-seen order."""
    seen = list(API_META)
    for k in keys:
        if k not in seen:
            seen.append(k)
    return ["meta_" + k for k in seen]


def meta_cells(meta: dict | None, columns: list[str]) -> list:
    """One CSV cell per ``meta_*`` column (lists and objects as JSON text)."""
    meta = meta or {}
    out = []
    for c in columns:
        v = meta.get(c[5:])
        out.append(json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
    return out


def scan_meta_keys(
    files: list[str], max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
) -> list[str]:
    """Every metadata key in the inputs, in first-seen order (a CSV header needs them first)."""
    from evascore.pairs import read_path

    keys: dict[str, None] = {}
    for f in files:
        if f == "-":  # cannot be read twice; its other keys go into meta_other
            continue
        for row in read_path(f, max_chars, truncate):
            keys.update(dict.fromkeys(output_meta(row)))
    return list(keys)


# --------------------------------------------------------------------------- referrals

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


def _slim(rec: dict) -> dict:
    meta = rec.get("meta") or {}
    return {
        "id": rec.get("id"),
        "label": rec.get("label"),
        "evasiveness": rec.get("evasiveness"),
        "meta": {k: meta.get(k) for k in ("uin", "date_answered", "department")},
        "refers_to": rec.get("refers_to"),
    }


def resolve_file(path, fmt: str = "jsonl"):
    """Resolve the referrals of a finished output file into ``.NAME.resolved`` beside it.

    Only the lookup keys of each row are held in memory. Rows without a referral are copied
    byte for byte. Returns the new file's path.
    """
    import csv
    from pathlib import Path

    path = Path(path)
    out = path.with_name(path.name + ".resolved")
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows:
            out.write_bytes(b"")
            return out
        head = {c: i for i, c in enumerate(rows[0])}
        slim = []
        for cells in rows[1:]:

            def cell(name, cells=cells):
                i = head.get(name)
                return cells[i] if i is not None and i < len(cells) and cells[i] != "" else None

            ref = None
            if cell("refers_to_uin") or cell("refers_to_date"):
                ref = {"uin": cell("refers_to_uin"), "date": cell("refers_to_date")}
            ev = cell("evasiveness")
            slim.append(
                {
                    "id": cell("id"),
                    "label": cell("label"),
                    "evasiveness": float(ev) if ev else None,
                    "meta": {
                        "uin": cell("meta_uin"),
                        "date_answered": cell("meta_date_answered"),
                        "department": cell("meta_department"),
                    },
                    "refers_to": ref,
                }
            )
        resolve_referrals(slim)
        for cells, s in zip(rows[1:], slim):
            if s["refers_to"]:
                for key in ("found", "id", "label"):
                    i = head.get("refers_to_" + key)
                    if i is not None and i < len(cells):
                        v = s["refers_to"][key]
                        cells[i] = "" if v is None else str(v)
        from evascore.stream import _csv_text

        out.write_text(_csv_text(rows), "utf-8", newline="")
        return out
    slim = []
    with open(path, "rb") as fh:
        for raw in fh:
            rec = json.loads(raw)
            slim.append(
                _slim(rec)
                if rec.get("refers_to")
                else {
                    "id": rec.get("id"),
                    "label": rec.get("label"),
                    "evasiveness": rec.get("evasiveness"),
                    "meta": _slim(rec)["meta"],
                    "refers_to": None,
                }
            )
    resolve_referrals(slim)
    with open(path, "rb") as fh, open(out, "wb") as sink:
        for raw, s in zip(fh, slim):
            if s["refers_to"] is None:
                sink.write(raw)
                continue
            rec = json.loads(raw)
            rec["refers_to"] = s["refers_to"]
            try:
                text = json.dumps(rec, ensure_ascii=False)
                text.encode("utf-8")
            except UnicodeEncodeError:
                text = json.dumps(rec, ensure_ascii=True)
            sink.write(text.encode("utf-8") + b"\n")
    return out
