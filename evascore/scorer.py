"""The compiled model: scores pairs with numpy alone.

A fitted :class:`~evascore.model.EvasionModel` is a scikit-learn pipeline, and importing
scikit-learn takes about 0.9 s: more than scoring a short file. A :class:`Scorer` holds the
same fitted numbers as plain arrays and dicts (the IDF weights of the evidence pass; each
text view's vocabulary, IDF weights and logistic regression; the head's scaler, coefficients
and temperature; the technique head; the class offsets) and computes the model's
probabilities with the same floating-point operations in the same order, so its outputs are
the pipeline's bit for bit (``tests/test_scorer.py``).

The model file holds a Scorer beside the estimator (``evascore-model/3``): ``evascore score``
and ``evascore explain`` load only the Scorer (:func:`evascore.persist.load_scorer`), and
:meth:`EvasionModel.assess` runs through it too. A part the Scorer cannot compile (a
vectorizer or calibration configured otherwise) stays a scikit-learn object with the same
small interface, so every model scores; only those need scikit-learn to load.
"""

from __future__ import annotations

import gc
import re
import threading
from array import array
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat

import numpy as np

from evascore.analysis import Analysis, analyse
from evascore.assessment import Assessment, build_assessments
from evascore.batch import chunked, map_chunks
from evascore.columns import FEATURE_NAMES, feature_matrix
from evascore.labels import LABELS
from evascore.pairs import QAPair, qapairs
from evascore.rules import parts_refused, parts_ruled, reorder, rules_and_offsets, softmax
from evascore.text import split_sentences

VIEWS = ("answer", "opening")
ALL_VIEWS = ("answer", "opening", "question")
EPS = 1e-6  # added to a text model's probabilities before their log

# The tokens of scikit-learn's default token pattern r"(?u)\b\w\w+\b" are the maximal runs of
# two or more word characters: at a run's start \w\w+ takes the whole run (so \b holds at both
# ends), and a run of one character fails and the scan moves past it. Without the \b tests
# the scan is faster.
TOKENS = re.compile(r"(?u)\w\w+")
# Below this many texts, building the bulk index costs more than it saves.
BULK_MIN_TEXTS = 64


def _latin1_words() -> bytes | None:
    """A ``bytes.translate`` table that lower-cases a Latin-1 byte whose lower case is a word
    character (``\\w``) and turns every other byte into a space; None if some Latin-1
    character lower-cases to anything but one Latin-1 character (none does in CPython).

    On a Latin-1 text (every character below U+0100), ``str.lower`` maps character by
    character, so ``TOKENS.findall(text.lower())`` is the words of length two or more of
    ``text.encode("latin-1").translate(table).split()``, decoded: the same runs of word
    characters, found by two C loops instead of the regex engine (4 times faster).
    """
    word = re.compile(r"(?u)\w")
    table = bytearray(b" " * 256)
    for b in range(256):
        low = chr(b).lower()
        if len(low) != 1 or ord(low) > 255:
            return None
        if word.match(low):
            table[b] = ord(low)
    return bytes(table)


LATIN1_WORDS = _latin1_words()
SHORT = -2  # the column of a one-character word in a byte-keyed unigram index: not a token


# ---------------------------------------------------------------------- text views


def opening(answer: str, n: int = 2) -> str:
    """The first ``n`` sentences of an answer."""
    spans = split_sentences(answer, limit=n) if n >= 0 else split_sentences(answer)[:n]
    return answer[: spans[-1][1]] if spans else answer


def view_texts(name: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The texts a text view reads from (question, answer) pairs."""
    if name == "answer":
        return [a for _, a in pairs]
    if name == "opening":
        return [opening(a) for _, a in pairs]
    if name == "question":  # what is asked, without "To ask the Secretary of State for X,"
        from evascore.question import strip_preamble

        return [strip_preamble(q) for q, _ in pairs]
    raise ValueError(f"unknown text view {name!r}; expected one of {', '.join(ALL_VIEWS)}")


def text_feature_names(views) -> tuple[str, ...]:
    """The columns the text models add: three per view, one per label."""
    return tuple(f"text_{v}_{lab}" for v in views for lab in LABELS)


def feature_names(text_features: bool = False, views=VIEWS) -> tuple[str, ...]:
    """The columns a model's head reads: handcrafted, then (optionally) the text models'."""
    return FEATURE_NAMES + (text_feature_names(views) if text_features else ())


# ---------------------------------------------------------------------- linear models


class Linear:
    """A fitted multinomial logistic regression (three or more classes): ``coef``,
    ``intercept`` and ``classes`` as scikit-learn's ``LogisticRegression`` holds them."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray):
        self.coef = coef
        self.intercept = intercept
        self.classes = classes

    def logits(self, X: np.ndarray) -> np.ndarray:
        """``decision_function``: ``X @ coef.T + intercept``."""
        return X @ self.coef.T + self.intercept

    def proba(self, X: np.ndarray) -> np.ndarray:
        """``predict_proba``: the softmax of the logits."""
        return softmax(self.logits(X))


def _tfidf_logits(
    rows: np.ndarray,
    cols: np.ndarray,
    counts: np.ndarray,
    n: int,
    idf: np.ndarray,
    sublinear: bool,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> np.ndarray:
    """The logits of a TF-IDF + logistic regression model from a document-term count matrix
    given as (row, column, count) triples, sorted by row, then column.

    The same operations, in the same order, as scikit-learn's ``TfidfTransformer.transform``
    (log + 1, times IDF, then each row divided by the square root of its sequentially summed
    squares, rows of zeros left alone) and the sparse product ``X @ coef.T`` (each row's
    products summed in column order, from zero), then the intercept: ``np.bincount`` adds
    its weights in input order, so the sums are the sparse kernels' sums, bit for bit.
    """
    data = counts.astype(np.float64)
    if sublinear:
        np.log(data, data)
        data += 1.0
    data *= idf[cols]
    squares = np.bincount(rows, weights=data * data, minlength=n)
    norm = np.sqrt(squares)
    norm[squares == 0.0] = 1.0
    data /= norm[rows]
    out = np.empty((n, len(coef)))
    for k, weights in enumerate(coef):  # a C-contiguous row of coefficients per class
        out[:, k] = np.bincount(rows, weights=data * weights[cols], minlength=n)
    return out + intercept


class CodeTable:
    """Distinct non-negative int64 codes -> int64 values: an open-addressing hash table (at
    most a quarter full, linear probing) that numpy probes for many codes at once. Finds a
    bigram's column from its code about three times faster than a sorted search."""

    def __init__(self, codes: np.ndarray, values: np.ndarray):
        n = self._n = len(codes)
        self.bits = max(4, (4 * n).bit_length())
        mask = (1 << self.bits) - 1
        self.keys = np.full(mask + 1, -1, np.int64)
        self.values = np.zeros(mask + 1, np.int64)
        slot = self._slots(codes)
        pending = np.arange(n)
        while len(pending):
            at = slot[pending]
            free = self.keys[at] == -1
            taken, first = np.unique(at[free], return_index=True)
            won = pending[free][first]  # one code per free slot this round
            self.keys[taken], self.values[taken] = codes[won], values[won]
            placed = np.zeros(n, bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & mask

    def __len__(self) -> int:
        return self._n  # the codes are distinct: one slot each

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        # Fibonacci hashing: the top bits of the code times 2**64 / golden ratio. (The codes
        # are non-negative, so viewing them as uint64 is converting them.)
        product = np.asarray(codes, np.int64).view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        product >>= np.uint64(64 - self.bits)
        return product.view(np.int64)

    def get(self, codes: np.ndarray) -> np.ndarray:
        """Each code's value; -1 where the code is absent."""
        mask = len(self.keys) - 1
        slot = self._slots(codes)
        found = self.keys[slot]
        hit = found == codes
        out = self.values[slot]  # most codes are found at their first slot
        out[~hit] = -1
        more = np.flatnonzero(~hit & (found != -1))  # an empty slot ends the probe: absent
        slot, codes = slot[more], codes[more]
        while len(more):
            slot = (slot + 1) & mask
            found = self.keys[slot]
            hit = found == codes
            out[more[hit]] = self.values[slot[hit]]
            go_on = ~hit & (found != -1)
            more, slot, codes = more[go_on], slot[go_on], codes[go_on]
        return out


class TextView:
    """One fitted text model: word 1–2-gram TF-IDF (scikit-learn's defaults: lower-cased,
    tokens of two or more word characters, float64, l2-normalised) and a logistic regression.

    ``vocabulary`` is the vectorizer's ``vocabulary_`` (n-gram -> column) and ``idf`` its
    ``idf_``. :meth:`logp` gives the class log-probabilities (``LABELS`` order, plus
    :data:`EPS`) the head reads.
    """

    def __init__(self, vocabulary: dict, idf: np.ndarray, sublinear: bool, linear: Linear):
        self.vocabulary = vocabulary
        self.idf = idf
        self.sublinear = sublinear
        self.linear = linear

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for key in ("_index", "_bytes", "_coef"):
            state.pop(key, None)  # derived: rebuilt on first use
        return state

    def _bigram_index(self):
        """Unigram -> column, and a :class:`CodeTable` from each bigram's code (first word's
        column × size + second's) to its column; None when some bigram's words are not both
        unigrams of the vocabulary. (A vocabulary fitted with a minimum document frequency
        and no cap always has them: a bigram's words occur wherever it does.)"""
        index = self.__dict__.get("_index", False)
        if index is not False:
            return index
        vocab = self.vocabulary
        size = len(vocab)
        unigrams = {t: j for t, j in vocab.items() if " " not in t}
        bigrams = [t for t in vocab if " " in t]
        # Every bigram's two words, split at once: [first, second, first, second, ...].
        words = " ".join(bigrams).split(" ") if bigrams else []
        index = None
        if len(words) == 2 * len(bigrams):  # no n-gram of three or more words
            first = np.fromiter(map(unigrams.get, words[0::2], repeat(-1)), np.int64)
            second = np.fromiter(map(unigrams.get, words[1::2], repeat(-1)), np.int64)
            if not len(bigrams) or min(first.min(), second.min()) >= 0:
                columns = np.fromiter(map(vocab.__getitem__, bigrams), np.int64, len(bigrams))
                index = (unigrams, CodeTable(first * size + second, columns))
        self._index = index
        return index

    def _byte_index(self, unigrams: dict) -> dict:
        """``unigrams`` keyed by the Latin-1 bytes of each word (words outside Latin-1
        left out: a Latin-1 text has none), and every one-byte word -> :data:`SHORT`."""
        index = self.__dict__.get("_bytes")
        if index is None:
            index = {}
            for t, j in unigrams.items():
                try:
                    index[t.encode("latin-1")] = j
                except UnicodeEncodeError:
                    pass
            index.update((bytes((b,)), SHORT) for b in range(256))
            self._bytes = index
        return index

    def counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The document-term counts ``CountVectorizer.transform`` finds, as (row, column,
        count) arrays sorted by row, then column."""
        index = self._bigram_index() if len(texts) >= BULK_MIN_TEXTS else None
        if index is None:
            return self._counts_each(texts)
        return self._counts_bulk(texts, index)

    def _counts_each(self, texts: list[str]):
        """Text by text: unigrams and "w1 w2" bigrams looked up as scikit-learn does."""
        vocab = self.vocabulary
        get = vocab.get
        rows, cols, counts = array("q"), array("q"), array("q")
        for i, text in enumerate(texts):
            tokens = TOKENS.findall(text.lower())
            grams = tokens + [" ".join(p) for p in zip(tokens, tokens[1:])]
            found = Counter(j for j in map(get, grams) if j is not None)
            for j in sorted(found):
                rows.append(i)
                cols.append(j)
                counts.append(found[j])
        as_np = [
            np.frombuffer(a, np.int64) if a else np.empty(0, np.int64) for a in (rows, cols, counts)
        ]
        return as_np[0], as_np[1], as_np[2]

    def _counts_bulk(self, texts: list[str], index):
        """All texts at once: tokens looked up once each (a Latin-1 text's through
        :data:`LATIN1_WORDS`), then :meth:`_cells`."""
        unigrams = index[0]
        found, lengths = array("q"), array("q")
        get, findall = unigrams.get, TOKENS.findall
        if LATIN1_WORDS is None:
            for text in texts:
                tokens = findall(text.lower())
                lengths.append(len(tokens))
                found.extend(map(get, tokens, repeat(-1)))
        else:
            bget, table = self._byte_index(unigrams).get, LATIN1_WORDS
            for text in texts:
                try:
                    tokens = text.encode("latin-1").translate(table).split()
                    found.extend(map(bget, tokens, repeat(-1)))
                except UnicodeEncodeError:
                    tokens = findall(text.lower())
                    found.extend(map(get, tokens, repeat(-1)))
                lengths.append(len(tokens))
        return self._cells(_int64(found), _int64(lengths), len(texts), index)

    def _cells(self, col: np.ndarray, lengths: np.ndarray, n: int, index):
        """The counts from each text's unigram columns in token order (``col``: -1 for a
        word outside the vocabulary, :data:`SHORT` for a one-character word, dropped) and
        each text's number of tokens: bigrams matched as pairs of unigram columns in one
        hash-table probe, and one ``np.unique`` over (row, column) codes."""
        table = index[1]
        size = len(self.vocabulary)
        row = np.repeat(np.arange(n, dtype=np.int64), lengths)
        words = col != SHORT
        if not words.all():
            row, col = row[words], col[words]
        known = col >= 0
        keys = [row[known] * size + col[known]]
        if len(table) and len(col) > 1:
            # Neighbouring tokens of one text, both in the vocabulary (a bigram's words are).
            pair = (row[:-1] == row[1:]) & known[:-1] & known[1:]
            at = table.get(col[:-1][pair] * size + col[1:][pair])
            hit = at >= 0
            keys.append(row[:-1][pair][hit] * size + at[hit])
        cells, counts = np.unique(np.concatenate(keys), return_counts=True)
        return cells // size, cells % size, counts

    def logp(self, texts: list[str]) -> np.ndarray:
        """Class log-probabilities, ``LABELS`` order (a class the model never saw: log EPS)."""
        return self._logp_of(self.counts(texts), len(texts))

    def _logp_of(self, cells: tuple[np.ndarray, np.ndarray, np.ndarray], n: int) -> np.ndarray:
        """:meth:`logp` of ``n`` texts from their :meth:`counts`."""
        rows, cols, counts = cells
        coef = self.__dict__.get("_coef")
        if coef is None:  # scikit-learn's coef_ is often Fortran-ordered: copied once
            coef = self._coef = np.ascontiguousarray(self.linear.coef)
        z = _tfidf_logits(
            rows, cols, counts, n, self.idf, self.sublinear, coef, self.linear.intercept
        )
        p = softmax(z)
        out = np.full((n, len(LABELS)), EPS)
        for j, lab in enumerate(self.linear.classes):
            out[:, LABELS.index(lab)] = p[:, j] + EPS
        return np.log(out)


def _int64(a: array) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int64) if a else np.empty(0, np.int64)


def _opening_columns(answer: TextView, opening: TextView) -> np.ndarray | None:
    """For each column of the answer view, the opening view's column of the same unigram
    (-1 for none), then :data:`SHORT` and -1 (at indexes -2 and -1: what a one-character
    word and an unknown word map to); None unless both views have bigram indexes and every
    unigram of the opening view is one of the answer view."""
    a_index, o_index = answer._bigram_index(), opening._bigram_index()
    if a_index is None or o_index is None or not o_index[0].keys() <= a_index[0].keys():
        return None
    size = len(answer.vocabulary)
    out = np.full(size + 2, -1, np.int64)
    out[size] = SHORT
    a_unigrams, o_unigrams = a_index[0], o_index[0]
    at = np.fromiter(map(a_unigrams.__getitem__, o_unigrams), np.int64, len(o_unigrams))
    out[at] = np.fromiter(o_unigrams.values(), np.int64, len(o_unigrams))
    return out


def _answer_and_opening(
    answer: TextView, opening: TextView, texts: list[str], cuts: list[int], to_opening
) -> tuple[np.ndarray, np.ndarray]:
    """``answer.logp(texts)`` and ``opening.logp([t[:c] for t, c in zip(texts, cuts)])``
    from one tokenisation of the texts: a text is split into its opening and the rest (on
    Latin-1 text, where no word runs across the cut, the opening's tokens are then the
    first of the whole text's), and each token is looked up once, in the answer view's
    index; ``to_opening`` (:func:`_opening_columns`) maps its columns to the opening's.
    For batches of :data:`BULK_MIN_TEXTS` texts or more."""
    a_index, o_index = answer._bigram_index(), opening._bigram_index()
    unigrams = a_index[0]
    get, bget = unigrams.get, answer._byte_index(unigrams).get
    findall, table = TOKENS.findall, LATIN1_WORDS
    found_a, len_a, found_o, len_o = array("q"), array("q"), array("q"), array("q")
    for text, cut in zip(texts, cuts, strict=True):
        try:
            marks = text.encode("latin-1").translate(table)
        except UnicodeEncodeError:
            tokens = findall(text.lower())
            found_a.extend(map(get, tokens, repeat(-1)))
            len_a.append(len(tokens))
            tokens = findall(text[:cut].lower())
            found_o.extend(map(get, tokens, repeat(-1)))
            len_o.append(len(tokens))
            continue
        head = marks[:cut].split()
        cols = array("q", map(bget, head, repeat(-1)))
        found_o.extend(cols)
        len_o.append(len(head))
        if 0 < cut < len(marks) and marks[cut - 1] != 32 and marks[cut] != 32:
            tokens = marks.split()  # a word runs across the cut: the opening has part of it
            found_a.extend(map(bget, tokens, repeat(-1)))
            len_a.append(len(tokens))
        else:
            tail = marks[cut:].split()
            found_a.extend(cols)
            found_a.extend(map(bget, tail, repeat(-1)))
            len_a.append(len(head) + len(tail))
    n = len(texts)
    a_cells = answer._cells(_int64(found_a), _int64(len_a), n, a_index)
    o_cells = opening._cells(to_opening[_int64(found_o)], _int64(len_o), n, o_index)
    return answer._logp_of(a_cells, n), opening._logp_of(o_cells, n)


# ---------------------------------------------------------------------- the head


class Head:
    """The fitted label head: standardise, multinomial logistic regression, temperature.

    ``proba`` is ``ClarityHead.predict_proba`` (``classes`` order), ``contributions`` its
    ``contributions`` and ``standardise`` the scaler's ``transform``.
    """

    def __init__(self, mean, scale, linear: Linear, temperature: float):
        self.mean = mean
        self.scale = scale
        self.linear = linear
        self.temperature = temperature
        self.classes = linear.classes
        coef = linear.coef
        if coef.shape[0] == 1:  # binary: LogisticRegression stores one row
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        self.centred = coef - coef.mean(axis=0, keepdims=True)

    def standardise(self, X: np.ndarray) -> np.ndarray:
        Z = X - self.mean
        Z /= self.scale
        return Z

    def proba(self, X: np.ndarray) -> np.ndarray:
        z = self.linear.logits(self.standardise(X))
        if z.shape[1] == 1:  # binary: scikit-learn's decision is one column
            d = z.ravel()
            z = np.column_stack([-d / 2, d / 2])
        if self.temperature != 1.0:
            z = z / self.temperature
        return softmax(z)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return self.standardise(X)[:, None, :] * self.centred[None, :, :]


# ---------------------------------------------------------------------- the scorer


class Scorer:
    """A fitted model, compiled: scores cleaned pairs into assessments with numpy alone.

    Made by :meth:`EvasionModel.scorer_ <evascore.model.EvasionModel.scorer_>` and stored in
    the model file; load one with :func:`evascore.persist.load_scorer`. ``card_`` is the
    model's card when loaded from a file.

    Examples
    --------
    >>> from evascore.persist import load_scorer
    >>> load_scorer().score("How many staff work in Belgium?", "We do not disclose this.").label
    'evasive'
    """

    def __init__(
        self,
        idf: dict | None,
        default_idf: float,
        lexicon: str | None,
        views: dict,
        head,
        offsets,
        technique=None,
    ):
        self.idf = idf
        self.default_idf = default_idf
        self.lexicon = lexicon
        self.views = views
        self.head = head
        self.offsets = offsets
        self.technique = technique
        self.feature_names_ = FEATURE_NAMES + text_feature_names(views)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("card_", None)  # the card lives beside the model file
        state.pop("_opening_map_", None)  # derived: rebuilt on first use
        return state

    def shared(self) -> dict[str, object]:
        """The large fitted objects (by name) the scorer shares with the estimator it was
        compiled from: a model file stores them once (:mod:`evascore.persist`)."""
        out: dict[str, object] = {}
        if self.idf is not None:
            out["idf"] = self.idf
        for name, view in self.views.items():
            if isinstance(view, TextView):
                out[f"{name}.vocabulary"] = view.vocabulary
                out[f"{name}.idf"] = view.idf
                out[f"{name}.coef"] = view.linear.coef
        return out

    # ------------------------------------------------------------------ columns

    def analyse_many(self, pairs) -> list[Analysis]:
        """The evidence pass of each (cleaned) (question, answer) pair."""
        idf, default, lexicon = self.idf, self.default_idf, self.lexicon
        return [analyse(q, a, idf, default, lexicon) for q, a in pairs]

    def columns(self, pairs, analyses: list[Analysis] | None = None) -> np.ndarray:
        """The matrix the head reads: the handcrafted columns, then each text view's."""
        if analyses is None:
            analyses = self.analyse_many(pairs)
        X = feature_matrix(analyses)
        if self.views:
            X = np.hstack([X, *self._text_blocks(pairs, analyses)])
        return X

    def _text_blocks(self, pairs, analyses: list[Analysis] | None = None) -> list[np.ndarray]:
        """Each text view's log-probabilities, view order. The answer and opening views read
        one tokenisation of the answers (:func:`_answer_and_opening`) where they can. With the
        pairs' ``analyses``, the opening's cut and the question's core come from the evidence
        pass (``Analysis.opening_end``, ``frame.core``) instead of being found again."""
        shared = {}
        to_opening = self._opening_map() if len(pairs) >= BULK_MIN_TEXTS else None
        if to_opening is not None:
            answers = [a for _, a in pairs]
            if analyses is not None and all(x.opening_end is not None for x in analyses):
                cuts = [x.opening_end for x in analyses]
            else:
                cuts = []
                for a in answers:
                    spans = split_sentences(a, limit=2)  # as opening(a) cuts it
                    cuts.append(spans[-1][1] if spans else len(a))
            views = self.views
            got = _answer_and_opening(views["answer"], views["opening"], answers, cuts, to_opening)
            shared = dict(zip(("answer", "opening"), got))
        out = []
        for name, view in self.views.items():
            if name in shared:
                out.append(shared[name])
            elif name == "question" and analyses is not None:
                out.append(view.logp([x.frame.core for x in analyses]))  # strip_preamble(q)
            else:
                out.append(view.logp(view_texts(name, pairs)))
        return out

    def _opening_map(self) -> np.ndarray | None:
        """:func:`_opening_columns` of the answer and opening views, once; None where the
        model lacks either, either is not compiled, or text is tokenised by the regex."""
        got = self.__dict__.get("_opening_map_")
        if got is None:
            answer, opening = self.views.get("answer"), self.views.get("opening")
            got = (None,)
            if (
                isinstance(answer, TextView)
                and isinstance(opening, TextView)
                and LATIN1_WORDS is not None
            ):
                got = (_opening_columns(answer, opening),)
            self._opening_map_ = got
        return got[0]

    def proba(self, X: np.ndarray) -> np.ndarray:
        """The model's probabilities (``LABELS`` order) from its columns: the head's, then
        the parts rule and the offsets."""
        return rules_and_offsets(reorder(self.head.proba(X), self.head.classes), X, self.offsets)

    def predict_proba(self, pairs) -> np.ndarray:
        """Probabilities of (cleaned) (question, answer) pairs, ``LABELS`` order."""
        return self.proba(self.columns(list(pairs)))

    # ------------------------------------------------------------------ scoring

    def assess(self, pairs: list[QAPair]) -> list[Assessment]:
        """Score a list of cleaned :class:`QAPair` objects (the batch primitive)."""
        if not pairs:
            return []
        with _gc_paused():
            return self._assess(pairs)

    def _assess(self, pairs: list[QAPair]) -> list[Assessment]:
        qa = [(p.question, p.answer) for p in pairs]
        analyses = self.analyse_many(qa)
        X = self.columns(qa, analyses)
        proba = self.proba(X)
        tech_proba = tech_classes = None
        if self.technique is not None:
            tech_proba = self.technique.proba(self.head.standardise(X))
            tech_classes = self.technique.classes
        refused = parts_refused(X)
        return build_assessments(
            pairs,
            analyses,
            proba,
            self.head.contributions(X),
            self.head.classes,
            self.feature_names_,
            tech_proba,
            tech_classes,
            refused,
            parts_ruled(X),  # the rows whose label the parts rule bounds
        )

    def iter_score(
        self, pairs, n_jobs: int | None = 1, batch_size: int = 512
    ) -> Iterator[Assessment]:
        """Assessments of many pairs (QAPairs, (question, answer) tuples, dicts or a
        DataFrame), lazily, in input order; ``n_jobs`` > 1 scores chunks with joblib."""
        items = qapairs(pairs)
        for chunk in map_chunks(self.assess, chunked(items, batch_size), n_jobs):
            yield from chunk

    def score_many(self, pairs, n_jobs: int | None = 1, batch_size: int = 512) -> list[Assessment]:
        """:meth:`iter_score` as a list."""
        return list(self.iter_score(pairs, n_jobs=n_jobs, batch_size=batch_size))

    def score(self, question: str, answer: str, id: str | None = None) -> Assessment:
        """The :class:`~evascore.assessment.Assessment` of one pair."""
        return self.assess([QAPair.make(question, answer, id)])[0]

    def explain(self, question: str, answer: str) -> str:
        """A plain-text report for people: label, score, parts, deciding sentences."""
        return str(self.score(question, answer))


# ---------------------------------------------------------------------- helpers


# Scorers in several threads share the one process-wide collector: it is paused while any of
# them runs and resumed (if it was on before the first) only when the last one leaves.
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a batch is scored.

    A batch allocates tens of thousands of small, acyclic objects (sentences, term sets,
    analyses); the collector's passes over them cost about 10% of scoring time
    (``benchmarks/speed.py``). Reference counting still frees everything; the collector
    resumes, as it was, when the last concurrent batch ends.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
