"""Load the YAML content folder into a frozen `Content` (minimal loader; validation to come)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.model import LANGS, Content, Entry, Lang, Topic, frozen_map

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class ContentError(Exception):
    """A problem in the content, located by file, line and entry id."""

    def __init__(self, file: str, line: int, entry_id: str | None, why: str) -> None:
        self.file, self.line, self.entry_id, self.why = file, line, entry_id, why
        where = f"{file}:{line}" + (f" [{entry_id}]" if entry_id else "")
        super().__init__(f"{where}: {why}")


def load_content(root: str | Path = DEFAULT_CONTENT_DIR) -> Content:
    """Read `root`/qa/*.yaml, synonyms.yaml and messages.yaml into a `Content`."""
    root = Path(root)
    entries: list[Entry] = []
    topics: list[Topic] = []
    for path in sorted((root / "qa").glob("*.yaml")):
        data: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        file_entries = [_entry(item, path) for item in data]
        entries.extend(file_entries)
        topics.append(Topic(path.stem, frozen_map(), tuple(e.id for e in file_entries)))
    synonyms = _yaml(root / "synonyms.yaml") or []
    messages = _yaml(root / "messages.yaml") or {}
    topics = [
        Topic(t.key, frozen_map(messages.get(f"topic.{t.key}") or {}), t.entry_ids) for t in topics
    ]
    return Content(
        entries=tuple(entries),
        synonyms=tuple(tuple(str(t) for t in group) for group in synonyms),
        messages=frozen_map({k: frozen_map(v) for k, v in messages.items()}),
        topics=tuple(topics),
        root=str(root),
    )


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def _entry(item: dict[str, Any], path: Path) -> Entry:
    questions: dict[Lang, tuple[str, ...]] = {
        lang: tuple(item.get("questions", {}).get(lang) or ()) for lang in LANGS
    }
    answer: dict[Lang, str] = {
        lang: str(item["answer"][lang]).strip() for lang in LANGS if lang in item.get("answer", {})
    }
    return Entry(
        id=str(item["id"]),
        questions=frozen_map(questions),
        answer=frozen_map(answer),
        source=item.get("source"),
        related=tuple(item.get("related") or ()),
        tags=tuple(item.get("tags") or ()),
        topic=path.stem,
        file=str(path),
    )
