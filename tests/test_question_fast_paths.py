"""The question frame's fast paths against their plain definitions, on varied questions."""

from __future__ import annotations

import random

import pytest

from evascore import question as Q
from evascore.cues import lower_pattern
from evascore.patterns import alternatives
from evascore.text import content_terms, stem

WQ = "To ask the Secretary of State for Health and Social Care, "

# Words and pieces the frame's patterns look for, their near misses and case variants, and
# characters beyond ASCII that re.IGNORECASE matches with ASCII letters.
BITS = (
    "what",
    "What",
    "WHAT",
    "somewhat",
    "whatever",
    "what's",
    "how",
    "How",
    "how many",
    "how much",
    "how long",
    "many",
    "much",
    "when",
    "When",
    "why",
    "which",
    "who",
    "whom",
    "whether",
    "if",
    "he",
    "she",
    "they",
    "the",
    "his",
    "her",
    "your",
    "its",
    "is",
    "was",
    "are",
    "were",
    "will",
    "will be",
    "would",
    "does",
    "do",
    "can",
    "has",
    "have",
    "recent",
    "assessment",
    "estimate",
    "view",
    "cost",
    "funding",
    "number",
    "the number of",
    "rate",
    "date",
    "timetable",
    "by what date",
    "for what reason",
    "on what basis",
    "reasons",
    "name the",
    "list",
    "policy",
    "steps",
    "plans",
    "average",
    "waiting",
    "time",
    "yes or no",
    "Can you give us",
    "Will the Minister tell the House",
    "revenue",
    "growth",
    "and",
    "or",
    ",",
    ";",
    "?",
    ".",
    "(a)",
    "(b)",
    "(ii)",
    "Leeds",
    "Wales",
    "-",
    "'",
    "ſ",
    "\u212a",
    "İ",
    "é",
)


def _questions(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(BITS) for _ in range(rng.randint(0, 14))]
        text = " ".join(words) if rng.random() < 0.8 else "".join(words)
        out.append(text if rng.random() < 0.5 else WQ + text)
    return out


CRAFTED = [
    "",
    "what",
    "What?",
    "somewhat late",
    "whatwhat",
    "what_ever the cost is",
    "(a) what is the cost",
    "what the average waiting time was for hip surgery in 2024.",
    "what the Government's policy is on water fluoridation.",
    "and what the timetable is",
    "whether he will publish it",
    "when will he publish it",
    "by what date he will publish",
    "Can you give us revenue growth for Europe?",
    "Will you resign?",
    "how many nurses and what is the cost",
    "what steps he is taking; and how many",
    "what\u212a cost",
    "ſomewhat",
]


def _plain_answer_type_low(text: str, request: bool) -> str:
    """answer_type's rules in order, each searched over the whole (lower-cased) text."""
    rules = [(t, p) for t, p in Q._TYPE_RULES if not (request and t == "yesno")]
    for name, pattern in rules:
        if pattern.search(text):
            if request and name == "steps" and Q._QUANTITY.search(text):
                return "count"
            return name
    if request:
        return "count" if Q._QUANTITY.search(text) else "steps"
    return "steps"


def test_type_rules_split_keeps_every_alternative():
    # _TYPE_RULES_SPLIT holds each rule's alternatives, split between those opening with
    # "\bwhat" and the others, none lost.
    assert [t for t, *_ in Q._TYPE_RULES_SPLIT] == [t for t, _ in Q._TYPE_RULES]
    for (name, what, _other, words), (_, rule) in zip(Q._TYPE_RULES_SPLIT, Q._TYPE_RULES):
        alts = alternatives(lower_pattern(rule.pattern))
        whats = alternatives(what.pattern) if what is not None else []
        assert all(a.startswith(r"\bwhat") for a in whats), name
        others = [a for a in alts if not a.startswith(r"\bwhat")]
        assert sorted(whats + others) == sorted(alts), name
        # each other alternative opens with one of the literals, or the rule has none
        if words:
            for alt in others:
                body = alt.removeprefix(r"\b").removeprefix(r"^\s*")
                assert any(body.startswith(w) for w in words), (name, alt)


@pytest.mark.parametrize(
    "alt, literal",
    [
        (r"\bhow many\b", "how many"),
        (r"^\s*when\b", "when"),
        (r"\bwhen (?:he|she)\b", "when "),
        (r"\bwhats?\b", "what"),
        (r"\bwhat*", "wha"),
        (r"\bwhat{1,2}", "wha"),
        (r"\b(?:will|would) you", ""),
        (r"\d+", ""),
        (r"\bname the\b", "name the"),
        (r"yes or no", "yes or no"),
    ],
)
def test_leading_literal(alt, literal):
    assert Q._leading_literal(alt) == literal


@pytest.mark.parametrize("request_", [False, True])
def test_answer_type_low_matches_whole_text_rule_search(request_):
    # "what" alternatives tried only where "what" occurs, the others only where one of
    # their literals occurs: the same type as searching each rule over the whole text.
    for q in _questions(4000, 31) + CRAFTED:
        low = q.lower()
        if not low.isascii():
            continue
        assert Q._answer_type_low(low, request_) == _plain_answer_type_low(low, request_), q


def test_answer_type_matches_plain_rules_on_varied_questions():
    def plain(core):
        asked = Q._REQUEST.sub("", core, count=1)
        return _plain_answer_type_low(asked, asked != core)

    for q in _questions(4000, 32) + CRAFTED:
        core = Q.strip_preamble(q)
        assert Q.answer_type(core) == plain(core), q


# Pieces of parts: words, marks, the punctuation and spaces the trimming patterns look at
# (Unicode spaces and a final newline too).
SEG_BITS = (
    "Leeds",
    "and",
    "or",
    "And",
    "broken down",
    "in each",
    "for each",
    "2024",
    ".",
    ",",
    ";",
    "?",
    " ",
    "  ",
    "\n",
    "\t",
    "\x85",
    "\xa0",
    "\u2003",
    "\x1c",
    "(a)",
    "(b)",
    "(ii)",
    "-",
    "'",
)


def _segments(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(SEG_BITS) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def test_trail_strip_is_the_trail_pattern():
    # _TRAIL.sub("", s) is s.rstrip(_TRAIL_CHARS): re's \s is str.isspace's set
    assert all(bool(Q.re.match(r"\s", c)) == c.isspace() for c in map(chr, range(0x110000)))
    spaces = {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert set(Q._TRAIL_CHARS) == spaces | set(",;.?")
    for s in _segments(5000, 41) + ["", ".", "a.\n", "a .?\n\n", "a\nb\n", "\n"]:
        assert s.rstrip(Q._TRAIL_CHARS) == Q._TRAIL.sub("", s), repr(s)


def test_last_part_end_fast_finds_the_first_split_point():
    for s in _segments(5000, 42) + ["a.", "a.b", "a. b", "a, and b", "a,  broken", "a,and b"]:
        stop = Q._LAST_PART_END_FAST.search(s)
        first = s[: stop.start()] if stop is not None else s
        assert first == Q._LAST_PART_END.split(s)[0], repr(s)


def test_enumerated_parts_match_the_plain_definition():
    def plain(core):
        marks = list(Q._ENUM.finditer(core))
        if len(marks) < 2:
            return []
        parts = []
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(core)
            seg = core[m.end() : end]
            if i + 1 == len(marks):
                seg = Q._LAST_PART_END.split(seg)[0]
            seg = Q._TRAIL.sub("", Q._drop_and_or(seg))
            if i + 1 == len(marks) and parts:
                longest = max(len(p.text.split()) for p in parts)
                if len(seg.split()) > 2 * longest + 1:
                    seg = Q._TAIL_QUALIFIER.split(seg, maxsplit=1)[0].strip() or seg
                if len(seg.split()) > longest + 1:
                    seg = Q._cut_at_verb(seg)
            if seg:
                parts.append(Q.Part(seg, _plain_part_terms(seg), "enumerated"))
        return _plain_distinctive(parts)

    rng = random.Random(43)
    cores = _segments(3000, 44) + [
        WQ + "how many (a) nurses (b) doctors and (c) midwives left the NHS in 2024.",
        "how many staff are posted to (a) Belgium (b) Germany and (c) Netherlands",
        "what the cost was of (a) Thames Water and (b) Southern Water; and if he will",
    ]
    for _ in range(3000):
        words = [rng.choice(BITS + SEG_BITS) for _ in range(rng.randint(2, 20))]
        cores.append(" ".join(words))
    for core in cores:
        assert Q._enumerated_parts(core) == plain(core), repr(core)


def _plain_part_terms(seg):
    terms = content_terms(seg)
    if not terms:
        terms = [
            stem(w.lower())
            for w in Q.re.findall(r"[A-Za-z]{2,}", seg)
            if w.lower() not in Q._ARTICLES
        ]
    return tuple(dict.fromkeys(terms))


def _plain_distinctive(parts):
    """Each part keeps the terms no other part holds (all of them when none is left)."""
    out = []
    for i, p in enumerate(parts):
        others = set().union(*(q.terms for j, q in enumerate(parts) if j != i))
        own = tuple(t for t in p.terms if t not in others) if len(parts) > 1 else p.terms
        out.append(Q.Part(p.text, own or p.terms, p.kind, p.answer_type))
    return out


def test_distinctive_matches_pairwise_definition_with_repeated_terms():
    rng = random.Random(45)
    words = ["thames", "water", "southern", "anglian", "severn"]
    for _ in range(3000):
        parts = [
            Q.Part("x", tuple(rng.choices(words, k=rng.randint(0, 4))), "clause", "count")
            for _ in range(rng.randint(0, 5))
        ]
        got = Q._distinctive(parts)
        assert got == _plain_distinctive(parts), parts
        # a part no other part shares a term with is the same object (not rebuilt)
        for i, (g, p) in enumerate(zip(got, parts)):
            others = set().union(*(q.terms for j, q in enumerate(parts) if j != i))
            if not others & set(p.terms):
                assert g is p


CLAUSE_BITS = (
    "how many",
    "what",
    "when",
    "whether",
    "if he",
    "if they",
    "is",
    "are",
    "will",
    "can",
    "has",
    "and",
    "And",
    "AND",
    "andand",
    "band",
    "or",
    "the",
    "cost",
    "Leeds",
    ",",
    ", ",
    ";",
    "; ",
    "?",
    "? ",
    " ",
    "  ",
    "\t",
    "\n",
    "\x1c",
    "\xa0",
    "ſ",
)


def test_clause_split_matches_the_patterns_split():
    rng = random.Random(51)
    texts = ["", "and what", " and what", "x, and and what", "a ? And is", "x  and  when, and"]
    for _ in range(6000):
        words = [rng.choice(CLAUSE_BITS) for _ in range(rng.randint(0, 16))]
        texts.append((" " if rng.random() < 0.7 else "").join(words))
    texts += _questions(2000, 52)
    for text in texts:
        assert Q._clause_split(text) == Q._CLAUSE_SPLIT.split(text), repr(text)


TERM_BITS = (
    "Officers",
    "policing",
    "the",
    "of",
    "made",
    "UK",
    "EU",
    "a",
    "an",
    "it's",
    "'s",
    "-",
    "--x",
    "x-",
    "NHS",
    "İstanbul",
    "ſtaff",
    "Straße",
    "2024",
    "(a)",
    "studies",
    "addresses",
    "class",
    "Leeds",
    "Leeds-and",
    ",",
    ".",
)


def test_unique_and_part_terms_match_content_terms():
    rng = random.Random(61)
    texts = ["", "the", "(a) made", "(b) the UK", "a b", "of and"]
    for _ in range(5000):
        texts.append(" ".join(rng.choice(TERM_BITS) for _ in range(rng.randint(0, 10))))
    texts += _questions(1000, 62)
    for text in texts:
        assert Q._unique_terms(text) == tuple(dict.fromkeys(content_terms(text))), text
        assert Q._part_terms(text) == _plain_part_terms(text), text


def test_strip_preamble_is_the_patterns_substitution():
    rng = random.Random(63)
    heads = (
        "To ask the Secretary of State for Defence, ",
        "  to ASK his right hon. Friend the Member, ",
        "To ask the Minister",
        "Pursuant to the Answer of 3 July, ",
        "pursuant to the Answer of 3 July, on Ministry of Defence, ",
        "pursuant to x",
        "\nTo ask the ſecretary, ",
        "what ",
        ", ",
        "",
    )
    for _ in range(5000):
        q = "".join(rng.choice(heads) for _ in range(rng.randint(0, 3))) + rng.choice(BITS)
        plain = Q._PURSUANT.sub("", Q._PREAMBLE.sub("", q, count=1), count=1)
        assert Q.strip_preamble(q) == plain, q


def test_anchored_patterns_cut_where_sub_removes():
    # strip_preamble and answer_type cut at the end of an anchored match instead of
    # substituting it away: each pattern is one alternative opening with "^".
    for pattern in (Q._PREAMBLE, Q._PURSUANT, Q._REQUEST):
        assert len(alternatives(pattern.pattern)) == 1
        assert pattern.pattern.startswith("^") and not pattern.flags & Q.re.MULTILINE
    rng = random.Random(71)
    heads = ("Can you give us", "Will the Minister tell the House", "please tell me", "  ", "\n")
    for _ in range(3000):
        text = " ".join(rng.choice(heads + BITS) for _ in range(rng.randint(0, 8)))
        m = Q._REQUEST.match(text)
        assert (text[m.end() :] if m else text) == Q._REQUEST.sub("", text, count=1), text


def test_words_are_the_word_patterns_matches():
    # split tokens of the text with every non-word byte a space, or WORD when a token opens
    # with "'" or "-"; beyond ASCII always WORD
    rng = random.Random(81)
    bits = TERM_BITS + ("'", "-'x", "a'b", "x--y", "_", "9a", "a9b", "\t", "\n", "\x0b", "é")
    texts = ["", "'", "-", "'a", "a'", "--", " -a", "a -b", "a_b", "ab-cd'ef"]
    for _ in range(6000):
        sep = rng.choice((" ", "", ",", "\n"))
        texts.append(sep.join(rng.choice(bits) for _ in range(rng.randint(0, 10))).lower())
    texts += [q.lower() for q in _questions(1000, 82)]
    for text in texts:
        assert Q._words(text) == Q.WORD.findall(text), repr(text)


def test_lowers_safely_only_where_lowercase_matching_agrees():
    # A character beyond ASCII passes when it lower-cases to itself and matches no ASCII
    # character case-blind: then it is the same character to a lower-case pattern in the
    # lowered text as to the case-blind pattern in the text.
    any_ascii = Q.re.compile("|".join(Q.re.escape(chr(i)) for i in range(128)), Q.re.I)
    for i in range(128, 0x110000):
        c = chr(i)
        if Q._lowers_safely_char(c):
            assert c.lower() == c and any_ascii.fullmatch(c) is None, hex(i)
    assert not any(map(Q._lowers_safely, ("ſ", "\u212a", "İ", "ı", "É", "ẞ")))
    assert all(map(Q._lowers_safely, ("", "Leeds", "£5", "café", "a–b", "it’s", "\u200e")))
    for _, rule in Q._TYPE_RULES:  # ASCII patterns: the argument above holds for them
        assert rule.pattern.isascii()
    assert Q._CLAUSE_SPLIT.pattern.isascii() and Q._BROKEN_DOWN.pattern.isascii()


def test_fast_paths_match_plain_definitions_beyond_ascii():
    rng = random.Random(91)
    extra = ("£", "£5m", "é", "É", "café", "–", "’", "\u200e", "ß", "ſ", "\u212a", "İ", "ı")
    bits = BITS + CLAUSE_BITS + extra + ("split by", "broken down by", "disaggregated by")

    def plain_breakdown(core):
        m = Q._BROKEN_DOWN.search(core)
        if not m:
            return []
        dims = [d for d in Q._SPLIT_JOIN.split(m.group(1).strip()) if d.strip()]
        return [
            Q.Part(
                f"broken down by {d.strip()}",
                tuple(content_terms(d)) or ("breakdown",),
                "breakdown",
            )
            for d in dims[:4]
        ]

    for _ in range(6000):
        text = " ".join(rng.choice(bits) for _ in range(rng.randint(0, 14)))
        asked = Q._REQUEST.sub("", text, count=1)
        assert Q.answer_type(text) == _plain_answer_type_low(asked, asked != text), text
        assert Q._clause_split(text) == Q._CLAUSE_SPLIT.split(text), text
        assert Q._breakdown_parts(text) == plain_breakdown(text), text
