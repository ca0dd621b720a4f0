"""Decide what to say to a question: answer, "did you mean", or an honest "I don't know".

PROVISIONAL: a simple scorer stands in until `bot.matching` lands; the public API is final.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.model import Content, Entry, Lang, Reply, Suggestion, Topic


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds (0..1) that turn scores into outcomes."""

    answer_threshold: float = 0.62
    margin: float = 0.06
    suggest_threshold: float = 0.40
    max_suggestions: int = 3
    default_lang: Lang = "fr"


class Answerer:
    """The core's entry point: built once from a `Content`, then asked many questions."""

    def __init__(self, content: Content, settings: MatchSettings | None = None) -> None:
        self.content = content
        self.settings = settings or MatchSettings()
        self._choices = [(e, q) for e in content.entries for qs in e.questions.values() for q in qs]

    def reply(self, question: str, lang_hint: str | None = None) -> Reply:
        """The reply to one question; never raises."""
        lang = self.detect_language(question, lang_hint)
        ranked = self._rank(question)
        if ranked and ranked[0][1] >= self.settings.answer_threshold:
            return self.answer_entry(ranked[0][0].id, lang, score=ranked[0][1])
        sugg = tuple(Suggestion(e.id, e.question(lang), s) for e, s in ranked[:3]
                     if s >= self.settings.suggest_threshold)
        if sugg:
            return Reply("suggest", lang, self.content.message("suggest", lang), suggestions=sugg,
                         score=sugg[0].score)
        return Reply("unknown", lang, self.content.message("unknown", lang))

    def answer_entry(self, entry_id: str, lang: Lang, score: float = 1.0) -> Reply:
        """The answer of a known entry (a pressed button); "unknown" if the id is gone."""
        entry = self.content.entry(entry_id)
        if entry is None:
            return Reply("unknown", lang, self.content.message("unknown", lang))
        return Reply("answer", lang, entry.answer_in(lang), entry_id=entry.id, score=score,
                     question=entry.question(lang), source=entry.source,
                     related=self._related(entry, lang))

    def complete(self, partial: str, lang_hint: str | None = None,
                 limit: int = 25) -> list[Suggestion]:
        """Known questions that fit a partly typed one, best first (for autocomplete)."""
        lang = self.detect_language(partial, lang_hint)
        if not partial.strip():
            return [Suggestion(e.id, e.question(lang), 0.0) for e in self.content.entries[:limit]]
        return [Suggestion(e.id, e.question(lang), s) for e, s in self._rank(partial)[:limit]]

    def topics(self) -> tuple[Topic, ...]:
        """The themes of the content, in file order."""
        return self.content.topics

    def message(self, key: str, lang: Lang, **values: object) -> str:
        """One of the bot's own phrases (help, welcome, errors...) in `lang`."""
        return self.content.message(key, lang, **values)

    def detect_language(self, text: str, hint: str | None = None) -> Lang:
        """fr or en: from the text when it tells, else the hint, else the default."""
        if hint and hint[:2].lower() in ("fr", "en"):
            return hint[:2].lower()  # type: ignore[return-value]
        return self.settings.default_lang

    def _related(self, entry: Entry, lang: Lang) -> tuple[Suggestion, ...]:
        found = (self.content.entry(r) for r in entry.related)
        return tuple(Suggestion(e.id, e.question(lang), 1.0) for e in found if e is not None)

    def _rank(self, question: str) -> list[tuple[Entry, float]]:
        hits = process.extract(question, [q for _, q in self._choices], scorer=fuzz.WRatio,
                               processor=utils.default_process, score_cutoff=0, limit=50)
        best: dict[str, tuple[Entry, float]] = {}
        for _, score, idx in hits:
            entry = self._choices[idx][0]
            if entry.id not in best or best[entry.id][1] < score / 100:
                best[entry.id] = (entry, score / 100)
        return sorted(best.values(), key=lambda p: -p[1])
