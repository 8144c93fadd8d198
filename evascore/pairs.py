"""Readers: files and Python objects -> :class:`QAPair` rows, one per input record.

Readers never raise on a bad record. They yield a :class:`Row` whose ``error`` says what
was wrong, where, and in which field, so that batch scoring gives exactly one output row
for every input row.
"""

from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from evascore.errors import InputError
from evascore.text import clean_text

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json")
CSV_SUFFIXES = (".csv", ".csv.gz")
TSV_SUFFIXES = (".tsv", ".tsv.gz")
PAGE_SUFFIXES = (".txt", ".html", ".htm")
SUPPORTED_SUFFIXES = JSONL_SUFFIXES + CSV_SUFFIXES + TSV_SUFFIXES + PAGE_SUFFIXES
#: In the name of every file a run keeps beside OUT: its partial output
#: (``.OUT.<hex>.evascore-partial``, and ``...evascore-partial.resolved`` while referrals are
#: resolved), resume state (``.OUT.evascore-resume.json``, ``...json.tmp``) and lock
#: (``.OUT.evascore-lock``). A directory given as input never yields these.
OWN_FILE_MARK = ".evascore-"
DEFAULT_MAX_CHARS = 100_000
# A line (JSONL), record (CSV) or page is read only up to this many bytes, so one endless
# line cannot fill memory before --max-chars is checked. 16 bytes per character leaves room
# for a question and an answer of --max-chars characters written as \uXXXX escapes, and the
# floor keeps long texts readable that --truncate will cut.
MIN_LINE_BYTES = 32 * 2**20
LINE_BYTES_PER_CHAR = 16


def line_limit(max_chars: int | None) -> int | None:
    """The most bytes one line, record or page may take for ``max_chars`` (None: no bound).

    Examples
    --------
    >>> line_limit(100_000) == MIN_LINE_BYTES, line_limit(None)
    (True, None)
    """
    if max_chars is None:
        return None
    return max(MIN_LINE_BYTES, LINE_BYTES_PER_CHAR * max_chars)


def _bound(max_chars: int | None, max_line_bytes: int | None) -> int | None:
    """The reading bound a reader uses: ``max_line_bytes`` if given (at least 1), else the
    default for ``max_chars``."""
    if max_line_bytes is not None:
        return max(max_line_bytes, 1)
    return line_limit(max_chars)


@dataclass(frozen=True)
class QAPair:
    """One question and its answer, with an id and any metadata the input carried.

    ``question`` and ``answer`` hold the cleaned text (HTML removed, whitespace normalised).
    """

    question: str
    answer: str
    id: str = ""
    metadata: dict = field(default_factory=dict, compare=False)

    @classmethod
    def make(cls, question: str, answer: str, id: str | None = None, **metadata) -> QAPair:
        """Clean ``question`` and ``answer`` and give the pair a stable id if it has none.

        Examples
        --------
        >>> p = QAPair.make("<p>How many?</p>", "Twelve.")
        >>> p.question, p.id == QAPair.make("How many?", "Twelve.").id
        ('How many?', True)
        """
        for name, value in (("question", question), ("answer", answer)):
            if not isinstance(value, str):
                raise InputError(f"expected text, got {type(value).__name__}", field=name)
        q, a = clean_text(question), clean_text(answer)
        if not q:
            raise InputError("field 'question' is empty", field="question")
        if not a:
            raise InputError("field 'answer' is empty", field="answer")
        return cls(q, a, id if id else stable_id(q, a), metadata)


def is_missing(value) -> bool:
    """None, NaN and pandas' NA all mean "no value" (a DataFrame cell, a dict field)."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, float) and value != value  # NaN is unequal to itself


def stable_id(question: str, answer: str) -> str:
    """A content hash of the cleaned pair, so the same pair gets the same id anywhere."""
    h = hashlib.sha256(f"{question}\x1f{answer}".encode("utf-8", "replace")).hexdigest()
    return "qa-" + h[:12]


@dataclass
class Row:
    """One input record: a pair, or an error, always with where it came from."""

    file: str
    line: int
    id: str | None = None
    pair: QAPair | None = None
    error_type: str | None = None
    error_message: str | None = None
    truncated: bool = False
    meta: dict | None = None  # an error row's metadata, when its reader knows it (API JSON)


# --------------------------------------------------------------------------- records


def row_from_record(
    rec: object,
    file: str,
    line: int,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    truncate: bool = False,
) -> Row:
    """Turn one decoded record (a dict from JSONL or CSV) into a :class:`Row`."""
    if not isinstance(rec, dict):
        return Row(
            file,
            line,
            error_type="InputError",
            error_message=f"expected a JSON object, got {type(rec).__name__}",
        )
    rid = id_text(rec.get("id"))
    row = Row(file, line, id=rid)
    texts = {}
    for name in ("question", "answer"):
        value = rec.get(name)
        if name not in rec:
            return _fail(row, f"missing field {name!r}")
        if value is None:
            return _fail(row, f"field {name!r} is null")
        if not isinstance(value, str):
            return _fail(row, f"field {name!r} must be a string, got {type(value).__name__}")
        if max_chars is not None and len(value) > max_chars:
            if not truncate:
                return _fail(
                    row,
                    f"field {name!r} has {len(value):,} characters, over "
                    f"--max-chars {max_chars:,} (raise it, or use --truncate)",
                )
            value = value[:max_chars]
            row.truncated = True
        texts[name] = value
    meta = {k: v for k, v in rec.items() if k not in ("question", "answer", "id")}
    try:
        row.pair = QAPair.make(texts["question"], texts["answer"], rid, **meta)
    except InputError as exc:
        return _fail(row, exc.reason)
    row.id = row.pair.id
    return row


def rows_from_frame(
    df, max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
) -> list[Row]:
    """One :class:`Row` per DataFrame row (``question``, ``answer``, optional ``id``; other
    columns ignored), never raising: a bad row is an error row, as from a file."""
    cols = [c for c in ("id", "question", "answer") if c in df.columns]
    columns = [df[c].tolist() for c in cols]
    rows = []
    for n in range(len(df)):
        rec = {c: None if is_missing(v[n]) else v[n] for c, v in zip(cols, columns, strict=True)}
        rows.append(row_from_record(rec, "<frame>", n + 1, max_chars, truncate))
    return rows


def id_text(value: object) -> str | None:
    """An input id as text: strings as they are, other JSON values as JSON (never a repr).

    Examples
    --------
    >>> id_text(42), id_text({"house": "Commons", "n": 7}), id_text(None)
    ('42', '{"house": "Commons", "n": 7}', None)
    """
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON (a DataFrame cell, say): its text
        return str(value)


def _fail(row: Row, message: str) -> Row:
    row.error_type, row.error_message = "InputError", message
    return row


# --------------------------------------------------------------------------- Python objects
# The one place where the shapes a caller may pass (QAPairs, (question, answer) tuples, dicts,
# a DataFrame) become pairs: the estimators, the model's scoring and the frame helpers all
# come through here.


def _is_sequence(item) -> bool:
    """A tuple, list or one-dimensional array (a row of a 2-column array)."""
    return isinstance(item, (tuple, list)) or type(item).__name__ == "ndarray"


def as_pairs(X) -> list[tuple[str, str]]:
    """Accept pairs as QAPair objects, (question, answer) tuples, dicts or a DataFrame."""
    if isinstance(X, (str, bytes)):
        raise InputError(
            "expected an iterable of question-answer pairs, got a single "
            "string; wrap it as [(question, answer)]"
        )
    if hasattr(X, "columns") and hasattr(X, "itertuples"):
        missing = {"question", "answer"} - set(X.columns)
        if missing:
            raise InputError(f"DataFrame lacks column(s) {', '.join(sorted(missing))}")
        return list(zip(X["question"].tolist(), X["answer"].tolist()))
    if type(X) is list:  # the model's own batches: a list of (question, answer) strings
        for item in X:
            if not _plain_pair(item):
                break
        else:
            return list(X)
    out = []
    for i, item in enumerate(X):
        if hasattr(item, "question") and hasattr(item, "answer"):
            out.append((item.question, item.answer))
        elif isinstance(item, dict):
            out.append((item.get("question"), item.get("answer")))
        elif _is_sequence(item) and len(item) == 2:
            out.append((item[0], item[1]))
        else:
            raise InputError(
                f"row {i}: expected a QAPair, a (question, answer) pair or a "
                f"dict, got {type(item).__name__}"
            )
    for i, (q, a) in enumerate(out):
        for name, v in (("question", q), ("answer", a)):
            if not isinstance(v, str):
                raise InputError(f"row {i}: expected text, got {type(v).__name__}", field=name)
    return out


def _plain_pair(item) -> bool:
    """A tuple of two strings: what :func:`as_pairs` returns such an item as, unchecked."""
    return type(item) is tuple and len(item) == 2 and type(item[0]) is str and type(item[1]) is str


def clean_pairs(pairs) -> list[tuple[str, str]]:
    """(question, answer) tuples of cleaned, non-empty text; QAPairs are clean already.

    Cleaning twice is not a no-op ("&amp;pound;" -> "&pound;" -> "£"), so it happens once.
    """
    if isinstance(pairs, (list, tuple)) and pairs and all(isinstance(p, QAPair) for p in pairs):
        return [(p.question, p.answer) for p in pairs]
    out = [(clean_text(q), clean_text(a)) for q, a in as_pairs(pairs)]
    # An empty answer (or one of only whitespace or markup) says nothing: scoring it would
    # give a confident label to no text at all. ``score`` refuses it; so do these.
    for i, (q, a) in enumerate(out):
        for name, v in (("question", q), ("answer", a)):
            if not v:
                raise InputError(
                    f"row {i}: field {name!r} is empty (after removing markup and whitespace)",
                    field=name,
                )
    return out


def qapairs(pairs) -> Iterator[QAPair]:
    """:class:`QAPair` objects (cleaned, with ids), lazily, from any shape :func:`as_pairs`
    accepts; an ``id`` field or column is kept (as :func:`id_text`), else a content hash."""
    if isinstance(pairs, (str, bytes)):
        as_pairs(pairs)  # raises the friendly error
    if hasattr(pairs, "columns"):
        ids = pairs["id"].tolist() if "id" in pairs.columns else [None] * len(pairs)
        for (q, a), i in zip(as_pairs(pairs), ids):
            yield QAPair.make(q, a, _id(i))
        return
    for item in pairs:
        if isinstance(item, QAPair):
            yield item
        elif isinstance(item, dict):
            yield QAPair.make(item.get("question"), item.get("answer"), _id(item.get("id")))
        elif _plain_pair(item):
            yield QAPair.make(item[0], item[1])
        else:
            ((q, a),) = as_pairs([item])
            yield QAPair.make(q, a)


def _id(value) -> str | None:
    """An id as text; None, NaN and pandas.NA mean "no id" (a content hash is used)."""
    return None if is_missing(value) else id_text(value)


# --------------------------------------------------------------------------- Parliament's API JSON
# The UK Parliament Written Questions API returns (and mySociety republishes by month) a JSON
# array of ``{"value": {...}, "links": [...]}`` records: one Row each, with the fields people
# ask about at batch level (department, dates, heading, members) kept as metadata.


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


# --------------------------------------------------------------------------- JSONL


def _open_binary(path: str) -> io.BufferedIOBase:
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


_BOM = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _wide_encoding(head: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" when ``head`` starts with that encoding's byte-order mark."""
    return next((name for bom, name in _WIDE_BOMS if head.startswith(bom)), None)


def _wide_row(path: str, name: str) -> Row:
    # One row for the whole file: read as UTF-8 it is noise, and its NUL bytes split into
    # phantom lines.
    return Row(
        path,
        1,
        error_type="EncodingError",
        error_message=f"{name} is not supported: convert to UTF-8 (e.g. iconv -f "
        f"{name} -t UTF-8); the file is unread",
    )


def _head(path: str) -> bytes:
    """The first four bytes of a file (decompressed for .gz); b"" when unreadable."""
    try:
        with _open_binary(path) as fh:
            return fh.read(4)
    except (OSError, EOFError, zlib.error):  # a corrupt .gz: the reader reports it
        return b""


@dataclass
class _TooLong:
    """A line longer than the bound: its first 4,096 bytes (for its id) and its length."""

    head: bytes
    size: int


def _lines(fh, limit: int | None = None) -> Iterator[bytes | _TooLong | Exception]:
    """The lines of ``fh``, none read whole when longer than ``limit`` bytes.

    A longer line comes as a :class:`_TooLong`, read past in pieces of at most ``limit``
    bytes (and 1 MiB). A corrupt or truncated .gz stream ends the lines with its error.
    """
    size = -1 if limit is None else limit
    try:
        while True:
            line = fh.readline(size)
            if not line:
                return
            if limit is None or len(line) < limit or line.endswith(b"\n"):
                yield line
                continue
            more = fh.readline(1)
            if not more:  # exactly ``limit`` bytes, then the end of the file
                yield line
                return
            head, total = line[:4096], len(line) + 1
            del line
            piece = min(limit, 1 << 20)  # read past the rest in small pieces
            while not more.endswith(b"\n"):
                more = fh.readline(piece)
                if not more:
                    break
                total += len(more)
            yield _TooLong(head, total)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        yield exc


def _id_from_prefix(head: bytes) -> str | None:
    """The top-level ``id`` of a JSON object cut off after ``head``, if it comes early."""
    text = head.decode("utf-8", "ignore")
    ws = re.compile(r"[ \t\r\n]*")
    dec = json.JSONDecoder()
    try:
        i = ws.match(text, 0).end()
        if text[i] != "{":
            return None
        i += 1
        while True:
            i = ws.match(text, i).end()
            if text[i] != '"':
                return None
            key, i = json.decoder.scanstring(text, i + 1)
            i = ws.match(text, i).end()
            if text[i] != ":":
                return None
            i = ws.match(text, i + 1).end()
            value, i = dec.raw_decode(text, i)
            if key == "id":
                return id_text(value)
            i = ws.match(text, i).end()
            if text[i] != ",":
                return None
            i += 1
    except (ValueError, IndexError, RecursionError):  # the cut came first
        return None


def _readable_id(raw: bytes) -> str | None:
    """The id of a JSON line holding bytes that are not UTF-8, when the id itself is clean."""
    try:
        rec = json.loads(raw.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):
        return None
    rid = id_text(rec.get("id")) if isinstance(rec, dict) else None
    return None if rid is None or _ESCAPED.search(rid) else rid


def _json_error(exc: json.JSONDecodeError) -> str:
    # Some of json's messages end in "at" ("Invalid control character at").
    at = "" if exc.msg.endswith(" at") else " at"
    return f"invalid JSON: {exc.msg}{at} column {exc.colno}"


def _too_long(what: str, limit: int, max_chars: int | None, unit: str = "bytes") -> str:
    why = (
        f"the reading limit for --max-chars {max_chars:,}; raise --max-chars to read it"
        if max_chars is not None
        else "the reading limit"
    )
    return f"{what} longer than {limit:,} {unit}, {why}"


def read_jsonl(
    path: str,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    truncate: bool = False,
    max_line_bytes: int | None = None,
) -> Iterator[Row]:
    """Yield one :class:`Row` per non-blank line of a JSON Lines file (``-`` is stdin).

    Lines are split on ``\\n`` only, so U+2028 inside a string is text, not a line break.
    Each line is decoded as strict UTF-8 (a BOM at its start is dropped, on any line: files
    are often concatenated). A line longer than ``max_line_bytes`` (default:
    :func:`line_limit` of ``max_chars``) is an error row, and is never held whole.
    """
    limit = _bound(max_chars, max_line_bytes)
    fh = _open_binary(path)
    try:
        for lineno, raw in enumerate(_lines(fh, limit), start=1):
            if isinstance(raw, _TooLong):
                yield Row(
                    path,
                    lineno,
                    id=_id_from_prefix(raw.head),
                    error_type="InputError",
                    error_message=_too_long(f"line is {raw.size:,} bytes,", limit, max_chars),
                )
                continue
            if isinstance(raw, Exception):
                yield Row(
                    path,
                    lineno,
                    error_type="GzipError",
                    error_message=f"unreadable compressed data ({raw}); the rest of "
                    "the file is unread",
                )
                return
            if lineno == 1 and (wide := _wide_encoding(raw)):
                yield _wide_row(path, wide)
                return
            if raw.startswith(_BOM):
                raw = raw[3:]
            if not raw.strip():
                continue
            # Without its line break, a line cut off mid-object is reported at its own end,
            # not at "column 1" of a next line.
            raw = raw.rstrip(b"\r\n")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Row(
                    path,
                    lineno,
                    id=_readable_id(raw),
                    error_type="EncodingError",
                    error_message=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                    f"column {exc.start + 1}); re-save the file as UTF-8",
                )
                continue
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(
                    path, lineno, error_type="JSONDecodeError", error_message=_json_error(exc)
                )
                continue
            except (ValueError, RecursionError) as exc:  # 4,300+ digit integers; deep nesting
                yield Row(
                    path,
                    lineno,
                    error_type="JSONDecodeError",
                    error_message=f"unreadable JSON: {str(exc).split(';')[0]}",
                )
                continue
            row = row_from_record(rec, path, lineno, max_chars, truncate)
            if not isinstance(rec, dict) and path.lower().endswith(".json"):
                row.error_message += " (a .json file is read as JSON Lines: one object a line)"
            yield row
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


# --------------------------------------------------------------------------- CSV


class _RecordTooLong(Exception):
    """Raised through csv.reader when the record being read passes the bound."""


class _Feed:
    """Physical lines for csv.reader, numbered, with a bound and a way to read some again.

    ``record`` holds the lines of the record being parsed, so that when it turns out to be
    broken (an unclosed quote swallows the records after it), the lines after its first can
    be fed again as records of their own.
    """

    def __init__(self, fh, limit: int | None):
        self.fh, self.limit = fh, limit
        self.again: collections.deque[tuple[int, str]] = collections.deque()
        self.record: list[tuple[int, str]] = []
        self.held = 0
        self.cut = False  # the record's last line was cut at the bound
        self.next_line = 1
        self.skip_newline = False

    def start(self) -> None:
        self.record, self.held, self.cut = [], 0, False

    def first_line(self) -> int:
        return self.record[0][0] if self.record else self.next_line

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.again:
            n, line = self.again.popleft()
        else:
            line = self.fh.readline(-1 if self.limit is None else self.limit + 1)
            if self.skip_newline and line == "\n":  # the "\n" of a "\r\n" split at the cut
                line = self.fh.readline(-1 if self.limit is None else self.limit + 1)
            self.skip_newline = False
            if not line:
                raise StopIteration
            n, self.next_line = self.next_line, self.next_line + 1
        self.record.append((n, line))
        self.held += len(line)
        if self.limit is not None and self.held > self.limit:
            self.cut = not line.endswith(("\n", "\r"))
            raise _RecordTooLong
        return line

    def skip_rest_of_line(self) -> None:
        """Read past the rest of a line cut at the bound, without holding it."""
        while True:
            piece = self.fh.readline(min(self.limit, 1 << 20))
            if not piece or piece.endswith("\n"):
                return
            if piece.endswith("\r"):
                self.skip_newline = True
                return

    def read_again(self, lines: list[tuple[int, str]]) -> None:
        self.again.extendleft(reversed(lines))


def read_csv(
    path: str,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    truncate: bool = False,
    max_line_bytes: int | None = None,
    delimiter: str = ",",
) -> Iterator[Row]:
    """Yield one :class:`Row` per record of a CSV (or, with ``delimiter="\\t"``, TSV) file.

    The first record is the header. ``line`` is the 1-based physical line on which the
    record starts (blank lines are skipped but counted). Fields of any length are read (the
    csv module's 131,072-character default limit is lifted), up to a record of
    ``max_line_bytes`` characters (default: :func:`line_limit` of ``max_chars``). Bytes that
    are not UTF-8 make an error row of the record that holds them; the records around it
    are read as usual. A malformed record (an unclosed quote, text after a closing quote) is
    an error row, and the lines after its first are read again as records, so an unclosed
    quote never merges the records after it into one field.
    """
    csv.field_size_limit(sys.maxsize)
    limit = _bound(max_chars, max_line_bytes)
    wide = _wide_encoding(_head(path))
    if wide:
        yield _wide_row(path, wide)
        return
    opener = gzip.open if path.endswith(".gz") else open
    # surrogateescape keeps undecodable bytes as lone surrogates (U+DC80-U+DCFF) instead of
    # stopping the decoder, so one bad byte costs one record, not the rest of the file.
    with opener(path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        feed = _Feed(fh, limit)
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        header: list[str] | None = None
        problem = None
        while True:
            feed.start()
            try:
                values = next(reader)
            except StopIteration:
                return
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # a corrupt .csv.gz
                yield Row(
                    path,
                    feed.first_line(),
                    error_type="GzipError",
                    error_message=f"unreadable compressed data ({exc}); the rest of "
                    "the file is unread",
                )
                return
            except (csv.Error, _RecordTooLong) as exc:
                start = feed.first_line()
                swallowed = feed.record[1:]
                if isinstance(exc, _RecordTooLong):
                    etype, message = (
                        "InputError",
                        _too_long(
                            "record (an unclosed quote, or a field over --max-chars) is",
                            limit,
                            max_chars,
                            "characters",
                        ),
                    )
                    if feed.cut:  # keep only the cut line's start (for its id), then skip it
                        n, text = feed.record.pop()
                        feed.record.append((n, text[:4096]))
                        del text
                        swallowed = feed.record[1:-1]
                        feed.skip_rest_of_line()
                elif "unexpected end of data" in str(exc):
                    etype, message = (
                        "CSVError",
                        "unclosed quote: the record runs to the end of the file",
                    )
                else:
                    etype, message = "CSVError", f"{exc} (a quote inside a field is doubled)"
                if swallowed:
                    message += (
                        f"; lines {swallowed[0][0]}-{swallowed[-1][0]} are read again as records"
                    )
                feed.read_again(swallowed)
                rid = None
                if header is None:
                    header, problem = [], f"CSV header (line {start}) is unreadable"
                    message = f"unreadable CSV header: {message}"
                elif "id" in header and feed.record and not problem:
                    # The id comes early if at all: parse only the start of a long line.
                    rid = _id_from_line(feed.record[0][1][:4096], header.index("id"), delimiter)
                yield Row(path, start, id=rid, error_type=etype, error_message=message)
                continue
            start = feed.first_line()
            if not values:  # a blank line: not a record
                continue
            if header is None:
                header = values
                missing = [c for c in ("question", "answer") if c not in header]
                if missing:
                    problem = f"CSV header (line {start}) lacks column(s) {', '.join(missing)}"
                continue
            if problem:
                yield Row(path, start, error_type="InputError", error_message=problem)
                continue
            bad = _undecodable(values)
            if bad is not None:
                col = header[bad[0]] if bad[0] < len(header) else f"#{bad[0] + 1}"
                rid = (
                    values[header.index("id")]
                    if "id" in header and header.index("id") < len(values)
                    else None
                )
                yield Row(
                    path,
                    start,
                    id=rid if rid and not _ESCAPED.search(rid) else None,
                    error_type="EncodingError",
                    error_message=f"not valid UTF-8 (byte 0x{bad[1]:02x} in field "
                    f"{col!r}); re-save the file as UTF-8",
                )
                continue
            rec = dict(zip(header, values, strict=False))
            if len(values) > len(header):
                rec["_extra_fields"] = values[len(header) :]
            yield row_from_record(rec, path, start, max_chars, truncate)


def _id_from_line(line: str, column: int, delimiter: str) -> str | None:
    """The id field of a broken record's first line, when a later field is where it broke."""
    try:
        fields = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    if column >= len(fields) - 1 or _ESCAPED.search(fields[column]):
        return None
    return fields[column] or None


_ESCAPED = re.compile("[\udc80-\udcff]")


def _undecodable(values: list[str]) -> tuple[int, int] | None:
    """(field index, byte) of the first byte that surrogateescape kept, or None."""
    # Encoding fails only on a surrogate, and the only surrogates in text read from UTF-8
    # with surrogateescape are the kept bytes (U+DC80-U+DCFF: the decoder refuses encoded
    # surrogates as bytes), so a record that encodes has none: about 5x faster than the
    # search, which runs only to say where.
    try:
        for v in values:
            v.encode("utf-8")
    except UnicodeEncodeError:
        return _undecodable_plain(values)
    return None


def _undecodable_plain(values: list[str]) -> tuple[int, int] | None:
    """:func:`_undecodable` by searching every field."""
    for i, v in enumerate(values):
        m = _ESCAPED.search(v)
        if m:
            return i, ord(m.group()) - 0xDC00
    return None


# --------------------------------------------------------------------------- pages

# Scraper artefacts: never answer text, dropped wherever they are.
_SCRAPER_CHROME = re.compile(r"^(?:View Source|Reticulating Splines)$", re.I)
# Navigation and the minister's portrait caption: chrome before the answer starts. Inside
# the answer a paragraph may well read "Next" or end in "Portrait", so there navigation is
# dropped only as the run of lines after the last answer paragraph, and portraits never.
_NAV_CHROME = re.compile(
    r"^(?:Share|Print|Back to top|Skip to main content|Previous|Next|Menu|Search|Home|"
    r"Parliamentary Questions|Cookie settings|Accept(?: all)? cookies|Sign in|Log in|Tweet|"
    r"Email|Copy link)$",
    re.I,
)
_PORTRAIT = re.compile(r"^.* Portrait$", re.I)
_ASKED = re.compile(r"\(asked on ([^)]+)\)")
_BODY = re.compile(r"^Question to (?:the )?(.+?):?\s*$")
_ANSWERED_ON = re.compile(r"^This question was answered on (.+?)\.?\s*$")
_TRAILING_CHROME = re.compile(r"(?:View Source|Reticulating Splines)\s*$")


def parse_page(text: str, file: str = "<page>") -> QAPair:
    """Extract question, answer and metadata from a parliamentary question page's text.

    The page is the text of a written-question web page as scraped: title line, "(asked on
    …)", "Question to the …:", the question ("To ask …"), "Answered by", the minister, "This
    question was answered on …", then the answer paragraphs. Page chrome ("View Source",
    "… Portrait", "Reticulating Splines", navigation) is dropped: navigation and portrait
    captions only outside the answer, and navigation after its last paragraph.

    Raises
    ------
    InputError
        When no question or no answer can be found.
    """
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    meta: dict = {"format": "page"}
    title = next((ln for ln in lines if ln), "")
    if title and not title.lower().startswith("to ask"):
        meta["heading"] = _TRAILING_CHROME.sub("", title).strip()
    question_lines: list[str] = []
    answer_lines: list[str] = []
    state = "head"
    for ln in lines:
        m = _ASKED.search(ln)
        if m and "asked_on" not in meta:
            meta["asked_on"] = m.group(1).strip()
            continue
        m = _BODY.match(ln)
        if m and state == "head":
            meta["answering_body"] = m.group(1).strip()
            state = "question"
            continue
        if ln.lower().startswith("answered by"):
            state = "answerer"
            continue
        m = _ANSWERED_ON.match(ln)
        if m:
            meta["answered_on"] = m.group(1).strip()
            state = "answer"
            continue
        ln = _TRAILING_CHROME.sub("", ln).strip()
        if not ln or _SCRAPER_CHROME.match(ln):
            continue
        if state != "answer" and (_NAV_CHROME.match(ln) or _PORTRAIT.match(ln)):
            continue
        if state == "head" and ln.lower().startswith("to ask"):
            state = "question"
        if state == "question":
            question_lines.append(ln)
        elif state == "answerer":
            meta.setdefault("answered_by", ln)
        elif state == "answer":
            answer_lines.append(ln)
    while answer_lines and _NAV_CHROME.match(answer_lines[-1]):  # navigation after it
        answer_lines.pop()
    if not question_lines:
        raise InputError(
            "no question found (expected a line starting 'To ask' or 'Question to the …:')",
            file=file,
            field="question",
        )
    if not answer_lines:
        raise InputError(
            "no answer found (expected 'This question was answered on …' followed by the answer)",
            file=file,
            field="answer",
        )
    # Paragraphs are joined with a blank line; clean_text turns that into one space.
    return QAPair.make(" ".join(question_lines), "\n\n".join(answer_lines), meta.get("id"), **meta)


def read_page(
    path: str,
    max_chars: int | None = None,
    truncate: bool = False,
    max_line_bytes: int | None = None,
) -> Iterator[Row]:
    """Yield the single pair of a parliamentary question page (or one error row).

    ``max_chars`` bounds the extracted question and answer as for JSONL and CSV rows; a page
    file over ``max_line_bytes`` (default: :func:`line_limit` of ``max_chars``) is not read.
    """
    limit = _bound(max_chars, max_line_bytes)
    try:
        with open(path, "rb") as fh:
            data = fh.read(-1 if limit is None else limit + 1)
        if limit is not None and len(data) > limit:
            yield Row(
                path,
                1,
                error_type="InputError",
                error_message=_too_long("page is", limit, max_chars),
            )
            return
        wide = _wide_encoding(data[:4])
        if wide:
            yield _wide_row(path, wide)
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Row(
                path,
                1,
                error_type="EncodingError",
                error_message=f"not valid UTF-8 ({exc.reason}); re-save as UTF-8",
            )
            return
        pair = parse_page(text, path)
    except InputError as exc:
        yield Row(path, 1, error_type="InputError", error_message=exc.reason)
        return
    if max_chars is not None and max(len(pair.question), len(pair.answer)) > max_chars:
        rec = {"question": pair.question, "answer": pair.answer, **pair.metadata}
        yield row_from_record(rec, path, 1, max_chars, truncate)
        return
    yield Row(path, 1, id=pair.id, pair=pair)


# --------------------------------------------------------------------------- dispatch


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Expand directories into their supported files (sorted); keep files and ``-``."""
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            # The tool's own files (OWN_FILE_MARK) of a run writing into this directory, such
            # as its resume state (a .json), are not input.
            found = sorted(
                str(f)
                for f in p.rglob("*")
                if f.is_file()
                and str(f).lower().endswith(SUPPORTED_SUFFIXES)
                and OWN_FILE_MARK not in f.name
            )
            if not found:
                raise InputError(
                    f"directory holds no supported files ({', '.join(SUPPORTED_SUFFIXES)})",
                    file=item,
                )
            out.extend(found)
        elif p.is_file():
            out.append(item)
        else:
            raise InputError("no such file or directory", file=item)
    return out


def read_path(
    path: str,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    truncate: bool = False,
    max_line_bytes: int | None = None,
) -> Iterator[Row]:
    """Read one file (or ``-``) by its suffix: JSONL (also .json, .gz), CSV, TSV, or a page.

    A ``.json`` file holding a JSON array is read as the Parliament Written Questions API's
    format (:func:`read_api_json`). ``max_line_bytes`` bounds a line,
    record or page (default: :func:`line_limit`).
    """
    low = path.lower()
    if is_api_json(path):  # the Written Questions API: a JSON array of {"value": {...}}
        return read_api_json(path, max_chars, truncate)
    if path == "-" or low.endswith(JSONL_SUFFIXES):
        return read_jsonl(path, max_chars, truncate, max_line_bytes)
    if low.endswith(CSV_SUFFIXES):
        return read_csv(path, max_chars, truncate, max_line_bytes)
    if low.endswith(TSV_SUFFIXES):
        return read_csv(path, max_chars, truncate, max_line_bytes, delimiter="\t")
    return read_page(path, max_chars, truncate, max_line_bytes)


def read_inputs(
    inputs: Iterable[str], max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
) -> Iterator[Row]:
    """Yield every row of every input in order; directories are expanded and sorted."""
    for path in expand_inputs(inputs):
        yield from read_path(path, max_chars, truncate)


def load_pairs(inputs: Iterable[str] | str | os.PathLike) -> list[QAPair]:
    """Read inputs into a list of pairs, raising :class:`InputError` on the first bad row.

    For training and evaluation, where a bad row should stop the run rather than be skipped.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [os.fspath(inputs)]
    pairs = []
    for row in read_inputs(inputs, max_chars=None):
        if row.error_type:
            raise InputError(row.error_message, file=row.file, line=row.line)
        pairs.append(row.pair)
    return pairs
