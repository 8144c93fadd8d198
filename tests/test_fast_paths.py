"""Fast paths give exactly what their plain definitions give (scoring output must not move)."""

from __future__ import annotations

import random
import re

import pytest

from evascore import analysis as F
from evascore import columns
from evascore import text as T

_BITS = (
    "1",
    "2",
    "20",
    "19",
    "2023",
    "12,000",
    "4.2",
    ".5",
    "0",
    "٣",
    "£",
    "$",
    "€",
    " ",
    "  ",
    ".",
    ",",
    "-",
    "'",
    "%",
    "per cent",
    "percent",
    "million",
    "m",
    "k",
    "bn",
    "one",
    "One",
    "twenty",
    "no",
    "No",
    "staff",
    "people",
    "such",
    "none",
    "half",
    "a",
    "quarter",
    "third",
    "nil",
    "sixty",
    "no-one",
    "one's",
    "x",
    "cases",
    "the",
    "of",
    "Σ",
    "İ",
    "é",
    "_",
    "\n",
    "(",
    ")",
    "!",
    "?",
    "Mr",
    "A",
    "Hon",
    "B",
    "\u00a0",
    "\u2028",
)


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(_BITS) + rng.choice(("", " ", " ", "-", ". ", ", "))
            for _ in range(rng.randint(0, 30))
        )
        for _ in range(n)
    ]


def test_count_numbers_matches_plain_scan():
    for text in _texts(20000, 1):
        low = text.lower()
        plain = [t for t in F._NUMBER_LOW.findall(low) if not F._YEAR.match(t.strip())]
        assert F._count_numbers(text) == plain, text


def test_digit_branch_rewrite():
    plain = re.compile(F._DIGITS_PATTERN)
    for text in _texts(20000, 2):
        assert F._DIGITS.findall(text) == plain.findall(text), text


def test_digit_scan_opens_with_currency_digits_and_beyond_ascii():
    # _DIGITS opens with a negated class: the same characters as [$0-9\x80-\U0010ffff].
    first = re.compile(F._DIGITS.pattern[: F._DIGITS.pattern.index("]") + 1])
    ranges = re.compile(r"[$0-9\x80-\U0010ffff]")
    for code in range(0x110000):
        c = chr(code)
        assert (first.match(c) is None) == (ranges.match(c) is None), hex(code)


def test_lowered_slices():
    for text in _texts(20000, 3):
        spans = T.split_sentences(text) or [(0, len(text))]
        texts = [text[s:e] for s, e in spans]
        low, lows = F._lower_sentences(text, spans, texts)
        assert lows == [t.lower() for t in texts]
        if low is not None:
            for kept in (spans, spans[::2], spans[1::3]):  # courtesies left out
                digits = F._digits_by_sentence(low, kept)
                assert digits == [F._DIGITS.findall(low[s:e]) for s, e in kept], text


def test_split_sentences_matches_look_behind_form():
    old = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€•\-])")

    def plain(text):
        spans, start = [], 0
        for m in old.finditer(text):
            candidate = text[start : m.start()]
            if T._ABBREV_END.search(candidate[-12:]):
                continue
            if T._NO_END.search(candidate[-4:]) and text[m.end() : m.end() + 1].isdigit():
                continue
            if candidate.strip():
                spans.append((start, m.start()))
            start = m.end()
        if text[start:].strip():
            spans.append((start, len(text.rstrip())))
        return spans

    # split_sentences searches for an abbreviation only after a full stop that follows a
    # letter and at most _ABBREV_LONGEST letters of a word: abbreviations of every length,
    # at a sentence's start, after other letters, longer words, letters beyond ASCII.
    rng = random.Random(41)
    words = (
        *(a.replace("\\.", ".") for a in T._ABBREV.split("|")),
        "approx",
        "Xapprox",
        "figures",
        "figure",
        "Parliament",
        "Hono",
        "éMr",
        "naïve",
        "ab",
        "A",
        "Z",
        "x",
        "10",
        "2023",
        "(",
        '"',
    )
    crafted = [
        "".join(
            rng.choice(words)
            + rng.choice((". ", ".", ". ", " ", "! ", "? ", ".) "))
            + rng.choice(("", "", "The ", "10 ", "(A ", "a "))
            for _ in range(rng.randint(1, 8))
        )
        for _ in range(20000)
    ]
    for text in _texts(20000, 4) + crafted:
        full = plain(text)
        assert T.split_sentences(text) == full, text
        for limit in range(4):  # stopping early (the text model's opening, issue 12)
            assert T.split_sentences(text, limit=limit) == full[:limit], (limit, text)


def test_opening_reads_only_its_sentences():
    from evascore.textstack import opening

    for text in _texts(3000, 14) + ["", " ", "One. Two. Three.", "No. 10 is here. Yes."]:
        spans = T.split_sentences(text)
        for n in (-1, 0, 1, 2, 3):
            want = text[: spans[:n][-1][1]] if spans[:n] else text
            assert opening(text, n) == want, (n, text)
    with pytest.raises(ValueError, match="limit must be 0 or more"):
        T.split_sentences("One. Two.", limit=-1)


def test_content_terms_matches_plain_definition():
    for text in _texts(5000, 5) + ["How many NCA officers were posted in 2023?"]:
        plain = [
            T.stem(w) for w in T.WORD.findall(text.lower()) if len(w) >= 3 and w not in T.STOPWORDS
        ]
        assert T.content_terms(text) == plain
        assert T.terms_of_words(T.WORD.findall(text.lower())) == set(plain)


def test_clean_text_whitespace():
    ws = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    for text in _texts(3000, 6) + [f"a{ws}b{ws}", ws]:
        assert T.clean_text(text) == T.clean_text(f"  {text}\t")
        assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()


def test_type_tests_match_plain_search():
    from evascore.cues import lower_pattern

    plain = {
        name: re.compile(lower_pattern(p.pattern))
        for name, p in (
            ("date", F._DATE),
            ("yesno", F._YESNO),
            ("reason", F._REASON),
            ("assessment", F._ASSESS),
        )
    }
    # "steps" is answered by steps taken or by a status (done, under way, not yet)
    plain["steps"] = re.compile(
        lower_pattern(F._STEPS.pattern) + "|" + lower_pattern(F._STATUS.pattern)
    )
    vocab = sorted(
        {
            w
            for p in plain.values()
            for w in re.findall(r"[a-z'0-9]+", re.sub(r"\\.", " ", p.pattern))
        }
    )
    rng = random.Random(8)
    glue = (" ", " ", " ", ", ", ". ", "-", "", "  ", "\n", "'s ", " x")
    texts = [
        "".join(
            rng.choice(vocab + ["We", "The", "Yes", "NO", "İ"]) + rng.choice(glue)
            for _ in range(rng.randint(0, 12))
        )
        for _ in range(30000)
    ]
    for name, pat in plain.items():
        test = F._TYPE_TEST[name]
        for text in texts:
            assert test(text) == (pat.search(text.lower()) is not None), (name, text)
            assert F._TYPE_TEST_LOW[name](text.lower()) == test(text), (name, text)
    amount = re.compile(lower_pattern(F._AMOUNT.pattern))
    for text in _texts(5000, 9) + texts[:5000]:
        assert F._AMOUNT_FAST(text) == (amount.search(text.lower()) is not None), text


def test_courtesy_start_gate_covers_every_opening():
    # Wherever the courtesy pattern matches, the quick test does (case-insensitively, as re
    # does it: the Kelvin sign is a k, a dotted capital I an i).
    rng = random.Random(12)
    bits = (
        "I",
        "i",
        "\u0130",
        "\u0131",
        "We",
        "wE",
        "hope",
        "trust",
        "this",
        "is",
        "helps",
        "Thank you",
        "THANKS",
        "for",
        "your",
        "question",
        "I am grateful to the",
        "hon",
        "Please",
        "do",
        "Do",
        "let",
        "me",
        "know",
        "get in touch",
        "Kind",
        "\u212aind",
        "Best",
        "regards",
        ".",
        "!",
        " ",
        "  ",
        "\t",
        "\n",
        "\u00a0",
        "x",
        "We hope this helps",
        "wE trust that answers",
        "I hope the above is",
    )
    for _ in range(40000):
        text = "".join(
            rng.choice(bits) + rng.choice(("", " ", " ", " ", "  "))
            for _ in range(rng.randint(0, 9))
        )
        for end in (len(text), len(text) // 2):
            if F._COURTESY.match(text, 0, end):
                assert F._COURTESY_START.match(text), text


def test_analysis_relevance_and_cue_sentences_match_plain_definitions():
    rng = random.Random(7)
    words = (
        "staff",
        "officers",
        "Belgium",
        "posted",
        "we",
        "do",
        "not",
        "hold",
        "this",
        "information",
        "figure",
        "12",
        "will",
        "write",
        "refer",
        "answer",
        "Germany",
    )
    lex = F.load_lexicon(None)
    for text in _texts(1500, 8):
        question = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) + "?"
        answer = text + " " + " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        idf = (
            {w: rng.random() * 3 for w in T.content_terms(question)} if rng.random() < 0.7 else None
        )
        a = F.analyse(question, answer, idf, 1.7)
        focus_w = F._weights(a.frame.focus, idf, 1.7)
        total = sum(focus_w.values()) or 1.0
        for (s, e), rel in zip(a.sentences, a.relevance):
            terms = set(T.content_terms(answer[s:e]))
            assert rel == sum(w for t, w in focus_w.items() if t in terms) / total
        for (s, e), techs in zip(a.sentences, a.cue_sentence):
            assert techs == {c.technique for c in lex.find(answer) if c.start < e and c.end > s}


def test_answer_type_matches_case_insensitive_rules():
    from evascore import question as Q

    def plain(core):
        asked = Q._REQUEST.sub("", core, count=1)
        if asked != core:
            for name, pattern in Q._TYPE_RULES:
                if name != "yesno" and pattern.search(asked):
                    return name if name != "steps" or not Q._QUANTITY.search(asked) else "count"
            return "count" if Q._QUANTITY.search(asked) else "steps"
        for name, pattern in Q._TYPE_RULES:
            if pattern.search(core):
                return name
        return "steps"

    rng = random.Random(9)
    words = (
        "what",
        "How",
        "MANY",
        "much",
        "when",
        "why",
        "which",
        "who",
        "whether",
        "if",
        "he",
        "the",
        "is",
        "was",
        "will",
        "be",
        "you",
        "can",
        "could",
        "give",
        "us",
        "tell",
        "cost",
        "costs",
        "growth",
        "rate",
        "number",
        "of",
        "steps",
        "plans",
        "assessment",
        "recent",
        "date",
        "time",
        "reason",
        "list",
        "name",
        "sales",
        "revenue",
        "yes",
        "or",
        "no",
        "please",
        "total",
        "level",
        "ſteps",
        "ıf",
        "İs",
        "\u212anow",
        "by",
        "basis",
        "on",
        "for",
        "long",
        "Name",
        "List",
        "whatever",
        "somehow",
        "Who's",
        "a",
        "b",
        "x",
        "",
        "  ",
    )
    seps = (" ", " ", " ", ", ", "? ", "-", "'s ", "\n")
    for _ in range(20000):
        core = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(0, 10)))
        core = (
            rng.choice(
                (
                    "",
                    "",
                    "Can you give us ",
                    "could you tell me ",
                    "Please set out ",
                    "What is the ",
                    "what assessment ",
                    "how many ",
                )
            )
            + core
        )
        if rng.random() < 0.5:
            core = core.upper() if rng.random() < 0.3 else core.capitalize()
        assert Q.answer_type(core) == plain(core), core


def test_shape_features_match_full_word_count():
    import math

    rng = random.Random(10)
    for text in _texts(3000, 11):
        question = " ".join("w" * rng.randint(1, 3) for _ in range(rng.randint(0, 40)))
        answer = " ".join([text] * rng.randint(1, 8))
        a = F.analyse(question, answer)
        words = sum(len(a.answer[s:e].split()) for s, e in a.sentences)
        qwords = len(a.question.split()) or 1
        plain = (
            math.log1p(min(words, 60)),
            math.log1p(min(len(a.sentences), 4)),
            math.log1p(min(words / qwords, 3.0)),
            float(words <= 6),
        )
        assert columns._f_shape(a) == plain, (question, answer)


def test_part_term_index_matches_the_pairwise_scan(monkeypatch):
    # issue 14 (7): a question with thousands of parts is matched through a term index;
    # it must give exactly what the parts x sentences scan gives.
    from evascore.analysis import analyse

    rng = random.Random(21)
    places = [f"place{i}" for i in range(40)] + ["Leeds", "York", "Hull", "Belgium"]
    for _ in range(200):
        k = rng.randint(2, 8)
        q = (
            "How many staff are posted to "
            + " ".join(f"({'abcdefgh'[i]}) {rng.choice(places)}" for i in range(k))
            + "?"
        )
        a = " ".join(
            rng.choice(
                [
                    f"There are {rng.randint(1, 99)} staff in {rng.choice(places)}.",
                    f"We do not disclose figures for {rng.choice(places)}.",
                    "The NCA works with partners.",
                ]
            )
            for _ in range(rng.randint(1, 9))
        )
        monkeypatch.setattr(F, "_INDEX_PARTS_ABOVE", 10**9)
        plain = analyse(q, a).parts
        monkeypatch.setattr(F, "_INDEX_PARTS_ABOVE", 0)
        assert analyse(q, a).parts == plain, (q, a)


def test_distinctive_terms_of_many_parts_are_the_pairwise_definition():
    from evascore.question import Part, _distinctive

    rng = random.Random(3)
    words = ["thames", "water", "southern", "anglian", "severn", "trent", "yorkshire"]
    for _ in range(300):
        parts = [
            Part("x", tuple(rng.sample(words, rng.randint(1, 3))), "enumerated")
            for _ in range(rng.randint(1, 6))
        ]
        expected = []
        for i, p in enumerate(parts):
            others = (
                set().union(*(q.terms for j, q in enumerate(parts) if j != i))
                if len(parts) > 1
                else set()
            )
            expected.append(tuple(t for t in p.terms if t not in others) or p.terms)
        assert [p.terms for p in _distinctive(parts)] == expected


def test_breakdown_prefilter_matches_case_blind_scan():
    # _breakdown_parts skips ASCII questions without "split", "broken down" or
    # "disaggregated" before its case-blind scan; beyond ASCII it always scans.
    from evascore import question as Q

    def plain(core):
        m = Q._BROKEN_DOWN.search(core)
        if not m:
            return []
        dims = [d for d in Q._SPLIT_JOIN.split(m.group(1).strip()) if d.strip()]
        return [
            Q.Part(
                f"broken down by {d.strip()}",
                tuple(T.content_terms(d)) or ("breakdown",),
                "breakdown",
            )
            for d in dims[:4]
        ]

    rng = random.Random(12)
    words = (
        "broken",
        "down",
        "BROKEN DOWN",
        "Broken Down",
        "split",
        "SPLIT",
        "ſplit",
        "bro\u212aen down",
        "disaggregated",
        "Disaggregated",
        "by",
        "region",
        "age",
        "and",
        "sex",
        ",",
        ".",
        "?",
        "how",
        "many",
        "staff",
        "İ",
        "spli",
        "t",
    )
    for _ in range(5000):
        core = " ".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        assert Q._breakdown_parts(core) == plain(core), core


def test_list_test_matches_plain_search():
    # The "list" type test looks for _LIST's alternatives one by one (names by their first
    # capital, words after a non-word character, case-blind as re.IGNORECASE is: "İ" and
    # "ı" are an i to it, "ſ" an s, "K" a k): the same answer as _LIST.search.
    rng = random.Random(17)
    bits = (
        "Leeds",
        "York",
        "North Yorkshire",
        "Hull",
        "leeds",
        "A",
        "UK",
        "include",
        "Including",
        "İnclude",
        "ıncluding",
        "INCLUDES",
        "are as follows",
        "are aſ follows",
        "The Following",
        "listed",
        "LISTED",
        "unlisted",
        "x",
        "2",
        "•",
        ";",
        "é",
        "_",
    )
    glue = (", ", ", ", ",", " ", "  ", "; ", ";", ". ", "", "-", "é", "\n", ",\n", "_", "2")
    texts = [
        "".join(rng.choice(bits) + rng.choice(glue) for _ in range(rng.randint(0, 9)))
        for _ in range(30000)
    ]
    hits = 0
    for text in texts:
        expected = F._LIST.search(text) is not None
        assert F._TYPE_TEST["list"](text) == expected, text
        hits += expected
    assert 0 < hits < len(texts)


def test_question_numbers_read_only_when_an_answer_number_occurs_in_the_question():
    # _without_question_numbers skips reading the question's numbers when none of the
    # answer's occurs in the question's text: the same as always leaving them out.
    qs, ans = _texts(3000, 19), _texts(3000, 20)
    dropped = 0
    for q, a in zip(qs, ans):
        nums = [F._count_numbers(a), F._count_numbers(a[: len(a) // 2])]
        qnumbers = F._question_numbers(q)
        plain = [[n for n in ns if n.strip() not in qnumbers] for ns in nums]
        assert F._without_question_numbers(nums, q) == plain, (q, a)
        dropped += plain != nums
    assert dropped > 100


def test_number_words_trie_matches_plain_alternation():
    # The full number scan with its words in a trie finds what the plain alternation finds,
    # match for match: words that are prefixes of others ("nine", "nineteen", "ninety"),
    # "no" before a noun or a word and a noun ("no such", "no staff such"), "none", "nil".
    rng = random.Random(23)
    bits = (
        *F._NUM_WORD_LIST,
        *F._NO_NOUNS,
        "no",
        "nine",
        "nineteen",
        "ninetyx",
        "a",
        "quarter",
        "third",
        "half",
        "nil",
        "nils",
        "x",
        "£",
        "4",
        "2,000",
        "1.5",
        "é",
        "_",
        "one's",
        "no-one",
    )
    glue = (" ", " ", " ", "", "-", ", ", ". ", "'", "\n", "  ")
    for _ in range(30000):
        low = "".join(rng.choice(bits) + rng.choice(glue) for _ in range(rng.randint(0, 10)))
        assert F._NUMBER_LOW_TRIE.findall(low) == F._NUMBER_LOW.findall(low), low


def test_span_words_match_word_scan_of_each_span():
    # span_words cuts the answer's words by sentence from one pass over the whole text: the
    # words of each span as WORD.findall of the span finds them, runs opening with ' or -
    # ("'twas", "--", "-'x"), words cut by a span's edge, letters beyond ASCII and capitals
    # (not WORD's) included.
    rng = random.Random(31)
    crafted = [
        "",
        "'twas -- -'x x'- don't can't-",
        "we don't -- can't say. 'twas 4-ply",
        "café naïve İstanbul Σσ über",
        "ABC def GHI-jkl mno'PQR",
        "a1b2c3 x_y z\ty\nw",
        "'-' '- -' ' - '' --",
        "-leading and trailing-",
    ]
    for text in _texts(8000, 32) + crafted:
        for low in (text, text.lower()):
            n = len(low)
            cuts = sorted(rng.randint(0, n) for _ in range(rng.randint(0, 6)))
            spans = list(zip([0, *cuts], [*cuts, n]))
            spans += [(s, e) for s, e in (T.split_sentences(low) or [(0, n)])]
            spans.append((rng.randint(0, n), rng.randint(0, n)))  # may be empty or reversed
            assert T.span_words(low, spans) == [T.WORD.findall(low[s:e]) for s, e in spans], low


def test_sentence_numbers_match_numbers_of_each_sentence():
    # _sentence_numbers spares most sentences the number flags of each word: the same
    # numbers as _numbers of each sentence, with words holding a number word as a piece
    # ("no-one", "one's", "twenty-one"), "no" with and without a noun, and digits given or not.
    rng = random.Random(33)
    bits = (
        *F._NUM_WORD_LIST,
        *F._NO_NOUNS,
        "no",
        "No",
        "no-one",
        "one's",
        "twenty-one",
        "x-no",
        "staff's",
        "nones",
        "a",
        "quarter",
        "third",
        "half",
        "nil",
        "x",
        "the",
        "£",
        "4",
        "2,000",
        "2023",
        "1.5",
        "é",
        "Σ",
    )
    glue = (" ", " ", " ", "", "-", ", ", ". ", "'", "  ", ". The ")
    texts = _texts(4000, 34) + [
        "".join(rng.choice(bits) + rng.choice(glue) for _ in range(rng.randint(0, 14)))
        for _ in range(8000)
    ]
    for text in texts:
        spans = T.split_sentences(text) or [(0, len(text))]
        low, lows = F._lower_sentences(text, spans, [text[s:e] for s, e in spans])
        words = [T.WORD.findall(t) for t in lows]
        digits = F._digits_by_sentence(low, spans) if low is not None else [None] * len(lows)
        for ds in (digits, [None] * len(lows)):
            plain = [F._numbers(t, w, d) for t, w, d in zip(lows, words, ds)]
            assert F._sentence_numbers(lows, words, ds) == plain, text


def test_number_scan_matches_combined_number_pattern():
    # _number_scan looks for the digits and the number words apart and merges them: the same
    # matches as the combined pattern scanning left to right, with words inside figures ("5
    # million"), figures inside words ("no 5 staff"), words at the start and after letters
    # beyond ASCII, suffixes that begin a word ("5 millions", "5 mill"), and capitals.
    rng = random.Random(43)
    bits = (
        *F._NUM_WORD_LIST,
        *F._NO_NOUNS,
        "no",
        "No",
        "One",
        "a",
        "quarter",
        "third",
        "half",
        "nil",
        "nine",
        "nineteen",
        "millions",
        "mill",
        "bn",
        "m",
        "k",
        "per",
        "cent",
        "percent",
        "%",
        "x",
        "£",
        "$",
        "€",
        "4",
        "5m",
        "2,000",
        "1.5",
        ".5",
        "2023",
        "٣",
        "é",
        "_",
        "no-one",
        "one's",
    )
    glue = (" ", " ", " ", "", "", "-", ", ", ". ", "'", "\n", "  ", "é", "_")
    texts = _texts(5000, 44) + [
        "".join(rng.choice(bits) + rng.choice(glue) for _ in range(rng.randint(0, 12)))
        for _ in range(40000)
    ]
    for text in texts:
        for t in (text, text.lower()):
            want = F._NUMBER_LOW_TRIE.findall(t)
            assert F._number_scan(t) == want, t
            assert F._number_scan(t, F._DIGITS.findall(t)) == want, t
