"""Reply -> Telegram payloads: HTML text (escaped, split under 4096) and inline keyboards.

Pure functions, no I/O: the handlers send what these return. Every piece of user or content text
goes through `html.escape`; content's `**bold**` becomes <b>…</b> only after escaping, so no
content or user text can inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.model import Lang, Reply, Suggestion, Topic

MAX_TEXT = 4096  # Telegram's limit per message, in UTF-16 code units
MAX_CALLBACK = 64  # Telegram's limit on callback_data, in bytes
MAX_BUTTON_TEXT = 60  # longer button labels get cut with an ellipsis
MAX_BUTTONS = 90  # Telegram allows 100 buttons per keyboard; keep room for the feedback row

Messages = Callable[[str, Lang], str]  # key, lang -> the bot's own phrase

_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Cut points for a hard split: never inside a tag or an entity; long words in 200-char chunks.
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s|[^\s<&]{1,200}|[<&]")
_TAG = re.compile(r"<(/?)(\w+)[^>]*>")


@dataclass(frozen=True)
class Payload:
    """One message to send: HTML text and an optional inline keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Callback:
    """A decoded button press: `kind` is a (answer), f (feedback), t (topic), x (example)."""

    kind: str
    value: str
    arg: str


# --- callback data -----------------------------------------------------------------------------


def callback_data(kind: str, value: str, arg: str) -> str | None:
    """`kind:value:arg`, or None if over Telegram's 64 bytes (the button is then dropped)."""
    data = f"{kind}:{value}:{arg}"
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK else None


def parse_callback(data: str | None) -> Callback | None:
    """The button press encoded by `callback_data`, or None for anything else."""
    kind, _, rest = (data or "").partition(":")
    value, _, arg = rest.rpartition(":")
    if kind not in ("a", "f", "t", "x") or not value:
        return None
    return Callback(kind, value, arg)


def as_lang(value: str, default: Lang = "en") -> Lang:
    """A callback's language argument, checked."""
    return "fr" if value == "fr" else "en" if value == "en" else default


# --- text --------------------------------------------------------------------------------------


def to_html(text: str) -> str:
    """Escape `text`, then turn `**bold**` (within a line) into <b>bold</b>."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut rendered HTML into messages of at most `limit`: at paragraphs, then lines, then hard."""
    return _pack(text.split("\n\n"), "\n\n", limit, _split_paragraph) or [""]


def _split_paragraph(paragraph: str, limit: int) -> list[str]:
    return _pack(paragraph.split("\n"), "\n", limit, _hard_split)


def _pack(blocks: Sequence[str], sep: str, limit: int,
          cut: Callable[[str, int], list[str]]) -> list[str]:
    parts: list[str] = []
    current: str | None = None
    for block in blocks:
        for piece in [block] if size(block) <= limit else cut(block, limit):
            if current is not None and size(current + sep + piece) <= limit:
                current += sep + piece
                continue
            if current is not None:
                parts.append(current)
            current = piece
    if current is not None:
        parts.append(current)
    return [p for p in parts if p.strip()]


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut one over-long line between tokens, closing and reopening the tags open at the cut."""
    parts: list[str] = []
    current = ""
    stack: list[str] = []  # names of the tags open in `current`
    for token in _TOKEN.findall(line):
        closing = "".join(f"</{t}>" for t in reversed(stack))
        if current and size(current + token + closing) > limit:
            parts.append(current + closing)
            current = "".join(f"<{t}>" for t in stack)
        current += token
        tag = _TAG.fullmatch(token)
        if tag and tag.group(1):
            stack = stack[:-1] if stack and stack[-1] == tag.group(2) else stack
        elif tag:
            stack.append(tag.group(2))
    parts.append(current)
    return parts


# --- replies -----------------------------------------------------------------------------------


def render_reply(reply: Reply, message: Messages) -> list[Payload]:
    """The messages for one core reply; the keyboard goes under the last one."""
    if reply.kind == "answer":
        text = _answer_html(reply, message)
        rows = _suggestion_rows(reply.related, reply.lang) + _feedback_rows(reply.ref)
    else:
        text = to_html(reply.text)
        rows = _suggestion_rows(reply.suggestions, reply.lang)
    return _payloads(text, rows)


def _answer_html(reply: Reply, message: Messages) -> str:
    lines = [f"<b>{html.escape(reply.question, quote=False)}</b>"] if reply.question else []
    lines.append(to_html(reply.text))
    if reply.source:
        sep = " : " if reply.lang == "fr" else ": "
        label = html.escape(message("source_label", reply.lang), quote=False)
        lines.append(f"<i>{label}{sep}{html.escape(reply.source, quote=False)}</i>")
    return "\n\n".join(lines)


def _payloads(text: str, rows: list[list[InlineKeyboardButton]]) -> list[Payload]:
    parts = split_html(text)
    keyboard = InlineKeyboardMarkup(rows) if rows else None
    return [Payload(p) for p in parts[:-1]] + [Payload(parts[-1], keyboard)]


def _button(label: str, data: str | None) -> list[InlineKeyboardButton]:
    if data is None:
        return []
    if len(label) > MAX_BUTTON_TEXT:
        label = label[: MAX_BUTTON_TEXT - 1].rstrip() + "…"
    return [InlineKeyboardButton(label, callback_data=data)]


def _suggestion_rows(items: Sequence[Suggestion], lang: Lang) -> list[list[InlineKeyboardButton]]:
    rows = [_button(s.question, callback_data("a", s.id, lang)) for s in items[:MAX_BUTTONS]]
    return [r for r in rows if r]


def _feedback_rows(ref: str | None) -> list[list[InlineKeyboardButton]]:
    if ref is None:
        return []
    row = _button("👍", callback_data("f", ref, "+")) + _button("👎", callback_data("f", ref, "-"))
    return [row] if len(row) == 2 else []


# --- commands ----------------------------------------------------------------------------------


def render_notice(text: str) -> list[Payload]:
    """A plain message from the bot itself (help, errors, reload), escaped."""
    return _payloads(to_html(text), [])


def render_welcome(welcome: str, examples: Sequence[str], lang: Lang) -> list[Payload]:
    """The /start message: the welcome line, then the examples, each also a button to ask it."""
    lines = [to_html(welcome), *(f"• {html.escape(e, quote=False)}" for e in examples)]
    rows = [_button(e, callback_data("x", str(i), lang)) for i, e in enumerate(examples)]
    return _payloads("\n".join(lines), [r for r in rows if r])


def render_topics(intro: str, topics: Sequence[Topic], lang: Lang) -> list[Payload]:
    """The /topics message: one button per theme."""
    rows = [_button(t.title(lang), callback_data("t", t.key, lang)) for t in topics[:MAX_BUTTONS]]
    return _payloads(to_html(intro), [r for r in rows if r])


def render_topic(header: str, questions: Sequence[Suggestion], lang: Lang) -> list[Payload]:
    """A theme's questions, each a button that answers it."""
    return _payloads(to_html(header), _suggestion_rows(questions, lang))


@dataclass(frozen=True)
class Article:
    """One inline-mode result: a title, a one-line description, and the HTML to post."""

    id: str
    title: str
    description: str
    html: str


def render_article(reply: Reply, message: Messages) -> Article | None:
    """An inline-mode article for an answer (first part only: inline messages are single)."""
    if reply.kind != "answer" or reply.entry_id is None:
        return None
    if len(reply.entry_id.encode("utf-8")) > MAX_CALLBACK:  # result ids are limited to 64 bytes
        return None
    first = reply.text.split("\n", 1)[0].replace("**", "")
    description = first if len(first) <= 120 else first[:119].rstrip() + "…"
    body = split_html(_answer_html(reply, message))[0]
    return Article(reply.entry_id, reply.question or reply.entry_id, description, body)
