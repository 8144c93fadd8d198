"""score_frame (pandas), Dask map_partitions, and joblib's Dask backend on a LocalCluster."""

from __future__ import annotations

import json

import pytest

pd = pytest.importorskip("pandas", reason="score_frame needs pandas (the `pandas` extra)")

from evascore import score_frame  # noqa: E402
from evascore.frame import FRAME_COLUMNS, SPARK_SCHEMA  # noqa: E402

QUESTIONS = [
    "How many officers are posted to (a) Belgium (b) Germany and (c) the Netherlands?",
    "What was the cost of the scheme in 2022?",
    "Will the Minister publish the review?",
    "When will the new hospital open?",
    "Why was the consultation closed early?",
]
ANSWERS = [
    "Four officers are posted to Belgium and six to Germany.",
    "For commercial reasons we do not disclose the cost of individual contracts.",
    "Yes. The review will be published in the spring.",
    "The Government is committed to delivering new hospitals across the country.",
    "I refer the hon. Member to the answer given on 4 May.",
]


def pairs(n: int = 40) -> list[dict]:
    """Pairs as dicts; every third has an id, the others get a content hash."""
    return [
        {
            "id": None if i % 3 else f"p{i}",
            "question": QUESTIONS[i % 5],
            "answer": ANSWERS[(i * 2) % 5] + f" The reference is {i}.",
        }
        for i in range(n)
    ]


def frame(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(pairs(n), index=pd.RangeIndex(100, 100 + n))


def as_result(a) -> dict:
    return {
        "id": a.id,
        "label": a.label,
        "evasiveness": a.evasiveness,
        "p_direct": a.probabilities["direct"],
        "p_partial": a.probabilities["partial"],
        "p_evasive": a.probabilities["evasive"],
        "technique": a.technique,
        "parts_total": len(a.parts),
        "parts_addressed": sum(p["addressed"] for p in a.parts),
        "parts": json.dumps(a.parts, ensure_ascii=False),
        "cues": json.dumps(a.cues, ensure_ascii=False),
        "truncated": False,
        "error_type": None,
        "error_message": None,
    }


def records(df: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if v is pd.NA else v) for k, v in r.items()}
        for r in df.astype(object).to_dict("records")
    ]


def test_score_frame_equals_score_many(model):
    df = frame()
    out = score_frame(df, model)
    assert list(out.columns) == list(FRAME_COLUMNS)
    assert out.index.equals(df.index)
    expected = [as_result(a) for a in model.score_many(pairs())]
    assert records(out) == expected
    assert out["id"].iloc[0] == "p0" and out["id"].iloc[1].startswith("qa-")


def test_score_frame_makes_bad_rows_error_rows(model):
    df = pd.DataFrame(
        {
            "question": ["Why?", None, float("nan"), 5, "Why?", "<p>Why?</p>"],
            "answer": ["Because.", "So.", "So.", "So.", "", "<p>It&rsquo;s late.</p>"],
        },
        index=list("abcdef"),
    )
    out = score_frame(df, model)
    assert list(out.index) == list("abcdef")
    assert out["error_type"].isna().tolist() == [True, False, False, False, False, True]
    assert out.loc["b", "error_message"] == "field 'question' is null"
    assert out.loc["c", "error_message"] == "field 'question' is null"
    assert "got int" in out.loc["d", "error_message"]
    assert "is empty" in out.loc["e", "error_message"]
    assert out.loc[list("bcde"), "label"].isna().all()
    assert out.loc[list("bcde"), "evasiveness"].isna().all()
    assert (
        out.loc["f", "label"]
        == score_frame(pd.DataFrame({"question": ["Why?"], "answer": ["It's late."]}), model)[
            "label"
        ].iloc[0]
    )
    # No question/answer columns at all: still one error row per input row.
    none = score_frame(pd.DataFrame({"text": ["a", "b"]}), model)
    assert none["error_message"].tolist() == ["missing field 'question'"] * 2


def test_score_frame_schema_is_stable_for_engines(model):
    empty = score_frame(frame().iloc[:0], model)
    full = score_frame(frame(5), model)
    assert len(empty) == 0 and list(empty.columns) == list(FRAME_COLUMNS)
    assert empty.dtypes.equals(full.dtypes)  # a Dask `meta` / Spark schema that holds
    assert [c.split()[0] for c in SPARK_SCHEMA.split(", ")] == list(FRAME_COLUMNS)


def test_dask_map_partitions_gives_the_same(model):
    dd = pytest.importorskip("dask.dataframe", reason="needs dask (the `dask` extra)")
    df = frame(60)
    ddf = dd.from_pandas(df, npartitions=4)
    meta = score_frame(df.iloc[:0], model)
    out = ddf.map_partitions(score_frame, model, meta=meta).compute(scheduler="threads")
    pd.testing.assert_frame_equal(out, score_frame(df, model))


@pytest.mark.slow
def test_joblib_dask_backend_scores_on_the_cluster_workers(model, tmp_path):
    pytest.importorskip("dask.distributed", reason="needs dask.distributed (the `dask` extra)")
    import joblib
    from dask.distributed import Client, LocalCluster, get_task_stream

    from evascore.stream import score_files

    data = pairs(120)
    local = model.score_many(data, n_jobs=1)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in data) + "{bad\n", "utf-8")
    score_files([str(src)], output=str(tmp_path / "local.jsonl"), model=model)
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = set(client.scheduler_info()["workers"])
        assert len(workers) == 2
        with joblib.parallel_config(backend="dask"), get_task_stream(client) as ts:
            remote = model.score_many(data, n_jobs=2, batch_size=20)
        with joblib.parallel_config(backend="dask"), get_task_stream(client) as ts_files:
            summary = score_files(
                [str(src)],
                output=str(tmp_path / "remote.jsonl"),
                model=model,
                n_jobs=2,
                batch_size=25,
            )
    ran_on = {t["worker"] for t in ts.data}
    assert ran_on and ran_on <= workers  # the chunks ran in the cluster's worker processes
    assert len(ts.data) >= 120 // 20
    assert [a.to_dict() for a in remote] == [a.to_dict() for a in local]
    # Streaming file scoring (what the CLI runs) goes to the cluster the same way.
    assert {t["worker"] for t in ts_files.data} <= workers and len(ts_files.data) >= 5
    assert (summary.rows, summary.errors) == (121, 1)
    assert (tmp_path / "remote.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
