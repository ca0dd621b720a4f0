"""The rules for the files beside the Q&A files: synonyms.yaml, messages.yaml and
out_of_scope.yaml."""

from __future__ import annotations

from bot.content import Document, Folder
from bot.model import LANGS
from bot.rules import KeyFunction, Reporter, is_text, phrasing_keys
from bot.text import NEGATIONS, STOP_WORDS, strip_accents, words

REQUIRED_MESSAGES = ("unknown", "suggest", "empty", "help", "welcome", "error")


def synonym_groups(folder: Folder) -> list[list[str]]:
    """The well-formed synonym groups (for normalising), ignoring broken ones."""
    data = folder.synonyms.data if folder.synonyms else None
    if not isinstance(data, list):
        return []
    return [[t for t in g if is_text(t)] for g in data if isinstance(g, list)]


def check_synonyms(doc: Document | None, report: Reporter) -> None:
    """synonyms.yaml is a list of groups of terms, and no term sits in two groups."""
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, list):
        report.error(doc, 1, None, "synonyms.yaml must be a list of groups, e.g. - [AGI, IAG]")
        return
    seen: dict[str, int] = {}
    for index, group in enumerate(doc.data):
        line = doc.item_line(doc.data, index)
        if not isinstance(group, list) or not group:
            report.error(doc, line, None, "a synonym group must be a non-empty list of terms")
            continue
        if len(group) < 2:
            report.warning(doc, line, None, f"synonym group {group} has a single term")
        for term in group:
            if not is_text(term):
                report.error(doc, line, None, f"synonym term {term!r} must be a non-empty string")
            elif (folded := term.strip().casefold()) in seen:
                report.error(doc, line, None, f"term '{term}' is also in the group at line "
                             f"{seen[folded]}; keep it in one group")
            else:
                seen[folded] = line
                if (hidden := _hides(folded)) is not None:
                    report.error(doc, line, None, f"synonym term '{term}' reads as '{hidden}', "
                                 f"a stop word or negation, once accents are folded: every "
                                 f"'{hidden}' would become '{group[0]}'; use a longer phrase "
                                 f"(e.g. 'est né' rather than 'né')")


def check_messages(doc: Document | None, stems: list[str], report: Reporter) -> None:
    """Every message has fr and en text, the required ones exist, each topic (stem) has a title."""
    if doc is None or not doc.readable:
        return
    if not isinstance(doc.data, dict):
        report.error(doc, 1, None, "messages.yaml must map each key to {fr: ..., en: ...}")
        return
    for key, value in doc.data.items():
        line = doc.key_line(doc.data, key)
        if not isinstance(value, dict):
            report.error(doc, line, None, f"message '{key}' must be a mapping {{fr: ..., en: ...}}")
            continue
        for lang in LANGS:
            if not is_text(value.get(lang)):
                report.error(doc, line, None, f"message '{key}' has no '{lang}' text")
        for lang in value:
            if lang not in LANGS:
                report.error(doc, doc.key_line(value, lang), None,
                             f"unknown language '{lang}' in message '{key}' (use fr or en)")
    for key in REQUIRED_MESSAGES:
        if key not in doc.data:
            report.error(doc, 1, None, f"required message '{key}' is missing (add {key}: "
                         "{fr: ..., en: ...})")
    for stem in stems:
        if f"topic.{stem}" not in doc.data:
            report.warning(doc, 1, None, f"no title for topic '{stem}' (add 'topic.{stem}')")


def check_out_of_scope(folder: Folder, key: KeyFunction, report: Reporter) -> None:
    """out_of_scope.yaml maps fr / en to lists of questions, and none of them is also a
    phrasing of an entry (the bot cannot both answer and refuse one question)."""
    doc = folder.out_of_scope
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, dict):
        report.error(doc, 1, None, "out_of_scope.yaml must map fr and en to lists of questions, "
                     "e.g. en: [who founded Mistral?]")
        return
    phrased = phrasing_keys(folder, key)
    for lang, questions in doc.data.items():
        line = doc.key_line(doc.data, lang)
        if lang not in LANGS:
            report.error(doc, line, None, f"unknown language '{lang}' (use fr or en)")
            continue
        if not isinstance(questions, list):
            report.error(doc, line, None, f"'{lang}' must be a list of questions")
            continue
        for index, question in enumerate(questions):
            at = doc.item_line(questions, index)
            if not is_text(question):
                report.error(doc, at, None, f"out-of-scope question {question!r} must be a "
                             "non-empty string")
            elif (owner := phrased.get((lang, key(question, lang)))) is not None:
                report.error(doc, at, None, f"'{question}' is also a phrasing of {owner}; "
                             "remove it from one of the two")


def _hides(term: str) -> str | None:
    """The stop word or negation a one-word synonym term folds into ('né' -> 'ne'), or None."""
    found = words(term)
    if len(found) != 1:
        return None
    plain = strip_accents(found[0])
    if plain in NEGATIONS or any(plain in STOP_WORDS[lang] for lang in LANGS):
        return plain
    return None
