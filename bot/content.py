"""Load the YAML content folder into a frozen `Content`, refusing content with errors.

Two steps: `read_folder` parses every file keeping line numbers (so a problem can say where it
is), then `load_content` lets `bot.validation` check the result and builds the dataclasses of
`bot.model`. The rules themselves live in `bot.validation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.model import LANGS, Content, Entry, Topic, frozen_map

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"  # questions the bot must not answer, by language

# libyaml's parser is several times faster than the pure-Python one; start-up time matters.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing to fix (error) or look at (warning) in the content; `bot.validation` finds most."""

    severity: Severity
    file: str
    line: int
    entry_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f" [{self.entry_id}]" if self.entry_id else "")
        return f"{where} {self.severity}: {self.message}"


class ContentError(Exception):
    """A problem in the content, located by file, line and entry id."""

    def __init__(self, file: str, line: int, entry_id: str | None, why: str) -> None:
        self.file, self.line, self.entry_id, self.why = file, line, entry_id, why
        where = f"{file}:{line}" + (f" [{entry_id}]" if entry_id else "")
        super().__init__(f"{where}: {why}")


class ContentErrors(ContentError):
    """Every error found in the content at once; str() lists them one per line.

    A `ContentError` itself (located at the first error), so `except ContentError` catches it.
    """

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else ContentError("?", 0, None, "no errors")
        super().__init__(first.file, first.line, first.entry_id, first.why)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return str(self.args[0])


# --- reading YAML with positions -------------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class _Seq(list[Any]):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int
    item_lines: list[int]


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader whose mappings and sequences carry 1-based line numbers."""


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    data = _Map()
    data.line, data.key_lines, data.duplicates = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            seen = key in data
        except TypeError as exc:  # a list or mapping used as a key
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark) from exc
        if seen:
            data.duplicates.append((key, key_node.start_mark.line + 1))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
    return data


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _Seq:
    data = _Seq(loader.construct_object(item, deep=True) for item in node.value)
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    return data


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


@dataclass
class Document:
    """One YAML file as read: its data (None if empty or unreadable) and how to locate parts."""

    path: Path
    name: str  # the path as shown in messages (relative to the working directory if inside it)
    data: Any = None
    readable: bool = True

    def line(self, node: Any) -> int:
        """The line where a mapping or sequence starts (1 if unknown)."""
        return getattr(node, "line", 1)

    def key_line(self, mapping: Any, key: Any) -> int:
        """The line of `key` in `mapping`, else the mapping's own line."""
        return getattr(mapping, "key_lines", {}).get(key) or self.line(mapping)

    def item_line(self, sequence: Any, index: int) -> int:
        """The line of item `index` of `sequence`, else the sequence's own line."""
        lines = getattr(sequence, "item_lines", [])
        return lines[index] if index < len(lines) else self.line(sequence)


@dataclass
class Folder:
    """A content folder as read: Q&A files (sorted), synonyms, messages, out-of-scope questions,
    reading problems."""

    root: Path
    qa: list[Document] = field(default_factory=list)
    synonyms: Document | None = None
    messages: Document | None = None
    out_of_scope: Document | None = None
    problems: list[Problem] = field(default_factory=list)


def read_folder(root: str | Path) -> Folder:
    """Parse root/qa/*.yaml, root/synonyms.yaml, root/messages.yaml and (optional)
    root/out_of_scope.yaml, keeping line numbers."""
    root = Path(root)
    folder = Folder(root)
    if not root.is_dir():
        folder.problems.append(_problem(_display(root), 0, "content folder not found"))
        return folder
    folder.qa = [read_document(p, folder.problems) for p in sorted((root / "qa").glob("*.yaml"))]
    if not folder.qa:
        folder.problems.append(_problem(_display(root / "qa"), 0, "no Q&A files (qa/*.yaml)"))
    if (root / "synonyms.yaml").exists():
        folder.synonyms = read_document(root / "synonyms.yaml", folder.problems)
    folder.messages = read_document(root / "messages.yaml", folder.problems)
    if (root / OUT_OF_SCOPE_FILE).exists():
        folder.out_of_scope = read_document(root / OUT_OF_SCOPE_FILE, folder.problems)
    return folder


def read_document(path: Path, problems: list[Problem]) -> Document:
    """One YAML file; a missing file, bad encoding or YAML syntax error becomes a problem."""
    doc = Document(path, _display(path))
    try:
        doc.data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        doc.readable = False
        problems.append(_problem(doc.name, 0, "file not found"))
    except UnicodeDecodeError as exc:
        doc.readable = False
        problems.append(_problem(doc.name, 1, f"not UTF-8 text ({exc.reason})"))
    except yaml.YAMLError as exc:
        doc.readable = False
        problems.append(_problem(doc.name, *_yaml_error(exc)))
    for dup in _duplicate_keys(doc.data):
        problems.append(_problem(doc.name, dup[1], f"key '{dup[0]}' appears twice in a mapping"))
    return doc


def _duplicate_keys(node: Any) -> list[tuple[Any, int]]:
    found: list[tuple[Any, int]] = list(getattr(node, "duplicates", []))
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        found.extend(_duplicate_keys(child))
    return found


def _yaml_error(exc: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    what = " ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None))
                    if p) or str(exc)
    return line, f"YAML syntax error: {what}"


def _display(path: Path) -> str:
    """The path as messages show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working directory, or no working directory
        return str(path)


def _problem(file: str, line: int, message: str) -> Problem:
    return Problem("error", file, line, None, message)


# --- building the dataclasses -----------------------------------------------------------------


def load_content(root: str | Path = DEFAULT_CONTENT_DIR) -> Content:
    """Read and check `root`; the `Content`, or `ContentErrors` listing every error found."""
    # Imported here because bot.validation builds on this module's reader (a cycle otherwise).
    from bot.validation import check

    folder = read_folder(root)
    errors = [p for p in check(folder, warnings=False) if p.severity == "error"]
    if errors:
        raise ContentErrors(ContentError(p.file, p.line, p.entry_id, p.message) for p in errors)
    return build_content(folder)


def build_content(folder: Folder) -> Content:
    """The `Content` of a folder that `check` found free of errors."""
    entries: list[Entry] = []
    stems: list[tuple[str, tuple[str, ...]]] = []
    for doc in folder.qa:
        file_entries = [_entry(item, doc) for item in doc.data or ()]
        entries.extend(file_entries)
        stems.append((doc.path.stem, tuple(e.id for e in file_entries)))
    messages = folder.messages.data if folder.messages else {}
    synonyms = folder.synonyms.data if folder.synonyms and folder.synonyms.data else []
    off = folder.out_of_scope.data if folder.out_of_scope and folder.out_of_scope.data else {}
    return Content(
        entries=tuple(entries),
        synonyms=tuple(tuple(t.strip() for t in group) for group in synonyms),
        messages=frozen_map({k: frozen_map(_texts(v)) for k, v in messages.items()}),
        topics=tuple(
            Topic(stem, frozen_map(_texts(messages.get(f"topic.{stem}") or {})), ids)
            for stem, ids in stems
        ),
        root=str(folder.root),
        out_of_scope=frozen_map({lang: tuple(q.strip() for q in off.get(lang) or ())
                                 for lang in LANGS}),
    )


def _texts(value: dict[Any, Any]) -> dict[str, str]:
    return {lang: str(value[lang]).strip() for lang in LANGS if lang in value}


def _entry(item: dict[Any, Any], doc: Document) -> Entry:
    questions = item["questions"]
    phrasings: dict[str, tuple[str, ...]] = {
        lang: tuple(q.strip() for q in questions[lang]) for lang in LANGS if lang in questions
    }
    return Entry(
        id=item["id"],
        questions=frozen_map(phrasings),
        answer=frozen_map(_texts(item["answer"])),
        source=item["source"].strip() if item.get("source") else None,
        related=tuple(item.get("related") or ()),
        tags=tuple(item.get("tags") or ()),
        topic=doc.path.stem,
        file=doc.name,
        line=doc.line(item),
    )
