"""Writers: the output format, defined once.

One output record per input row (:func:`record`), written as a JSON line
(:func:`to_json_line`, :func:`serialise`) or a CSV row (:data:`CSV_COLUMNS`, then the
referral columns, the text with ``--include-text``, the ``meta_*`` columns and
``meta_other``). The batch stream (:mod:`evascore.stream`) and the DataFrame helper
(:mod:`evascore.frame`) both use these, so the three outputs cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from evascore.assessment import Assessment
from evascore.departments import department_of
from evascore.pairs import API_META, DEFAULT_MAX_CHARS, Row, read_path
from evascore.referrals import refers_to

# What json.dumps(obj, ensure_ascii=False) builds on every call (it caches only the default
# encoder): made once, it gives the same text.
_JSON = json.JSONEncoder(ensure_ascii=False)


def _c_encoder():
    """``json.dumps(obj, ensure_ascii=False)`` as one C encoder made once, or None.

    ``JSONEncoder.encode`` makes a new C encoder, with a dict of the containers it has
    entered, on every call. The records written here are built by this module from
    assessments and parsed JSON, so they hold no cycles and the circular-reference check
    (the ``None`` markers) has nothing to find. Same separators, float repr and key order
    as the stdlib's defaults, so the same text (``tests/test_fast_paths_output.py``).
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return None
    enc = make(
        None,  # markers: no circular-reference check
        _JSON.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        _JSON.key_separator,
        _JSON.item_separator,
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )

    def encode(obj) -> str:
        return "".join(enc(obj, 0))

    return encode


_json = _c_encoder() or _JSON.encode

CSV_COLUMNS = (
    "id",
    "label",
    "evasiveness",
    "p_direct",
    "p_partial",
    "p_evasive",
    "technique",
    "parts_total",
    "parts_addressed",
    "parts",
    "cues",
    "source_file",
    "source_line",
    "truncated",
    "error_type",
    "error_message",
)


def record(
    row: Row, assessment=None, error: tuple[str, str] | None = None, include_text: bool = False
) -> dict:
    """The output object for one input row (scored, or an error row).

    ``meta`` holds the input's other fields (with the department, see
    :func:`output_meta`); ``refers_to`` the answer a referral names.
    """
    if type(assessment) is Assessment:  # its to_dict's fields, without a dict in between
        rec: dict = {
            "id": row.id,
            "label": assessment.label,
            "evasiveness": assessment.evasiveness,
            "probabilities": assessment.probabilities,
            "technique": assessment.technique,
            "parts": assessment.parts,
            "cues": assessment.cues,
            "reasons": assessment.reasons,
            "sentences": assessment.sentences,
            "error": None,
        }
        return _finish(rec, row, include_text)
    rec = {"id": row.id}
    if assessment is not None:
        d = assessment.to_dict()
        d.pop("id")
        rec.update(d)
        rec["error"] = None
    else:
        etype, msg = error or (row.error_type, row.error_message)
        rec.update(
            {
                "label": None,
                "evasiveness": None,
                "probabilities": None,
                "technique": None,
                "parts": None,
                "cues": None,
                "reasons": None,
                "sentences": None,
                "error": {"type": etype, "message": msg},
            }
        )
    return _finish(rec, row, include_text)


def _finish(rec: dict, row: Row, include_text: bool) -> dict:
    """The fields after the assessment or the error: where the row came from, and so on."""
    rec["source"] = {"file": row.file, "line": row.line}
    rec["meta"] = output_meta(row)
    rec["refers_to"] = refers_to(row)
    if include_text:
        rec["question"] = row.pair.question if row.pair is not None else None
        rec["answer"] = row.pair.answer if row.pair is not None else None
    if row.truncated:
        rec["truncated"] = True
    return rec


def to_json_line(rec: dict) -> str:
    try:
        text = json.dumps(rec, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates that slipped into an id or metadata
        text = json.dumps(rec, ensure_ascii=True)
    return text + "\n"


def to_csv_row(rec: dict) -> list:
    probs = rec.get("probabilities") or {}
    parts = rec.get("parts")
    err = rec.get("error") or {}
    return [
        rec.get("id"),
        rec.get("label"),
        rec.get("evasiveness"),
        probs.get("direct"),
        probs.get("partial"),
        probs.get("evasive"),
        rec.get("technique"),
        None if parts is None else len(parts),
        None if parts is None else sum(p["addressed"] for p in parts),
        None if parts is None else _json(parts),
        None if rec.get("cues") is None else _json(rec["cues"]),
        rec["source"]["file"],
        rec["source"]["line"],
        bool(rec.get("truncated")),
        err.get("type"),
        err.get("message"),
    ]


def csv_text(rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    text = buf.getvalue()
    try:
        text.encode("utf-8")  # checked once per chunk, not per cell
    except UnicodeEncodeError:  # lone surrogates (an id, a file name): escape those cells
        return csv_text([[csv_escaped(v) for v in r] for r in rows])
    return text


def csv_escaped(value):
    """A cell holding lone surrogates as a JSON string (ASCII escapes): json.loads reads it
    back exactly, where encoding with "replace" would collapse every such id to "?"."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value)
    return value


CSV_HEADER = csv_text([list(CSV_COLUMNS)]).encode("utf-8")


#: CSV columns after :data:`CSV_COLUMNS` (then ``question, answer`` with --include-text,
#: then the ``meta_*`` columns and ``meta_other``).
CSV_REFERS_COLUMNS = (
    "refers_to_uin",
    "refers_to_date",
    "refers_to_found",
    "refers_to_id",
    "refers_to_label",
)


def csv_extra_cells(rec: dict, meta_cols: list[str], include_text: bool = False) -> list:
    """The cells after :data:`CSV_COLUMNS`; metadata without a column goes to ``meta_other``."""
    ref = rec.get("refers_to") or {}
    meta = rec.get("meta") or {}
    other = {k: v for k, v in meta.items() if "meta_" + k not in meta_cols}
    text = [rec.get("question"), rec.get("answer")] if include_text else []
    return [
        ref.get("uin"),
        ref.get("date"),
        ref.get("found"),
        ref.get("id"),
        ref.get("label"),
        *text,
        *meta_cells(meta, meta_cols),
        _json(other) if other else None,
    ]


def csv_header(meta_cols: list[str], include_text: bool = False) -> bytes:
    text = ["question", "answer"] if include_text else []
    return csv_text([[*CSV_COLUMNS, *CSV_REFERS_COLUMNS, *text, *meta_cols, "meta_other"]]).encode(
        "utf-8"
    )


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
        out.append(_json(v) if isinstance(v, (list, dict)) else v)
    return out


def scan_meta_keys(
    files: list[str], max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
) -> list[str]:
    """Every metadata key in the inputs, in first-seen order (a CSV header needs them first)."""
    keys: dict[str, None] = {}
    for f in files:
        if f == "-":  # cannot be read twice; its other keys go into meta_other
            continue
        for row in read_path(f, max_chars, truncate):
            keys.update(dict.fromkeys(output_meta(row)))
    return list(keys)


def serialise(
    recs: list[dict], fmt: str = "jsonl", include_text: bool = False, meta_cols=None
) -> str:
    """A chunk of output records as text: JSON lines, or CSV rows (``fmt="csv"``) with the
    ``meta_*`` columns ``meta_cols`` (default: the API's)."""
    if fmt == "csv":
        cols = meta_columns([]) if meta_cols is None else meta_cols
        return csv_text([to_csv_row(x) + csv_extra_cells(x, cols, include_text) for x in recs])
    if not recs:
        return ""
    text = "\n".join(map(_json, recs)) + "\n"
    try:
        text.encode("utf-8")  # checked once per chunk, not per row
    except UnicodeEncodeError:  # lone surrogates in an id or metadata: per row, as ASCII
        text = "".join(to_json_line(x) for x in recs)
    return text
