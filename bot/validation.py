"""Check a content folder and report every problem at once, each with file, line and entry id.

`bot.content.read_folder` parses the YAML keeping line numbers; `check` applies the rules to what
it read; `validate(root)` does both; `lint` adds the eval-set checks. `bot.content.load_content`
calls `check` too, so every rule runs through here. The rules live in `bot.entry_rules` (Q&A
entries) and `bot.synonym_message_rules` (synonyms.yaml, messages.yaml); the eval-copy check of
`lint` lives below.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content import (
    OUT_OF_SCOPE_FILE,
    Document,
    Folder,
    Problem,
    Severity,
    read_document,
    read_folder,
)
from bot.entry_rules import ENTRY_KEYS as ENTRY_KEYS
from bot.entry_rules import ID_FORMAT as ID_FORMAT
from bot.entry_rules import MAX_CHARS as MAX_CHARS
from bot.entry_rules import MAX_SENTENCES as MAX_SENTENCES
from bot.entry_rules import NEAR_DUPLICATE as NEAR_DUPLICATE
from bot.entry_rules import check_ids, check_qa_file, check_questions
from bot.entry_rules import count_sentences as count_sentences
from bot.model import LANGS, Lang
from bot.rules import KeyFunction as KeyFunction
from bot.rules import Reporter, entries, phrasing_keys
from bot.synonym_message_rules import REQUIRED_MESSAGES as REQUIRED_MESSAGES
from bot.synonym_message_rules import (
    check_messages,
    check_out_of_scope,
    check_synonyms,
    synonym_groups,
)
from bot.text import Normalizer

NEAR_COPY = 90  # rapidfuzz ratio of two normalised questions above which one copies the other

__all__ = ["Problem", "Severity", "check", "copies_content", "count_entries", "format_report",
           "lint", "validate"]


def validate(root: str | Path) -> list[Problem]:
    """Every error and warning in the content folder `root`."""
    return check(read_folder(root))


def lint(root: str | Path, eval_files: Iterable[str | Path] = ()) -> list[Problem]:
    """`validate(root)`, plus an error for each eval question that copies a content phrasing or
    an out-of-scope question of the content."""
    folder = read_folder(root)
    problems = check(folder)
    content_keys, key = _copy_rule(folder)
    for path in eval_files:
        doc = read_document(Path(path), problems)
        _check_eval(doc, content_keys, key, Reporter(problems))
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
    return sum(1 for _ in entries(read_folder(root)))


def check(folder: Folder, warnings: bool = True) -> list[Problem]:
    """Apply every rule to a folder read by `read_folder`; `warnings=False` skips the slow ones."""
    problems = list(folder.problems)
    report = Reporter(problems)
    groups = synonym_groups(folder)
    for doc in folder.qa:
        check_qa_file(doc, report)
    check_ids(folder, report)
    key = _key_function(groups)
    check_questions(folder, key, report, near=warnings)
    check_out_of_scope(folder, key, report)
    check_synonyms(folder.synonyms, report)
    check_messages(folder.messages, [d.path.stem for d in folder.qa], report)
    return problems


def _key_function(groups: list[list[str]]) -> KeyFunction:
    """The normalised form used to compare questions: the matcher's own, synonyms included
    (cached: several rules compare the same phrasings)."""
    return lru_cache(maxsize=None)(Normalizer(groups).key)


# --- eval files (lint only) -------------------------------------------------------------------


def _phrasing_keys(folder: Folder, key: KeyFunction) -> dict[tuple[Lang, str], str]:
    """(language, normalised key) -> entry id (or the out-of-scope file), for every content
    phrasing and out-of-scope question."""
    found = phrasing_keys(folder, key)
    off = folder.out_of_scope.data if folder.out_of_scope else None
    if isinstance(off, dict):
        found.update({(lang, key(q, lang)): OUT_OF_SCOPE_FILE for lang in LANGS
                      if isinstance(off.get(lang), list) for q in off[lang] if isinstance(q, str)})
    return found


def _check_eval(doc: Document, content_keys: dict[tuple[Lang, str], str], key: KeyFunction,
                report: Reporter) -> None:
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
        found = _copy_of(question, _expected(item), content_keys, key)
        if found is None:
            continue
        owner, near = found
        if near is None:
            report.error(doc, line, None, f"eval question '{question}' copies {_what(owner)}; "
                         "reword it")
        else:
            report.error(doc, line, None, f"eval question '{question}' nearly copies "
                         f"{_what(owner)} ('{near}' once normalised); the eval would "
                         "measure a copy: reword or drop one of the two")


def copies_content(root: str | Path, cases: Iterable[tuple[str, Iterable[str]]]) -> list[bool]:
    """For each (question, expected ids; none for out of scope), whether it copies or nearly
    copies the content of `root`, by lint's eval rule: a development set skips those, as lint
    keeps them out of the eval set (a copy measures nothing)."""
    content_keys, key = _copy_rule(read_folder(root))
    return [_copy_of(q, _owners(expect), content_keys, key) is not None for q, expect in cases]


def _copy_rule(folder: Folder) -> tuple[dict[tuple[Lang, str], str], KeyFunction]:
    """The content's questions by normalised key, and the key function, for `_copy_of`. A copy
    differs from a content question only in spelling, case, accents or punctuation; a new
    wording that the matcher reduces to the same keywords is a fair test, not a copy."""
    key = Normalizer(synonym_groups(folder)).full_key
    return _phrasing_keys(folder, key), key


def _copy_of(question: str, owners: set[str], content_keys: dict[tuple[Lang, str], str],
             key: KeyFunction) -> tuple[str, str | None] | None:
    """(owner, None) when `question` copies a content question, (owner, that question
    normalised) when it nearly copies one of `owners`, else None."""
    # Read the question as each language and compare with that language's phrasings only.
    copied = next((content_keys[k] for lang in LANGS
                   if (k := (lang, key(question, lang))) in content_keys), None)
    if copied is not None:
        return copied, None
    near = _nearest(question, owners, content_keys, key)
    return None if near is None else (near[1], near[0])


def _what(owner: str) -> str:
    if owner == OUT_OF_SCOPE_FILE:
        return f"a question of {owner}"
    return f"a content phrasing of {owner}"


def _owners(expect: Iterable[str]) -> set[str]:
    """Who would profit from a copy of a loaded case: its expected ids, or the out-of-scope
    file when it expects none."""
    return set(expect) or {OUT_OF_SCOPE_FILE}


def _expected(item: dict[object, object]) -> set[str]:
    """Who would profit from a copy: the expected ids, or the out-of-scope file for `null`."""
    expect = item.get("expect")
    if expect is None:
        return {OUT_OF_SCOPE_FILE}
    if isinstance(expect, str):
        return {expect}
    return {e for e in expect if isinstance(e, str)} if isinstance(expect, list) else set()


def _nearest(question: str, owners: set[str], content_keys: dict[tuple[Lang, str], str],
             key: KeyFunction) -> tuple[str, str] | None:
    """A (normalised question, owner) of `owners` nearly equal to `question` (NEAR_COPY):
    a near copy only matters where it gives the right reply away; a near one of another entry
    ("v3" for a "v2" question) is a fair trap."""
    for lang in LANGS:
        keys = [k for (lg, k) in content_keys if lg == lang and content_keys[(lg, k)] in owners]
        found = process.extractOne(key(question, lang), keys, scorer=fuzz.ratio, processor=None,
                                   score_cutoff=NEAR_COPY)
        if found is not None:
            return found[0], content_keys[(lang, found[0])]
    return None
