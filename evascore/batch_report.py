"""The batch report behind ``evascore report SCORED... -o DIR``: a page for people.

Writes ``index.html`` (self-contained: the plots are inlined, and also written beside it as
PNG files), one CSV file per table of :func:`evascore.insight.summarise`, and the PNGs.
matplotlib is an optional extra (``pip install 'evascore[plots]'``): without it the page and
the tables are written, and the page and stderr say that the plots are missing.
(:mod:`evascore.evaluation_report` is the other report: the *evaluation* of a model on
labelled data.)
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from evascore.assessment import LABELS
from evascore.errors import EvascoreError
from evascore.insight import MIN_RANK

MISSING_MATPLOTLIB = (
    "matplotlib is not installed, so this report has no plots; "
    "install it with: pip install 'evascore[plots]'"
)
COLOURS = {"direct": "#2a9d8f", "partial": "#e9c46a", "evasive": "#d1495b"}
PNGS = ("departments.png", "trend.png", "techniques.png", "histogram.png", "parts.png")


def _e(value) -> str:
    """Escaped text of a cell (missing values as an en dash)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return html.escape(str(value))


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


# --------------------------------------------------------------------------- plots


def have_matplotlib() -> bool:
    """Whether the optional plots extra is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _plots(tables: dict, out: Path) -> dict[str, str]:
    """Draw the PNGs into ``out``; return {name: file} (empty when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return {}
    import numpy as np

    made: dict[str, str] = {}
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False})

    deps = tables["departments"]
    if len(deps):
        d = deps.iloc[::-1]  # matplotlib draws the first bar at the bottom
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(d) + 1.3))
        y = np.arange(len(d))
        left = np.zeros(len(d))
        for lab in ("evasive", "partial", "direct"):
            share = d[f"{lab}_share"].to_numpy(float)
            ax.barh(y, share, left=left, color=COLOURS[lab], label=lab, height=0.75)
            left += share
        ev = d["evasive_share"].to_numpy(float)
        ax.errorbar(
            ev,
            y,
            xerr=[ev - d["evasive_lo"].to_numpy(float), d["evasive_hi"].to_numpy(float) - ev],
            fmt="none",
            ecolor="black",
            elinewidth=0.8,
            capsize=2,
        )
        ax.set_yticks(y, [f"{n} ({k})" for n, k in zip(d["department"], d["n"])])
        unranked = int((~d["ranked"].astype(bool)).sum())
        if 0 < unranked < len(d):  # below the line: too few answers to rank
            ax.axhline(unranked - 0.5, color="#555", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of answers (whiskers: 95% interval of the evasive share)")
        ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        fig.tight_layout()
        made["departments"] = _save(fig, out / "departments.png", plt)

    months = tables["months"]
    if len(months) and months["month"].nunique() >= 1:
        fig, ax = plt.subplots(figsize=(9, 4))
        for dept, g in months.groupby("department", sort=False):
            x = g["month"].astype(str).tolist()
            if dept == "All departments":
                ax.plot(
                    x, g["evasive_share"], color="black", lw=2.5, marker="o", label=dept, zorder=3
                )
                ax.fill_between(x, g["evasive_lo"], g["evasive_hi"], color="black", alpha=0.1)
            else:
                ax.plot(x, g["evasive_share"], lw=1.2, marker=".", label=dept)
        ax.set_ylabel("evasive share")
        ax.set_ylim(0, 1)
        ax.set_xlabel("month tabled")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.tick_params(axis="x", rotation=45)
        fig.tight_layout()
        made["trend"] = _save(fig, out / "trend.png", plt)

    tech = tables["techniques"]
    if len(tech):
        cols = [c for c in tech.columns if c not in ("department", "n")]
        m = tech[cols].to_numpy(float)
        fig, ax = plt.subplots(figsize=(9, 0.3 * len(tech) + 1.8))
        # The scale tops out at 60%: a department of two answers at 100% would wash out
        # every other cell.
        ax.imshow(m, aspect="auto", cmap="Reds", vmin=0, vmax=0.6)
        ax.set_xticks(
            range(len(cols)), [c.replace("_", " ") for c in cols], rotation=40, ha="right"
        )
        ax.set_yticks(
            range(len(tech)), [f"{d} ({n})" for d, n in zip(tech["department"], tech["n"])]
        )
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                if m[i, j] >= 0.005:
                    ax.text(
                        j,
                        i,
                        f"{100 * m[i, j]:.0f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if m[i, j] > 0.4 else "black",
                    )
        fig.suptitle("technique mix by department (% of each department's answers)")
        fig.tight_layout()
        made["techniques"] = _save(fig, out / "techniques.png", plt)

    hist = tables["histogram"]
    if int(hist["n"].sum()):
        fig, ax = plt.subplots(figsize=(6, 3))
        mids = (hist["from"] + hist["to"]) / 2
        colours = [
            COLOURS["direct"]
            if m < 0.34
            else COLOURS["partial"]
            if m < 0.67
            else COLOURS["evasive"]
            for m in mids
        ]
        ax.bar(mids, hist["n"], width=0.095, color=colours)
        ax.set_xlabel("evasiveness (0 = a full, direct reply; 1 = a clear non-reply)")
        ax.set_ylabel("answers")
        fig.tight_layout()
        made["histogram"] = _save(fig, out / "histogram.png", plt)

    parts = tables["parts"]
    if len(parts):
        top = int(min(parts["parts_total"].max(), 8))
        grid = np.zeros((top - 1, top + 1))
        for t, a, n in parts[["parts_total", "parts_addressed", "n"]].itertuples(index=False):
            if t <= top:
                grid[t - 2, a] += n
        share = grid / np.maximum(grid.sum(axis=1, keepdims=True), 1)
        fig, ax = plt.subplots(figsize=(6, 0.45 * (top - 1) + 1.4))
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i in range(grid.shape[0]):
            for j in range(i + 3):
                ax.text(
                    j,
                    i,
                    f"{int(grid[i, j])}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if share[i, j] > 0.6 else "black",
                )
        ax.set_xticks(range(top + 1))
        ax.set_yticks(range(top - 1), [str(t) for t in range(2, top + 1)])
        ax.set_xlabel("parts answered")
        ax.set_ylabel("parts asked")
        fig.tight_layout()
        made["parts"] = _save(fig, out / "parts.png", plt)
    return made


def _save(fig, path: Path, plt) -> str:
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _img(out: Path, made: dict, key: str, alt: str) -> str:
    if key not in made:
        return ""
    data = base64.b64encode((out / made[key]).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
        f'<figcaption><a href="{made[key]}">{made[key]}</a></figcaption></figure>'
    )


# --------------------------------------------------------------------------- HTML


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
 margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid
 #e3e6ea;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
.lede{color:#4a5160;margin:0 0 16px}.note{background:#fff6e0;border-left:4px solid #e9c46a;
 padding:8px 12px;margin:12px 0}.warn{background:#fdecee;border-left:4px solid #d1495b;
 padding:8px 12px;margin:12px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.card{flex:1 1 150px;
 background:#f2f4f7;border-radius:6px;padding:10px 14px}.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:8px 0 4px;font-size:13.5px}
th,td{padding:4px 8px;border-bottom:1px solid #e6e8ec;text-align:left;vertical-align:top}
th{background:#f2f4f7;font-weight:600}td.split{background:#eef0f3;color:#4a5160;font-style:italic}td.n{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}tr:nth-child(even) td{background:#fafbfc}
.bar{display:flex;height:12px;width:160px;border-radius:2px;overflow:hidden;margin-top:4px}
.bar span{display:block;height:100%}
figure{margin:12px 0}figure img{max-width:100%;height:auto;border:1px solid #e6e8ec}
figcaption{font-size:12px;color:#6b7280}
.answer{border:1px solid #e3e6ea;border-radius:6px;padding:10px 14px;margin:12px 0}
.answer .head{font-size:13px;color:#4a5160}.answer .q{margin:6px 0;font-weight:500}
.answer .a{margin:6px 0;color:#2d3340}.answer ul{margin:4px 0 0 18px;padding:0}
mark{background:#ffd6dc;padding:0 2px;border-radius:2px}
.pill{display:inline-block;padding:0 6px;border-radius:9px;color:#fff;font-size:12px}
details summary{cursor:pointer;color:#3558a8}
footer{margin-top:40px;font-size:12px;color:#6b7280}
"""


def _bar(row) -> str:
    spans = "".join(
        f'<span style="width:{100 * row[f"{lab}_share"]:.1f}%;background:'
        f'{COLOURS[lab]}" title="{lab} {_pct(row[f"{lab}_share"])}"></span>'
        for lab in ("evasive", "partial", "direct")
    )
    return f'<div class="bar">{spans}</div>'


def _share_table(frame, key: str, key_title: str) -> str:
    head = (
        f"<tr><th>{key_title}</th><th>answers</th><th>evasive (95% CI)</th>"
        "<th>partial</th><th>direct</th><th>mean score</th></tr>"
    )
    rows = []
    split = False
    for _, r in frame.iterrows():
        if "ranked" in frame.columns and not r["ranked"] and not split:
            split = True
            rows.append(
                f"<tr><td colspan=6 class=split>Fewer than {MIN_RANK} answers: too "
                "few to rank</td></tr>"
            )
        rows.append(
            f"<tr><td>{_e(r[key])}{_bar(r)}</td><td class=n>{int(r['n'])}</td>"
            f"<td class=n><b>{_pct(r['evasive_share'])}</b> ({_pct(r['evasive_lo'])}–"
            f"{_pct(r['evasive_hi'])})</td><td class=n>{_pct(r['partial_share'])}</td>"
            f"<td class=n>{_pct(r['direct_share'])}</td>"
            f"<td class=n>{r['mean_evasiveness']:.2f}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped, with the (start, end) spans wrapped in <mark>."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos or e > len(text) or s >= e:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _worst_html(worst) -> str:
    items = []
    for i, r in enumerate(worst.itertuples(index=False), start=1):
        cues = r.cues if isinstance(r.cues, list) else []
        sentences = r.sentences if isinstance(r.sentences, list) else []
        where = " · ".join(
            x
            for x in (
                _e(r.department),
                f"answered {_e(r.date)}" if r.date else "",
                f"UIN {_e(r.uin)}" if isinstance(r.uin, str) else "",
                _e(r.heading) if isinstance(r.heading, str) else "",
            )
            if x
        )
        link = (
            f' · <a href="{html.escape(r.url)}">written question page</a>'
            if isinstance(r.url, str)
            else ""
        )
        q = (
            f'<div class="q">{_e(r.question)}</div>'
            if isinstance(r.question, str)
            else '<div class="q"><i>question text not in the scored file (score with '
            "--include-text)</i></div>"
        )
        spans = [(c["start"], c["end"]) for c in cues]
        if isinstance(r.answer, str):
            a = f'<div class="a">{_highlight(r.answer, spans)}</div>'
        else:
            a = ""
        deciding = []
        for s in sentences:
            inner = [
                (c["start"] - s["start"], c["end"] - s["start"])
                for c in cues
                if c["start"] >= s["start"] and c["end"] <= s["end"]
            ]
            deciding.append(
                f"<li>{_highlight(s['text'], inner)} <small>({_e(s.get('why'))})</small></li>"
            )
        named = dict.fromkeys((c["text"], c["technique"]) for c in cues)  # once each
        cue_list = ", ".join(f"<mark>{_e(t)}</mark> ({_e(k)})" for t, k in named)
        ref = ""
        if isinstance(r.refers_to_uin, str) or isinstance(r.refers_to_date, str):
            target = " ".join(
                x
                for x in (
                    f"UIN {r.refers_to_uin}" if isinstance(r.refers_to_uin, str) else "",
                    f"of {r.refers_to_date}" if isinstance(r.refers_to_date, str) else "",
                )
                if x
            )
            status = (
                f"in this batch, scored {_e(r.refers_to_label)}"
                if r.refers_to_found is True
                else "not in this batch"
            )
            ref = f"<div><b>Refers to</b> the answer {_e(target)}: {status}.</div>"
        items.append(
            f'<div class="answer"><div class="head"><b>#{i}</b> <span class="pill" '
            f'style="background:{COLOURS.get(r.label, "#888")}">{_e(r.label)} '
            f"{r.evasiveness:.3f}</span> {_e(r.technique)} · {where}{link}</div>{q}{a}"
            f"<div><b>Deciding sentences</b><ul>{''.join(deciding)}</ul></div>"
            + (f"<div><b>Cues</b>: {cue_list}</div>" if cues else "")
            + ref
            + "</div>"
        )
    return "".join(items)


def _model_card(model_path: str | None) -> tuple[str, dict]:
    from evascore.persist import default_model_path, read_card

    path = Path(model_path) if model_path else default_model_path()
    try:
        return path.name, read_card(path)
    except EvascoreError:
        return path.name, {}


def render_html(
    tables: dict,
    made: dict,
    out: Path,
    sources: Sequence[str],
    model_name: str,
    card: dict,
    plots_missing: bool,
) -> str:
    """The page's HTML (plots inlined from ``out``)."""
    ov = tables["overview"].iloc[0]
    cv = card.get("cross_validation") or {}
    train = card.get("training_data") or {}
    p = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>evascore batch report</title>"
        f"<style>{_CSS}</style></head><body><main>",
        "<h1>How directly were these questions answered?</h1>",
        f'<p class="lede">evascore batch report on {_e(", ".join(Path(s).name for s in sources))}'
        f", made {_dt.date.today().isoformat()}.</p>",
    ]
    span = (
        f"{_e(ov['tabled_from'])} to {_e(ov['tabled_to'])}"
        if ov["tabled_from"]
        else f"{_e(ov['date_from'])} to {_e(ov['date_to'])}"
    )
    p.append(
        '<div class="cards">'
        f"<div class=card><b>{int(ov['rows']):,}</b>rows</div>"
        f"<div class=card><b>{int(ov['scored']):,}</b>scored</div>"
        f"<div class=card><b>{int(ov['errors']):,}</b>errors (not scored)</div>"
        f"<div class=card><b>{_pct(ov['evasive_share'])}</b>evasive "
        f"({_pct(ov['partial_share'])} partial, {_pct(ov['direct_share'])} direct)</div>"
        f"<div class=card><b>{int(ov['departments'])}</b>departments</div></div>"
    )
    p.append(
        f"<p>Questions {'tabled' if ov['tabled_from'] else 'dated'} {span}"
        + (
            f"; answered {_e(ov['date_from'])} to {_e(ov['date_to'])}"
            if ov["tabled_from"] and ov["date_from"]
            else ""
        )
        + ". "
        f"Model <code>{_e(model_name)}</code>"
        + (
            f" (trained {_e(str(card.get('created', ''))[:10])} on "
            f"{_e(train.get('rows'))} labelled rows; cross-validated macro-F1 "
            f"{_e(cv.get('macro_f1'))}, accuracy {_e(cv.get('accuracy'))})"
            if cv
            else ""
        )
        + ". The model is the one given to <code>evascore report --model</code> (default: "
        "the shipped model); it should be the one that scored the file.</p>"
    )
    p.append(
        '<p class="note">A score is the model\'s reading of how directly an answer meets '
        "its question, not a finding about any minister. Shares come with Wilson 95% "
        "intervals: small groups have wide ones.</p>"
    )
    if ov["answers_with_text"] and ov["answers_cut"] / ov["answers_with_text"] > 0.2:
        p.append(
            f'<p class="warn">{int(ov["answers_cut"]):,} of '
            f'{int(ov["answers_with_text"]):,} answers end in "..." : the Written '
            "Questions API's list view cuts answers at about 255 characters, so these "
            "were scored on their opening only. Score the full texts where you have "
            "them.</p>"
        )
    if plots_missing:
        p.append(f'<p class="warn">{html.escape(MISSING_MATPLOTLIB)}.</p>')

    deps = tables["departments"]
    p.append(
        "<h2>By department</h2><p>Every department in the batch, the highest evasive "
        f"share first; those with fewer than {MIN_RANK} answers come after the dashed "
        "line, too few to rank. <code>departments.csv</code> has the counts and every "
        "interval.</p>"
    )
    p.append(_img(out, made, "departments", "label shares by department"))
    p.append(_share_table(deps, "department", "department"))
    if ov.get("department_from_question", 0):
        p.append(
            f"<p><small>{int(ov['department_from_question'])} rows had no department "
            "field: it was read from the question's opening ('To ask the Secretary of "
            "State for …').</small></p>"
        )

    p.append(
        "<h2>By month</h2><p>Evasive share by the month a question was tabled, for the "
        "whole batch (black, with its 95% band) and the largest departments.</p>"
    )
    p.append(_img(out, made, "trend", "evasive share by month"))
    allm = tables["months"][tables["months"]["department"] == "All departments"]
    if len(allm) == 1:
        p.append(
            "<p><small>The batch covers one month only: score several months together "
            "for a trend.</small></p>"
        )
    if len(allm):
        p.append(_share_table(allm, "month", "month"))

    p.append(
        "<h2>How they avoid answering</h2><p>The technique evascore found behind each "
        "answer, as a share of each department's answers.</p>"
    )
    p.append(_img(out, made, "techniques", "technique mix by department"))
    tech = tables["techniques"]
    if len(tech):
        cols = [c for c in tech.columns if c not in ("department", "n")]
        head = "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in cols)
        body = "".join(
            f"<tr><td>{_e(r['department'])}</td><td class=n>{int(r['n'])}</td>"
            + "".join(f"<td class=n>{_pct(r[c])}</td>" for c in cols)
            + "</tr>"
            for _, r in tech.iterrows()
        )
        p.append(
            f"<details><summary>technique table</summary><table><tr><th>department</th>"
            f"<th>answers</th>{head}</tr>{body}</table></details>"
        )

    p.append("<h2>Referrals</h2>")
    refs = tables["referrals"]
    if len(refs):
        found = int(refs.loc[refs["status"] == "found", "n"].sum())
        missing = int(refs.loc[refs["status"] == "not found", "n"].sum())
        by = {r.target_label: int(r.n) for r in refs.itertuples() if r.status == "found"}
        p.append(
            f"<p>{found + missing} answers refer the Member to an earlier answer. "
            f"<b>{found}</b> of those answers are in this batch: "
            + ", ".join(f"{by.get(lab, 0)} {lab}" for lab in LABELS)
            + f" by the model's reading. <b>{missing}</b> point to an answer that is not "
            "in the batch (an earlier month, the Lords, or a wrong number): a referral "
            "that cannot be followed here.</p>"
        )
    else:
        p.append("<p>No answer in the batch refers to another answer.</p>")

    p.append("<h2>Topics with the highest evasive shares</h2>")
    n_min = "20"
    for key, title in (
        ("topics", "All questions"),
        (
            "topics_number",
            "Questions that ask for a number (how many, how much, what estimate, what proportion)",
        ),
    ):
        t = tables[key]
        p.append(f"<h3>{title}</h3>")
        if key == "topics_number" and tables["worst"]["question"].isna().all():
            p.append("<p><i>Needs the question texts: score with --include-text.</i></p>")
        elif len(t):
            p.append(_share_table(t.head(15), "topic", f"topic (≥ {n_min} questions)"))
        else:
            p.append(
                f"<p><i>No topic (the API heading up to its colon) has {n_min} or more "
                "questions here.</i></p>"
            )

    p.append("<h2>Scores and parts</h2>")
    p.append(_img(out, made, "histogram", "histogram of evasiveness scores"))
    parts = tables["parts"]
    if len(parts):
        asked = int(parts["n"].sum())
        none = int(parts.loc[parts["parts_addressed"] == 0, "n"].sum())
        full = int(parts.loc[parts["parts_addressed"] == parts["parts_total"], "n"].sum())
        p.append(
            f"<p>{asked:,} questions ask in several parts ((a), (b), …): all parts are "
            f"answered in {full:,}, none in {none:,}.</p>"
        )
        p.append(_img(out, made, "parts", "parts asked against parts answered"))

    p.append(
        f"<h2>The {len(tables['worst'])} most evasive answers</h2><p>With the sentences "
        "that decided the score and the cue phrases highlighted.</p>"
    )
    p.append(_worst_html(tables["worst"]))
    p.append(
        "<footer>Tables: "
        + ", ".join(f'<a href="{n}.csv">{n}.csv</a>' for n in tables)
        + ". Contains Parliamentary information licensed under the Open Parliament "
        "Licence v3.0 where the input is Parliament's.</footer></main></body></html>"
    )
    return "\n".join(x for x in p if x)


def write_batch_report(
    inputs: Sequence[str], output: str | os.PathLike, model_path: str | None = None
) -> dict:
    """Write ``index.html``, one CSV per table and the PNGs into ``output``.

    Returns the tables (as :func:`evascore.insight.summarise`). Raises :class:`EvascoreError`
    when an input is missing or is not ``evascore score`` output.
    """
    from evascore.insight import read_scored, summarise

    for f in inputs:
        if not Path(f).is_file():
            raise EvascoreError(f"{f}: no such file (give the output of evascore score)")
    try:
        frame = read_scored(inputs)
    except (ValueError, KeyError) as exc:
        raise EvascoreError(
            f"cannot read scored rows: {exc} (give the output of evascore score, JSONL or CSV)"
        ) from None
    if "label" not in frame.columns or not len(frame):
        raise EvascoreError("no scored rows in the input")
    tables = summarise(frame)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        t = t.copy()
        for c in ("sentences", "cues"):
            if c in t.columns:
                t[c] = [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, list) else None for v in t[c]
                ]
        t.to_csv(out / f"{name}.csv", index=False)
    plots_missing = not have_matplotlib()
    made = {} if plots_missing else _plots(tables, out)
    if plots_missing:
        print(f"evascore: warning: {MISSING_MATPLOTLIB}", file=sys.stderr)
    name, card = _model_card(model_path)
    page = render_html(tables, made, out, list(inputs), name, card, plots_missing)
    (out / "index.html").write_text(page, "utf-8")
    print(
        f"evascore: wrote {out / 'index.html'} ({len(made)} plots, {len(tables)} tables)",
        file=sys.stderr,
    )
    return tables
