"""Score a pandas DataFrame: the building block for Dask, Spark and Ray.

:func:`score_frame` is a pure function of a DataFrame (with ``question`` and ``answer``
columns, and an optional ``id``) to a DataFrame with one flat row per input row, in the same
order and with the same index. Bad rows become error rows, never exceptions, so it can be
handed as is to Dask ``map_partitions``, Spark ``mapInPandas`` or Ray ``map_batches``.

pandas is imported only when the function runs: evascore itself does not need it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from evascore.pairs import DEFAULT_MAX_CHARS, rows_from_frame
from evascore.stream import score_records
from evascore.writers import CSV_COLUMNS, to_csv_row

#: Output columns of :func:`score_frame`, in order.
FRAME_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in ("source_file", "source_line"))

_FLOAT = ("evasiveness", "p_direct", "p_partial", "p_evasive")
_INT = ("parts_total", "parts_addressed")

#: The output schema as a Spark DDL string, for ``mapInPandas(..., schema=SPARK_SCHEMA)``.
SPARK_SCHEMA = ", ".join(
    f"{c} {'double' if c in _FLOAT else 'long' if c in _INT else 'boolean' if c == 'truncated' else 'string'}"  # noqa: E501
    for c in FRAME_COLUMNS
)


@lru_cache(maxsize=1)
def _default_model():
    from evascore.persist import load_scorer  # the compiled scorer: no scikit-learn import

    return load_scorer()


def score_frame(
    df, model=None, *, max_chars: int | None = DEFAULT_MAX_CHARS, truncate: bool = False
):
    """Score every row of a DataFrame; return one flat result row per input row.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``question`` and ``answer`` (text), optionally ``id``; others are ignored.
    model : EvasionModel or Scorer, optional
        Default: the shipped model's compiled scorer, loaded once per process.
    max_chars, truncate
        As the command line's ``--max-chars`` and ``--truncate``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRAME_COLUMNS`, the input's index. A row that cannot be scored
        (missing, empty or non-text question or answer, too long) has ``label`` NA and says
        why in ``error_type`` and ``error_message``.

    Examples
    --------
    >>> import pandas as pd
    >>> from evascore import score_frame
    >>> out = score_frame(pd.DataFrame({
    ...     "question": ["How many staff work in Belgium?", None],
    ...     "answer": ["We do not disclose staff numbers.", "Twelve."]}))
    >>> out["label"].tolist()[0], out["error_message"].tolist()[1]
    ('evasive', "field 'question' is null")
    """
    import pandas as pd

    if model is None:
        model = _default_model()
    recs, _ = score_records(model, rows_from_frame(df, max_chars, truncate))
    flat = [dict(zip(CSV_COLUMNS, to_csv_row(r), strict=True)) for r in recs]
    data = {}
    for c in FRAME_COLUMNS:
        values = [f[c] for f in flat]
        if c in _FLOAT:
            data[c] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif c in _INT:
            data[c] = pd.array(values, dtype="Int64")
        elif c == "truncated":
            data[c] = pd.array(values, dtype="bool")
        else:
            data[c] = pd.array(values, dtype=pd.StringDtype())
    return pd.DataFrame(data, index=df.index, columns=list(FRAME_COLUMNS))
