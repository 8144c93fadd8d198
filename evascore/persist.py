"""Saving and loading models with a JSON card beside each file.

A model file is a zlib-compressed pickle: loading it runs code. Only load model files you
trust. It holds the model twice over, sharing the large arrays: the compiled scorer
(:class:`evascore.scorer.Scorer`, numpy alone), which :func:`load_scorer` reads without
importing scikit-learn, and the scikit-learn estimator, which :func:`load_model` reads too.
The card records what produced the model and is checked on load: the file's sha256
(tampering or truncation), the library versions, and the label set.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import pickle
import platform
import tempfile
import warnings
import zlib
from importlib import resources
from pathlib import Path

import numpy as np

from evascore._version import __version__
from evascore.errors import ModelError
from evascore.labels import LABELS
from evascore.scorer import Scorer, feature_names

DEFAULT_MODEL_NAME = "evascore-default.joblib"
# A model file is a zlib-compressed pickle (protocol 5) of {"scorer": the compiled Scorer,
# "estimator": the EvasionModel's own pickle, as bytes}; the estimator's pickle refers to the
# arrays and vocabularies the scorer holds (pickle persistent ids) instead of repeating them.
# Python's C unpickler loads it where joblib's pure-Python one took 0.3-0.45 s, and the
# scorer alone loads without scikit-learn (issue 12). Files of the two earlier formats still
# load: "evascore-model/2" (the estimator's zlib-compressed pickle alone) and
# "evascore-model/1" (written by joblib.dump).
FORMAT = "evascore-model/3"
FORMATS = ("evascore-model/1", "evascore-model/2", FORMAT)
# How the shipped model is trained (README, models/README.md); the one command to retrain it.
DEFAULT_TRAINING = (
    "evascore train training_data/real_answers.jsonl training_data/corpus.jsonl "
    "--text-features --text-views answer,opening,question --class-weight none"
)
RETRAIN_HINT = "retrain with: " + DEFAULT_TRAINING + " -o {path}"


class VersionWarning(UserWarning):
    """The model was trained with a different patch release of a library."""


def card_path(model_path) -> Path:
    p = Path(model_path)
    return p.with_name(p.name.removesuffix(".joblib") + ".card.json")


def sha256_file(path, h=None) -> str:
    """Hex sha256 of a file, read in blocks; pass ``h`` to hash several files in turn."""
    h = hashlib.sha256() if h is None else h
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_model_path() -> Path:
    """The shipped model: ``$EVASCORE_MODEL``, else ``models/`` of a source checkout, else
    the installed copy (``evascore.models``)."""
    env = os.environ.get("EVASCORE_MODEL")
    if env:
        return Path(env)
    # Running from a checkout (``python -m pytest`` or ``python -m evascore`` in the repo puts
    # the source package first on sys.path, where models/ is a sibling, not a subpackage).
    repo = Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME
    if repo.is_file():
        return repo
    try:
        return Path(str(resources.files("evascore.models").joinpath(DEFAULT_MODEL_NAME)))
    except ModuleNotFoundError:
        return repo


def blas() -> list[dict]:
    """The BLAS/OpenMP libraries numpy and scipy run on, as threadpoolctl reports them.

    Retraining on another CPU can take another BLAS code path (OpenBLAS picks kernels by CPU),
    so probabilities may differ in the last bits: the card records what produced them.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
        return []
    keys = ("internal_api", "version", "architecture", "threading_layer")
    libs = [{k: str(lib[k]) for k in keys if lib.get(k) is not None} for lib in threadpool_info()]
    # Sorted: threadpoolctl's order varies between processes, and the card must not.
    return sorted(libs, key=lambda lib: json.dumps(lib, sort_keys=True))


def sklearn_version() -> str:
    """The installed scikit-learn's version, read without importing it (about 0.9 s)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover - a dependency of evascore
        import sklearn

        return sklearn.__version__


def versions() -> dict:
    import joblib
    import scipy
    import sklearn

    return {
        "evascore": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
        "blas": blas(),
    }


def save_model(model, path) -> dict:
    """Write ``model`` to ``path`` atomically, then its card; return the card."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            fh.write(zlib.compress(_model_bytes(model), 6))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    card = {
        "format": FORMAT,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "versions": versions(),
        "model_sha256": sha256_file(path),
        "model_bytes": path.stat().st_size,
        "labels": list(LABELS),
        "techniques": None
        if model.technique_head_ is None
        else sorted(model.technique_head_.classes_.tolist()),
        "feature_names": list(model.feature_names_),
        "params": {
            "C": model.C,
            "calibration": model.calibration,
            "class_weight": model.class_weight,
            "lexicon": model.lexicon,
            "text_features": model.text_features,
            "tune_offsets": model.tune_offsets,
            "text_views": list(model.text_views),
        },
        "offsets": [round(float(v), 6) for v in model.offsets_],
        "seed": model.seed,
        "training_data": {
            "sha256": model.data_sha256_,
            "rows": model.n_train_,
            **getattr(model, "card_", {}).get("training_data", {}),
        },
        "cross_validation": model.cv_,
        "warning": "joblib files run code when loaded: load only model files you trust.",
    }
    for k, v in getattr(model, "card_", {}).items():
        if k != "training_data":
            card.setdefault(k, v)
    card_path(path).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", "utf-8")
    model.card_ = card
    return card


def read_card(path) -> dict:
    cp = card_path(path)
    try:
        card = json.loads(Path(cp).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{path}: no model card at {cp}; a model file without its card "
            "cannot be checked (" + RETRAIN_HINT.format(path=path) + ")"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{cp}: unreadable model card ({exc})") from None
    if not isinstance(card, dict):
        raise ModelError(
            f"{cp}: not a model card (expected a JSON object, found {type(card).__name__})"
        )
    return card


def _minor(v: str) -> tuple:
    return tuple(v.split(".")[:2])


def check_card(path, card: dict) -> None:
    """Raise :class:`ModelError` with one line saying what is wrong and how to fix it."""
    hint = RETRAIN_HINT.format(path=path)
    if card.get("format") not in FORMATS:
        raise ModelError(f"{path}: not an evascore model card (format {card.get('format')!r})")
    if not Path(path).is_file():
        raise ModelError(f"{path}: no such model file; {hint}")
    digest = sha256_file(path)
    if digest != card.get("model_sha256"):
        raise ModelError(
            f"{path}: sha256 {digest[:12]}… does not match its card "
            f"({str(card.get('model_sha256'))[:12]}…): the file was changed or "
            f"truncated; restore it or {hint}"
        )
    if card.get("labels") != list(LABELS):
        raise ModelError(
            f"{path}: model labels {card.get('labels')} differ from evascore's "
            f"{list(LABELS)}; {hint}"
        )
    versions = card.get("versions") if isinstance(card.get("versions"), dict) else {}
    params = card.get("params") if isinstance(card.get("params"), dict) else {}
    views = params.get("text_views") or ("answer", "opening")
    if card.get("feature_names") != list(feature_names(bool(params.get("text_features")), views)):
        raise ModelError(
            f"{path}: trained with a different feature set (evascore "
            f"{versions.get('evascore')}); {hint}"
        )
    trained = str(versions.get("scikit-learn", "?"))
    running = sklearn_version()
    if _minor(trained) != _minor(running):
        raise ModelError(
            f"{path}: trained with scikit-learn {trained}, this is "
            f"scikit-learn {running}; {hint} (or install "
            f"scikit-learn=={trained})"
        )
    if trained != running:
        warnings.warn(
            f"{path}: trained with scikit-learn {trained}, running "
            f"{running} (same minor release; predictions should match)",
            VersionWarning,
            stacklevel=3,
        )


def _checked(path) -> tuple[Path, dict]:
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"{path}: no such model file; " + RETRAIN_HINT.format(path=path))
    card = read_card(path)
    check_card(path, card)
    return path, card


def _unreadable(path, exc: Exception) -> ModelError:
    detail = " ".join(str(exc).split())[:200]  # one line, whatever the unpickler said
    return ModelError(
        f"{path}: cannot be loaded ({type(exc).__name__}: {detail}); "
        + RETRAIN_HINT.format(path=path)
    )


def _shared_ids(scorer: Scorer) -> dict[int, str]:
    return {id(obj): key for key, obj in scorer.shared().items()}


class _ModelPickler(pickle.Pickler):
    """Pickles an estimator that refers to its scorer's shared arrays and vocabularies by
    name (persistent ids), and leaves out what changes from process to process."""

    def __init__(self, file, scorer: Scorer):
        super().__init__(file, protocol=5)
        self.shared, self.ids = scorer.shared(), _shared_ids(scorer)

    def persistent_id(self, obj):
        key = self.ids.get(id(obj))
        return key if key is not None and self.shared[key] is obj else None

    def reducer_override(self, obj):
        # scikit-learn's vectorizers cache id(self.stop_words), a memory address that is new
        # in every process, as _stop_words_id: left out, so that retraining writes the same
        # bytes (they work it out again when next used).
        state = getattr(obj, "__dict__", None)
        if type(state) is dict and "_stop_words_id" in state:
            reduced = obj.__reduce_ex__(5)
            kept = {k: v for k, v in reduced[2].items() if k != "_stop_words_id"}
            return (*reduced[:2], kept, *reduced[3:])
        return NotImplemented


def _model_bytes(model) -> bytes:
    """The model file's pickle: the scorer, and the estimator's pickle referring to the
    scorer's shared arrays and vocabularies by name."""
    scorer = model.scorer_
    buf = io.BytesIO()
    _ModelPickler(buf, scorer).dump(model)
    return pickle.dumps({"scorer": scorer, "estimator": buf.getvalue()}, protocol=5)


def _read(path, card: dict) -> dict:
    """The model file's contents: ``{"scorer": ..., "estimator": bytes}`` (format 3), or
    ``{"model": ...}`` (the earlier formats)."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="sklearn")
            if card["format"] == "evascore-model/1":  # written by joblib.dump
                import joblib

                return {"model": joblib.load(path)}
            content = pickle.loads(zlib.decompress(path.read_bytes()))
    except Exception as exc:  # a corrupt pickle can raise nearly anything
        raise _unreadable(path, exc) from None
    if card["format"] == FORMAT:
        if not (
            isinstance(content, dict)
            and isinstance(content.get("scorer"), Scorer)
            and isinstance(content.get("estimator"), bytes)
        ):
            raise ModelError(f"{path}: holds a {type(content).__name__}, not an evascore model")
        return content
    return {"model": content}


def _estimator(path, content: dict):
    """The EvasionModel of a model file's contents (format 3: unpickled now, sharing the
    scorer's arrays, which it keeps as its compiled scorer)."""
    model = content.get("model")
    if model is None:
        scorer = content["scorer"]
        shared = scorer.shared()
        unpickler = pickle.Unpickler(io.BytesIO(content["estimator"]))

        def persistent_load(key):
            try:
                return shared[key]
            except KeyError:
                raise pickle.UnpicklingError(f"unknown shared object {key!r}") from None

        unpickler.persistent_load = persistent_load
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", module="sklearn")
                model = unpickler.load()
        except Exception as exc:
            raise _unreadable(path, exc) from None
        if hasattr(model, "_scorer_key"):
            model._scorer, model._scorer_for = scorer, model._scorer_key()
    if not (hasattr(model, "pipeline_") and callable(getattr(model, "assess", None))):
        raise ModelError(f"{path}: holds a {type(model).__name__}, not an evascore model")
    return model


def load_model(path=None):
    """Load a model and check it against its card.

    Parameters
    ----------
    path : str or Path, optional
        A ``.joblib`` model written by :meth:`~evascore.EvasionModel.save`; ``None`` loads the
        shipped default model (or ``$EVASCORE_MODEL`` when set).

    Raises
    ------
    ModelError
        When the file or its card is missing, the file does not match the card's sha256,
        or it was trained with another scikit-learn minor release or feature set.

    Examples
    --------
    >>> import evascore
    >>> evascore.load_model().card_["labels"]
    ['direct', 'partial', 'evasive']
    """
    path, card = _checked(path)
    model = _estimator(path, _read(path, card))
    model.card_ = card
    return model


def load_scorer(path=None) -> Scorer:
    """Load a model's compiled scorer, checked against the card as :func:`load_model` does.

    What ``evascore score`` and ``evascore explain`` load: a model file of the current
    format gives it without importing scikit-learn (about 0.9 s); an older file loads the
    estimator and compiles it.

    Examples
    --------
    >>> load_scorer().card_["format"]
    'evascore-model/3'
    """
    path, card = _checked(path)
    content = _read(path, card)
    scorer = content.get("scorer")
    if scorer is None:
        scorer = _estimator(path, content).scorer_
    scorer.card_ = card
    return scorer
