"""Fast paths around the evidence pass and the models (issue 12) give exactly what their
plain definitions give: assessments, reasons, input rows and output text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import evascore.scorer as model_module  # the scorer builds the assessments
from evascore import assessment as A
from evascore import reasons as R
from evascore.pairs import QAPair

ROOT = Path(__file__).resolve().parent.parent


def _rows(name: str, every: int, limit: int) -> list[dict]:
    with open(ROOT / "training_data" / name, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[::every][:limit]


@pytest.fixture(scope="module")
def batches(model):
    """The arguments the model (its scorer) passes to build_assessments, for real and authored
    answers."""
    texts = _rows("real_answers.jsonl", 11, 300) + _rows("corpus.jsonl", 5, 200)
    texts += [
        {"question": "How many?", "answer": "No."},
        {"question": "Will the Minister publish the (a) costs and (b) dates?", "answer": "Yes."},
        {"question": "What is the figure?", "answer": "I refer the hon. Member to my answer."},
    ]
    pairs = [QAPair.make(r["question"], r["answer"]) for r in texts]
    seen = []
    real = model_module.build_assessments

    def spy(*args):
        seen.append(args)
        return real(*args)

    model_module.build_assessments = spy
    try:
        for i in range(0, len(pairs), 128):
            model.assess(pairs[i : i + 128])
    finally:
        model_module.build_assessments = real
    assert seen
    return seen


def _text(assessments) -> list[str]:
    # to_dict as the writers print it, plus what the plain-text report reads
    return [
        json.dumps(a.to_dict(), ensure_ascii=False) + a.question + a.answer for a in assessments
    ]


def _outcome(build, args):
    try:
        return _text(build(*args))
    except Exception as exc:  # noqa: BLE001 - both paths must fail alike on odd input
        return type(exc), str(exc)


def _same(args) -> None:
    assert _outcome(A.build_assessments, args) == _outcome(A._build_assessments_plain, args)


def test_build_assessments_fast_path_equals_plain_on_the_shipped_model(batches):
    for args in batches:
        assert A._build_fast(*args) is not None  # the fast path is the one that runs
        _same(args)


def test_build_assessments_fast_path_equals_plain_on_other_inputs(batches):
    rng = np.random.default_rng(12)
    pairs, analyses, proba, contrib, classes, names, tech, tech_classes, refused, by_parts = (
        batches[0]
    )
    n = len(pairs)

    def run(**change):
        args = {
            "proba": proba,
            "contrib": contrib,
            "classes": classes,
            "tech": tech,
            "tech_classes": tech_classes,
            "refused": refused,
            "by_parts": by_parts,
            **change,
        }
        _same(
            (
                pairs,
                analyses,
                args["proba"],
                args["contrib"],
                args["classes"],
                names,
                args["tech"],
                args["tech_classes"],
                args["refused"],
                args["by_parts"],
            )
        )

    _same(batches[0])
    run(contrib=contrib.astype(np.float32))
    run(tech=None, tech_classes=None)
    if tech is not None:
        run(tech=tech.astype(np.float32))
        run(tech=np.round(tech, 1))  # ties between techniques
    run(refused=~refused, by_parts=~by_parts)
    run(refused=rng.random(n) < 0.5, by_parts=rng.random(n) < 0.5)
    # ties between labels: the first largest wins, as np.argmax has it
    tied = np.tile([[0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [1 / 3, 1 / 3, 1 / 3]], (n, 1))[:n]
    run(proba=tied)
    run(proba=rng.dirichlet([1, 1, 1], size=n))
    # a head trained without some class: rows given that label get no reason pushed
    for drop in range(3):
        keep = [j for j in range(len(classes)) if j != drop]
        run(classes=[classes[j] for j in keep], contrib=contrib[:, keep])
    # ties, zeros, signed zeros and huge values between the families
    noisy = rng.choice([0.0, -0.0, 1.0, -1.0, 0.5, 1e300, -1e300, 1e-300], size=contrib.shape)
    run(contrib=noisy)
    run(contrib=np.zeros_like(contrib))
    run(contrib=contrib * rng.choice([1e-9, 1.0, 1e9], size=contrib.shape))


def test_build_assessments_plain_path_takes_what_the_fast_path_leaves(batches):
    pairs, analyses, proba, contrib, classes, names, tech, tech_classes, refused, by_parts = (
        batches[0]
    )
    withnan = proba.copy()
    withnan[1, 2] = np.nan
    cnan = contrib.copy()
    cnan[:, :, 5] = np.nan
    cinf = contrib.copy()
    cinf[:, :, 3], cinf[:, :, 4] = np.inf, -np.inf  # inf - inf: nan sums
    for args in (
        (pairs, analyses, withnan, contrib, classes, names, tech, tech_classes, refused, by_parts),
        (pairs, analyses, proba, cnan, classes, names, tech, tech_classes, refused, by_parts),
        (pairs, analyses, proba, contrib[:, :, :-1], classes, names, tech, tech_classes)
        + (refused, by_parts),
        (pairs, analyses, proba.astype(np.float32), contrib, classes, names, tech, tech_classes)
        + (refused, by_parts),
        (pairs[:-1], analyses, proba, contrib, classes, names, tech, tech_classes)
        + (refused, by_parts),
        (pairs, analyses, proba, contrib[:, :0], classes, names, tech, tech_classes)
        + (refused, by_parts),
        (pairs, analyses, proba, contrib[:, :0], [], names, tech, tech_classes)
        + (refused, by_parts),
    ):
        assert A._build_fast(*args) is None
        _same(args)
    args = (pairs, analyses, proba, cinf, classes, names, tech, tech_classes, refused, by_parts)
    _same(args)
    assert (
        A.build_assessments(
            pairs[:0],
            [],
            proba[:0],
            contrib[:0],
            classes,
            names,
            None,
            None,
            refused[:0],
            by_parts[:0],
        )
        == []
    )


def test_ranked_reasons_equal_reasons_in_words(batches):
    rng = np.random.default_rng(7)
    analyses, names = batches[0][1], batches[0][5]
    values = [0.0, -0.0, 1.0, -1.0, 0.25, 2.0, 1e-300, np.inf, -np.inf]
    for k, a in enumerate(analyses):
        fired = {c.technique for c in a.cues}
        for row in (
            rng.normal(size=len(names)),
            rng.choice(values, size=len(names)),
            np.zeros(len(names)),
        ):
            pushed = R.push_matrix(row[None, :], names)
            assert pushed is not None
            families, sums = pushed
            if np.isnan(sums).any():
                continue
            for label in ("direct", "partial", "evasive"):
                for lead in (None, "parts"):
                    for limit in (0, 1, 3, 20):
                        want = R.reasons_in_words(a, row.tolist(), names, label, limit, lead)
                        got = R.ranked_reasons(
                            a, families, sums[0].tolist(), label, fired, limit, lead
                        )
                        assert got == want, (k, label, lead, limit)


def test_push_matrix_adds_as_the_plain_loop(model):
    rng = np.random.default_rng(5)
    names = model.feature_names_
    rows = rng.normal(size=(200, len(names))) * rng.choice([1e-9, 1.0, 1e6], size=(200, 1))
    rows[rng.random(rows.shape) < 0.2] = 0.0
    rows[rng.random(rows.shape) < 0.1] = -0.0
    rows[3, 4], rows[4, 7] = np.inf, -np.inf
    for arr in (rows, rows.astype(np.float32)):
        families, sums = R.push_matrix(arr, names)
        for i, row in enumerate(arr):
            want = R._push_plain(row, names)
            assert families == tuple(want)
            assert [repr(v) for v in sums[i].tolist()] == [repr(v) for v in want.values()]
    assert R.push_matrix(rows[:, :-1], names) is None
    assert R.push_matrix(np.ones(rows.shape, dtype=np.int64), names) is None
    assert R.push_matrix(rows.tolist(), names) is None


@pytest.fixture(scope="module")
def scored_rows(model):
    from evascore.pairs import row_from_record

    recs = [
        {"id": "a1", "question": "How many nurses left in 2024?", "answer": "4,210 left."},
        {
            "question": "To ask the Secretary of State for Defence, what the cost was of (a) ships "
            "and (b) aircraft in 2023.",
            "answer": "The information is not held centrally. I refer the hon. Member to the "
            "answer I gave on 3 May 2024 to Question 1001.",
            "uin": 12,
            "tags": ["défense", {"k": "£"}],
            "note": {"nested": [1, 2.5, None, True]},
        },
        {
            "id": 7,
            "question": "Will he publish it?",
            "answer": "Non. « Pas encore » – 2025.",
            "department": "Cabinet Office",
            "emoji": "\U0001f600",
        },
        {"id": "x", "question": "Why?", "answer": "Because " + "very " * 200 + "long."},
    ]
    rows = [
        row_from_record(r, "in.jsonl", i + 1, max_chars=300, truncate=True)
        for i, r in enumerate(recs)
    ]
    rows.append(row_from_record({"id": "bad", "question": ""}, "in.jsonl", 9))
    good = [r for r in rows if r.pair is not None]
    found = dict(zip(map(id, good), model.assess([r.pair for r in good])))
    return [(r, found.get(id(r))) for r in rows]


def test_record_built_once_equals_record_from_to_dict(scored_rows):
    from evascore.writers import record

    class Other(A.Assessment):  # not exactly an Assessment: to_dict is asked, as before
        pass

    for row, a in scored_rows:
        for include_text in (False, True):
            got = record(row, a, include_text=include_text)
            if a is None:
                continue
            other = Other(**{f: getattr(a, f) for f in a.__dataclass_fields__})
            want = record(row, other, include_text=include_text)
            assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
            assert list(got) == list(want)


def test_serialise_jsonl_equals_json_dumps_per_row(scored_rows):
    from evascore.writers import record, serialise, to_json_line

    recs = [record(row, a) for row, a in scored_rows]
    plain = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in recs)
    assert serialise(recs) == plain
    assert serialise(recs[:1]) == plain.splitlines(keepends=True)[0]
    assert serialise([]) == ""
    bad = [dict(recs[0], id="lone \udc80 surrogate"), *recs[1:]]
    assert serialise(bad) == "".join(to_json_line(x) for x in bad)


def test_cached_c_json_encoder_writes_what_json_dumps_writes(monkeypatch):
    import json.encoder

    from evascore import writers

    encode = writers._c_encoder()
    assert encode is not None  # CPython has the C accelerator
    values = [
        {"a": 1, "b": [1.5, -0.0, 1e-7, 1e300, 123456789.123456789], "c": None, "d": True},
        {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")},
        {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
        ["défense", "« guillemets »", "\U0001f600", 'tab\tquote"back\\slash', "\x00\x1f"],
        {"nested": {"deeper": [[], {}, [{"x": [None]}]]}, "empty": ""},
        np.float64(0.526659),  # a float subclass, as numpy's scalars are
        "just a string",
        42,
    ]
    for v in values:
        assert encode(v) == json.dumps(v, ensure_ascii=False)
    with pytest.raises(TypeError):
        encode({"x": object()})  # what json.dumps raises too
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    assert writers._c_encoder() is None  # then writers falls back to JSONEncoder.encode


def test_csv_cells_equal_json_dumps(scored_rows):
    from evascore.writers import csv_extra_cells, meta_cells, meta_columns, record, to_csv_row

    def dumps(v):
        return json.dumps(v, ensure_ascii=False)

    cols = meta_columns(["tags", "emoji"])
    for row, a in scored_rows:
        rec = record(row, a)
        cells = to_csv_row(rec)
        parts, cues = rec["parts"], rec["cues"]
        assert cells[9] == (None if parts is None else dumps(parts))
        assert cells[10] == (None if cues is None else dumps(cues))
        meta = rec["meta"]
        want = [
            dumps(v) if isinstance(v, (list, dict)) else v for v in (meta.get(c[5:]) for c in cols)
        ]
        assert meta_cells(meta, cols) == want
        other = {k: v for k, v in meta.items() if "meta_" + k not in cols}
        assert csv_extra_cells(rec, cols)[-1] == (dumps(other) if other else None)


def test_undecodable_csv_fields_found_as_by_searching_every_field():
    import random

    from evascore.pairs import _undecodable, _undecodable_plain

    rng = random.Random(4)
    bits = ["a", "é", "’", "\U0001f600", "\udc80", "\udcff", "\ud800", "\udc7f", " ", ""]
    for _ in range(3000):
        values = ["".join(rng.choices(bits, k=rng.randint(0, 6))) for _ in range(rng.randint(0, 4))]
        assert _undecodable(values) == _undecodable_plain(values)
    raw = "café, £4 – ok".encode() + b" \xff\xfe end"
    assert _undecodable(["ok", raw.decode("utf-8", "surrogateescape")]) == (1, 0xFF)


def test_as_pairs_and_qapairs_take_plain_tuples_as_the_general_loop_does():
    from collections import namedtuple

    from evascore.errors import InputError
    from evascore.pairs import as_pairs, qapairs

    class Text(str):
        pass

    Swapped = namedtuple("Swapped", ["answer", "question"])
    items = [
        ("How many?", "Twelve."),
        ("<p>Why?</p>", "Because &amp; so."),
        ["As a list?", "Yes."],
        Swapped("Swapped answer.", "Swapped question?"),
        (Text("A str subclass?"), "Yes."),
        {"question": "A dict?", "answer": "Yes.", "id": 5},
        QAPair.make("A pair?", "Yes."),
    ]

    def outcome(fn, *args):
        try:
            return fn(*args)
        except InputError as exc:
            return str(exc)

    def qa(pairs):
        return [(p.question, p.answer, p.id) for p in qapairs(pairs)]

    def qa_general(pairs):  # each item through as_pairs, as before
        out = []
        for item in pairs:
            if isinstance(item, (QAPair, dict)):
                out.extend(qa([item]))
            else:
                ((q, a),) = as_pairs([item])
                p = QAPair.make(q, a)
                out.append((p.question, p.answer, p.id))
        return out

    plain = [it for it in items if type(it) is tuple and type(it[0]) is str]
    for xs in (plain, items, [*plain, ("one",)], [*plain, ("q", 5)], [*plain, (None, "a")], []):
        # a tuple of items is not a list: it takes the general loop
        assert outcome(as_pairs, xs) == outcome(as_pairs, tuple(xs))
        assert outcome(qa, xs) == outcome(qa_general, xs)
    assert as_pairs(plain) is not plain and as_pairs(plain) == [tuple(p) for p in plain]


def test_department_cached_by_office_equals_reading_the_table_each_time():
    from evascore import departments as D

    questions = [r["question"] for r in _rows("real_answers.jsonl", 3, 2000)]
    questions += [
        "To ask the Secretary of State for Health and Social Care, how many nurses?",
        "To ask the SECRETARY OF STATE FOR DEFENCE, what the cost was.",
        "To ask the Minister of State, Foreign, Commonwealth and Development Office, whether …",
        "To ask the hon. Member for Broxbourne, representing the Church Commissioners, what …",
        "How many staff work there?",
    ]
    D._department_of_office.cache_clear()
    for q in questions * 2:  # the second time from the cache
        office = D.office_of(q)
        plain = None if office is None else D._department_of_office.__wrapped__(office)
        assert D.department_of(q) == plain
    assert D._department_of_office.cache_info().hits >= len(questions)
