"""Batch insight: the tables behind ``evascore report``, as pandas DataFrames.

:func:`summarise` answers the questions people ask of thousands of scored answers: which
departments answer least, is it getting worse, which topics, which answers are the worst,
where do referrals lead. :func:`read_scored` flattens ``evascore score`` output (JSONL or
CSV) into one DataFrame row per output row. pandas is imported only when these run.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable

from evascore.assessment import LABELS

#: Topics need at least this many questions to be ranked (smaller shares are mostly noise).
MIN_TOPIC_QUESTIONS = 20
#: Departments with fewer answers are listed after the others, not ranked among them.
MIN_RANK = 20
#: How many answers the "most evasive" table keeps.
N_WORST = 20
#: How many departments get their own line in the trend by month.
N_TREND_DEPARTMENTS = 5
ALL = "All departments"
UNKNOWN_DEPARTMENT = "(department not known)"
WRITTEN_QUESTION_URL = (
    "https://questions-statements.parliament.uk/written-questions/detail/{date}/{uin}"
)

# The cut the public-data group reported: questions that ask for a number.
_NUMBER_QUESTION = re.compile(
    r"\b(?:how many|how much|what (?:estimate|proportion|percentage|number|the (?:number|cost|"
    r"total|average|value|amount|proportion|percentage))|what (?:assessment|estimate) [^,;]{0,40}"
    r"\b(?:of the (?:number|cost|proportion))|the number of|the (?:total )?cost of)\b",
    re.I,
)


def asks_for_number(question: str | None) -> bool:
    """True when a question asks for a number (how many, how much, what estimate, …).

    Examples
    --------
    >>> asks_for_number("To ask the Secretary of State for Defence, how many officers …")
    True
    >>> asks_for_number("To ask the Secretary of State for Defence, whether he will …")
    False
    """
    return bool(question) and bool(_NUMBER_QUESTION.search(question))


def topic_of(heading: str | None) -> str | None:
    """The topic of an API heading: its text up to the colon ("Refugees: Afghanistan").

    Examples
    --------
    >>> topic_of("Refugees: Afghanistan"), topic_of("Prisons")
    ('Refugees', 'Prisons')
    """
    if not heading or not isinstance(heading, str):
        return None
    return heading.split(":", 1)[0].strip() or None


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score 95% interval of a share ``k / n`` (``(nan, nan)`` when ``n`` is 0).

    Examples
    --------
    >>> lo, hi = wilson(10, 100)
    >>> round(lo, 3), round(hi, 3)
    (0.055, 0.174)
    """
    if n <= 0:
        return float("nan"), float("nan")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------- reading


def _flat(rec: dict) -> dict:
    meta = rec.get("meta") or {}
    ref = rec.get("refers_to") or {}
    parts = rec.get("parts")
    err = rec.get("error") or {}
    date = (
        meta.get("date_answered")
        or meta.get("answered_on")
        or meta.get("date")
        or meta.get("date_tabled")
    )
    # The month a question was tabled (as the API's month files are cut), else answered.
    month = meta.get("month")
    for d in (meta.get("date_tabled"), date):
        if isinstance(d, str) and re.match(r"\d{4}-\d\d", d):
            month = d[:7]
            break
    return {
        "id": rec.get("id"),
        "label": rec.get("label"),
        "evasiveness": rec.get("evasiveness"),
        "technique": rec.get("technique"),
        "parts_total": None if parts is None else len(parts),
        "parts_addressed": None if parts is None else sum(bool(p.get("addressed")) for p in parts),
        "error_type": err.get("type"),
        "error_message": err.get("message"),
        "department": meta.get("department"),
        "department_source": meta.get("department_source"),
        "uin": meta.get("uin"),
        "date_tabled": meta.get("date_tabled"),
        "date": date if isinstance(date, str) else None,
        "month": month,
        "heading": meta.get("heading"),
        "is_holding": meta.get("is_holding"),
        "refers_to_uin": ref.get("uin"),
        "refers_to_date": ref.get("date"),
        "refers_to_found": ref.get("found"),
        "refers_to_id": ref.get("id"),
        "refers_to_label": ref.get("label"),
        "question": rec.get("question"),
        "answer": rec.get("answer"),
        "sentences": rec.get("sentences"),
        "cues": rec.get("cues"),
        "reasons": rec.get("reasons"),
        "source_file": (rec.get("source") or {}).get("file"),
    }


def _records(path: str) -> Iterable[dict]:
    """The output records of one ``evascore score`` file (JSONL, or CSV rebuilt)."""
    if path.lower().endswith(".csv"):
        import csv

        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                v = {k: (None if x == "" else x) for k, x in row.items()}
                meta = {
                    k[5:]: x
                    for k, x in v.items()
                    if k.startswith("meta_") and x is not None and k != "meta_other"
                }
                if v.get("meta_other"):
                    meta.update(json.loads(v["meta_other"]))
                parts = json.loads(v["parts"]) if v.get("parts") else None
                ref = None
                if v.get("refers_to_uin") or v.get("refers_to_date"):
                    ref = {
                        "uin": v.get("refers_to_uin"),
                        "date": v.get("refers_to_date"),
                        "found": {"True": True, "False": False}.get(v.get("refers_to_found")),
                        "id": v.get("refers_to_id"),
                        "label": v.get("refers_to_label"),
                    }
                yield {
                    "id": v.get("id"),
                    "label": v.get("label"),
                    "evasiveness": None
                    if v.get("evasiveness") is None
                    else float(v["evasiveness"]),
                    "technique": v.get("technique"),
                    "parts": parts,
                    "cues": json.loads(v["cues"]) if v.get("cues") else None,
                    "error": {"type": v["error_type"], "message": v.get("error_message")}
                    if v.get("error_type")
                    else None,
                    "meta": meta,
                    "refers_to": ref,
                    "question": v.get("question"),
                    "answer": v.get("answer"),
                    "source": {"file": v.get("source_file")},
                }
        return
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                yield json.loads(raw)


def read_scored(paths: str | os.PathLike | Iterable[str | os.PathLike]):
    """Read ``evascore score`` output files into one flat DataFrame, one row per output row.

    Referrals are resolved across all the files read together (so scoring months one by one
    and reading them together finds referrals between months).
    """
    import pandas as pd

    from evascore.referrals import resolve_referrals

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    records = [r for p in paths for r in _records(os.fspath(p))]
    resolve_referrals(records)
    frame = pd.DataFrame([_flat(r) for r in records])
    if frame.empty:
        frame = pd.DataFrame(columns=list(_flat({}).keys()))
    return frame


# --------------------------------------------------------------------------- tables


def _shares(frame, by: list[str]):
    """Counts of each label and each label's share with its Wilson interval, per group."""
    import pandas as pd

    rows = []
    for key, g in frame.groupby(by, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        n = len(g)
        row = dict(zip(by, key))
        row["n"] = n
        counts = g["label"].value_counts()
        for lab in LABELS:
            k = int(counts.get(lab, 0))
            lo, hi = wilson(k, n)
            row[lab] = k
            row[f"{lab}_share"] = k / n if n else float("nan")
            row[f"{lab}_lo"], row[f"{lab}_hi"] = lo, hi
        row["mean_evasiveness"] = float(g["evasiveness"].mean()) if n else float("nan")
        rows.append(row)
    cols = [
        *by,
        "n",
        *LABELS,
        *(f"{lab}_{s}" for lab in LABELS for s in ("share", "lo", "hi")),
        "mean_evasiveness",
    ]
    return pd.DataFrame(rows, columns=cols)


def summarise(
    frame, min_topic: int = MIN_TOPIC_QUESTIONS, n_worst: int = N_WORST, min_rank: int = MIN_RANK
) -> dict:
    """The batch report's tables, as pandas DataFrames, for a notebook to plot its own charts.

    Parameters
    ----------
    frame : pandas.DataFrame or path(s)
        Scored rows: a path (or list of paths) to ``evascore score`` output, the result of
        :func:`read_scored`, or any DataFrame with ``label``, ``evasiveness`` and
        ``technique`` (e.g. :func:`evascore.score_frame` output joined with your own
        ``department``, ``date``, ``heading`` and ``question`` columns). Missing columns
        leave their tables empty. Error rows (``label`` missing) are counted, not scored.
    min_topic : int
        Topics with fewer questions are not ranked.
    n_worst : int
        How many of the most evasive answers to keep.
    min_rank : int
        Departments with fewer answers are listed after the ranked ones (``ranked`` False).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``overview`` (one row: rows, scored, errors, date range), ``departments`` (counts and
        label shares with Wilson 95% intervals, highest evasive share first), ``months``
        (the same by month, for all departments and the largest ones), ``techniques``
        (technique mix by department, as shares), ``topics`` and ``topics_number`` (topics
        with the highest evasive shares, among all questions and among questions that ask
        for a number), ``histogram`` (evasiveness in tenths), ``parts`` (parts asked
        against parts answered), ``referrals`` (found and not found, by the target's
        label) and ``worst`` (the most evasive answers).

    Examples
    --------
    >>> import pandas as pd
    >>> from evascore import summarise
    >>> t = summarise(pd.DataFrame({"label": ["evasive", "direct", "direct"],
    ...                             "evasiveness": [0.9, 0.1, 0.2],
    ...                             "technique": ["declining", "explicit", "explicit"],
    ...                             "department": ["Home Office", "Home Office", "HM Treasury"]}))
    >>> t["departments"][["department", "n", "evasive"]].values.tolist()
    [['Home Office', 2, 1], ['HM Treasury', 1, 0]]
    >>> summarise(pd.DataFrame({"label": ["evasive"], "evasiveness": [0.9],
    ...                         "technique": ["declining"]}))["overview"]["scored"].item()
    1
    """
    import numpy as np
    import pandas as pd

    if isinstance(frame, (str, os.PathLike, list, tuple)):
        frame = read_scored(frame)
    df = frame.copy()
    for col in (
        "department",
        "month",
        "date",
        "heading",
        "question",
        "answer",
        "uin",
        "date_tabled",
        "parts_total",
        "parts_addressed",
        "refers_to_found",
        "refers_to_label",
        "refers_to_uin",
        "refers_to_date",
        "refers_to_id",
        "error_type",
        "sentences",
        "cues",
        "id",
    ):
        if col not in df.columns:
            df[col] = None
    if df["month"].isna().all() and df["date"].notna().any():
        df["month"] = df["date"].astype("string").str[:7]
    df["department"] = df["department"].fillna(UNKNOWN_DEPARTMENT)
    df = df.astype({"department": object})
    scored = df[df["label"].notna()].copy()
    scored["evasiveness"] = scored["evasiveness"].astype(float)

    dates = df["date"].dropna().astype(str)
    tabled = df["date_tabled"].dropna().astype(str)
    answers = scored["answer"].dropna().astype(str)
    overview = pd.DataFrame(
        [
            {
                "rows": len(df),
                "scored": len(scored),
                "errors": len(df) - len(scored),
                "date_from": dates.min() if len(dates) else None,
                "date_to": dates.max() if len(dates) else None,
                "tabled_from": tabled.min() if len(tabled) else None,
                "tabled_to": tabled.max() if len(tabled) else None,
                # The API's list view cuts answers at about 255 characters and ends them "...".
                "answers_cut": int(answers.str.rstrip().str.endswith("...").sum()),
                "answers_with_text": len(answers),
                "departments": int(scored["department"].nunique()),
                "department_from_question": int(
                    (df.get("department_source") == "question opening").sum()
                )
                if "department_source" in df
                else 0,
                "mean_evasiveness": float(scored["evasiveness"].mean())
                if len(scored)
                else float("nan"),
                **{
                    f"{lab}_share": float((scored["label"] == lab).mean())
                    if len(scored)
                    else float("nan")
                    for lab in LABELS
                },
            }
        ]
    )

    # Ranked by evasive share; a department with too few answers to rank goes after the rest.
    departments = _shares(scored, ["department"])
    departments["ranked"] = departments["n"] >= min_rank
    departments = departments.sort_values(
        ["ranked", "evasive_share", "n"], ascending=[False, False, False], kind="stable"
    ).reset_index(drop=True)

    with_month = scored[scored["month"].notna()]
    largest = (
        with_month["department"].value_counts().head(N_TREND_DEPARTMENTS).index.tolist()
        if len(with_month)
        else []
    )
    months = (
        pd.concat(
            [
                _shares(with_month.assign(department=ALL), ["department", "month"]),
                _shares(
                    with_month[with_month["department"].isin(largest)], ["department", "month"]
                ),
            ],
            ignore_index=True,
        )
        .sort_values(
            ["department", "month"],
            kind="stable",
            key=lambda s: s.map(lambda v: (v != ALL, v)) if s.name == "department" else s,
        )
        .reset_index(drop=True)
    )

    tech = (
        pd.crosstab(scored["department"], scored["technique"].fillna("none"), normalize="index")
        if len(scored)
        else pd.DataFrame()
    )
    if len(tech):
        order = scored["technique"].fillna("none").value_counts().index
        tech = tech[order]
        tech.insert(0, "n", scored["department"].value_counts().reindex(tech.index))
        tech = tech.loc[departments["department"]].reset_index()
        tech.columns.name = None

    scored["topic"] = scored["heading"].map(topic_of)
    scored["asks_number"] = scored["question"].map(asks_for_number)

    def topics(sub):
        t = _shares(sub[sub["topic"].notna()], ["topic"])
        t = t[t["n"] >= min_topic]
        return t.sort_values(
            ["evasive_share", "n"], ascending=[False, False], kind="stable"
        ).reset_index(drop=True)

    topics_all = topics(scored)
    has_question = scored["question"].notna()
    topics_number = topics(scored[has_question & scored["asks_number"]])

    edges = np.linspace(0.0, 1.0, 11)
    counts, _ = np.histogram(scored["evasiveness"].to_numpy(dtype=float), bins=edges)
    histogram = pd.DataFrame({"from": edges[:-1].round(1), "to": edges[1:].round(1), "n": counts})

    multi = scored[scored["parts_total"].notna()]
    multi = multi[multi["parts_total"].astype(float) >= 2]
    parts = (
        multi.groupby(["parts_total", "parts_addressed"])
        .size()
        .rename("n")
        .reset_index()
        .astype({"parts_total": int, "parts_addressed": int})
        if len(multi)
        else pd.DataFrame(columns=["parts_total", "parts_addressed", "n"])
    )

    refs = scored[scored["refers_to_uin"].notna() | scored["refers_to_date"].notna()]
    status = refs["refers_to_found"].map(
        lambda f: "found" if f is True or f == "True" else "not found"
    )
    target = refs["refers_to_label"].where(status == "found").fillna("")
    referrals = (
        pd.DataFrame({"status": status, "target_label": target})
        .value_counts()
        .rename("n")
        .reset_index()
        .sort_values(["status", "target_label"], kind="stable")
        .reset_index(drop=True)
        if len(refs)
        else pd.DataFrame(columns=["status", "target_label", "n"])
    )

    worst = scored.sort_values("evasiveness", ascending=False, kind="stable").head(n_worst)
    worst = worst[
        [
            "id",
            "department",
            "date",
            "date_tabled",
            "uin",
            "heading",
            "label",
            "evasiveness",
            "technique",
            "question",
            "answer",
            "sentences",
            "cues",
            "refers_to_uin",
            "refers_to_date",
            "refers_to_found",
            "refers_to_label",
        ]
    ].copy()
    worst["url"] = [
        WRITTEN_QUESTION_URL.format(date=str(d)[:10], uin=u)
        if isinstance(u, str) and u and isinstance(d, str) and d
        else None
        for d, u in zip(worst["date_tabled"], worst["uin"])
    ]
    worst = worst.reset_index(drop=True)

    return {
        "overview": overview,
        "departments": departments,
        "months": months,
        "techniques": tech,
        "topics": topics_all,
        "topics_number": topics_number,
        "histogram": histogram,
        "parts": parts,
        "referrals": referrals,
        "worst": worst,
    }
