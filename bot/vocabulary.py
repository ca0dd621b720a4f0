"""The words the matcher knows, and how a question's words are read as known ones.

A question token is read exactly; as the completion of a prefix (autocomplete); as a French verb
form Snowball leaves whole ("recrutent" = recruter); or as a typo: candidates come from a
deletion index (SymSpell: two words one edit or one transposition apart share a form with one
letter deleted), then rapidfuzz checks them. The result, with each token's weight and where it
stands in the question, is a `Query`: computed once per question, used for every candidate.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.model import Lang
from bot.text import Normalizer

Resolved = tuple[tuple[str, float], ...]  # known tokens a query token stands for, with similarity

MIN_TYPO_LENGTH = 5  # shorter unknown words are not corrected: too many near neighbours
TYPO_CONFIDENCE = 0.9  # a corrected word is weaker evidence than the word itself
FIRST_LETTER_SIM = 90  # a typo candidate with another first letter needs this similarity
PREFIX_CONFIDENCE = 0.9  # a completed prefix is weaker evidence than the whole word
MAX_COMPLETIONS = 12  # known words a prefix may stand for


@dataclass(frozen=True)
class Query:
    """A question normalised in both languages, each token resolved against the vocabulary.

    `weights[lang][i]` is the weight of token i (its best known reading, or the unknown-word
    weight), `total[lang]` their sum and `joined[lang]` the tokens, sorted, as one string:
    computed once per question, used for every candidate.
    """

    tokens: dict[Lang, tuple[str, ...]]
    resolved: dict[Lang, tuple[Resolved, ...]]
    weights: dict[Lang, tuple[float, ...]]
    total: dict[Lang, float]
    joined: dict[Lang, str]
    off_topic: Query | None = None  # the same question against the out-of-scope questions
    # known token -> the positions of the question words it stands for, with similarity
    positions: dict[Lang, dict[str, tuple[tuple[int, float], ...]]] = field(default_factory=dict)


class Vocabulary:
    """Known tokens with their weights (phrasing words, and words only answers use)."""

    def __init__(self, weight: dict[str, float], normalizer: Normalizer,
                 answer_only: Collection[str], unknown_weight: float) -> None:
        self.weight = weight
        self.normalizer = normalizer
        self.unknown_weight = unknown_weight
        self._answer_only = frozenset(answer_only)
        # every word a query word can resolve to, with its weight (answer-only words: unknown's)
        self.wt = {**dict.fromkeys(self._answer_only, unknown_weight), **weight}
        self._sorted = sorted(weight)
        # Synonym terms are merged into one canonical token, so their own spellings are known
        # words too, for typos only: a typo of "recrutement" stands for "hire".
        self._spelled = {surface: canonical for surface, canonical
                         in normalizer.single_word_synonyms().items()
                         if canonical in weight and surface not in weight}
        self._deletions: dict[str, list[str]] = defaultdict(list)
        for t in (*self._sorted, *self._spelled):
            if len(t) >= MIN_TYPO_LENGTH - 1 and t.isalpha():
                for form in _deletions(t):
                    self._deletions[form].append(t)
        self.resolve = lru_cache(maxsize=16384)(self._resolve_uncached)

    def query(self, tokens: dict[Lang, tuple[str, ...]], prefix: bool = False,
              off_topic: Query | None = None) -> Query:
        """The `Query` of normalised tokens; with `prefix`, the last one may be unfinished."""
        resolved = {
            lang: tuple(
                self.resolve(t, prefix and i == len(toks) - 1) for i, t in enumerate(toks)
            )
            for lang, toks in tokens.items()
        }
        weights = {
            lang: tuple(max((self.wt[t] for t, _ in o), default=self.unknown_weight)
                        for o in opts)
            for lang, opts in resolved.items()
        }
        positions: dict[Lang, dict[str, tuple[tuple[int, float], ...]]] = {}
        for lang, opts in resolved.items():
            where: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for i, options in enumerate(opts):
                for tok, sim in options:
                    if tok in self.weight:  # answer-only words are in no phrasing
                        where[tok].append((i, sim))
            positions[lang] = {tok: tuple(found) for tok, found in where.items()}
        return Query(tokens, resolved, weights, {lang: sum(w) for lang, w in weights.items()},
                     {lang: " ".join(sorted(toks)) for lang, toks in tokens.items()}, off_topic,
                     positions)

    def _resolve_uncached(self, token: str, prefix: bool) -> Resolved:
        found: dict[str, float] = {}
        if token in self.weight:
            found[token] = 1.0
        if prefix and len(token) >= 2:
            for t in self._prefixed(token):
                found.setdefault(t, PREFIX_CONFIDENCE)
        if not found and len(token) > 5 and token.isalpha() and token.endswith(("ent", "ons")):
            # Snowball leaves French "-ent" / "-ons" verb forms whole ("ils recrutent"): read
            # them as the infinitive ("recruter"), when that is a known word
            for t in self.normalizer.tokens_of([token[:-3] + "er"], "fr"):
                if t in self.weight:
                    found[t] = 1.0
        if not found and len(token) >= MIN_TYPO_LENGTH and token.isalpha():
            near = {t for form in _deletions(token) for t in self._deletions.get(form, ())}
            cutoff = 80 if len(token) < 9 else 78
            for t, sim, _ in process.extract(token, sorted(near), scorer=fuzz.ratio,
                                             processor=None, score_cutoff=cutoff, limit=3):
                # a typo seldom hits the first letter: "marri" is not a typo of "arriv"
                if t[0] == token[0] or sim >= FIRST_LETTER_SIM:
                    known = self._spelled.get(t, t)
                    found[known] = max(found.get(known, 0.0), sim / 100 * TYPO_CONFIDENCE)
        if not found and token in self._answer_only:
            found[token] = 1.0
        return tuple(found.items())

    def _prefixed(self, token: str) -> Iterable[str]:
        i = bisect_left(self._sorted, token)
        count = 0
        while i < len(self._sorted) and self._sorted[i].startswith(token) and (
                count < MAX_COMPLETIONS):
            yield self._sorted[i]
            i += 1
            count += 1


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter deleted."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}
