"""The search index over every phrasing of every entry, and the scoring of candidates.

Built once per content. A question is normalised in French and in English; each query token is
resolved to known tokens (bot/vocabulary.py: exactly, or as a typo); an inverted index over the
rarer tokens narrows the phrasings to a few candidates, so the cost does not grow with the size
of the content; candidates are then reranked with a weighted score in which rare words ("MLA",
"Llama") count far more than common ones ("deepseek", "pourquoi"), blended with a
character-level similarity and, with less weight, the words of the answer. A rare word that only
an answer uses ("Wuchuan") is known too: it leads to that entry even when no phrasing has it.
The question is also measured against the content's out-of-scope questions, and the signals the
confidence needs are attached to each candidate; whether the best candidate is good enough to
answer is decided in bot/confidence.py.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from bot.model import LANGS, Content, Entry, Lang
from bot.off_topic import OffTopic
from bot.text import Normalizer, strip_accents, words
from bot.vocabulary import Query, Vocabulary

CANDIDATES = 45  # phrasings kept after narrowing, before reranking
COMMON_SHARE = 0.08  # tokens in more than this share of phrasings don't generate candidates
COMMON_POSTINGS = 2000  # of a common token's postings, only this many are ever walked
ANSWER_RERANK = 5  # candidates beyond `limit` whose answers are read to rerank the leaders
EAGER_ANSWERS = 20000  # up to this many entries, answers are tokenised at build, not on first use
ANSWER_ONLY_MAX = 3  # a word only answers use, in more answers than this, is not specific enough


@dataclass(frozen=True)
class Weights:
    """How the parts of a score combine (chosen on held-out phrasings, checked on the eval set)."""

    phrasing: float = 0.4  # the best single phrasing (token overlap blended with characters)
    entry: float = 0.5  # the query's words found anywhere in the entry's phrasings
    answer: float = 0.1  # the query's words found in the answer text
    char: float = 0.15  # share of character-level similarity in a phrasing's score
    unknown: float = 0.3  # an unknown query word weighs this share of the rarest known word
    answer_alone: float = 0.3  # the query's words found in the answer, even with no phrasing hit
    answer_narrow: float = 1.0  # when narrowing, a word only answers use, as a share of `unknown`


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
        # Per phrasing, what every score needs: its token set, their weight, the joined string.
        self._psets = [frozenset(p.tokens) for p in self.phrasings]
        self._pweights = [sum(self.weight[t] for t in ps) for ps in self._psets]
        self._pjoined = [" ".join(sorted(p.tokens)) for p in self.phrasings]
        entry_tokens: list[dict[Lang, set[str]]] = [{"fr": set(), "en": set()} for _ in range(n)]
        for p in self.phrasings:
            entry_tokens[p.entry][p.lang].update(p.tokens)
        self._entry_tokens = [{lang: frozenset(ts[lang]) for lang in LANGS} for ts in entry_tokens]
        self._answers: dict[int, dict[Lang, frozenset[str]]] = {}
        self._known: dict[int, dict[Lang, frozenset[str]]] = {}  # see _known_words
        if n <= EAGER_ANSWERS:  # small content: pay at build, so no question waits for it
            for i in range(len(content.entries)):
                self._answer_tokens(i)
        self._position = {e.id: i for i, e in enumerate(content.entries)}
        self._answer_only = self._answer_only_words()
        self._entry_pids: dict[int, list[int]] = defaultdict(list)
        for pid, p in enumerate(self.phrasings):
            self._entry_pids[p.entry].append(pid)
        self.vocabulary = Vocabulary(self.weight, self.normalizer, self._answer_only,
                                     self.unknown_weight)
        self._wt = self.vocabulary.wt
        ws = self.weights
        self._scale = ws.phrasing + ws.entry + ws.answer + ws.answer_alone  # scores within 0..1
        self.off_topic = self._off_topic()

    @property
    def token_sets(self) -> list[frozenset[str]]:
        """Each phrasing's tokens, as a set (in phrasing order)."""
        return self._psets

    def _off_topic(self) -> OffTopic | None:
        """The content's out-of-scope questions, indexed one pseudo-entry each, or None."""
        asked = self.content.out_of_scope
        pseudo = tuple(Entry(id=f"out-of-scope/{lang}/{i}", questions={lang: (q,)}, answer={})
                       for lang in LANGS for i, q in enumerate(asked.get(lang, ())))
        if not pseudo:
            return None
        index = Index(Content(entries=pseudo, synonyms=self.content.synonyms), self.normalizer,
                      self.weights)
        return OffTopic(index, self._psets)

    def _answer_only_words(self) -> dict[str, tuple[int, ...]]:
        """Words of the answers that no phrasing uses ("Wuchuan", "Zhejiang") -> their entries.

        Only where answers are tokenised at build (see EAGER_ANSWERS), and only words specific
        to a few entries."""
        if self.weights.answer_alone <= 0 or len(self._answers) < len(self.content.entries):
            return {}
        in_answers: dict[str, set[int]] = defaultdict(set)
        for i, answers in self._answers.items():
            for tokens in answers.values():
                for tok in tokens:
                    if tok not in self.weight:
                        in_answers[tok].add(i)
        return {t: tuple(sorted(e)) for t, e in in_answers.items() if len(e) <= ANSWER_ONLY_MAX}

    # -- query side ------------------------------------------------------------------------

    def query(self, question: str, prefix: bool = False) -> Query:
        """Normalise `question` in both languages and resolve its tokens."""
        raw = words(question)
        tokens = {lang: self.normalizer.without_small_talk(self.normalizer.tokens_of(raw, lang))
                  for lang in LANGS}
        return self.query_tokens(tokens, prefix)

    def query_tokens(self, tokens: dict[Lang, tuple[str, ...]], prefix: bool) -> Query:
        """The query of tokens already normalised (the out-of-scope index shares them)."""
        off = self.off_topic.query(tokens) if self.off_topic and not prefix else None
        return self.vocabulary.query(tokens, prefix, off)

    # -- candidates and scores -------------------------------------------------------------

    def search(self, query: Query, limit: int = 10) -> list[Candidate]:
        """Entries ranked by score (best first), at most `limit`, one candidate per entry."""
        best: dict[int, tuple[dict[str, float], int]] = {}
        # a long list (autocomplete: 25) needs more phrasings than entries it shows
        narrowed = self.narrow(query, max(CANDIDATES, 2 * limit))
        # the entry of the phrasing sharing the most rare words: a second opinion on the winner
        first = self.phrasings[narrowed[0]].entry if narrowed else -1
        for pid in narrowed:
            parts = self.score_phrasing(query, pid)
            entry = self.phrasings[pid].entry
            known = best.get(entry)
            if known is None or parts["phrasing"] > known[0]["phrasing"]:
                best[entry] = (parts, pid)
        ranked = sorted((self._with_entry(query, i, parts) for i, (parts, _) in best.items()),
                        key=lambda item: -item[1]["score"])
        # The answer's words reorder close leaders, so only the answers of the leaders are read,
        # and of the entries a word only answers use leads to.
        leaders = ranked[: limit + ANSWER_RERANK]
        reached = {e for o in query.resolved.values() for opts in o for t, _ in opts
                   for e in self._answer_only.get(t, ())} - {i for i, _ in leaders}
        leaders += [item for item in ranked[limit + ANSWER_RERANK:] if item[0] in reached]
        found = [self._candidate(query, i, parts, best[i][1]) for i, parts in leaders]
        ranked_found = sorted(found, key=lambda c: (-c.score, c.entry.id))[:limit]
        # parts that do not change the ranking, but that --explain and the confidence use
        unknown = min(sum(w for w, o in zip(query.weights[lang], query.resolved[lang],
                                            strict=True) if not o) / query.total[lang]
                      if query.total[lang] else 1.0 for lang in LANGS)
        shared = {"unknown": unknown}
        if self.off_topic is not None:  # else not measured: the confidence assumes a typical value
            shared.update(off_topic=self.off_topic.similarity(query.off_topic)
                          if query.off_topic else 0.0,
                          off_words=self.off_topic.evidence(query.tokens))
        return [replace(c, parts={**c.parts, **shared,
                                  "answer_only": self._answer_only_share(query, c),
                                  **self._left(query, c),
                                  "agree": float(self._position[c.entry.id] == first)})
                for c in ranked_found]

    def _left(self, query: Query, c: Candidate) -> dict[str, float]:
        """What of the question this entry leaves unexplained, counting words, not weights.

        Weights hide it: an off-topic question ("what is the population of Hangzhou?") often
        has one word the entry knows and one nobody knows ("population"), and an unknown word
        weighs little. So: the share of the question's words found neither in the entry's
        phrasings nor in its answer, common words aside ("left"), the share no entry knows
        ("unknown_words"), and the weight of the rarest word other entries know but this one
        lacks ("foreign")."""
        i = self._position[c.entry.id]
        known = self._known_words(i)
        best = {"left": 1.0, "unknown_words": 1.0, "foreign": 1.0}
        for lang in LANGS:
            options = query.resolved[lang]
            if not options:
                continue
            own = known[lang]
            missing = [o for o in options if not any(t in own for t, _ in o)]
            # a common word ("deepseek", "why") an entry lacks says little about that entry
            counted = [o for o in missing if not o or max(self._wt[t] for t, _ in o)
                       >= self.unknown_weight]
            left = len(counted) / len(options)
            if left < best["left"]:
                foreign = max((max(self._wt[t] for t, _ in o) for o in missing if o), default=0.0)
                best = {"left": left,
                        "unknown_words": sum(not o for o in options) / len(options),
                        "foreign": foreign / self.max_weight}
        return best

    def _answer_only_share(self, query: Query, c: Candidate) -> float:
        """The share of the question's weight in words that only this entry's answer has."""
        i = self._position[c.entry.id]
        share = 0.0
        for lang in LANGS:
            hit = sum(self.unknown_weight for o in query.resolved[lang]
                      if any(i in self._answer_only.get(t, ()) for t, _ in o))
            if hit:
                share = max(share, hit / query.total[lang])
        return share

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
        w = self.weights
        score = (parts["score"] + w.answer * answer * parts["phrasing"]
                 + w.answer_alone * answer) / self._scale
        parts = {**parts, "answer": answer, "score": score}
        return Candidate(self.content.entries[i], score, self.phrasings[pid].text, parts)

    def _cover(self, query: Query, lang: Lang, tokens: frozenset[str]) -> tuple[float, float]:
        """(share of the question's weight found among `tokens`, weight 0..1 of the rarest
        known question word missing from them)."""
        hit = worst = 0.0
        for options, weight in zip(query.resolved[lang], query.weights[lang], strict=True):
            found = [self._wt[t] * s for t, s in options if t in tokens]
            if found:
                hit += max(found)
            elif options:
                worst = max(worst, weight)
        total = query.total[lang]
        return (hit / total if total else 0.0), worst / self.max_weight

    def _known_words(self, i: int) -> dict[Lang, frozenset[str]]:
        """Every word entry i has, in its phrasings or its answer, by language (cached)."""
        found = self._known.get(i)
        if found is None:
            answers = self._answer_tokens(i)
            found = {lang: self._entry_tokens[i][lang] | answers[lang] for lang in LANGS}
            self._known[i] = found
        return found

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

    def narrow(self, query: Query, candidates: int = CANDIDATES) -> list[int]:
        """The positions of the phrasings sharing the most (rare) words with the question."""
        acc: dict[int, float] = defaultdict(float)
        common: list[tuple[str, float]] = []
        for resolved in query.resolved.values():
            for options in resolved:
                for tok, sim in options:
                    if tok in self._answer_only:  # only in answers: every phrasing of those
                        w = self.weights.answer_narrow * self.unknown_weight
                        for entry in self._answer_only[tok]:
                            for pid in self._entry_pids[entry]:
                                acc[pid] += w
                        continue
                    postings = self._postings.get(tok, ())
                    if len(postings) > self._common:
                        common.append((tok, sim))
                        continue
                    w = self.weight[tok] * sim
                    for pid in postings:
                        acc[pid] += w
        if len(acc) < candidates:  # only common words: scan them, they are all we have
            for tok, sim in common:
                w = self.weight[tok] * sim
                for pid in self._postings[tok][:COMMON_POSTINGS]:
                    acc[pid] += w
        # Ties (the same words found) go to the phrasings those words explain best: for
        # "deepseek" alone, "DeepSeek ?" before a long question that merely names it.
        top = heapq.nlargest(candidates, acc, key=acc.__getitem__)
        if len(acc) <= candidates:
            return top
        cut = acc[top[-1]]
        tied = [pid for pid, a in acc.items() if a == cut]
        if len(tied) == 1:
            return top
        weights = self._pweights
        tied.sort(key=lambda pid: -cut / (weights[pid] or 1.0))
        keep = [pid for pid in top if acc[pid] > cut]
        return keep + tied[: candidates - len(keep)]

    def score_phrasing(self, query: Query, pid: int) -> dict[str, float]:
        """How well phrasing `pid` matches the question: its parts, 'phrasing' the blend."""
        lang = self.phrasings[pid].lang
        # Walk the phrasing's few tokens, not the question's many: `positions` says which
        # question words each known token stands for, and how closely.
        positions = query.positions[lang]
        best: dict[int, tuple[float, str]] = {}
        for tok in self._psets[pid].intersection(positions):
            for i, sim in positions[tok]:
                if i not in best or (sim, tok) > best[i]:
                    best[i] = (sim, tok)
        weights = query.weights[lang]
        wq = query.total[lang]
        matched = 0.0
        covered: dict[str, float] = {}
        for i, (sim, tok) in best.items():
            wq += self.weight[tok] - weights[i]
            matched += sim * self.weight[tok]
            covered[tok] = max(covered.get(tok, 0.0), sim)
        wp = self._pweights[pid]
        cq = matched / wq if wq else 0.0
        cp = sum(self.weight[t] * s for t, s in covered.items()) / wp if wp else 0.0
        token = 2 * cq * cp / (cq + cp) if cq + cp else 0.0  # both ways: F1 of the two covers
        # token_sort_ratio, with both sides' words sorted once (at build, and per question)
        char = fuzz.ratio(query.joined[lang], self._pjoined[pid], processor=None) / 100
        w = self.weights
        phrasing = (1 - w.char) * token + w.char * char * min(1.0, token * 2)
        return {"phrasing": phrasing, "query_cover": cq, "phrasing_cover": cp, "char": char}
