"""The search index over every phrasing of every entry, and the scoring of candidates.

Built once per content. A question is normalised in French and in English; each query token is
resolved to known tokens (exactly, or by rapidfuzz for typos); an inverted index over the rarer
tokens narrows the phrasings to a few candidates, so the cost does not grow with the size of the
content; candidates are then reranked with a weighted score in which rare words ("MLA", "Llama")
count far more than common ones ("deepseek", "pourquoi"), blended with a character-level
similarity and, with less weight, the words of the answer.
"""

from __future__ import annotations

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

CANDIDATES = 120  # phrasings kept after narrowing, before reranking
COMMON_SHARE = 0.08  # tokens in more than this share of phrasings don't generate candidates


@dataclass(frozen=True)
class Weights:
    """How the parts of a score combine (tuned on held-out phrasings, see benchmarks/)."""

    phrasing: float = 0.4  # the best single phrasing (token overlap blended with characters)
    entry: float = 0.5  # the query's words found anywhere in the entry's phrasings
    answer: float = 0.1  # the query's words found in the answer text
    recall: float = 1.0  # beta of the F-measure of query cover (recall) and phrasing cover
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
    """A question normalised in both languages, each token resolved against the vocabulary."""

    tokens: dict[Lang, tuple[str, ...]]
    resolved: dict[Lang, tuple[Resolved, ...]]


class Index:
    """Phrasings, vocabulary weights, inverted index; immutable once built."""

    def __init__(self, content: Content, normalizer: Normalizer | None = None,
                 weights: Weights | None = None) -> None:
        self.content = content
        self.weights = weights or Weights()
        self.normalizer = normalizer or Normalizer(content.synonyms)
        self.phrasings = [
            Phrasing(i, lang, q, self.normalizer.tokens(q, lang))
            for i, entry in enumerate(content.entries)
            for lang in LANGS
            for q in entry.questions.get(lang, ())
        ]
        by_entry: dict[int, list[Phrasing]] = defaultdict(list)
        for p in self.phrasings:
            by_entry[p.entry].append(p)
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
        self._common = max(8, int(COMMON_SHARE * len(self.phrasings)))
        self._vocab = sorted(self.weight)
        self._entry_tokens = [
            {lang: frozenset(t for p in by_entry[i] if p.lang == lang for t in p.tokens)
             for lang in LANGS}
            for i in range(len(content.entries))
        ]
        self._answers = [
            {lang: frozenset(self.normalizer.tokens(e.answer_in(lang), lang)) for lang in LANGS}
            for e in content.entries
        ]
        self._position = {e.id: i for i, e in enumerate(content.entries)}
        self.word_langs = _word_langs(content)
        self._resolve = lru_cache(maxsize=16384)(self._resolve_uncached)

    # -- query side ------------------------------------------------------------------------

    def query(self, question: str, prefix: bool = False) -> Query:
        """Normalise `question` in both languages and resolve its tokens."""
        tokens = {lang: self.normalizer.tokens(question, lang) for lang in LANGS}
        resolved = {
            lang: tuple(
                self._resolve(t, prefix and i == len(toks) - 1) for i, t in enumerate(toks)
            )
            for lang, toks in tokens.items()
        }
        return Query(tokens, resolved)

    def _resolve_uncached(self, token: str, prefix: bool) -> Resolved:
        found: dict[str, float] = {}
        if token in self.weight:
            found[token] = 1.0
        if prefix and len(token) >= 2:
            for t in self._vocab_prefixed(token):
                found.setdefault(t, 0.9)
        if not found and len(token) >= 5 and token.isalpha():
            cutoff = 80 if len(token) < 9 else 78
            for t, sim, _ in process.extract(token, self._vocab, scorer=fuzz.ratio,
                                             processor=None, score_cutoff=cutoff, limit=3):
                found[t] = sim / 100
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
        best: dict[int, tuple[dict[str, float], Phrasing]] = {}
        for pid in self._narrow(query):
            p = self.phrasings[pid]
            parts = self._score(query, p)
            known = best.get(p.entry)
            if known is None or parts["phrasing"] > known[0]["phrasing"]:
                best[p.entry] = (parts, p)
        found = [self._candidate(query, i, parts, p) for i, (parts, p) in best.items()]
        return sorted(found, key=lambda c: (-c.score, c.entry.id))[:limit]

    def _candidate(self, query: Query, i: int, parts: dict[str, float], p: Phrasing) -> Candidate:
        entry_cover = max(self._cover(query.resolved[lang], self._entry_tokens[i][lang])
                          for lang in LANGS)
        answer = max(self._cover(query.resolved[lang], self._answers[i][lang]) for lang in LANGS)
        w = self.weights
        score = (w.phrasing * parts["phrasing"] + w.entry * entry_cover * parts["phrasing"] ** 0.5
                 + w.answer * answer * parts["phrasing"])
        missed = min(self._missed(query.resolved[lang], self._entry_tokens[i][lang])
                     for lang in LANGS)
        parts = {**parts, "entry_cover": entry_cover, "answer": answer, "missed": missed,
                 "score": score}
        return Candidate(self.content.entries[i], score, p.text, parts)

    def _missed(self, resolved: tuple[Resolved, ...], tokens: frozenset[str]) -> float:
        """The weight (0..1) of the rarest known query word that this entry does not have."""
        worst = 0.0
        for options in resolved:
            if options and not any(t in tokens for t, _ in options):
                worst = max(worst, max(self.weight[t] for t, _ in options))
        return worst / self.max_weight

    def _cover(self, resolved: tuple[Resolved, ...], tokens: frozenset[str]) -> float:
        """The share of the query's weight found among `tokens`."""
        total = hit = 0.0
        for options in resolved:
            total += max((self.weight[t] for t, _ in options), default=self.unknown_weight)
            hit += max((self.weight[t] * s for t, s in options if t in tokens), default=0.0)
        return hit / total if total else 0.0

    def _narrow(self, query: Query) -> list[int]:
        acc: dict[int, float] = defaultdict(float)
        fallback: list[tuple[str, float]] = []
        for resolved in query.resolved.values():
            for options in resolved:
                for tok, sim in options:
                    postings = self._postings.get(tok, ())
                    if len(postings) > self._common:
                        fallback.append((tok, sim))
                        continue
                    w = self.weight[tok] * sim
                    for pid in postings:
                        acc[pid] += w
        if len(acc) < CANDIDATES:  # only common words: scan them, they are all we have
            for tok, sim in fallback:
                for pid in self._postings[tok][: CANDIDATES * 4]:
                    acc[pid] += self.weight[tok] * sim
        return sorted(acc, key=acc.__getitem__, reverse=True)[:CANDIDATES]

    def _score(self, query: Query, p: Phrasing) -> dict[str, float]:
        resolved = query.resolved[p.lang]
        ptokens = set(p.tokens)
        wq = matched = 0.0
        covered: dict[str, float] = {}
        for options in resolved:
            hits = [(sim, t) for t, sim in options if t in ptokens]
            if hits:
                sim, tok = max(hits)
                wq += self.weight[tok]
                matched += sim * self.weight[tok]
                covered[tok] = max(covered.get(tok, 0.0), sim)
            else:
                wq += max((self.weight[t] for t, _ in options), default=self.unknown_weight)
        wp = sum(self.weight.get(t, self.unknown_weight) for t in ptokens)
        cq = matched / wq if wq else 0.0
        cp = sum(self.weight[t] * s for t, s in covered.items()) / wp if wp else 0.0
        b2 = self.weights.recall ** 2  # F-beta: the question's words count more than the phrasing's
        token = (1 + b2) * cq * cp / (b2 * cp + cq) if cq + cp else 0.0
        char = fuzz.token_sort_ratio(" ".join(query.tokens[p.lang]), " ".join(p.tokens),
                                     processor=None, score_cutoff=0) / 100
        w = self.weights
        phrasing = (1 - w.char) * token + w.char * char * min(1.0, token * 2)
        return {"phrasing": phrasing, "query_cover": cq, "phrasing_cover": cp, "char": char}


def _word_langs(content: Content) -> dict[str, Lang]:
    """Words that appear in the phrasings of one language only, and that language."""
    seen: dict[str, set[Lang]] = defaultdict(set)
    for entry in content.entries:
        for lang in LANGS:
            for q in entry.questions.get(lang, ()):
                for w in words(q):
                    seen[strip_accents(w)].add(lang)
    return {w: next(iter(langs)) for w, langs in seen.items() if len(langs) == 1}


