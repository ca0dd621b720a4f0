"""The search index over every phrasing of every entry, and the scoring of candidates.

Built once per content. A question is normalised in French and in English; each query token is
resolved to known tokens (exactly, or by rapidfuzz for typos); an inverted index over the rarer
tokens narrows the phrasings to a few candidates, so the cost does not grow with the size of the
content; candidates are then reranked with a weighted score in which rare words ("MLA", "Llama")
count far more than common ones ("deepseek", "pourquoi"), blended with a character-level
similarity and, with less weight, the words of the answer.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.model import LANGS, Content, Entry, Lang
from bot.text import Normalizer, strip_accents, words

Resolved = tuple[tuple[str, float], ...]  # known tokens a query token stands for, with similarity

CANDIDATES = 60  # phrasings kept after narrowing, before reranking
COMMON_SHARE = 0.08  # tokens in more than this share of phrasings don't generate candidates
COMMON_POSTINGS = 2000  # of a common token's postings, only this many are ever walked
MIN_TYPO_LENGTH = 5  # shorter unknown words are not corrected: too many near neighbours
TYPO_CONFIDENCE = 0.9  # a corrected word is weaker evidence than the word itself
ANSWER_RERANK = 5  # candidates beyond `limit` whose answers are read to rerank the leaders
EAGER_ANSWERS = 20000  # up to this many entries, answers are tokenised at build, not on first use


@dataclass(frozen=True)
class Weights:
    """How the parts of a score combine (chosen on held-out phrasings, checked on the eval set)."""

    phrasing: float = 0.4  # the best single phrasing (token overlap blended with characters)
    entry: float = 0.5  # the query's words found anywhere in the entry's phrasings
    answer: float = 0.1  # the query's words found in the answer text
    char: float = 0.15  # share of character-level similarity in a phrasing's score
    unknown: float = 0.3  # an unknown query word weighs this share of the rarest known word


@dataclass(frozen=True)
class Phrasing:
    """One question of one entry, as tokens."""

    entry: int  # index in Content.entries
    lang: Lang
    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """An entry and how well the question matches it, with the parts of the score."""

    entry: Entry
    score: float
    phrasing: str
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """A question normalised in both languages, each token resolved against the vocabulary.

    `weights[lang][i]` is the weight of token i (its best known reading, or the unknown-word
    weight), `total[lang]` their sum and `joined[lang]` the tokens as one string: computed once
    per question, used for every candidate.
    """

    tokens: dict[Lang, tuple[str, ...]]
    resolved: dict[Lang, tuple[Resolved, ...]]
    weights: dict[Lang, tuple[float, ...]]
    total: dict[Lang, float]
    joined: dict[Lang, str]


class Index:
    """Phrasings, vocabulary weights, inverted index; immutable once built."""

    def __init__(self, content: Content, normalizer: Normalizer | None = None,
                 weights: Weights | None = None) -> None:
        self.content = content
        self.weights = weights or Weights()
        self.normalizer = normalizer or Normalizer(content.synonyms)
        self.phrasings: list[Phrasing] = []
        seen_in: dict[str, set[Lang]] = defaultdict(set)  # word -> languages it is asked in
        for i, entry in enumerate(content.entries):
            for lang in LANGS:
                for q in entry.questions.get(lang, ()):
                    raw = words(q)
                    tokens = self.normalizer.tokens_of(raw, lang)
                    self.phrasings.append(Phrasing(i, lang, q, tokens))
                    for w in raw:
                        seen_in[strip_accents(w)].add(lang)
        self.word_langs = {w: next(iter(ls)) for w, ls in seen_in.items() if len(ls) == 1}
        self._postings: dict[str, list[int]] = defaultdict(list)
        entries_with: dict[str, set[int]] = defaultdict(set)
        for pid, p in enumerate(self.phrasings):
            for tok in set(p.tokens):
                self._postings[tok].append(pid)
                entries_with[tok].add(p.entry)
        n = max(len(content.entries), 1)
        self.weight = {t: math.log(1 + n / len(e)) for t, e in entries_with.items()}
        self.max_weight = math.log(1 + n)
        self.unknown_weight = self.weights.unknown * self.max_weight
        # A token is common when it is in many phrasings, by share or in absolute terms: walking
        # its postings would cost more than it narrows.
        self._common = min(max(8, int(COMMON_SHARE * len(self.phrasings))), COMMON_POSTINGS)
        self._vocab = sorted(self.weight)
        # Typo candidates by deletion (SymSpell): two words one edit or one transposition apart
        # share a form with one letter deleted, so a lookup replaces a scan of the vocabulary.
        self._deletions: dict[str, list[str]] = defaultdict(list)
        for t in self._vocab:
            if len(t) >= MIN_TYPO_LENGTH - 1 and t.isalpha():
                for form in _deletions(t):
                    self._deletions[form].append(t)
        # Per phrasing, what every score needs: its token set, their weight, the joined string.
        self._psets = [frozenset(p.tokens) for p in self.phrasings]
        self._pweights = [sum(self.weight[t] for t in ps) for ps in self._psets]
        self._pjoined = [" ".join(p.tokens) for p in self.phrasings]
        entry_tokens: list[dict[Lang, set[str]]] = [{"fr": set(), "en": set()} for _ in range(n)]
        for p in self.phrasings:
            entry_tokens[p.entry][p.lang].update(p.tokens)
        self._entry_tokens = [{lang: frozenset(ts[lang]) for lang in LANGS} for ts in entry_tokens]
        self._answers: dict[int, dict[Lang, frozenset[str]]] = {}
        if n <= EAGER_ANSWERS:  # small content: pay at build, so no question waits for it
            for i in range(len(content.entries)):
                self._answer_tokens(i)
        self._resolve = lru_cache(maxsize=16384)(self._resolve_uncached)

    # -- query side ------------------------------------------------------------------------

    def query(self, question: str, prefix: bool = False) -> Query:
        """Normalise `question` in both languages and resolve its tokens."""
        raw = words(question)
        tokens = {lang: self.normalizer.tokens_of(raw, lang) for lang in LANGS}
        resolved = {
            lang: tuple(
                self._resolve(t, prefix and i == len(toks) - 1) for i, t in enumerate(toks)
            )
            for lang, toks in tokens.items()
        }
        weights = {
            lang: tuple(max((self.weight[t] for t, _ in o), default=self.unknown_weight)
                        for o in opts)
            for lang, opts in resolved.items()
        }
        return Query(tokens, resolved, weights, {lang: sum(w) for lang, w in weights.items()},
                     {lang: " ".join(toks) for lang, toks in tokens.items()})

    def _resolve_uncached(self, token: str, prefix: bool) -> Resolved:
        found: dict[str, float] = {}
        if token in self.weight:
            found[token] = 1.0
        if prefix and len(token) >= 2:
            for t in self._vocab_prefixed(token):
                found.setdefault(t, 0.9)
        if not found and len(token) >= MIN_TYPO_LENGTH and token.isalpha():
            near = {t for form in _deletions(token) for t in self._deletions.get(form, ())}
            cutoff = 80 if len(token) < 9 else 78
            for t, sim, _ in process.extract(token, sorted(near), scorer=fuzz.ratio,
                                             processor=None, score_cutoff=cutoff, limit=3):
                found[t] = sim / 100 * TYPO_CONFIDENCE
        return tuple(found.items())

    def _vocab_prefixed(self, token: str) -> Iterable[str]:
        i = bisect_left(self._vocab, token)
        count = 0
        while i < len(self._vocab) and self._vocab[i].startswith(token) and count < 12:
            yield self._vocab[i]
            i += 1
            count += 1

    # -- candidates and scores -------------------------------------------------------------

    def search(self, query: Query, limit: int = 10) -> list[Candidate]:
        """Entries ranked by score (best first), at most `limit`, one candidate per entry."""
        best: dict[int, tuple[dict[str, float], int]] = {}
        for pid in self._narrow(query):
            parts = self._score(query, pid)
            entry = self.phrasings[pid].entry
            known = best.get(entry)
            if known is None or parts["phrasing"] > known[0]["phrasing"]:
                best[entry] = (parts, pid)
        ranked = sorted((self._with_entry(query, i, parts) for i, (parts, _) in best.items()),
                        key=lambda item: -item[1]["score"])
        # The answer's words add at most `weights.answer` (0.1) times the phrasing score: they
        # reorder close leaders, so only the answers of the leaders are read.
        found = [self._candidate(query, i, parts, best[i][1])
                 for i, parts in ranked[: limit + ANSWER_RERANK]]
        return sorted(found, key=lambda c: (-c.score, c.entry.id))[:limit]

    def _with_entry(self, query: Query, i: int,
                    parts: dict[str, float]) -> tuple[int, dict[str, float]]:
        """The phrasing's parts, plus how much of the question the whole entry explains."""
        entry_cover = 0.0
        missed = 1.0
        for lang in LANGS:
            cover, miss = self._cover(query, lang, self._entry_tokens[i][lang])
            entry_cover, missed = max(entry_cover, cover), min(missed, miss)
        w = self.weights
        score = w.phrasing * parts["phrasing"] + w.entry * entry_cover * parts["phrasing"] ** 0.5
        return i, {**parts, "entry_cover": entry_cover, "missed": missed, "score": score}

    def _candidate(self, query: Query, i: int, parts: dict[str, float], pid: int) -> Candidate:
        answer = max(self._cover(query, lang, self._answer_tokens(i)[lang])[0] for lang in LANGS)
        score = parts["score"] + self.weights.answer * answer * parts["phrasing"]
        parts = {**parts, "answer": answer, "score": score}
        return Candidate(self.content.entries[i], score, self.phrasings[pid].text, parts)

    def _cover(self, query: Query, lang: Lang, tokens: frozenset[str]) -> tuple[float, float]:
        """(share of the question's weight found among `tokens`, weight 0..1 of the rarest
        known question word missing from them)."""
        hit = worst = 0.0
        for options, weight in zip(query.resolved[lang], query.weights[lang], strict=True):
            found = [self.weight[t] * s for t, s in options if t in tokens]
            if found:
                hit += max(found)
            elif options:
                worst = max(worst, weight)
        total = query.total[lang]
        return (hit / total if total else 0.0), worst / self.max_weight

    def _answer_tokens(self, i: int) -> dict[Lang, frozenset[str]]:
        # On a large content, answers are tokenised when their entry first becomes a candidate:
        # it keeps the build (and a content reload) fast.
        found = self._answers.get(i)
        if found is None:
            entry = self.content.entries[i]
            found = {lang: frozenset(self.normalizer.tokens(entry.answer_in(lang), lang))
                     for lang in LANGS}
            self._answers[i] = found
        return found

    def _narrow(self, query: Query) -> list[int]:
        acc: dict[int, float] = defaultdict(float)
        common: list[tuple[str, float]] = []
        for resolved in query.resolved.values():
            for options in resolved:
                for tok, sim in options:
                    postings = self._postings.get(tok, ())
                    if len(postings) > self._common:
                        common.append((tok, sim))
                        continue
                    w = self.weight[tok] * sim
                    for pid in postings:
                        acc[pid] += w
        if len(acc) < CANDIDATES:  # only common words: scan them, they are all we have
            for tok, sim in common:
                w = self.weight[tok] * sim
                for pid in self._postings[tok][:COMMON_POSTINGS]:
                    acc[pid] += w
        return heapq.nlargest(CANDIDATES, acc, key=acc.__getitem__)

    def _score(self, query: Query, pid: int) -> dict[str, float]:
        lang = self.phrasings[pid].lang
        ptokens = self._psets[pid]
        wq = matched = 0.0
        covered: dict[str, float] = {}
        for options, weight in zip(query.resolved[lang], query.weights[lang], strict=True):
            hits = [(sim, t) for t, sim in options if t in ptokens]
            if hits:
                sim, tok = max(hits)
                wq += self.weight[tok]
                matched += sim * self.weight[tok]
                covered[tok] = max(covered.get(tok, 0.0), sim)
            else:
                wq += weight
        wp = self._pweights[pid]
        cq = matched / wq if wq else 0.0
        cp = sum(self.weight[t] * s for t, s in covered.items()) / wp if wp else 0.0
        token = 2 * cq * cp / (cq + cp) if cq + cp else 0.0  # both ways: F1 of the two covers
        char = fuzz.token_sort_ratio(query.joined[lang], self._pjoined[pid],
                                     processor=None, score_cutoff=0) / 100
        w = self.weights
        phrasing = (1 - w.char) * token + w.char * char * min(1.0, token * 2)
        return {"phrasing": phrasing, "query_cover": cq, "phrasing_cover": cp, "char": char}


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter deleted."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}
