"""The compiled scorer's fast paths give exactly what their plain definitions give: the text
views' tokens, counts and log-probabilities, and the feature matrix (issue 12)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from evascore.scorer import LATIN1_WORDS, SHORT, TOKENS, TextView

# The token pattern scikit-learn's CountVectorizer uses by default (the compiled views' own).
SKLEARN_TOKENS = re.compile(r"(?u)\b\w\w+\b")

_LATIN1 = "".join(map(chr, range(256)))
_PIECES = (
    "the", "The", "THE", "Staff", "a", "I", "x", "4", "42", "£5m", "café", "CAFÉ", "ÀÉÎÕÜ",
    "straße", "ÿ", "µm", "ª", "º", "½", "²", "snake_case", "_", "no-one", "one's", "e.g.",
    "İstanbul", "ΟΔΟΣ", "Σ", "ﬁne", "٣٤", "\u2013", "\u2019", "\u00a0", "\u0085", "\x1c", "\x00",
)  # fmt: skip
_GLUE = (" ", "", "", ".", ",", "-", "'", "\n", "\t", "\x0b", "\x1f", "\u00a0", "(", "£", "·")


def _texts(n: int, seed: int, pieces=_PIECES) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(0, 30))
        out.append("".join(rng.choice(pieces) + rng.choice(_GLUE) for _ in range(k)))
    return out


def _latin1_tokens(text: str) -> list[str]:
    words = text.encode("latin-1").translate(LATIN1_WORDS).split()
    return [w.decode("latin-1") for w in words if len(w) > 1]


def test_latin1_word_table_finds_the_token_patterns_words():
    """On a Latin-1 text, translate + split finds the regex's tokens of the lower-cased text:
    every Latin-1 character alone, in pairs and in runs, and random mixes."""
    assert LATIN1_WORDS is not None
    latin1_pieces = tuple(p for p in _PIECES if p.isascii() or max(map(ord, p)) < 256)
    texts = [_LATIN1, _LATIN1[::-1], *_LATIN1]
    texts += [a + b for a in _LATIN1 for b in "aZ _.£\xdf\xff"]
    texts += [a + b for a in "aZ _.£\xdf\xff" for b in _LATIN1]
    texts += _texts(3000, 1, latin1_pieces) + ["", " ", "a", "ab", "a b c", "\xb5\xb5", "\xaa1"]
    for text in texts:
        want = TOKENS.findall(text.lower())
        assert want == SKLEARN_TOKENS.findall(text.lower()), repr(text)
        assert _latin1_tokens(text) == want, repr(text)


def _fitted_view(train: list[str]) -> TextView:
    from evascore.textstack import TextStack, compile_view

    y = np.random.default_rng(3).choice(["direct", "evasive", "partial"], size=len(train))
    stack = TextStack(views=("answer",), min_df=1).fit([("Q?", t) for t in train], y)
    return compile_view(*stack.models_["answer"])


@pytest.fixture(scope="module")
def view() -> TextView:
    fitted = _fitted_view(_texts(600, 2) + [_LATIN1, _LATIN1.upper()])
    assert fitted._bigram_index() is not None and len(fitted._bigram_index()[1])
    return fitted


def test_byte_keyed_unigrams_are_the_vocabularys_latin1_words(view):
    unigrams = view._bigram_index()[0]
    index = view._byte_index(unigrams)
    for word, col in unigrams.items():
        if max(map(ord, word)) < 256:
            assert index[word.encode("latin-1")] == col
    assert all(index[bytes((b,))] == SHORT for b in range(256))
    assert len(index) == 256 + sum(max(map(ord, w)) < 256 for w in unigrams)


def test_bulk_counts_mixing_latin1_and_other_texts_are_the_plain_counts(view):
    """Latin-1 texts (bytes path) and others (regex path) in one batch, one-letter words
    between a bigram's words, at a text's ends and making up whole texts."""
    crafted = [
        "the a staff",  # one-letter word between two words: no bigram across it
        "a",
        "a b c d",
        "staff a",
        "a staff",
        "the staff ΟΔΟΣ the staff",
        "the staff \u2013 the staff",
        "ÀÉÎÕÜ café ÀÉÎÕÜ",
        "ı İ ß",
        "",
    ]
    texts = _texts(500, 4) + crafted + _texts(100, 5)
    for batch in (texts, crafted * 10, texts[::-1], [t for t in texts if t.isascii()]):
        bulk = view._counts_bulk(batch, view._bigram_index())
        plain = view._counts_each(batch)
        for got, want in zip(bulk, plain, strict=True):
            assert got.tolist() == want.tolist()
