"""Golden values for text handling: sentences and the stemmer."""

from __future__ import annotations

import pytest

from evascore.text import clean_text, split_sentences, stem


def _sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_no_is_an_answer_not_an_abbreviation():
    # issue 14: "No." was listed as an abbreviation, so this was one sentence
    assert _sentences("No. The Department has no plans to do so.") == [
        "No.",
        "The Department has no plans to do so.",
    ]


@pytest.mark.parametrize(
    "text, n",
    [
        ("The Prime Minister lives at No. 10 Downing Street. It is old.", 2),
        ("I refer the hon. Member to Question No. 1234. It was answered.", 2),
        ("I refer the hon. Member to my answer. The figure is 12.", 2),
        ("Mr. Smith and Dr. Jones met e.g. on Tuesday.", 1),
    ],
)
def test_abbreviations(text, n):
    assert len(_sentences(text)) == n


@pytest.mark.parametrize(
    "word, expected",
    [
        # issue 14: a dead branch made "address"/"addresses" and "class"/"classes" differ
        ("address", "address"),
        ("addresses", "address"),
        ("class", "class"),
        ("classes", "class"),
        ("officers", "officer"),
        ("studies", "study"),
        ("policing", "polic"),
        ("NHS", "nhs"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_clean_text_removes_markup_and_entities():
    assert (
        clean_text("<p>The figure is &pound;4.2&nbsp;million.</p>\n")
        == "The figure is £4.2 million."
    )
