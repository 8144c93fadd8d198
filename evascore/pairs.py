"""Readers: files and Python objects -> :class:`QAPair` rows, one per input record.

Readers never raise on a bad record. They yield a :class:`Row` whose ``error`` says what
was wrong, where, and in which field, so that batch scoring gives exactly one output row
for every input row.
"""

from __future__ import annotations

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

SUPPORTED_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".csv", ".csv.gz", ".txt", ".html",
                      ".htm")
DEFAULT_MAX_CHARS = 100_000


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


def row_from_record(rec: object, file: str, line: int, max_chars: int | None = DEFAULT_MAX_CHARS,
                    truncate: bool = False) -> Row:
    """Turn one decoded record (a dict from JSONL or CSV) into a :class:`Row`."""
    if not isinstance(rec, dict):
        return Row(file, line, error_type="InputError",
                   error_message=f"expected a JSON object, got {type(rec).__name__}")
    rid = rec.get("id")
    rid = None if rid is None else str(rid)
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
                return _fail(row, f"field {name!r} has {len(value):,} characters, over "
                                  f"--max-chars {max_chars:,} (raise it, or use --truncate)")
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


def _fail(row: Row, message: str) -> Row:
    row.error_type, row.error_message = "InputError", message
    return row


# --------------------------------------------------------------------------- JSONL


def _open_binary(path: str) -> io.BufferedIOBase:
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _lines(fh) -> Iterator[bytes | Exception]:
    """The lines of ``fh``; a corrupt or truncated .gz stream ends them with its error."""
    it = iter(fh)
    while True:
        try:
            yield next(it)
        except StopIteration:
            return
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            yield exc
            return


def read_jsonl(path: str, max_chars: int | None = DEFAULT_MAX_CHARS,
               truncate: bool = False) -> Iterator[Row]:
    """Yield one :class:`Row` per non-blank line of a JSON Lines file (``-`` is stdin).

    Lines are split on ``\\n`` only, so U+2028 inside a string is text, not a line break.
    Each line is decoded as strict UTF-8 (a BOM on the first line is dropped).
    """
    fh = _open_binary(path)
    try:
        for lineno, raw in enumerate(_lines(fh), start=1):
            if isinstance(raw, Exception):
                yield Row(path, lineno, error_type="GzipError",
                          error_message=f"unreadable compressed data ({raw}); the rest of "
                                        "the file is unread")
                return
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Row(path, lineno, error_type="EncodingError",
                          error_message=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                                        f"column {exc.start + 1}); re-save the file as UTF-8")
                continue
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(path, lineno, error_type="JSONDecodeError",
                          error_message=f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            except (ValueError, RecursionError) as exc:  # 4,300+ digit integers; deep nesting
                yield Row(path, lineno, error_type="JSONDecodeError",
                          error_message=f"unreadable JSON: {str(exc).split(';')[0]}")
                continue
            yield row_from_record(rec, path, lineno, max_chars, truncate)
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


# --------------------------------------------------------------------------- CSV


def read_csv(path: str, max_chars: int | None = DEFAULT_MAX_CHARS,
             truncate: bool = False) -> Iterator[Row]:
    """Yield one :class:`Row` per record of a CSV file with a header row.

    ``line`` is the 1-based physical line on which the record starts (blank lines are
    skipped but counted). Fields of any length are read (the csv module's 131,072-character
    default limit is lifted). Bytes that are not UTF-8 make an error row of the record that
    holds them; the records around it are read as usual.
    """
    csv.field_size_limit(sys.maxsize)
    opener = gzip.open if path.endswith(".gz") else open
    # surrogateescape keeps undecodable bytes as lone surrogates (U+DC80-U+DCFF) instead of
    # stopping the decoder, so one bad byte costs one record, not the rest of the file.
    with opener(path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        header: list[str] | None = None
        problem = None
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # a corrupt .csv.gz
                yield Row(path, start, error_type="GzipError",
                          error_message=f"unreadable compressed data ({exc}); the rest of "
                                        "the file is unread")
                return
            except csv.Error as exc:
                if header is None:
                    raise InputError(f"unreadable CSV header: {exc}", file=path,
                                     line=start) from None
                yield Row(path, start, error_type="CSVError", error_message=str(exc))
                continue
            if not values:  # a blank line: not a record
                continue
            if header is None:
                header = values
                missing = [c for c in ("question", "answer") if c not in header]
                if missing:
                    problem = (f"CSV header (line {start}) lacks column(s) "
                               f"{', '.join(missing)}")
                continue
            if problem:
                yield Row(path, start, error_type="InputError", error_message=problem)
                continue
            bad = _undecodable(values)
            if bad is not None:
                col = header[bad[0]] if bad[0] < len(header) else f"#{bad[0] + 1}"
                yield Row(path, start, error_type="EncodingError",
                          error_message=f"not valid UTF-8 (byte 0x{bad[1]:02x} in field "
                                        f"{col!r}); re-save the file as UTF-8")
                continue
            rec = dict(zip(header, values, strict=False))
            if len(values) > len(header):
                rec["_extra_fields"] = values[len(header):]
            yield row_from_record(rec, path, start, max_chars, truncate)


_ESCAPED = re.compile("[\udc80-\udcff]")


def _undecodable(values: list[str]) -> tuple[int, int] | None:
    """(field index, byte) of the first byte that surrogateescape kept, or None."""
    for i, v in enumerate(values):
        m = _ESCAPED.search(v)
        if m:
            return i, ord(m.group()) - 0xDC00
    return None


# --------------------------------------------------------------------------- pages

_CHROME = re.compile(
    r"^(?:View Source|Reticulating Splines|Share|Print|Back to top|Skip to main content|"
    r"Previous|Next|Menu|Search|Home|Parliamentary Questions|Cookie settings|"
    r"Accept(?: all)? cookies|Sign in|Log in|.* Portrait|Tweet|Email|Copy link)$",
    re.I,
)
_ASKED = re.compile(r"\(asked on ([^)]+)\)")
_BODY = re.compile(r"^Question to (?:the )?(.+?):?\s*$")
_ANSWERED_ON = re.compile(r"^This question was answered on (.+?)\.?\s*$")
_TRAILING_CHROME = re.compile(r"(?:View Source|Reticulating Splines)\s*$")


def parse_page(text: str, file: str = "<page>") -> QAPair:
    """Extract question, answer and metadata from a parliamentary question page's text.

    The page is the text of a written-question web page as scraped: title line, "(asked on
    …)", "Question to the …:", the question ("To ask …"), "Answered by", the minister, "This
    question was answered on …", then the answer paragraphs. Page chrome ("View Source",
    "… Portrait", "Reticulating Splines", navigation) is dropped.

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
        if not ln or _CHROME.match(ln):
            continue
        if state == "head" and ln.lower().startswith("to ask"):
            state = "question"
        if state == "question":
            question_lines.append(ln)
        elif state == "answerer":
            meta.setdefault("answered_by", ln)
        elif state == "answer":
            answer_lines.append(ln)
    if not question_lines:
        raise InputError("no question found (expected a line starting 'To ask' or "
                         "'Question to the …:')", file=file, field="question")
    if not answer_lines:
        raise InputError("no answer found (expected 'This question was answered on …' "
                         "followed by the answer)", file=file, field="answer")
    # Paragraphs are joined with a blank line; clean_text turns that into one space.
    return QAPair.make(" ".join(question_lines), "\n\n".join(answer_lines),
                       meta.get("id"), **meta)


def read_page(path: str, max_chars: int | None = None, truncate: bool = False
              ) -> Iterator[Row]:
    """Yield the single pair of a parliamentary question page (or one error row).

    ``max_chars`` bounds the extracted question and answer as for JSONL and CSV rows.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Row(path, 1, error_type="EncodingError",
                      error_message=f"not valid UTF-8 ({exc.reason}); re-save as UTF-8")
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
            found = sorted(str(f) for f in p.rglob("*")
                           if f.is_file() and str(f).lower().endswith(SUPPORTED_SUFFIXES))
            if not found:
                raise InputError("directory holds no supported files "
                                 f"({', '.join(SUPPORTED_SUFFIXES)})", file=item)
            out.extend(found)
        elif p.is_file():
            out.append(item)
        else:
            raise InputError("no such file or directory", file=item)
    return out


def read_path(path: str, max_chars: int | None = DEFAULT_MAX_CHARS,
              truncate: bool = False) -> Iterator[Row]:
    """Read one file (or ``-``) by its suffix: JSONL (also .gz), CSV, or a page's text.

    A ``.json`` file holding a JSON array is read as the Parliament Written Questions API's
    format (:func:`evascore.parliament.read_api_json`).
    """
    low = path.lower()
    from evascore.parliament import is_api_json, read_api_json

    if is_api_json(path):  # the Written Questions API: a JSON array of {"value": {...}}
        return read_api_json(path, max_chars, truncate)
    if path == "-" or low.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json")):
        return read_jsonl(path, max_chars, truncate)
    if low.endswith((".csv", ".csv.gz")):
        return read_csv(path, max_chars, truncate)
    return read_page(path, max_chars, truncate)


def read_inputs(inputs: Iterable[str], max_chars: int | None = DEFAULT_MAX_CHARS,
                truncate: bool = False) -> Iterator[Row]:
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
