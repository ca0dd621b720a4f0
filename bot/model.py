"""The data that crosses the seam between the core and the adapters.

Everything here is a frozen dataclass: the loader builds `Content`, the answerer returns `Reply`,
and an adapter renders a `Reply` without parsing any prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")

ReplyKind = Literal["answer", "suggest", "unknown", "notice"]


def frozen_map(data: Mapping[str, object] | None = None) -> MappingProxyType:  # type: ignore[type-arg]
    """A read-only view of a copy of `data`, for mapping fields of frozen dataclasses."""
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Entry:
    """One question-and-answer entry from a YAML file."""

    id: str
    questions: Mapping[Lang, tuple[str, ...]]
    answer: Mapping[Lang, str]
    source: str | None = None
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    topic: str = ""  # the stem of the file the entry lives in, e.g. "prices"
    file: str = ""  # path of that file, for error messages
    line: int = 0  # line of the entry's `- id:` in that file

    def question(self, lang: Lang) -> str:
        """The entry's first (canonical) question in `lang`, or in the other language."""
        own = self.questions.get(lang) or ()
        if own:
            return own[0]
        for other in LANGS:
            if self.questions.get(other):
                return self.questions[other][0]
        return self.id

    def answer_in(self, lang: Lang) -> str:
        """The answer in `lang`, falling back to the other language."""
        if self.answer.get(lang):
            return self.answer[lang]
        return next((self.answer[o] for o in LANGS if self.answer.get(o)), "")


@dataclass(frozen=True)
class Topic:
    """A theme of the content (one YAML file), with its localised titles."""

    key: str
    titles: Mapping[Lang, str]
    entry_ids: tuple[str, ...]

    def title(self, lang: Lang) -> str:
        return self.titles.get(lang) or self.key


@dataclass(frozen=True)
class Content:
    """The whole validated Q&A set: entries, synonym groups, the bot's own messages, topics."""

    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    # message key -> language -> text (str.format placeholders allowed)
    messages: Mapping[str, Mapping[Lang, str]] = field(default_factory=frozen_map)
    topics: tuple[Topic, ...] = ()
    root: str = ""
    # Questions the bot must not answer (out_of_scope.yaml), by language: the matcher compares
    # a question with them too, so a near-topic one ("who founded Mistral?") is recognised.
    out_of_scope: Mapping[Lang, tuple[str, ...]] = field(default_factory=frozen_map)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        # Content is frozen, so the map built on first use stays valid.
        return {e.id: e for e in self.entries}

    def message(self, key: str, lang: Lang, **values: object) -> str:
        """The bot's own phrase `key` in `lang`, formatted; the key itself if it is missing."""
        texts = self.messages.get(key) or {}
        text = texts.get(lang) or next(iter(texts.values()), key)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text


@dataclass(frozen=True)
class Suggestion:
    """A candidate entry: its id, its question in the reply's language, and its score (0..1)."""

    id: str
    question: str
    score: float


@dataclass(frozen=True)
class Reply:
    """What the core says back to one question.

    kind:
      - "answer": `entry_id`, `question` (the entry's own question, for a title), `text` (the
        answer), `source`, `related` (follow-ups as suggestions);
      - "suggest": `text` is the "did you mean" lead-in, `suggestions` holds up to 3 candidates;
      - "unknown": `text` is the honest "not covered" reply; `suggestions` may hold weak leads;
      - "notice": a message from the bot itself (rate limit, repeated answer, error), no entry.
    `ref` is an opaque handle set by the service layer (the question-log row), used by feedback
    buttons; the core leaves it None.
    """

    kind: ReplyKind
    lang: Lang
    text: str
    entry_id: str | None = None
    score: float = 0.0
    question: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    related: tuple[Suggestion, ...] = ()
    source: str | None = None
    ref: str | None = None

    def to_json(self) -> dict[str, object]:
        """The `ask --json` object."""
        return {
            "kind": self.kind,
            "id": self.entry_id,
            "lang": self.lang,
            "score": round(self.score, 4),
            "text": self.text,
            "suggestions": [
                {"id": s.id, "question": s.question, "score": round(s.score, 4)}
                for s in self.suggestions
            ],
            "source": self.source,
        }
