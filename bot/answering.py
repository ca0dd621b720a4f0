"""Decide what to say to a question: answer, "did you mean", or an honest "I don't know".

A confidently wrong answer is the worst outcome, so the answerer only answers when the best entry
is likely enough to be right (a calibrated confidence, see bot/confidence.py, over the score, the
lead over the next entry and what the question leaves unexplained); otherwise it suggests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.confidence import MODEL, confidence
from bot.matching import Candidate, Index
from bot.model import LANGS, Content, Entry, Lang, Reply, Suggestion, Topic
from bot.text import CHAT_NOISE, language_votes, strip_accents, words

OUT_OF_SCOPE_LIKENESS = 0.8  # like `phrasing`: 1.0 is the same words, 0.8 one word apart or so
OFF_TOPIC_LEAD = 0.15  # an out-of-scope question this much closer than any phrasing: no suggestion


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds (scores are 0..1) that turn a ranking into an outcome."""

    # Answer when the calibrated confidence (bot/confidence.py) that the best entry is the right
    # one reaches `answer_confidence`, chosen with it by benchmarks/tune_matcher.py (saved in
    # bot/confidence.json): the most accurate threshold that keeps wrong answers under 2% and
    # false answers under 3% on the development set (benchmarks/dev/, cross-fitted); a lower
    # value answers more often, at the cost of more wrong and false answers. The score, margin
    # and cover bounds are floors under it, for settings that want to be stricter.
    answer_confidence: float = MODEL.threshold
    answer_threshold: float = 0.25
    margin: float = 0.0  # lead over the next entry needed to answer
    min_cover: float = 0.0  # share of the question's weight the entry must explain to answer
    # below it, "I don't know" rather than "did you mean": at 0.25, 11 in-scope development
    # questions got "I don't know" though the right entry led for 9 of them; 0.20 suggests for
    # them (helpful 96.1 -> 97.1%), at the cost of suggestions for 12% more off-topic questions
    suggest_threshold: float = 0.20
    # a suggestion must also score this share of the best one: "did you mean" lists the close
    # leads, not whatever comes next (no loss of helpful suggestions on the development set)
    suggest_ratio: float = 0.6
    max_suggestions: int = 3
    default_lang: Lang = "fr"


@dataclass(frozen=True)
class Explanation:
    """What `ask --explain` shows: the normalised question and the scored candidates."""

    tokens: dict[Lang, tuple[str, ...]]
    lang: Lang
    candidates: list[Candidate] = field(default_factory=list)


class Answerer:
    """The core's entry point: built once from a `Content`, then asked many questions."""

    def __init__(self, content: Content, settings: MatchSettings | None = None) -> None:
        self.content = content
        self.settings = settings or MatchSettings()
        self.index = Index(content)

    def reply(self, question: str, lang_hint: str | None = None) -> Reply:
        """The reply to one question. Deterministic; never raises on any string."""
        lang = self.detect_language(question, lang_hint)
        found = words(question)
        if not found:
            if question.strip() and not question.strip().strip("?!.… "):
                return self._unknown(lang, ())  # punctuation only ("??"): nothing to go on
            return Reply("unknown", lang, self.message("empty" if not question.strip()
                                                       else "unknown", lang))
        if is_chat_noise(found):
            return self._unknown(lang, ())  # "test", "ok", "lol": no question to answer
        query = self.index.query(question)
        # at least 4: the confidence looks at the three entries after the best one
        ranked = self.index.search(query, limit=max(4, self.settings.max_suggestions + 1))
        return self.decide(ranked, lang)

    def decide(self, ranked: list[Candidate], lang: Lang) -> Reply:
        """Answer, suggest or unknown, from candidates ranked best first."""
        s = self.settings
        top = ranked[0] if ranked else None
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top and out_of_scope(top):
            return self._unknown(lang, ranked)
        sure = confidence(ranked[:4])  # the four leaders, as fitted (close entries among three)
        if (top and sure >= s.answer_confidence and top.score >= s.answer_threshold
                and top.score - runner_up >= s.margin
                and top.parts.get("entry_cover", 1.0) >= s.min_cover):
            return self.answer_entry(top.entry.id, lang, score=top.score)
        leads = tuple(Suggestion(c.entry.id, c.entry.question(lang), c.score)
                      for c in suggested(ranked, s))
        if leads:
            return Reply("suggest", lang, self.message("suggest", lang), score=leads[0].score,
                         suggestions=leads)
        return self._unknown(lang, ranked)

    def _unknown(self, lang: Lang, ranked: list[Candidate] | tuple[()]) -> Reply:
        score = ranked[0].score if ranked else 0.0
        return Reply("unknown", lang, self.message("unknown", lang), score=score)

    def answer_entry(self, entry_id: str, lang: Lang, score: float = 1.0) -> Reply:
        """The answer of a known entry (a pressed button); "unknown" if the id is gone."""
        entry = self.content.entry(entry_id)
        if entry is None:
            return self._unknown(lang, ())
        return Reply("answer", lang, entry.answer_in(lang), entry_id=entry.id, score=score,
                     question=entry.question(lang), source=entry.source,
                     related=self._related(entry, lang))

    def complete(self, partial: str, lang_hint: str | None = None,
                 limit: int = 25) -> list[Suggestion]:
        """Known questions that fit a partly typed one, best first (for autocomplete)."""
        lang = self.detect_language(partial, lang_hint)
        if len(partial.strip()) < 2:
            return [Suggestion(e.id, e.question(lang), 0.0) for e in self.content.entries[:limit]]
        ranked = self.index.search(self.index.query(partial, prefix=True), limit=limit)
        return [Suggestion(c.entry.id, c.entry.question(lang), c.score)
                for c in ranked if c.score > 0]

    def explain(self, question: str, lang_hint: str | None = None) -> Explanation:
        """The normalised question and the top candidates with the parts of their score."""
        query = self.index.query(question)
        return Explanation(query.tokens, self.detect_language(question, lang_hint),
                           self.index.search(query, limit=5))

    def topics(self) -> tuple[Topic, ...]:
        """The themes of the content, in file order."""
        return self.content.topics

    def message(self, key: str, lang: Lang, **values: object) -> str:
        """One of the bot's own phrases (help, welcome, errors...) in `lang`."""
        return self.content.message(key, lang, **values)

    def detect_language(self, text: str, hint: str | None = None) -> Lang:
        """fr or en from the text; the hint (a user locale) decides short or mixed text."""
        fr, en = language_votes(text)
        for w in words(text)[:200]:
            own = self.index.word_langs.get(strip_accents(w))
            fr += own == "fr"
            en += own == "en"
        hinted = _lang_of(hint)
        if fr == en or (hinted and abs(fr - en) == 1 and fr + en <= 3):
            return hinted or self.settings.default_lang
        return "fr" if fr > en else "en"

    def _related(self, entry: Entry, lang: Lang) -> tuple[Suggestion, ...]:
        found = (self.content.entry(r) for r in entry.related)
        return tuple(Suggestion(e.id, e.question(lang), 1.0) for e in found if e is not None)


def out_of_scope(top: Candidate) -> bool:
    """Whether the question is nearly one of the content's out-of-scope questions, and closer to
    it than to the best entry's phrasing: then it is not answered, nor are entries suggested.
    (A looser likeness only lowers the confidence: see bot/confidence.py.)"""
    off = top.parts.get("off_topic", 0.0)
    return off >= OUT_OF_SCOPE_LIKENESS and off >= top.parts.get("phrasing", 0.0)


def suggested(ranked: list[Candidate], settings: MatchSettings) -> list[Candidate]:
    """The candidates a "did you mean" lists when the best one is not answered: the close leads
    (a floor, and a share of the best score), none when an out-of-scope question is clearly
    nearer (`off_topic_lead`)."""
    if not ranked or off_topic_lead(ranked[0]):
        return []
    floor = max(settings.suggest_threshold, settings.suggest_ratio * ranked[0].score)
    return [c for c in ranked[: settings.max_suggestions] if c.score >= floor]


def off_topic_lead(top: Candidate) -> bool:
    """Whether the question is clearly closer to an out-of-scope question than to the best
    phrasing ("what's the weather in Paris?"): then "not covered", not a "did you mean" of
    unrelated entries. On the development set this turned 162 of 499 suggestion replies to
    off-topic questions into "not covered", and no in-scope question lost a right suggestion."""
    return top.parts.get("off_topic", 0.0) >= top.parts.get("phrasing", 0.0) + OFF_TOPIC_LEAD


def is_chat_noise(found: list[str]) -> bool:
    """Whether a message's words (`words(text)`) are all chat noise: "test", "ok", "lol"."""
    return bool(found) and all(strip_accents(w) in CHAT_NOISE for w in found)


def _lang_of(hint: str | None) -> Lang | None:
    """'fr-FR', 'en_US', 'EN' -> a supported language, or None."""
    if not hint:
        return None
    code = hint[:2].lower()
    return next((lang for lang in LANGS if lang == code), None)
