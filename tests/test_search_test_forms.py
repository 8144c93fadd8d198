"""search_test's quick forms answer what the plain search answers: for ASCII text one search
for the words (no check of the character before them), and for patterns of words only the
text's start as a word after a space put before it."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from evascore import analysis as A
from evascore import question as Q
from evascore.cues import lower_pattern
from evascore.pairs import QAPair
from evascore.patterns import search_test
from evascore.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]

# Word patterns with what the quick forms must not get wrong: a look-behind or a condition
# after the word (it could look past the word's start, at the space put before it), \b and
# \B next to the word, ^ (tried at the start on its own), words run into digits and "_".
_CRAFTED = (
    r"\bab(?<=.ab)|\bq",
    r"\bab(?<!\sab)\b|\bzz",
    r"\b(?:19|20)\d\d(?<=\d)\b|\bx",
    r"\b(a)?b(?(1)c|d)",
    r"\b\bab|\bc\B",
    r"\bwe will\b|^no\b",
    r"(?:^|\b)yes\b",
    r"\bsome\w*\b|\bno\b",
    r"\b(?:19|20)\d\d\b|\bq[1-4]\b",
    r"\b(?:a|b)+c|\bab",
    r"\d+|\bwe will\b",
    r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:m|bn)\b|\bno\b",
)


def _patterns() -> list[str]:
    pats = [
        lower_pattern(p.pattern)
        for p in (A._DATE, A._STATUS, A._STEPS, A._YESNO, A._REASON, A._ASSESS)
    ]
    pats.append(f"{lower_pattern(A._STEPS.pattern)}|{lower_pattern(A._STATUS.pattern)}")
    pats += [lower_pattern(p.pattern) for _, p in Q._TYPE_RULES]
    pats.append(lower_pattern(Q._QUANTITY.pattern))
    return pats + list(_CRAFTED)


def _real_texts() -> list[str]:
    out = []
    for name, every in (("real_answers.jsonl", 4), ("corpus.jsonl", 2)):
        with open(ROOT / "training_data" / name, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh][::every]
        for r in rows:
            pair = QAPair.make(r["question"] or "?", r["answer"] or "")
            low = pair.answer.lower()
            out.extend(low[s:e] for s, e in split_sentences(pair.answer))
            out.append(pair.question.lower())
    return out


def _crafted(pats: list[str], n: int, seed: int) -> list[str]:
    vocab = sorted({w for p in pats for w in re.findall(r"[a-z'0-9]+", re.sub(r"\\.", " ", p))})
    vocab += ["ab", "zab", "a b", "yes", "no", "2021", "19", "x", "q3", "_we", "we_"]
    glue = (" ", " ", ", ", ". ", "-", "", "\n", "'", "_", "2", "(", "; ", "x", "é", "\u00a0")
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        text = "".join(rng.choice(vocab) + rng.choice(glue) for _ in range(rng.randint(0, 8)))
        texts.append(text[rng.randint(0, 2) :])  # from inside a word too
    return texts


def test_word_forms_are_used_for_the_type_and_question_tests():
    # The forms are chosen by name: the analysis's type tests are all words (yes/no with a
    # "^" too), so they take the quick forms this file checks.
    words = search_test(lower_pattern(A._ASSESS.pattern))
    line = search_test(lower_pattern(A._YESNO.pattern))
    plain = search_test(r"\bab(?<=.ab)|\bq")
    assert words.__name__ == "words"
    assert line.__name__ == "words_after_start"
    assert plain.__name__ == "words_after_start"  # a look-behind: the start tried alone
    assert search_test(r"\d+|\bq").__name__ == "test"


def test_word_forms_match_plain_search():
    pats = _patterns()
    texts = _real_texts() + _crafted(pats, 12000, 3)
    assert sum(t.isascii() for t in texts) > 10000 and not all(t.isascii() for t in texts)
    for pat in pats:
        plain, test = re.compile(pat), search_test(pat)
        for text in texts:
            assert test(text) == (plain.search(text) is not None), (pat, text)
    # Edge cases at the text's ends.
    for pat in pats:
        plain, test = re.compile(pat), search_test(pat)
        for text in ("", " ", "ab", "zab", "yes", "no", "q", "2021", "\nno", "é", "éab"):
            assert test(text) == (plain.search(text) is not None), (pat, text)
