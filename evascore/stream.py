"""Streaming batch scoring: files in, one output row per input row, in order.

Reads, scores and writes in chunks, so memory stays flat however long the input. With
``-o OUT`` the output goes to a hidden partial file in OUT's folder, renamed into place
when complete; a resume state beside it records how many rows are safely written, so
``--resume`` continues an interrupted run to a byte-identical result. A lock file beside OUT
keeps a second run from writing the same OUT at the same time. A device, FIFO or
``/dev/stdout`` given as OUT is written through, never replaced.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import re
import secrets
import stat
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, the unique partial file remains
    fcntl = None

from evascore.batch import chunked, map_chunks
from evascore.errors import EvascoreError, InputError
from evascore.pairs import DEFAULT_MAX_CHARS, Row, expand_inputs, read_inputs
from evascore.persist import default_model_path, load_scorer, sha256_file
from evascore.referrals import resolve_referrals
from evascore.writers import csv_header, csv_text, meta_columns, record, scan_meta_keys, serialise


@dataclass
class Summary:
    rows: int = 0
    scored: int = 0
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        return (
            f"evascore: {self.rows} rows, {self.scored} scored, {self.errors} errors, "
            f"{self.seconds:.1f} s, {rate:,.0f} rows/s"
        )


# ---------------------------------------------------------------------- records


@dataclass
class ChunkFailure:
    """How the model failed on a chunk: the first exception, and whether every row failed."""

    type: str
    message: str
    traceback: str
    every_row: bool = False


def score_records(model, rows: list[Row], include_text: bool = False) -> tuple[list[dict], int]:
    """Score a chunk of rows; return one output record per row and the number of error rows.

    A chunk that fails as a whole is retried row by row so that one bad row cannot take its
    neighbours down with it.
    """
    recs, errors, _ = _score_records(model, rows, include_text)
    return recs, errors


def _score_records(
    model, rows: list[Row], include_text: bool = False
) -> tuple[list[dict], int, ChunkFailure | None]:
    """:func:`score_records`, also saying how the model failed on the chunk, if it did."""
    good = [r for r in rows if r.pair is not None]
    results: dict[int, object] = {}
    failure = None
    try:
        for r, a in zip(good, model.assess([r.pair for r in good]), strict=True):
            results[id(r)] = a
    except Exception as exc:  # noqa: BLE001 - fall back to one row at a time
        failure = ChunkFailure(type(exc).__name__, _one_line(exc), traceback.format_exc())
        outcomes = set()
        for r in good:
            try:
                results[id(r)] = model.assess([r.pair])[0]
                outcomes.add(None)
            except Exception as exc:  # noqa: BLE001
                results[id(r)] = (type(exc).__name__, str(exc) or repr(exc))
                outcomes.add(results[id(r)])
        # Two or more rows all failing alike is the model's fault, not the rows'.
        if len(good) > 1 and len(outcomes) == 1 and None not in outcomes:
            etype, message = outcomes.pop()
            first_line = message.splitlines()[0] if message.strip() else message
            failure = ChunkFailure(etype, first_line, failure.traceback, every_row=True)
    recs, errors = [], 0
    for r in rows:
        res = results.get(id(r))
        if res is None or isinstance(res, tuple):
            errors += 1
            recs.append(
                record(r, error=res if isinstance(res, tuple) else None, include_text=include_text)
            )
        else:
            recs.append(record(r, res, include_text=include_text))
    return recs, errors, failure


def _one_line(exc: BaseException) -> str:
    text = str(exc) or repr(exc)
    return text.splitlines()[0] if text.strip() else repr(exc)


def score_rows(
    model,
    rows: list[Row],
    fmt: str = "jsonl",
    include_text: bool = False,
    meta_cols: list[str] | None = None,
) -> tuple[str, int]:
    """Score a chunk of rows; return the serialised output and the number of error rows."""
    text, errors, _ = _score_rows(model, rows, fmt, include_text, meta_cols)
    return text, errors


def _score_rows(
    model, rows: list[Row], fmt: str, include_text: bool = False, meta_cols: list[str] | None = None
) -> tuple[str, int, ChunkFailure | None]:
    """:func:`score_rows`, also saying how the model failed on the chunk, if it did."""
    recs, errors, failure = _score_records(model, rows, include_text)
    return serialise(recs, fmt, include_text, meta_cols), errors, failure


# ---------------------------------------------------------------------- output files


def _fingerprint(files: list[str]) -> list[dict]:
    out = []
    for f in files:
        out.append({"file": f, "bytes": os.path.getsize(f), "sha256": sha256_file(f)})
    return out


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is missing: not the same file
        return False


def output_conflict(inputs: Sequence[str], output: str | None) -> str | None:
    """The usage error when ``-o OUT`` is one of the input files (it would be replaced)."""
    if output is None:
        return None
    for item in inputs:
        if item != "-" and os.path.isfile(item) and _same_file(item, output):
            return (
                f"-o {output} is the input file {item}: scoring would replace it; "
                "write the scores to another file"
            )
    return None


def _input_files(inputs: Sequence[str], output: str | None) -> list[str]:
    """The input files, with directories expanded, minus the tool's own files in them.

    A directory may hold OUT (scored into it by an earlier run) and a run's partial, resume
    and lock files: reading them back as input would score the scores.
    :func:`evascore.pairs.expand_inputs` leaves out the latter (``OWN_FILE_MARK``, for
    train and evaluate too); OUT, whatever its name, is left out here.
    """
    conflict = output_conflict(inputs, output)
    if conflict:
        raise InputError(conflict)
    files: list[str] = []
    for item in inputs:
        found = expand_inputs([item])
        if item != "-" and os.path.isdir(item) and output is not None:
            found = [f for f in found if not _same_file(f, output)]
            if not found:
                raise InputError(
                    "directory holds no supported files besides this run's output", file=item
                )
        files.extend(found)
    return files


def _written_through(output: str) -> bool:
    """True when OUT must be written in place: a device, FIFO or socket, or /dev/stdout.

    Renaming a file onto such a name would replace the device (as root, even /dev/stdout)
    with a regular file. ``/dev/stdout``, ``/dev/fd/N`` and ``/proc/self/fd/N`` stand for an
    open file of the shell's: even when it is a regular file it is written through, appended
    to as the shell opened it.
    """
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise EvascoreError(f"{output}: is a directory; -o needs a file name")
    if mode is not None and not stat.S_ISREG(mode):
        return True
    path = os.path.abspath(output)
    for _ in range(40):  # follow the links one by one: is any of them a /proc fd link?
        folder = os.path.realpath(os.path.dirname(path))
        if folder == "/proc" or folder.startswith("/proc/"):
            return True
        path = os.path.join(folder, os.path.basename(path))
        if not os.path.islink(path):
            return False
        path = os.path.join(folder, os.readlink(path))
    return False


_PARTIAL = re.compile(r"\.(?P<out>.+)\.[0-9a-f]{16}\.evascore-partial")


def _state_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.evascore-resume.json")


def _new_partial(out: Path) -> Path:
    """A partial file of this run's own: a stale or concurrent run's never shares its name."""
    return out.with_name(f".{out.name}.{secrets.token_hex(8)}.evascore-partial")


def _write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, sort_keys=True), "utf-8")
    os.replace(tmp, path)


@contextmanager
def _locked(out: Path, output: str) -> Iterator[None]:
    """Hold ``.OUT.evascore-lock`` for the run; refuse when another run holds it."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    lock = out.with_name(f".{out.name}.evascore-lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise EvascoreError(
                f"{output}: another evascore run is writing it (it holds "
                f"{lock.name}); wait for it to finish, or use another -o"
            ) from None
        # The run before us removes the lock file as it finishes: if it did so after we
        # opened it, we hold a lock on a file nobody else will see; take the new one.
        try:
            now = os.stat(lock)
            held = os.fstat(fd)
            if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)  # still locked: nobody can take the old file meanwhile
        os.close(fd)


def _refuse(output: str, why: str) -> EvascoreError:
    return EvascoreError(f"{output}: cannot resume: {why}; run again without --resume")


_STATE_FIELDS = {
    "model_sha256": str,
    "inputs": list,
    "format": str,
    "truncate": bool,
    "include_text": bool,
    "rows_done": int,
    "bytes_done": int,
    "errors": int,
    "partial": str,
}


def _read_state(output: str, out: Path) -> tuple[dict, Path]:
    """The resume state and its partial file, checked: a one-line refusal if unusable."""
    state_path = _state_path(out)
    if not state_path.exists():
        raise EvascoreError(
            f"{output}: nothing to resume (no interrupted run found); run again without --resume"
        )
    try:
        old = json.loads(state_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _refuse(
            output, f"its resume state {state_path.name} is unreadable ({type(exc).__name__})"
        ) from None
    if not isinstance(old, dict):
        raise _refuse(output, f"its resume state {state_path.name} is not a JSON object")
    for key, kind in _STATE_FIELDS.items():
        value = old.get(key)
        # bool is an int to isinstance; a count must be a real, non-negative int.
        if type(value) is not kind or (kind is int and value < 0):
            raise _refuse(
                output,
                f"its resume state {state_path.name} is incomplete or corrupt (field {key!r})",
            )
    max_chars = old.get("max_chars", "missing")
    if old["errors"] > old["rows_done"] or not (max_chars is None or type(max_chars) is int):
        raise _refuse(output, f"its resume state {state_path.name} is incomplete or corrupt")
    match = _PARTIAL.fullmatch(old["partial"])
    if not match or match["out"] != out.name:  # a name beside OUT, never a path elsewhere
        raise _refuse(output, f"its resume state {state_path.name} names another partial file")
    partial_path = out.with_name(old["partial"])
    if not partial_path.is_file():
        raise EvascoreError(
            f"{output}: nothing to resume (the partial file "
            f"{partial_path.name} is gone); run again without --resume"
        )
    size = partial_path.stat().st_size
    if size < old["bytes_done"]:
        raise _refuse(
            output,
            f"the partial file {partial_path.name} holds {size:,} bytes, "
            f"fewer than the {old['bytes_done']:,} its state records",
        )
    return old, partial_path


def _clear_stale(out: Path) -> None:
    """Remove an interrupted run's partial and state before starting afresh (lock held)."""
    state_path = _state_path(out)
    try:
        old = json.loads(state_path.read_text("utf-8"))
        name = old.get("partial") if isinstance(old, dict) else None
    except (OSError, UnicodeDecodeError, ValueError):
        name = None
    match = _PARTIAL.fullmatch(name) if isinstance(name, str) else None
    if match and match["out"] == out.name:
        out.with_name(name).unlink(missing_ok=True)
        out.with_name(name + ".resolved").unlink(missing_ok=True)  # killed while resolving
    state_path.unlink(missing_ok=True)


# ---------------------------------------------------------------------- main loop


def _skip(rows: Iterator[Row], n: int) -> Iterator[Row]:
    for i, r in enumerate(rows):
        if i >= n:
            yield r


def _debug_wanted(debug: bool | None) -> bool:
    if debug is not None:
        return debug
    return os.environ.get("EVASCORE_DEBUG", "") not in ("", "0")


def score_files(
    inputs: Sequence[str],
    output: str | None = None,
    fmt: str | None = None,
    model_path: str | None = None,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    truncate: bool = False,
    n_jobs: int = 1,
    batch_size: int = 1000,
    resume: bool = False,
    model=None,
    progress: bool | None = None,
    include_text: bool = False,
    debug: bool | None = None,
) -> Summary:
    """Score every row of ``inputs`` into ``output`` (stdout when None). Returns a summary.

    ``include_text`` adds the (cleaned) question and answer to each row. ``debug`` (default:
    ``$EVASCORE_DEBUG`` set and not 0) prints the traceback of the first exception the model
    raised to stderr.

    Raises
    ------
    EvascoreError
        On fatal problems (unreadable model, missing input, OUT being an input or written
        by another run, refused resume, a model that fails on every row of the first
        chunk). Bad rows are never fatal: they become error rows.

    With ``output`` a regular file, referrals (``refers_to``) are resolved against the whole
    batch once every row is scored, still under the lock and before the partial file is
    renamed into place. On stdout, or a device or FIFO written through, rows leave before
    their targets are read, so ``found`` stays ``None`` there (``evascore report`` resolves
    them).
    """
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {batch_size}")
    if max_chars is not None and max_chars < 1:
        raise InputError(f"--max-chars must be at least 1, got {max_chars}")
    if n_jobs is not None and n_jobs == 0:
        raise InputError("--n-jobs must not be 0 (1: this process; -1: all cores)")
    if fmt is None:
        fmt = "csv" if output and output.lower().endswith(".csv") else "jsonl"
    files = _input_files(inputs, output)
    through = output is not None and _written_through(output)
    if resume:
        if output is None:
            raise EvascoreError("--resume needs -o OUT")
        if through:
            raise EvascoreError(
                f"{output}: cannot resume: it is not a regular file (a device, "
                "FIFO or /dev/stdout is written through, with no resume "
                "state); run again without --resume"
            )
        if "-" in files:
            raise EvascoreError("--resume cannot be used with standard input")
    frozen = model is None and gc.get_freeze_count() == 0
    if model is None:
        model = load_scorer(model_path)
    args = (
        files,
        output,
        fmt,
        model,
        max_chars,
        truncate,
        n_jobs,
        batch_size,
        progress,
        debug,
        include_text,
    )
    with _frozen(frozen):
        if output is None or through:
            return _score_into(*args)
        mpath = Path(model_path) if model_path else default_model_path()
        model_sha = getattr(model, "card_", {}).get("model_sha256") or sha256_file(mpath)
        # Beside the file a symlink names, so that the link is kept and its target replaced.
        out = Path(os.path.realpath(output))
        with _locked(out, output):
            return _score_into(*args, out=out, model_sha=model_sha, resume=resume)


@contextmanager
def _frozen(on: bool):
    """With ``on``, the process's objects, the model just loaded among them, are out of the
    collector's view until the run ends (gc.freeze): the full passes while rows are read and
    written then do not walk the model's vocabularies each time (about 0.1 s per 20,000
    rows, issue 12). Undone when the run ends, also on failure."""
    if not on:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _score_into(
    files: list[str],
    output: str | None,
    fmt: str,
    model,
    max_chars: int | None,
    truncate: bool,
    n_jobs: int,
    batch_size: int,
    progress: bool | None,
    debug: bool | None,
    include_text: bool,
    out: Path | None = None,
    model_sha: str | None = None,
    resume: bool = False,
) -> Summary:
    """The run itself: to stdout or a written-through OUT (``out`` None), else atomically."""
    t0 = time.perf_counter()
    summary = Summary()
    # A CSV header names every meta_* column before the first row: read the inputs' keys.
    meta_cols = meta_columns(scan_meta_keys(files, max_chars, truncate)) if fmt == "csv" else []
    rows_done = 0
    state_path = partial_path = state = None
    if out is not None:
        state_path = _state_path(out)
        state = {
            "model_sha256": model_sha,
            "inputs": None if "-" in files else _fingerprint(files),
            "format": fmt,
            "max_chars": max_chars,
            "truncate": truncate,
            "include_text": include_text,
            "rows_done": 0,
            "bytes_done": 0,
            "errors": 0,
        }
        if resume:
            old, partial_path = _read_state(output, out)
            for key, what in (
                ("model_sha256", "the model"),
                ("inputs", "the input files"),
                ("format", "--format"),
                ("max_chars", "--max-chars"),
                ("truncate", "--truncate"),
                ("include_text", "--include-text"),
            ):
                if old.get(key) != state[key]:
                    raise _refuse(output, f"{what} changed since the interrupted run")
            rows_done, summary.errors = old["rows_done"], old["errors"]
            state.update(
                rows_done=rows_done,
                bytes_done=old["bytes_done"],
                errors=summary.errors,
                partial=partial_path.name,
            )
            sink = open(partial_path, "r+b")
            sink.truncate(old["bytes_done"])
            sink.seek(old["bytes_done"])
        else:
            _clear_stale(out)
            partial_path = _new_partial(out)
            state["partial"] = partial_path.name
            sink = open(partial_path, "wb")
            if fmt == "csv":
                state["bytes_done"] = sink.write(csv_header(meta_cols, include_text))
                sink.flush()
                os.fsync(sink.fileno())
            _write_state(state_path, state)
    elif output is not None:
        # Appended, as the shell would: truncating /dev/stdout could wipe a file opened >>.
        sink = open(output, "ab")
        if fmt == "csv":
            sink.write(csv_header(meta_cols, include_text))
    else:
        sink = sys.stdout.buffer
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
    debug = _debug_wanted(debug)
    shown = False
    results = map_chunks(
        _ScoreChunk(model, fmt, include_text, meta_cols), chunked(rows, batch_size), n_jobs
    )
    try:
        for i, (text, errors, n, failure) in enumerate(results):
            if failure is not None and debug and not shown:
                shown = True
                print(
                    f"evascore: the model's first failure (chunk {i + 1}):\n{failure.traceback}",
                    file=sys.stderr,
                    end="",
                )
            if i == 0 and failure is not None and failure.every_row:
                hint = "" if debug else " (EVASCORE_DEBUG=1 or --debug shows the traceback)"
                if out is not None and not resume:  # nothing worth resuming
                    _discard(partial_path, state_path, sink)
                raise EvascoreError(
                    f"the model failed on every row of the first chunk "
                    f"({n} rows): {failure.type}: {failure.message}{hint}"
                )
            data = text.encode("utf-8")
            sink.write(data)
            summary.rows += n
            summary.errors += errors
            summary.scored += n - errors
            if state is not None:
                sink.flush()
                os.fsync(sink.fileno())
                state.update(
                    rows_done=summary.rows,
                    bytes_done=state["bytes_done"] + len(data),
                    errors=summary.errors,
                )
                _write_state(state_path, state)
            if bar is not None:
                bar.update(n)
    finally:
        results.close()  # stops (and, with --n-jobs, kills) workers still busy on chunks
        if bar is not None:
            bar.close()
        if output is not None:
            sink.close()
        else:
            sink.flush()
    if out is not None:
        # Referrals resolved into a new file (``<partial>.resolved``, under the lock), so a
        # kill here leaves the partial file and its state resumable.
        resolved = resolve_file(partial_path, fmt)
        os.replace(resolved, out)
        partial_path.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - t0
    print(summary.line(), file=sys.stderr)
    return summary


def _discard(partial_path: Path, state_path: Path, sink) -> None:
    sink.close()
    partial_path.unlink(missing_ok=True)
    state_path.unlink(missing_ok=True)


class _ScoreChunk:
    """Score one chunk: its text, error count, length and failure (picklable for joblib)."""

    def __init__(
        self, model, fmt: str, include_text: bool = False, meta_cols: list[str] | None = None
    ):
        self.model, self.fmt = model, fmt
        self.include_text, self.meta_cols = include_text, meta_cols

    def __call__(self, rows: list[Row]) -> tuple[str, int, int, ChunkFailure | None]:
        text, errors, failure = _score_rows(
            self.model, rows, self.fmt, self.include_text, self.meta_cols
        )
        return text, errors, len(rows), failure


# ---------------------------------------------------------------------- referrals, at the end


def _slim(rec: dict) -> dict:
    meta = rec.get("meta") or {}
    return {
        "id": rec.get("id"),
        "label": rec.get("label"),
        "evasiveness": rec.get("evasiveness"),
        "meta": {k: meta.get(k) for k in ("uin", "date_answered", "department")},
        "refers_to": rec.get("refers_to"),
    }


def _takes_part(slim: dict) -> bool:
    """A row that refers to an answer, or that one could refer to (it has a UIN or an answer
    date): only these are held while referrals are resolved."""
    meta = slim["meta"]
    return bool(slim["refers_to"] or meta["uin"] or meta["date_answered"])


# A JSON output line that none of these occur in has no referral and no UIN or answer date
# (inside a JSON string a quote is always escaped, so these bytes are only ever keys).
_JSON_NO_REFERRAL = b'"refers_to": null'
_JSON_KEYS = (b'"uin": ', b'"date_answered": ')


def resolve_file(path, fmt: str = "jsonl"):
    """Resolve the referrals of a finished output file into ``.NAME.resolved`` beside it.

    Two streaming passes: only the rows that take part in a referral (sources, and answers
    with a UIN or a date that could be targets) are held, as their lookup keys, so memory stays
    flat on inputs without Parliament metadata. Returns the new file's path, or ``path``
    itself when no row refers to anything (the file is then already final). JSONL rows
    without a referral are copied byte for byte.
    """
    path = Path(path)
    out = path.with_name(path.name + ".resolved")
    if fmt == "csv":
        return _resolve_csv(path, out)
    held: dict[int, dict] = {}
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh):
            if _JSON_NO_REFERRAL in raw and not any(k in raw for k in _JSON_KEYS):
                continue
            slim = _slim(json.loads(raw))
            if _takes_part(slim):
                held[n] = slim
    if not any(s["refers_to"] for s in held.values()):
        return path
    resolve_referrals(list(held.values()))
    with open(path, "rb") as fh, open(out, "wb") as sink:
        for n, raw in enumerate(fh):
            s = held.get(n)
            if s is None or s["refers_to"] is None:
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


def _resolve_csv(path: Path, out: Path):
    """:func:`resolve_file` for CSV output: the same two streaming passes."""

    def reader(fh):
        rows = csv.reader(fh)
        head = next(rows, None)
        return head, {c: i for i, c in enumerate(head or [])}, rows

    def slim_of(cells, head):
        def cell(name):
            i = head.get(name)
            return cells[i] if i is not None and i < len(cells) and cells[i] != "" else None

        ref = None
        if cell("refers_to_uin") or cell("refers_to_date"):
            ref = {"uin": cell("refers_to_uin"), "date": cell("refers_to_date")}
        ev = cell("evasiveness")
        return {
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

    held: dict[int, dict] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        first, head, rows = reader(fh)
        for n, cells in enumerate(rows):
            slim = slim_of(cells, head)
            if _takes_part(slim):
                held[n] = slim
    if first is None or not any(s["refers_to"] for s in held.values()):
        return path
    resolve_referrals(list(held.values()))
    with (
        open(path, encoding="utf-8", newline="") as fh,
        open(out, "w", encoding="utf-8", newline="") as sink,
    ):
        first, head, rows = reader(fh)
        sink.write(csv_text([first]))
        for n, cells in enumerate(rows):
            s = held.get(n)
            if s is not None and s["refers_to"]:
                for key in ("found", "id", "label"):
                    i = head.get("refers_to_" + key)
                    if i is not None and i < len(cells):
                        v = s["refers_to"][key]
                        cells[i] = "" if v is None else str(v)
            sink.write(csv_text([cells]))
    return out
