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


# ---------------------------------------------------------------------- the feature columns
# The families as they were written before their fast paths: the plain definitions.


def _plain_answer_type(a):
    from evascore.question import ANSWER_TYPES

    return tuple(float(a.frame.answer_type == t) for t in ANSWER_TYPES)


def _plain_type_tied(a):
    tied = [r for r, ok in zip(a.relevance, a.typed) if ok]
    first = float(a.typed[0]) * a.relevance[0]
    return (
        max(tied, default=0.0),
        float(any(a.typed)),
        sum(a.typed) / len(a.typed),
        first,
        float(a.typed[0]),
    )


def _plain_cues(a):
    import math
    from collections import Counter

    from evascore.cues import TECHNIQUES_IN_LEXICON

    counts = Counter(c.technique for c in a.cues)
    return tuple(math.log1p(counts[t]) for t in TECHNIQUES_IN_LEXICON)


def _plain_cue_position(a):
    from evascore.cues import NON_REPLY

    n = len(a.sentences)
    refusal = [bool(s & frozenset(NON_REPLY)) for s in a.cue_sentence]
    top = max(range(n), key=a.relevance.__getitem__)
    override = any("override" in s for s in a.cue_sentence)
    answers = any(t and not r and rel > 0 for t, r, rel in zip(a.typed, refusal, a.relevance))
    opens_refusing = refusal[0] and not answers and not override
    parts_refused = float(
        bool(a.parts)
        and a.parts[0].part.kind in ("enumerated", "year")
        and not any(p.addressed for p in a.parts)
        and any(refusal)
        and not override
    )
    return (
        float(opens_refusing),
        sum(refusal) / n,
        float(refusal[top]),
        float(any(refusal) and not any(t and not r for t, r in zip(a.typed, refusal))),
        parts_refused,
    )


def _plain_relevance(a):
    rel = a.relevance
    n = len(rel)
    focus = a.frame.focus
    cover = sum(t in a.answer_terms for t in focus) / len(focus) if focus else 0.0
    on_topic = sum(r >= 0.25 for r in rel) / n
    best = max(range(n), key=rel.__getitem__)
    return (max(rel), sum(rel) / n, rel[0], on_topic, cover, best / n if n > 1 else 0.0)


def _plain_shape(a):
    import math

    qwords = len(a.question.split()) or 1
    words = sum(len(a.answer[s:e].split()) for s, e in a.sentences)
    return (
        math.log1p(min(words, 60)),
        math.log1p(min(len(a.sentences), 4)),
        math.log1p(min(words / qwords, 3.0)),
        float(words <= 6),
    )


_PLAIN = {
    "_f_answer_type": _plain_answer_type,
    "_f_type_tied": _plain_type_tied,
    "_f_cues": _plain_cues,
    "_f_cue_position": _plain_cue_position,
    "_f_relevance": _plain_relevance,
    "_f_shape": _plain_shape,
}

_SPACES = (" ", "  ", "\n", "\t", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "")
_ANSWER_BITS = (
    "We do not hold this information.", "It would incur disproportionate cost.", "There",
    "are", "412", "staff", "in", "Belgium.", "I refer the hon. Member to my answer.",
    "In 2023 there were 4,000 cases.", "I hope this helps.", "Thank you.", "No.", "Yes.",
    "The figure is £5m.", "café", "ΟΔΟΣ", "Σ.", "İ", "x", '"', ").", "(a)", "e.g.", "£",
)  # fmt: skip
_QUESTIONS = (
    "How many staff are posted to (a) Belgium and (b) Germany?",
    "To ask the Secretary of State for Health, how much was spent on nurses in each year "
    "since 2020?",
    "What steps is the Government taking on flooding?",
    "Whether the Minister will publish the review?",
    "When will the report be published?",
    "How many  staff\u00a0work\x85in ΟΔΟΣ?",
    "",
    "Why?",
)


def _crafted_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n):
        k = int(rng.integers(0, 40))
        answer = "".join(rng.choice(_ANSWER_BITS) + rng.choice(_SPACES) for _ in range(k))
        pairs.append((str(rng.choice(_QUESTIONS)), answer))
    return pairs


@pytest.fixture(scope="module")
def analyses():
    import json

    from evascore.analysis import analyse
    from evascore.text import clean_text
    from tests.conftest import ROOT

    rows = []
    for name, step in (("corpus.jsonl", 3), ("real_answers.jsonl", 15)):
        with (ROOT / "training_data" / name).open(encoding="utf-8") as f:
            rows += [json.loads(line) for line in f][::step]
    pairs = [(r["question"], r["answer"]) for r in rows] + _crafted_pairs(600, 6)
    # uncleaned too: the columns must not rely on cleaning for their word counts
    cleaned = [(clean_text(q), clean_text(a)) for q, a in pairs]
    return [analyse(q, a) for q, a in cleaned + pairs]


def test_feature_families_match_their_plain_definitions(analyses):
    """The families' fast paths (constant columns without cues, typed sentences or a refusal;
    the one-hot answer type; the maximum's first position; word counts from Latin-1 marks)
    give the plain definitions' values exactly, where those paths are taken and where not."""
    from evascore.columns import REGISTRY

    taken = dict.fromkeys(["no cues", "no typed", "no refusal", "not Latin-1"], 0)
    for a in analyses:
        taken["no cues"] += not a.cues
        taken["no typed"] += not any(a.typed)
        taken["no refusal"] += not any(a.cue_sentence)
        taken["not Latin-1"] += max(map(ord, a.answer + a.question + "\0")) > 255
        for _, fn in REGISTRY:
            plain = _PLAIN.get(fn.__name__)
            if plain is not None:
                got, want = fn(a), plain(a)
                assert np.array(got).tobytes() == np.array(want).tobytes(), (fn.__name__, a)
    assert min(taken.values()) > 20 and taken["no cues"] < len(analyses) - 20, taken


def test_word_marks_count_what_str_split_counts():
    from evascore.columns import _n_words, _word_marks

    latin1 = "".join(map(chr, range(256)))
    texts = [latin1, *latin1, *(a + b for a in latin1 for b in "a \xa0\x85")]
    texts += _texts(2000, 8) + [t for _, t in _crafted_pairs(500, 9)] + ["", " ", "a", " a "]
    for text in texts:
        assert _n_words(text) == len(text.split()), repr(text)
        marks = _word_marks(text)
        if marks is not None:
            n = len(text)
            for s, e in ((0, n), (1, n - 1), (2, 5), (n // 2, n)):
                if not 0 <= s <= e <= n:
                    continue
                words = marks.count(b" x", s, e) + (s < e and marks[s] == 120)
                assert words == len(text[s:e].split()), (repr(text), s, e)


def test_feature_matrix_is_the_feature_vectors(analyses):
    from evascore.columns import FEATURE_NAMES, feature_matrix, feature_vector

    X = feature_matrix(analyses)
    assert X.dtype == np.float64 and X.shape == (len(analyses), len(FEATURE_NAMES))
    assert X.tobytes() == np.array([feature_vector(a) for a in analyses]).tobytes()
    assert feature_matrix([]).shape == (0, len(FEATURE_NAMES))


# ---------------------------------------------------------------------- answer and opening


def _answer_and_opening_views(answers: list[str]):
    from evascore.textstack import TextStack, compile_view

    y = np.random.default_rng(5).choice(["direct", "evasive", "partial"], size=len(answers))
    stack = TextStack(views=("answer", "opening"), min_df=1).fit([("Q?", a) for a in answers], y)
    return compile_view(*stack.models_["answer"]), compile_view(*stack.models_["opening"])


_SENTENCES = (
    "We do not hold this information.", "There are 412 staff in Belgium.", "No.",
    "The figure is £5m. ", "Café staff: ÀÉÎ.", "Staff in ΟΔΟΣ are counted.", "a b.",
    "I refer the hon. Member to my answer of 4 May.", "Σ is a letter.", "İstanbul staff.",
    "e.g. this", "The staff\u2013the staff.", "x",
)  # fmt: skip


def _answers(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        " ".join(rng.choice(_SENTENCES) for _ in range(int(rng.integers(0, 6)))) for _ in range(n)
    ]


def test_answer_and_opening_from_one_tokenisation_match_each_views_own():
    """One tokenisation for both views gives each view's own log-probabilities bit for bit,
    on cuts at sentence ends and crafted cuts: inside a word (the opening keeps part of it),
    beside a space, at either end, before and after a character outside Latin-1."""
    from evascore.scorer import BULK_MIN_TEXTS, _answer_and_opening, _opening_columns, opening

    train = _answers(400, 1)
    answer, opening_view = _answer_and_opening_views(train)
    to_opening = _opening_columns(answer, opening_view)
    assert to_opening is not None
    texts = _answers(300, 2) + _texts(200, 3)
    rng = np.random.default_rng(4)
    cut_kinds = {
        "sentences": [len(opening(t)) for t in texts],
        "anywhere": [int(rng.integers(0, len(t) + 1)) for t in texts],
        "ends": [len(t) if i % 2 else 0 for i, t in enumerate(texts)],
    }
    mid_word = 0
    for kind, cuts in cut_kinds.items():
        for batch in (slice(None), slice(0, BULK_MIN_TEXTS), slice(None, None, -1)):
            t, c = texts[batch], cuts[batch]
            got_a, got_o = _answer_and_opening(answer, opening_view, t, c, to_opening)
            assert got_a.tobytes() == answer.logp(t).tobytes(), kind
            heads = [x[:k] for x, k in zip(t, c)]
            assert got_o.tobytes() == opening_view.logp(heads).tobytes(), kind
        mid_word += sum(0 < k < len(x) and (x[k - 1] + x[k]).isalnum() for x, k in zip(texts, cuts))
    assert mid_word > 50


def test_scorer_text_blocks_are_each_views_logp(model):
    """The shipped scorer's text columns through the shared answer/opening path are each
    view's own, on real answers and on varied text; and a model whose opening view has a
    word its answer view lacks scores each view alone."""
    import json

    from evascore.pairs import clean_pairs
    from evascore.scorer import Scorer, _opening_columns, view_texts
    from tests.conftest import ROOT

    scorer = model.scorer_
    with (ROOT / "training_data" / "real_answers.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][::7]
    pairs = clean_pairs([(r["question"], r["answer"]) for r in rows])
    pairs += [("How many staff?", a) for a in _answers(300, 7) + _texts(300, 8) if a.strip()]
    assert scorer._opening_map() is not None
    for batch in (pairs, pairs[:64], pairs[:63]):
        plain = [v.logp(view_texts(name, batch)) for name, v in scorer.views.items()]
        got = scorer._text_blocks(batch)
        assert [g.tobytes() for g in got] == [p.tobytes() for p in plain]
        # the opening's cut and the question's core read from the evidence pass instead
        got = scorer._text_blocks(batch, scorer.analyse_many(batch))
        assert [g.tobytes() for g in got] == [p.tobytes() for p in plain]

    answer, opening_view = _answer_and_opening_views(_answers(300, 9))
    other, _ = _answer_and_opening_views(_answers(300, 10) + ["zzonly zzonly"])
    assert _opening_columns(answer, other) is None
    for views in ({"answer": answer, "opening": other}, {"opening": opening_view}):
        lone = Scorer(None, 1.0, None, views, scorer.head, scorer.offsets)
        assert lone._opening_map() is None
        plain = [v.logp(view_texts(name, pairs)) for name, v in views.items()]
        assert [g.tobytes() for g in lone._text_blocks(pairs)] == [p.tobytes() for p in plain]


def test_analysis_opening_end_is_the_opening_views_cut():
    """``Analysis.opening_end`` is where :func:`evascore.scorer.opening` cuts the answer,
    courtesies and odd sentence ends included; ``frame.core`` is ``strip_preamble``."""
    from evascore.analysis import analyse
    from evascore.question import strip_preamble
    from evascore.scorer import opening

    answers = _answers(400, 11) + [
        "Thank you for your question. I hope this is helpful. The figure is 4.",
        "I hope this is helpful.",
        "One sentence without an end",
        "Yes. No. Maybe.",
        "The hon. Member asked about No. 10. It is not held.",
        "   ",
        "x",
    ]
    questions = [
        "To ask the Secretary of State for Defence, how many staff?",
        "To ask the Home Secretary, pursuant to the Answer of 3 May 2024 to Question 12, why?",
        "How many?",
    ]
    for i, a in enumerate(answers):
        q = questions[i % len(questions)]
        got = analyse(q, a)
        assert got.opening_end == len(opening(a)), a
        assert got.frame.core == strip_preamble(q)
