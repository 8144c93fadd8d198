"""Streaming batch scoring: files in, one output row per input row, in order.

Reads, scores and writes in chunks, so memory stays flat however long the input. With
``-o OUT`` the output goes to a hidden partial file in OUT's folder, renamed into place
when complete; a resume state beside it records how many rows are safely written, so
``--resume`` continues an interrupted run to a byte-identical result.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from evascore.batch import chunked, map_chunks
from evascore.errors import EvascoreError, InputError
from evascore.pairs import DEFAULT_MAX_CHARS, Row, expand_inputs, read_inputs
from evascore.parliament import meta_cells, meta_columns, output_meta, scan_meta_keys
from evascore.parliament import refers_to as parliament_refers_to
from evascore.persist import default_model_path, load_model, sha256_file

CSV_COLUMNS = ("id", "label", "evasiveness", "p_direct", "p_partial", "p_evasive", "technique",
               "parts_total", "parts_addressed", "parts", "cues", "source_file", "source_line",
               "truncated", "error_type", "error_message")


@dataclass
class Summary:
    rows: int = 0
    scored: int = 0
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        return (f"evascore: {self.rows} rows, {self.scored} scored, {self.errors} errors, "
                f"{self.seconds:.1f} s, {rate:,.0f} rows/s")


# ---------------------------------------------------------------------- records


def record(row: Row, assessment=None, error: tuple[str, str] | None = None,
           include_text: bool = False) -> dict:
    """The output object for one input row (scored, or an error row).

    ``meta`` holds the input's other fields (with the department, see
    :func:`evascore.parliament.output_meta`); ``refers_to`` the answer a referral names.
    """
    rec: dict = {"id": row.id}
    if assessment is not None:
        d = assessment.to_dict()
        d.pop("id")
        rec.update(d)
        rec["error"] = None
    else:
        etype, msg = error or (row.error_type, row.error_message)
        rec.update({"label": None, "evasiveness": None, "probabilities": None, "technique": None,
                    "parts": None, "cues": None, "reasons": None, "sentences": None,
                    "error": {"type": etype, "message": msg}})
    rec["source"] = {"file": row.file, "line": row.line}
    rec["meta"] = output_meta(row)
    rec["refers_to"] = parliament_refers_to(row)
    if include_text:
        rec["question"] = row.pair.question if row.pair is not None else None
        rec["answer"] = row.pair.answer if row.pair is not None else None
    if row.truncated:
        rec["truncated"] = True
    return rec


_JSON = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(..., ensure_ascii=False) uses


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
        rec.get("id"), rec.get("label"), rec.get("evasiveness"), probs.get("direct"),
        probs.get("partial"), probs.get("evasive"), rec.get("technique"),
        None if parts is None else len(parts),
        None if parts is None else sum(p["addressed"] for p in parts),
        None if parts is None else json.dumps(parts, ensure_ascii=False),
        None if rec.get("cues") is None else json.dumps(rec["cues"], ensure_ascii=False),
        rec["source"]["file"], rec["source"]["line"], bool(rec.get("truncated")),
        err.get("type"), err.get("message"),
    ]


def _csv_text(rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    text = buf.getvalue()
    try:
        text.encode("utf-8")  # checked once per chunk, not per cell
    except UnicodeEncodeError:  # lone surrogates (an id, a file name): escape those cells
        return _csv_text([[_csv_escaped(v) for v in r] for r in rows])
    return text


def _csv_escaped(value):
    """A cell holding lone surrogates as a JSON string (ASCII escapes): json.loads reads it
    back exactly, where encoding with "replace" would collapse every such id to "?"."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value)
    return value


def score_records(model, rows: list[Row], include_text: bool = False
                  ) -> tuple[list[dict], int]:
    """Score a chunk of rows; return one output record per row and the number of error rows.

    A chunk that fails as a whole is retried row by row so that one bad row cannot take its
    neighbours down with it.
    """
    good = [r for r in rows if r.pair is not None]
    results: dict[int, object] = {}
    try:
        for r, a in zip(good, model.assess([r.pair for r in good]), strict=True):
            results[id(r)] = a
    except Exception:  # noqa: BLE001 - fall back to one row at a time
        for r in good:
            try:
                results[id(r)] = model.assess([r.pair])[0]
            except Exception as exc:  # noqa: BLE001
                results[id(r)] = (type(exc).__name__, str(exc) or repr(exc))
    recs, errors = [], 0
    for r in rows:
        res = results.get(id(r))
        if res is None or isinstance(res, tuple):
            errors += 1
            recs.append(record(r, error=res if isinstance(res, tuple) else None,
                               include_text=include_text))
        else:
            recs.append(record(r, res, include_text=include_text))
    return recs, errors


CSV_HEADER = _csv_text([list(CSV_COLUMNS)]).encode("utf-8")


#: CSV columns after :data:`CSV_COLUMNS` (then ``question, answer`` with --include-text,
#: then the ``meta_*`` columns and ``meta_other``).
CSV_REFERS_COLUMNS = ("refers_to_uin", "refers_to_date", "refers_to_found", "refers_to_id",
                      "refers_to_label")


def csv_extra_cells(rec: dict, meta_cols: list[str], include_text: bool = False) -> list:
    """The cells after :data:`CSV_COLUMNS`; metadata without a column goes to ``meta_other``."""
    ref = rec.get("refers_to") or {}
    meta = rec.get("meta") or {}
    other = {k: v for k, v in meta.items() if "meta_" + k not in meta_cols}
    text = [rec.get("question"), rec.get("answer")] if include_text else []
    return [ref.get("uin"), ref.get("date"), ref.get("found"), ref.get("id"), ref.get("label"),
            *text, *meta_cells(meta, meta_cols),
            json.dumps(other, ensure_ascii=False) if other else None]


def csv_header(meta_cols: list[str], include_text: bool = False) -> bytes:
    text = ["question", "answer"] if include_text else []
    return _csv_text([[*CSV_COLUMNS, *CSV_REFERS_COLUMNS, *text, *meta_cols, "meta_other"]]
                     ).encode("utf-8")


def score_rows(model, rows: list[Row], fmt: str = "jsonl", include_text: bool = False,
               meta_cols: list[str] | None = None) -> tuple[str, int]:
    """Score a chunk of rows; return the serialised output and the number of error rows."""
    recs, errors = score_records(model, rows, include_text)
    if fmt == "csv":
        cols = meta_columns([]) if meta_cols is None else meta_cols
        return _csv_text([to_csv_row(x) + csv_extra_cells(x, cols, include_text)
                          for x in recs]), errors
    text = "".join([_JSON.encode(x) + "\n" for x in recs])
    try:
        text.encode("utf-8")  # checked once per chunk, not per row
    except UnicodeEncodeError:  # lone surrogates in an id or metadata: per row, as ASCII
        text = "".join(to_json_line(x) for x in recs)
    return text, errors


# ---------------------------------------------------------------------- resume state


def _fingerprint(files: list[str]) -> list[dict]:
    out = []
    for f in files:
        out.append({"file": f, "bytes": os.path.getsize(f), "sha256": sha256_file(f)})
    return out


def _paths(output: str) -> tuple[Path, Path]:
    out = Path(output)
    return (out.with_name(f".{out.name}.evascore-partial"),
            out.with_name(f".{out.name}.evascore-resume.json"))


def _write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, sort_keys=True), "utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------- main loop


def _skip(rows: Iterator[Row], n: int) -> Iterator[Row]:
    for i, r in enumerate(rows):
        if i >= n:
            yield r


def score_files(inputs: Sequence[str], output: str | None = None, fmt: str | None = None,
                model_path: str | None = None, max_chars: int | None = DEFAULT_MAX_CHARS,
                truncate: bool = False, n_jobs: int = 1, batch_size: int = 1000,
                resume: bool = False, model=None, progress: bool | None = None,
                include_text: bool = False) -> Summary:
    """Score every row of ``inputs`` into ``output`` (stdout when None). Returns a summary.

    Raises
    ------
    EvascoreError
        On fatal problems (unreadable model, missing input, refused resume). Bad rows are
        never fatal: they become error rows.

    With ``output``, referrals (``refers_to``) are resolved against the whole batch once
    every row is scored; on stdout rows leave before their targets are read, so ``found``
    stays ``None`` there (``evascore report`` resolves them).
    """
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {batch_size}")
    if max_chars is not None and max_chars < 1:
        raise InputError(f"--max-chars must be at least 1, got {max_chars}")
    if n_jobs is not None and n_jobs == 0:
        raise InputError("--n-jobs must not be 0 (1: this process; -1: all cores)")
    if fmt is None:
        fmt = "csv" if output and output.lower().endswith(".csv") else "jsonl"
    files = expand_inputs(inputs)
    if model is None:
        model = load_model(model_path)
    mpath = Path(model_path) if model_path else default_model_path()
    model_sha = model.card.get("model_sha256") or sha256_file(mpath)
    t0 = time.perf_counter()
    summary = Summary()
    # A CSV header names every meta_* column before the first row: read the inputs' keys.
    meta_cols = meta_columns(scan_meta_keys(files, max_chars, truncate)) if fmt == "csv" else []

    rows_done = 0
    state_path = partial_path = None
    if output is not None:
        partial_path, state_path = _paths(output)
        if resume and "-" in files:
            raise EvascoreError("--resume cannot be used with standard input")
        state = {"model_sha256": model_sha,
                 "inputs": None if "-" in files else _fingerprint(files), "format": fmt,
                 "max_chars": max_chars, "truncate": truncate, "batch_size": batch_size,
                 "include_text": include_text,
                 "rows_done": 0, "bytes_done": 0, "errors": 0}
        if resume:
            if not state_path.exists() or not partial_path.exists():
                raise EvascoreError(f"{output}: nothing to resume (no interrupted run found); "
                                    "run again without --resume")
            old = json.loads(state_path.read_text("utf-8"))
            for key, what in (("model_sha256", "the model"), ("inputs", "the input files"),
                              ("format", "--format"), ("max_chars", "--max-chars"),
                              ("truncate", "--truncate"),
                              ("include_text", "--include-text")):
                if old.get(key) != state[key]:
                    raise EvascoreError(f"{output}: cannot resume: {what} changed since the "
                                        "interrupted run; run again without --resume")
            rows_done, summary.errors = old["rows_done"], old.get("errors", 0)
            state.update(rows_done=rows_done, bytes_done=old["bytes_done"], errors=summary.errors)
            sink = open(partial_path, "r+b")
            sink.truncate(old["bytes_done"])
            sink.seek(old["bytes_done"])
        else:
            sink = open(partial_path, "wb")
            if fmt == "csv":
                state["bytes_done"] = sink.write(csv_header(meta_cols, include_text))
                sink.flush()
                os.fsync(sink.fileno())
            _write_state(state_path, state)
    else:
        sink = sys.stdout.buffer
        state = None
        if fmt == "csv":
            sink.write(csv_header(meta_cols, include_text))
    rows = read_inputs(files, max_chars, truncate)
    if rows_done:
        rows = _skip(rows, rows_done)
    summary.rows = rows_done
    summary.scored = rows_done - summary.errors

    bar = None
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        try:
            from tqdm import tqdm

            bar = tqdm(unit=" rows", file=sys.stderr, initial=rows_done)
        except ImportError:  # pragma: no cover - tqdm is a dependency
            bar = None
    fn = partial(score_rows, model, fmt=fmt, include_text=include_text, meta_cols=meta_cols)
    try:
        for text, errors, n in map_chunks(_count(fn), chunked(rows, batch_size), n_jobs):
            data = text.encode("utf-8")
            sink.write(data)
            summary.rows += n
            summary.errors += errors
            summary.scored += n - errors
            if state is not None:
                sink.flush()
                os.fsync(sink.fileno())
                state.update(rows_done=summary.rows, bytes_done=state["bytes_done"] + len(data),
                             errors=summary.errors)
                _write_state(state_path, state)
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
        if output is not None:
            sink.close()
        else:
            sink.flush()
    if output is not None:
        # Resolved into a new file, so a kill here leaves the partial file resumable.
        from evascore.parliament import resolve_file

        resolved = resolve_file(partial_path, fmt)
        os.replace(resolved, output)
        partial_path.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - t0
    print(summary.line(), file=sys.stderr)
    return summary


class _count:
    """Wrap a chunk function to also return the chunk's length (picklable for joblib)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, rows):
        text, errors = self.fn(rows)
        return text, errors, len(rows)
