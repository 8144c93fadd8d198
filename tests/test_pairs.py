"""Readers: JSONL, CSV, parliamentary question pages, directories, stdin, gzip, HTML."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from evascore.cli import main
from evascore.errors import InputError
from evascore.pairs import QAPair, expand_inputs, read_inputs, read_path, stable_id

PAGES = Path(__file__).parent / "data" / "pages"
CHROME = ("View Source", "Portrait", "Reticulating Splines")


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


# ---------------------------------------------------------------------- JSONL


def test_jsonl_keeps_id_and_other_fields_as_metadata(tmp_path):
    f = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {
                "id": "wq-17",
                "question": "How many?",
                "answer": "Twelve.",
                "date": "2023-01-26",
                "house": "Commons",
            },
            {"id": 42, "question": "Why?", "answer": "Because."},
        ],
    )
    rows = list(read_path(str(f)))
    assert [r.id for r in rows] == ["wq-17", "42"]
    assert rows[0].pair.metadata == {"date": "2023-01-26", "house": "Commons"}
    assert rows[1].pair.metadata == {}
    assert [r.line for r in rows] == [1, 2]


def test_jsonl_without_id_gets_a_stable_content_hash(tmp_path):
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"question": "How many?", "answer": "Twelve."},
            {"question": "Why?", "answer": "Because."},
        ],
    )
    # The same pair elsewhere, wrapped in HTML and spaced differently, gets the same id.
    b = write_jsonl(
        tmp_path / "b.jsonl", [{"question": "<p>How  many?</p>", "answer": "Twelve.\n"}]
    )
    ra, rb = list(read_path(str(a))), list(read_path(str(b)))
    assert ra[0].id == rb[0].id == stable_id("How many?", "Twelve.")
    assert ra[0].id.startswith("qa-")
    assert ra[0].id != ra[1].id


def test_jsonl_lines_split_on_newline_only(tmp_path):
    # U+2028, U+2029 and NEL are line breaks to str.splitlines(), but text inside JSON.
    text = "First part.\u2028Second part.\u2029Third\x85part."
    f = tmp_path / "in.jsonl"
    f.write_bytes(
        (json.dumps({"question": "What?", "answer": text}, ensure_ascii=False) + "\n").encode(
            "utf-8"
        )
    )
    rows = list(read_path(str(f)))
    assert len(rows) == 1 and rows[0].error_type is None
    assert rows[0].pair.answer.startswith("First part. Second part.")


def test_jsonl_bom_is_dropped(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"question": "Why?", "answer": "So."}).encode() + b"\n"
    )
    (row,) = read_path(str(f))
    assert row.error_type is None and row.pair.question == "Why?"


def test_jsonl_gz_input(tmp_path):
    f = tmp_path / "in.jsonl.gz"
    with gzip.open(f, "wt", encoding="utf-8") as fh:
        for i in range(3):
            fh.write(json.dumps({"id": f"g{i}", "question": "How many?", "answer": f"{i}."}) + "\n")
    rows = list(read_inputs([str(f)]))
    assert [(r.id, r.line, r.pair.answer) for r in rows] == [
        ("g0", 1, "0."),
        ("g1", 2, "1."),
        ("g2", 3, "2."),
    ]


def test_stdin_dash_reads_jsonl(monkeypatch):
    data = (
        json.dumps({"id": "s1", "question": "Why?", "answer": "Because."}) + "\n\n" + "{broken\n"
    ).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    rows = list(read_inputs(["-"]))
    assert [(r.file, r.line, r.id, r.error_type) for r in rows] == [
        ("-", 1, "s1", None),
        ("-", 3, None, "JSONDecodeError"),
    ]


def test_html_is_removed_before_anything_sees_it(tmp_path):
    f = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {
                "question": "<p>Will the Minister publish the report?</p>",
                "answer": "<p>Yes.</p><p>It&rsquo;s due in <b>March</b> &amp; will be laid "
                "before the House.</p>",
            }
        ],
    )
    (row,) = read_path(str(f))
    assert row.pair.question == "Will the Minister publish the report?"
    assert row.pair.answer == "Yes. It's due in March & will be laid before the House."


# ---------------------------------------------------------------------- CSV


def test_csv_line_is_where_the_record_starts(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(
        "id,question,answer\n"
        'c1,"How many staff\nwork in Belgium?","Twelve.\n\nAll in Brussels."\n'
        "\n"
        "c2,Why?,Because.\n"
        'c3,"When?","Today, ""at noon""."\n',
        "utf-8",
        newline="",
    )
    rows = list(read_path(str(f)))
    assert [(r.id, r.line) for r in rows] == [("c1", 2), ("c2", 7), ("c3", 8)]
    assert rows[0].pair.question == "How many staff work in Belgium?"
    assert rows[0].pair.answer == "Twelve. All in Brussels."
    assert rows[2].pair.answer == 'Today, "at noon".'


def test_csv_reads_fields_longer_than_the_csv_module_limit(tmp_path):
    long_answer = "The figure is twelve. " * 7000  # 154,000 characters > 131,072
    f = tmp_path / "in.csv"
    f.write_text(f'question,answer\nHow many?,"{long_answer}"\nWhy?,Because.\n', "utf-8")
    rows = list(read_path(str(f), max_chars=None))
    assert [r.error_type for r in rows] == [None, None]
    assert len(rows[0].pair.answer) == len(long_answer.strip())
    assert rows[1].line == 3


def test_csv_bad_bytes_cost_one_record_not_the_file(tmp_path):
    f = tmp_path / "in.csv"
    f.write_bytes(b"\xef\xbb\xbfquestion,answer\nWhy?,It\x92s late.\nWhen?,Today.\n")
    rows = list(read_path(str(f)))
    assert [(r.line, r.error_type) for r in rows] == [(2, "EncodingError"), (3, None)]
    assert "0x92" in rows[0].error_message and "'answer'" in rows[0].error_message


def test_csv_without_question_column_gives_an_error_row_per_record(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("text,answer\nWhy?,Because.\nWhen?,Today.\n", "utf-8")
    rows = list(read_path(str(f)))
    assert [(r.line, r.error_type) for r in rows] == [(2, "InputError"), (3, "InputError")]
    assert "lacks column(s) question" in rows[0].error_message


# ---------------------------------------------------------------------- pages


def test_seed_page(seed_path):
    (row,) = read_path(str(seed_path))
    p = row.pair
    assert row.error_type is None and row.line == 1
    assert p.question.startswith(
        "To ask the Secretary of State for the Home Department, how "
        "many National Crime Agency staff"
    )
    assert p.question.endswith("(a) Belgium (b) Germany and (c) Netherlands.")
    assert p.metadata["answering_body"] == "Home Office"
    assert p.metadata["asked_on"] == "20th January 2023"
    assert p.metadata["answered_on"] == "26th January 2023"
    assert p.metadata["answered_by"] == "Robert Jenrick"
    assert p.answer.startswith("The Government is resolute in its commitment")
    assert "the NCA does not disclose those countries" in p.answer
    assert p.answer.endswith("both in the UK and with foreign partners.")
    for noise in CHROME:
        assert noise not in p.question and noise not in p.answer


@pytest.mark.parametrize(
    "name, body, minister, asked, answered, question_has, answer_is",
    [
        (
            "dfe_direct.txt",
            "Department for Education",
            "Helen Marsh",
            "6th March 2023",
            "14th March 2023",
            "how many schools in England",
            "Since 2020, 312 schools in England have had solar panels fitted through projects "
            "funded by the Condition Improvement Fund. Of these, 187 were primary schools and 125 "
            "were secondary schools.",
        ),
        (
            "dhsc_multipart.txt",
            "Department of Health and Social Care",
            "Owen Thackeray",
            "2nd February 2023",
            "10th February 2023",
            "(a) what the average ambulance response time",
            "The average response time for category one calls in Cumbria in December 2022 was 9 "
            "minutes and 41 seconds. In that month, 64 ambulances were in service in Cumbria on an "
            "average day. The Department publishes ambulance performance figures monthly.",
        ),
        (
            "mod_holding.txt",
            "Ministry of Defence",
            "Priya Castellan",
            "11th April 2023",
            "19th April 2023",
            "service family accommodation in Wiltshire",
            "I will write to the hon. Member and a copy of my letter will be placed in the Library "
            "of the House.",
        ),
    ],
)
def test_own_pages(name, body, minister, asked, answered, question_has, answer_is):
    (row,) = read_path(str(PAGES / name))
    p = row.pair
    assert p.question.startswith("To ask the Secretary of State for")
    assert question_has in p.question
    assert p.answer == answer_is
    assert p.metadata["answering_body"] == body
    assert p.metadata["answered_by"] == minister
    assert (p.metadata["asked_on"], p.metadata["answered_on"]) == (asked, answered)
    for noise in CHROME + (minister,):
        assert noise not in p.question and noise not in p.answer


def test_page_without_an_answer_is_an_error_row(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text(
        "Roads: Potholes\n\nQuestion to the Department for Transport:\n\n"
        "To ask the Secretary of State for Transport, how many potholes were "
        "filled in 2022.\n\nView Source\n",
        "utf-8",
    )
    (row,) = read_path(str(f))
    assert row.pair is None and row.error_type == "InputError" and row.line == 1
    assert "no answer found" in row.error_message


# ---------------------------------------------------------------------- directories


def test_directory_reads_every_supported_file_sorted(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    write_jsonl(d / "b.jsonl", [{"id": "b1", "question": "Why?", "answer": "So."}])
    (d / "a.csv").write_text("id,question,answer\na1,When?,Today.\n", "utf-8")
    with gzip.open(d / "c.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "c1", "question": "Who?", "answer": "Me."}) + "\n")
    (d / "sub" / "page.txt").write_text((PAGES / "dfe_direct.txt").read_text("utf-8"), "utf-8")
    (d / "notes.md").write_text("not input", "utf-8")
    (d / "data.parquet").write_bytes(b"PAR1")
    files = expand_inputs([str(d)])
    assert files == [
        str(d / "a.csv"),
        str(d / "b.jsonl"),
        str(d / "c.jsonl.gz"),
        str(d / "sub" / "page.txt"),
    ]
    rows = list(read_inputs([str(d)]))
    assert [r.id for r in rows][:3] == ["a1", "b1", "c1"]
    assert rows[3].pair.metadata["answering_body"] == "Department for Education"


def test_missing_input_and_empty_directory_are_fatal(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([str(tmp_path / "nope.jsonl")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no supported files"):
        expand_inputs([str(tmp_path / "empty")])


def test_qapair_make_rejects_non_text():
    with pytest.raises(InputError, match="expected text, got int"):
        QAPair.make(5, "x")


# ---------------------------------------------------------------------- issue 14: readers


def csv_rows(path: Path, text: str, **kw) -> list:
    path.write_text(text, "utf-8", newline="")
    return list(read_path(str(path), **kw))


def test_csv_unclosed_quote_in_data_row_is_an_error_row(tmp_path):
    rows = csv_rows(
        tmp_path / "in.csv", 'id,question,answer\nc1,Why?,"Because\nc2,When?,Today.\nc3,Who?,Me.\n'
    )
    assert [(r.line, r.id, r.error_type) for r in rows] == [
        (2, "c1", "CSVError"),
        (3, "c2", None),
        (4, "c3", None),
    ]
    assert "unclosed quote" in rows[0].error_message
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path / "in.csv"), "-o", str(out)]) == 3


def test_csv_unclosed_quote_closed_by_a_later_quote_is_an_error_row(tmp_path):
    # The stray quote on line 2 is "closed" by the quote on line 4: without strict parsing
    # lines 2-4 became one record, silently.
    rows = csv_rows(
        tmp_path / "in.csv",
        'id,question,answer\nc1,"Why?,Because.\nc2,When?,Today.\nc3,"Who?",Me.\n',
    )
    assert [(r.line, r.error_type) for r in rows] == [(2, "CSVError"), (3, None), (4, None)]
    assert [r.id for r in rows[1:]] == ["c2", "c3"]


def test_csv_unclosed_quote_in_header_is_an_error_row(tmp_path):
    rows = csv_rows(tmp_path / "in.csv", '"id,question,answer\nc1,Why?,Because.\nc2,When?,Today.\n')
    assert [(r.line, r.error_type) for r in rows] == [
        (1, "CSVError"),
        (2, "InputError"),
        (3, "InputError"),
    ]
    assert "unclosed quote" in rows[0].error_message
    assert "CSV header (line 1) is unreadable" in rows[1].error_message


class _Recording(io.BytesIO):
    """A binary file that remembers the longest piece any read handed out."""

    longest = 0

    def _note(self, data: bytes) -> bytes:
        type(self).longest = max(type(self).longest, len(data))
        return data

    def readline(self, size=-1):
        return self._note(super().readline(size))

    def read(self, size=-1):
        return self._note(super().read(size))

    def __iter__(self):  # iterating reads whole lines: count them too
        return iter(lambda: self._note(io.BytesIO.readline(self)), b"")


def test_jsonl_line_over_the_line_limit_is_an_error_row_without_holding_it(tmp_path, monkeypatch):
    import evascore.pairs as pairs_mod

    limit = 64 * 1024
    huge = json.dumps({"id": "huge", "question": "Why?", "answer": "x" * 4_000_000})
    data = (
        "\n".join(
            [
                json.dumps({"id": "a", "question": "Why?", "answer": "So."}),
                huge,
                json.dumps({"id": "b", "question": "When?", "answer": "Now."}),
            ]
        )
        + "\n"
    )
    f = tmp_path / "in.jsonl"
    f.write_text(data, "utf-8")
    monkeypatch.setattr(pairs_mod, "_open_binary", lambda p: _Recording(data.encode()))
    # The default bound, made small: the 4 MB line must not be read before --max-chars.
    monkeypatch.setattr(pairs_mod, "MIN_LINE_BYTES", limit, raising=False)
    rows = list(read_path(str(f), max_chars=1000))
    assert [(r.line, r.id, r.error_type) for r in rows] == [
        (1, "a", None),
        (2, "huge", "InputError"),
        (3, "b", None),
    ]
    assert "longer than 65,536 bytes" in rows[1].error_message
    assert "--max-chars 1,000" in rows[1].error_message
    assert _Recording.longest <= limit


def test_jsonl_gz_line_over_the_line_limit_is_an_error_row(tmp_path):
    f = tmp_path / "in.jsonl.gz"
    with gzip.open(f, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"question": "Why?", "answer": "So."}) + "\n")
        fh.write('{"answer": "' + "y" * 3_000_000 + '"}\n')
        fh.write(json.dumps({"question": "When?", "answer": "Now."}) + "\n")
    rows = list(read_path(str(f), max_line_bytes=100_000))
    assert [(r.line, r.error_type) for r in rows] == [(1, None), (2, "InputError"), (3, None)]


def test_csv_record_over_the_line_limit_is_an_error_row(tmp_path):
    rows = csv_rows(
        tmp_path / "in.csv",
        f"id,question,answer\nbig,Why?,{'z' * 3_000_000}\nok,When?,Now.\n",
        max_line_bytes=100_000,
    )
    assert [(r.line, r.error_type) for r in rows] == [(2, "InputError"), (3, None)]
    assert "longer than 100,000" in rows[0].error_message


def test_default_line_limit_reads_long_answers_that_truncate_can_cut():
    from evascore.pairs import line_limit

    assert line_limit(None) is None
    assert line_limit(100_000) >= 32 * 2**20  # a 10 MB answer is still read, then judged
    assert line_limit(10_000_000) >= 12 * 10_000_000  # two fields of \uXXXX escapes


PAGE_WITH_CHROME_WORDS = """Schools: Solar Panels

(asked on 6th March 2023) - View Source

Question to the Department for Education:

To ask the Secretary of State for Education, how many schools have solar panels.

Answered by
Helen Marsh Portrait
Helen Marsh
This question was answered on 14th March 2023

Since 2020, 312 schools have had solar panels fitted.

Next

Email

The National Gallery lent one school a Portrait

Reticulating Splines
Share
"""


def test_page_answer_paragraphs_reading_next_email_or_ending_in_portrait_are_kept(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text(PAGE_WITH_CHROME_WORDS, "utf-8")
    (row,) = read_path(str(f))
    assert row.pair.answer == (
        "Since 2020, 312 schools have had solar panels fitted. Next "
        "Email The National Gallery lent one school a Portrait"
    )
    assert row.pair.metadata["answered_by"] == "Helen Marsh"


def test_directory_of_json_files_is_read(tmp_path):
    (tmp_path / "d").mkdir()
    write_jsonl(tmp_path / "d" / "a.json", [{"id": "j1", "question": "Why?", "answer": "So."}])
    # A run writing into the folder keeps its resume state there: that .json is not input.
    (tmp_path / "d" / ".out.jsonl.evascore-resume.json").write_text('{"rows_done": 0}', "utf-8")
    assert [r.id for r in read_inputs([str(tmp_path / "d")])] == ["j1"]


def test_tsv_is_read_as_tab_separated(tmp_path):
    f = tmp_path / "in.tsv"
    f.write_text("id\tquestion\tanswer\nt1\tHow many, exactly?\tTwelve, in all.\n", "utf-8")
    (row,) = read_path(str(f))
    assert row.error_type is None and row.id == "t1"
    assert row.pair.question == "How many, exactly?" and row.pair.answer == "Twelve, in all."
    (tmp_path / "d").mkdir()
    f.rename(tmp_path / "d" / "in.tsv")
    assert [r.id for r in read_inputs([str(tmp_path / "d")])] == ["t1"]


def test_jsonl_bom_on_a_later_line_is_dropped(tmp_path):
    f = tmp_path / "in.jsonl"
    line = json.dumps({"question": "Why?", "answer": "So."}).encode()
    f.write_bytes(line + b"\n\xef\xbb\xbf" + line + b"\n")  # two files concatenated
    rows = list(read_path(str(f)))
    assert [(r.line, r.error_type) for r in rows] == [(1, None), (2, None)]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt", ".jsonl.gz"])
@pytest.mark.parametrize(
    "encoding, name", [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")]
)
def test_utf16_input_is_named_and_gives_one_error_row(tmp_path, suffix, encoding, name):
    text = (
        '{"question": "Why?", "answer": "So."}\n{"question": "When?", "answer": "Now."}\n'
        if "json" in suffix
        else "question,answer\nWhy?,So.\nWhen?,Now.\n"
    )
    data = ("\ufeff" + text).encode(encoding)  # utf-16-be: no BOM of its own, so add one
    if encoding == "utf-16" or encoding == "utf-32":
        data = text.encode(encoding)
    f = tmp_path / f"in{suffix}"
    f.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    rows = list(read_path(str(f)))
    assert [(r.line, r.error_type) for r in rows] == [(1, "EncodingError")]
    assert f"{name} is not supported: convert to UTF-8" in rows[0].error_message


def test_encoding_error_row_keeps_a_readable_id(tmp_path):
    j = tmp_path / "in.jsonl"
    j.write_bytes(b'{"id": "w-1", "question": "Why?", "answer": "It\x92s late."}\n')
    c = tmp_path / "in.csv"
    c.write_bytes(b"id,question,answer\nc-1,Why?,It\x92s late.\nc\xff2,Why?,It\x92s late.\n")
    rows = list(read_inputs([str(j), str(c)]))
    assert [(r.id, r.error_type) for r in rows] == [
        ("w-1", "EncodingError"),
        ("c-1", "EncodingError"),
        (None, "EncodingError"),
    ]


def test_csv_output_keeps_lone_surrogate_ids_escaped(tmp_path):
    import csv as csv_mod

    f = tmp_path / "in.jsonl"
    f.write_bytes(
        b'{"id": "x\\ud800y", "question": "Why?", "answer": "So."}\n'
        b'{"id": "\\udfff", "question": 1, "answer": "So."}\n'
    )
    out = tmp_path / "out.csv"
    assert main(["score", str(f), "-o", str(out)]) == 3
    text = out.read_bytes().decode("utf-8")  # valid UTF-8
    ids = [r[0] for r in csv_mod.reader(io.StringIO(text, newline=""))][1:]
    assert [json.loads(i) for i in ids] == ["x\ud800y", "\udfff"]  # round-trips


def test_dict_id_is_written_as_json(tmp_path):
    f = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": {"house": "Commons", "n": 7}, "question": "Why?", "answer": "So."},
            {"id": [1, "a"], "question": 1, "answer": "So."},
            {"id": True, "question": "Why?", "answer": "So."},
        ],
    )
    assert [r.id for r in read_path(str(f))] == ['{"house": "Commons", "n": 7}', '[1, "a"]', "true"]


def test_json_error_text_does_not_read_at_at_column(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"question": "Why?\tx", "answer": "So."}\n{"question": "abc\n')
    rows = list(read_path(str(f)))
    assert [r.error_type for r in rows] == ["JSONDecodeError"] * 2
    for r in rows:
        assert "at at" not in r.error_message
    assert rows[0].error_message == "invalid JSON: Invalid control character at column 19"


def test_line_cut_off_at_the_end_is_reported_at_its_column(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"question": "Why?", "answer": "So."\n{"question":\n')
    rows = list(read_path(str(f)))
    assert [r.error_message for r in rows] == [
        "invalid JSON: Expecting ',' delimiter at column 37",
        "invalid JSON: Expecting value at column 13",
    ]


def test_qapairs_give_non_text_ids_as_json_as_the_command_line_does():
    from evascore.pairs import qapairs

    got = list(
        qapairs(
            [
                {"id": {"house": "Commons", "n": 7}, "question": "Q?", "answer": "A."},
                {"id": 42, "question": "Q?", "answer": "A."},
                {"id": float("nan"), "question": "Q?", "answer": "A."},
            ]
        )
    )
    assert got[0].id == '{"house": "Commons", "n": 7}' and got[1].id == "42"
    assert got[2].id.startswith("qa-")  # NaN is no id: a content hash
