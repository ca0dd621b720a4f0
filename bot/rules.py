"""What every content rule is written with: the `Reporter` that collects problems, walks over the
entries and phrasings of a folder, and the small value tests the rules share.

The rules themselves live in `bot.entry_rules` (Q&A entries), `bot.synonym_message_rules`
(synonyms.yaml and messages.yaml) and `bot.validation` (the eval-copy check of `lint`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.content import Document, Folder, Problem
from bot.model import LANGS, Lang

KeyFunction = Callable[[str, Lang], str]


@dataclass
class Reporter:
    """Collects problems; one call per finding keeps the rules short."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, doc: Document, line: int, entry_id: str | None, message: str) -> None:
        self.problems.append(Problem("error", doc.name, line, entry_id, message))

    def warning(self, doc: Document, line: int, entry_id: str | None, message: str) -> None:
        self.problems.append(Problem("warning", doc.name, line, entry_id, message))


def entries(folder: Folder) -> Iterator[tuple[Document, dict[Any, Any]]]:
    """Every entry (a mapping inside a list) of every Q&A file, in file order."""
    for doc in folder.qa:
        if isinstance(doc.data, list):
            yield from ((doc, item) for item in doc.data if isinstance(item, dict))


def phrasings(folder: Folder) -> Iterator[tuple[Document, dict[Any, Any], Lang, str, int]]:
    """Every well-formed question: its file, entry, language, text and line."""
    for doc, item in entries(folder):
        questions = item.get("questions")
        if not isinstance(questions, dict):
            continue
        for lang in LANGS:
            texts = questions.get(lang)
            if isinstance(texts, list):
                for index, text in enumerate(texts):
                    if is_text(text):
                        yield doc, item, lang, text, doc.item_line(texts, index)


def phrasing_keys(folder: Folder, key: KeyFunction) -> dict[tuple[Lang, str], str]:
    """(language, normalised key) -> entry id ("?" when it has none), for every phrasing."""
    return {(lang, key(text, lang)): entry_id(item) or "?"
            for _, item, lang, text, _ in phrasings(folder)}


def entry_id(item: dict[Any, Any]) -> str | None:
    """The entry's id when it is a non-empty string, else None."""
    raw = item.get("id")
    return raw if isinstance(raw, str) and raw else None


def is_text(value: Any) -> bool:
    """A string with something other than spaces in it."""
    return isinstance(value, str) and bool(value.strip())


def is_text_list(value: Any) -> bool:
    """A list whose items all pass `is_text` (an empty list does)."""
    return isinstance(value, list) and all(is_text(v) for v in value)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint naming the closest choice, or "" when none is close."""
    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, processor=None,
                               score_cutoff=60)
    return f" (did you mean '{found[0]}'?)" if found else ""
