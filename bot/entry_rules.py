"""The rules for Q&A entries: each entry on its own (keys, id, languages, answer length), then
across entries (unique ids, existing `related` targets, no question shared by two entries).

`bot.validation.check` calls `check_qa_file` for each file, then `check_ids` and `check_questions`.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from bot.content import Document, Folder
from bot.model import LANGS
from bot.rules import (
    KeyFunction,
    Reporter,
    did_you_mean,
    entries,
    entry_id,
    is_text,
    is_text_list,
    phrasings,
)

ENTRY_KEYS = ("id", "questions", "answer", "source", "related", "tags")
# The first question of each language is the entry's canonical one, shown to users.
CANONICAL = re.compile(r"[^a-zà-ÿ].*[?!]", re.DOTALL)
ID_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NEAR_DUPLICATE = 92  # fuzz.token_sort_ratio on normalised forms, 0..100
MAX_SENTENCES, MAX_CHARS = 5, 1500
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")


# --- one Q&A file ---------------------------------------------------------------------------


def check_qa_file(doc: Document, report: Reporter) -> None:
    """The file is a list of entries, and each entry is well formed on its own."""
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


def _check_entry(doc: Document, item: dict[Any, Any], report: Reporter) -> None:
    eid = entry_id(item)
    line = doc.line(item)
    for key in item:
        if key not in ENTRY_KEYS:
            hint = did_you_mean(str(key), ENTRY_KEYS)
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
    if "source" in item and not is_text(item["source"]):
        report.error(doc, doc.key_line(item, "source"), eid, "'source' must be a non-empty string")
    for key in ("related", "tags"):
        if key in item and not is_text_list(item[key]):
            report.error(doc, doc.key_line(item, key), eid,
                         f"'{key}' must be a list of non-empty strings, e.g. [a, b]")


def _check_id(doc: Document, item: dict[Any, Any], eid: str | None, report: Reporter) -> None:
    raw = item.get("id")
    if "id" not in item or raw is None or raw == "":
        report.error(doc, doc.line(item), None, "missing or empty 'id' (add 'id: some-kebab-id')")
    elif not isinstance(raw, str) or not ID_FORMAT.fullmatch(raw):
        report.error(doc, doc.key_line(item, "id"), eid,
                     f"bad id '{raw}': use lowercase kebab-case like 'price-war'")


def _check_lang_map(
    doc: Document, item: dict[Any, Any], key: str, eid: str | None, report: Reporter
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
            hint = did_you_mean(str(lang), LANGS)
            report.error(doc, where, eid, f"unknown language '{lang}' in '{key}'{hint}")
        elif _check_lang_text(doc, value, lang, key, eid, report):
            found.add(lang)
    return found


def _check_lang_text(doc: Document, value: dict[Any, Any], lang: str, key: str,
                     eid: str | None, report: Reporter) -> bool:
    text, where = value[lang], doc.key_line(value, lang)
    if key == "answer":
        if not is_text(text):
            report.error(doc, where, eid, f"the '{lang}' answer must be a non-empty string")
        return is_text(text)
    if not isinstance(text, list) or not text:
        report.error(doc, where, eid, f"'questions.{lang}' must be a non-empty list of strings")
        return False
    for index, phrasing in enumerate(text):
        if not is_text(phrasing):
            report.error(doc, doc.item_line(text, index), eid,
                         f"question {index + 1} in '{lang}' must be a non-empty string")
    first = text[0]
    if is_text(first) and not CANONICAL.fullmatch(first.strip()):
        report.warning(doc, doc.item_line(text, 0), eid,
                       f"the first '{lang}' question '{first}' is the one buttons, 'see also' and "
                       "/topics show: make it a full question (a capital letter, ending with ? or "
                       "!), and put casual forms after it")
    return any(is_text(p) for p in text)


def _check_answer_length(doc: Document, item: dict[Any, Any], eid: str | None,
                         report: Reporter) -> None:
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


def check_ids(folder: Folder, report: Reporter) -> None:
    """Ids are unique across files, and every `related` id names another existing entry."""
    first: dict[str, str] = {}
    for doc, item in entries(folder):
        eid = entry_id(item)
        if eid is None:
            continue
        if eid in first:
            report.error(doc, doc.line(item), eid,
                         f"duplicate id '{eid}' (first defined at {first[eid]}); rename one")
        else:
            first[eid] = f"{doc.name}:{doc.line(item)}"
    for doc, item in entries(folder):
        related = item.get("related")
        if not isinstance(related, list) or not is_text_list(related):
            continue
        eid, line = entry_id(item), doc.key_line(item, "related")
        for target in related:
            if target == eid:
                report.error(doc, line, eid, f"'related' links the entry to itself ('{target}')")
            elif target not in first:
                hint = did_you_mean(target, first)
                report.error(doc, line, eid, f"related id '{target}' does not exist{hint}")


def check_questions(folder: Folder, key: KeyFunction, report: Reporter, near: bool) -> None:
    """Same normalised question in two entries: error; nearly the same: warning."""
    owner: dict[str, tuple[str, str]] = {}  # normalised key -> (entry id, phrasing)
    kept: list[tuple[str, str, str, Document, int]] = []  # key, id, text, doc, line
    for doc, item, lang, text, line in phrasings(folder):
        eid, norm = entry_id(item) or "?", key(text, lang)
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
            kept.append((norm, eid, text, doc, line))
    if near:
        _check_near_duplicates(kept, report)


def _check_near_duplicates(
    kept: list[tuple[str, str, str, Document, int]], report: Reporter
) -> None:
    keys = [p[0] for p in kept]
    for index, (norm, eid, text, _, _) in enumerate(kept):
        # Only later phrasings, so each pair is reported once, at the second one.
        for _, score, other in process.extract(
            norm, keys[index + 1:], scorer=fuzz.token_sort_ratio, processor=None,
            score_cutoff=NEAR_DUPLICATE, limit=None,
        ):
            _, other_id, other_text, other_doc, other_line = kept[index + 1 + other]
            if other_id != eid:
                report.warning(other_doc, other_line, other_id,
                               f"question '{other_text}' is nearly the same as '{text}' in "
                               f"'{eid}' ({score:.0f}%); make each name its own entry")

