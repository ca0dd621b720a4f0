"""Check a content folder and report every problem at once, each with file, line and entry id.

`bot.content.read_folder` parses the YAML keeping line numbers; `check` applies the rules to what
it read; `validate(root)` does both; `lint` adds the eval-set checks. `bot.content.load_content`
calls `check` too, so the rules live here and only here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.content import Document, Folder, Problem, Severity, read_document, read_folder
from bot.model import LANGS, Lang
from bot.text import Normalizer

ENTRY_KEYS = ("id", "questions", "answer", "source", "related", "tags")
REQUIRED_MESSAGES = ("unknown", "suggest", "empty", "help", "welcome", "error")
ID_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NEAR_DUPLICATE = 92  # fuzz.token_sort_ratio on normalised forms, 0..100
MAX_SENTENCES, MAX_CHARS = 5, 1500
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")

KeyFunction = Callable[[str, Lang], str]

__all__ = ["Problem", "Severity", "check", "count_entries", "format_report", "lint", "validate"]


def validate(root: str | Path) -> list[Problem]:
    """Every error and warning in the content folder `root`."""
    return check(read_folder(root))


def lint(root: str | Path, eval_files: Iterable[str | Path] = ()) -> list[Problem]:
    """`validate(root)`, plus an error for each eval question that copies a content phrasing."""
    folder = read_folder(root)
    problems = check(folder)
    # A copy differs from a content phrasing only in spelling, case, accents or punctuation;
    # a new wording that the matcher reduces to the same keywords is a fair test, not a copy.
    key = Normalizer(_synonym_groups(folder)).full_key
    phrasings = _phrasing_keys(folder, key)
    for path in eval_files:
        doc = read_document(Path(path), problems)
        _check_eval(doc, phrasings, key, _Reporter(problems))
    return problems


def format_report(problems: Iterable[Problem], n_entries: int) -> str:
    """The `lint` output: one line per problem (by file and line), then a summary line."""
    ordered = sorted(problems, key=lambda p: (p.file, p.line, p.severity, p.message))
    errors = sum(p.severity == "error" for p in ordered)
    lines = [str(p) for p in ordered]
    lines.append(f"lint: {n_entries} entries, {errors} errors, {len(ordered) - errors} warnings")
    return "\n".join(lines)


def count_entries(root: str | Path) -> int:
    """How many entries the Q&A files of `root` hold (readable ones), for the lint summary."""
    return sum(1 for _ in _entries(read_folder(root)))


def check(folder: Folder, warnings: bool = True) -> list[Problem]:
    """Apply every rule to a folder read by `read_folder`; `warnings=False` skips the slow ones."""
    problems = list(folder.problems)
    report = _Reporter(problems)
    groups = _synonym_groups(folder)
    for doc in folder.qa:
        _check_qa_file(doc, report)
    _check_ids(folder, report)
    _check_questions(folder, _key_function(groups), report, near=warnings)
    _check_synonyms(folder.synonyms, report)
    _check_messages(folder.messages, [d.path.stem for d in folder.qa], report)
    return problems


@dataclass
class _Reporter:
    """Collects problems; one call per finding keeps the rules short."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, doc: Document, line: int, entry_id: str | None, message: str) -> None:
        self.problems.append(Problem("error", doc.name, line, entry_id, message))

    def warning(self, doc: Document, line: int, entry_id: str | None, message: str) -> None:
        self.problems.append(Problem("warning", doc.name, line, entry_id, message))


# --- one Q&A file ---------------------------------------------------------------------------


def _check_qa_file(doc: Document, report: _Reporter) -> None:
    if doc.data is None:
        if doc.readable:
            report.warning(doc, 1, None, "the file has no entries")
        return
    if not isinstance(doc.data, list):
        report.error(doc, 1, None, "a Q&A file must be a list of entries (each line '- id: ...')")
        return
    for index, item in enumerate(doc.data):
        if not isinstance(item, dict):
            line = doc.item_line(doc.data, index)
            report.error(doc, line, None, "an entry must be a mapping with id, questions, answer")
            continue
        _check_entry(doc, item, report)


def _check_entry(doc: Document, item: dict[Any, Any], report: _Reporter) -> None:
    eid = _entry_id(item)
    line = doc.line(item)
    for key in item:
        if key not in ENTRY_KEYS:
            hint = _did_you_mean(str(key), ENTRY_KEYS)
            report.error(doc, doc.key_line(item, key), eid, f"unknown key '{key}'{hint}")
    _check_id(doc, item, eid, report)
    questions = _check_lang_map(doc, item, "questions", eid, report)
    answers = _check_lang_map(doc, item, "answer", eid, report)
    for lang in LANGS:
        if lang in questions and lang not in answers:
            report.error(doc, line, eid, f"questions in '{lang}' but no answer in '{lang}'")
        elif lang in answers and lang not in questions:
            report.error(doc, line, eid, f"an answer in '{lang}' but no questions in '{lang}'")
        elif lang not in answers and questions and answers:
            report.warning(doc, line, eid, f"no '{lang}' questions and answer")
    _check_answer_length(doc, item, eid, report)
    if "source" in item and not _is_text(item["source"]):
        report.error(doc, doc.key_line(item, "source"), eid, "'source' must be a non-empty string")
    for key in ("related", "tags"):
        if key in item and not _is_text_list(item[key]):
            report.error(doc, doc.key_line(item, key), eid,
                         f"'{key}' must be a list of non-empty strings, e.g. [a, b]")


def _check_id(doc: Document, item: dict[Any, Any], eid: str | None, report: _Reporter) -> None:
    raw = item.get("id")
    if "id" not in item or raw is None or raw == "":
        report.error(doc, doc.line(item), None, "missing or empty 'id' (add 'id: some-kebab-id')")
    elif not isinstance(raw, str) or not ID_FORMAT.fullmatch(raw):
        report.error(doc, doc.key_line(item, "id"), eid,
                     f"bad id '{raw}': use lowercase kebab-case like 'price-war'")


def _check_lang_map(
    doc: Document, item: dict[Any, Any], key: str, eid: str | None, report: _Reporter
) -> set[str]:
    """Checks `questions` or `answer`; returns the languages that hold usable text."""
    line = doc.key_line(item, key)
    value = item.get(key)
    if value is None or value == {}:
        report.error(doc, line if key in item else doc.line(item), eid,
                     f"missing or empty '{key}' (give 'fr' and 'en')")
        return set()
    if not isinstance(value, dict):
        report.error(doc, line, eid, f"'{key}' must be a mapping of language (fr, en) to text")
        return set()
    found: set[str] = set()
    for lang in value:
        where = doc.key_line(value, lang)
        if lang not in LANGS:
            hint = _did_you_mean(str(lang), LANGS)
            report.error(doc, where, eid, f"unknown language '{lang}' in '{key}'{hint}")
        elif _check_lang_text(doc, value, lang, key, eid, report):
            found.add(lang)
    return found


def _check_lang_text(doc: Document, value: dict[Any, Any], lang: str, key: str,
                     eid: str | None, report: _Reporter) -> bool:
    text, where = value[lang], doc.key_line(value, lang)
    if key == "answer":
        if not _is_text(text):
            report.error(doc, where, eid, f"the '{lang}' answer must be a non-empty string")
        return _is_text(text)
    if not isinstance(text, list) or not text:
        report.error(doc, where, eid, f"'questions.{lang}' must be a non-empty list of strings")
        return False
    for index, phrasing in enumerate(text):
        if not _is_text(phrasing):
            report.error(doc, doc.item_line(text, index), eid,
                         f"question {index + 1} in '{lang}' must be a non-empty string")
    return any(_is_text(p) for p in text)


def _check_answer_length(doc: Document, item: dict[Any, Any], eid: str | None,
                         report: _Reporter) -> None:
    answers = item.get("answer")
    if not isinstance(answers, dict):
        return
    for lang, text in answers.items():
        if not isinstance(text, str):
            continue
        where = doc.key_line(answers, lang)
        if len(text) > MAX_CHARS:
            report.warning(doc, where, eid, f"the '{lang}' answer has {len(text)} characters "
                           f"(keep it <= {MAX_CHARS})")
        if (n := count_sentences(text)) > MAX_SENTENCES:
            report.warning(doc, where, eid,
                           f"the '{lang}' answer has {n} sentences (keep it <= {MAX_SENTENCES})")


def count_sentences(text: str) -> int:
    """Sentences in an answer: each bullet line or line counts its full stops, and a last
    sentence without one still counts."""
    return sum(len([p for p in _SENTENCE_END.split(line) if p.strip(" -*•")])
               for line in text.splitlines())


# --- across entries ---------------------------------------------------------------------------


def _entries(folder: Folder) -> Iterator[tuple[Document, dict[Any, Any]]]:
    """Every entry (a mapping inside a list) of every Q&A file, in file order."""
    for doc in folder.qa:
        if isinstance(doc.data, list):
            yield from ((doc, item) for item in doc.data if isinstance(item, dict))


def _check_ids(folder: Folder, report: _Reporter) -> None:
    first: dict[str, str] = {}
    for doc, item in _entries(folder):
        eid = _entry_id(item)
        if eid is None:
            continue
        if eid in first:
            report.error(doc, doc.line(item), eid,
                         f"duplicate id '{eid}' (first defined at {first[eid]}); rename one")
        else:
            first[eid] = f"{doc.name}:{doc.line(item)}"
    for doc, item in _entries(folder):
        related = item.get("related")
        if not isinstance(related, list) or not _is_text_list(related):
            continue
        eid, line = _entry_id(item), doc.key_line(item, "related")
        for target in related:
            if target == eid:
                report.error(doc, line, eid, f"'related' links the entry to itself ('{target}')")
            elif target not in first:
                hint = _did_you_mean(target, first)
                report.error(doc, line, eid, f"related id '{target}' does not exist{hint}")


def _check_questions(folder: Folder, key: KeyFunction, report: _Reporter, near: bool) -> None:
    """Same normalised question in two entries: error; nearly the same: warning."""
    owner: dict[str, tuple[str, str]] = {}  # normalised key -> (entry id, phrasing)
    phrasings: list[tuple[str, str, str, Document, int]] = []  # key, id, text, doc, line
    for doc, item, lang, text, line in _phrasings(folder):
        eid, norm = _entry_id(item) or "?", key(text, lang)
        if not norm:
            report.warning(doc, line, eid, f"question '{text}' is empty once normalised")
            continue
        if norm in owner and owner[norm][0] != eid:
            other, same = owner[norm]
            report.error(doc, line, eid, f"question '{text}' is the same as '{same}' in "
                         f"'{other}' once normalised; keep it in one entry only")
            continue
        if norm not in owner:
            owner[norm] = (eid, text)
            phrasings.append((norm, eid, text, doc, line))
    if near:
        _check_near_duplicates(phrasings, report)


def _check_near_duplicates(
    phrasings: list[tuple[str, str, str, Document, int]], report: _Reporter
) -> None:
    keys = [p[0] for p in phrasings]
    for index, (norm, eid, text, _, _) in enumerate(phrasings):
        # Only later phrasings, so each pair is reported once, at the second one.
        for _, score, other in process.extract(
            norm, keys[index + 1:], scorer=fuzz.token_sort_ratio, processor=None,
            score_cutoff=NEAR_DUPLICATE, limit=None,
        ):
            _, other_id, other_text, other_doc, other_line = phrasings[index + 1 + other]
            if other_id != eid:
                report.warning(other_doc, other_line, other_id,
                               f"question '{other_text}' is nearly the same as '{text}' in "
                               f"'{eid}' ({score:.0f}%); make each name its own entry")


def _phrasings(folder: Folder) -> Iterator[tuple[Document, dict[Any, Any], Lang, str, int]]:
    """Every well-formed question: its file, entry, language, text and line."""
    for doc, item in _entries(folder):
        questions = item.get("questions")
        if not isinstance(questions, dict):
            continue
        for lang in LANGS:
            texts = questions.get(lang)
            if isinstance(texts, list):
                for index, text in enumerate(texts):
                    if _is_text(text):
                        yield doc, item, lang, text, doc.item_line(texts, index)


# --- synonyms and messages --------------------------------------------------------------------


def _synonym_groups(folder: Folder) -> list[list[str]]:
    """The well-formed synonym groups (for normalising), ignoring broken ones."""
    data = folder.synonyms.data if folder.synonyms else None
    if not isinstance(data, list):
        return []
    return [[t for t in g if _is_text(t)] for g in data if isinstance(g, list)]


def _check_synonyms(doc: Document | None, report: _Reporter) -> None:
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
            if not _is_text(term):
                report.error(doc, line, None, f"synonym term {term!r} must be a non-empty string")
            elif (folded := term.strip().casefold()) in seen:
                report.error(doc, line, None, f"term '{term}' is also in the group at line "
                             f"{seen[folded]}; keep it in one group")
            else:
                seen[folded] = line


def _check_messages(doc: Document | None, stems: list[str], report: _Reporter) -> None:
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
            if not _is_text(value.get(lang)):
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


# --- eval files (lint only) -------------------------------------------------------------------


def _phrasing_keys(folder: Folder, key: KeyFunction) -> dict[tuple[Lang, str], str]:
    """(language, normalised key) -> entry id, for every content phrasing."""
    return {(lang, key(text, lang)): _entry_id(item) or "?"
            for _, item, lang, text, _ in _phrasings(folder)}


def _check_eval(doc: Document, phrasings: dict[tuple[Lang, str], str], key: KeyFunction,
                report: _Reporter) -> None:
    if doc.data is None:
        return
    if not isinstance(doc.data, list):
        report.error(doc, 1, None, "an eval file must be a list of {q: ..., expect: ...}")
        return
    for index, item in enumerate(doc.data):
        line = doc.item_line(doc.data, index)
        question = item.get("q") if isinstance(item, dict) else None
        if not isinstance(question, str) or not question.strip():
            report.error(doc, line, None, "an eval item needs a non-empty 'q' string")
            continue
        # Read the question as each language and compare with that language's phrasings only.
        copied = next((phrasings[k] for lang in LANGS
                       if (k := (lang, key(question, lang))) in phrasings), None)
        if copied is not None:
            report.error(doc, line, None, f"eval question '{question}' copies a content "
                         f"phrasing of {copied}; reword it")


# --- small helpers ----------------------------------------------------------------------------


def _key_function(groups: list[list[str]]) -> KeyFunction:
    """The normalised form used to compare questions: the matcher's own, synonyms included."""
    return Normalizer(groups).key


def _entry_id(item: dict[Any, Any]) -> str | None:
    raw = item.get("id")
    return raw if isinstance(raw, str) and raw else None


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_text(v) for v in value)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, processor=None,
                               score_cutoff=60)
    return f" (did you mean '{found[0]}'?)" if found else ""
