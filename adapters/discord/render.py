"""Turn a core `Reply` into Discord message payloads: pure, no I/O, no client.

Discord's limits are enforced here so a send is never rejected: 2000 characters of content,
4096 of embed description, 256 of title, 2048 of footer, 6000 per message, 80 per button label,
100 per custom_id, 5 buttons per row and 5 rows. Longer text is split over several messages;
the buttons go under the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import discord

from bot.model import Lang, Reply, Suggestion, Topic

CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FOOTER_LIMIT = 2048
LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
MAX_ROWS = 5
PER_ROW = 5

# custom_id prefixes: the state a persistent button needs is in its id, so clicks survive restarts.
ANSWER_PREFIX = "faq:a"
FEEDBACK_PREFIX = "faq:f"
TOPIC_PREFIX = "faq:t"

Style = Literal["primary", "secondary", "success", "danger"]
Vote = Literal["up", "down"]


@dataclass(frozen=True)
class ButtonSpec:
    """One button: what it shows, the custom_id its click carries, where it sits."""

    label: str
    custom_id: str
    style: Style = "secondary"
    emoji: str | None = None
    row: int = 0


@dataclass(frozen=True)
class Payload:
    """One Discord message to send: text and/or one embed, buttons, ephemeral or not."""

    content: str | None = None
    embed: discord.Embed | None = field(default=None, compare=False)
    buttons: tuple[ButtonSpec, ...] = ()
    ephemeral: bool = False


def answer_id(entry_id: str, lang: Lang) -> str:
    """custom_id of a button that answers `entry_id` in `lang`."""
    return f"{ANSWER_PREFIX}:{entry_id}:{lang}"


def feedback_id(vote: Vote, ref: str, lang: Lang) -> str:
    """custom_id of a 👍/👎 button on the reply logged under `ref`."""
    return f"{FEEDBACK_PREFIX}:{vote}:{lang}:{ref}"


def topic_id(key: str, lang: Lang) -> str:
    """custom_id of a button that lists the questions of one topic."""
    return f"{TOPIC_PREFIX}:{key}:{lang}"


def render(reply: Reply, *, ephemeral: bool = False) -> list[Payload]:
    """The messages that show `reply`, in order, each within Discord's limits."""
    if reply.kind == "answer":
        return _answer(reply, ephemeral)
    buttons = _choice_buttons(reply.suggestions, reply.lang, style="primary")
    return _text(reply.text, buttons, ephemeral)


def render_text(text: str, *, ephemeral: bool = False) -> list[Payload]:
    """Plain text from the bot itself (help, errors, notices), split at 2000 characters."""
    return _text(text, (), ephemeral)


def render_topics(intro: str, topics: Sequence[Topic], lang: Lang) -> list[Payload]:
    """The topic list as text, with one button per topic."""
    lines = [intro, *(f"• {t.title(lang)} ({len(t.entry_ids)})" for t in topics)]
    buttons = tuple(
        ButtonSpec(_label(t.title(lang)), topic_id(t.key, lang), row=i // PER_ROW)
        for i, t in enumerate(topics[: MAX_ROWS * PER_ROW])
        if _fits(topic_id(t.key, lang))
    )
    return _text("\n".join(lines), buttons, ephemeral=True)


def render_topic(heading: str, questions: Sequence[Suggestion], lang: Lang) -> list[Payload]:
    """The questions of one topic, as buttons that answer them."""
    return _text(heading, _choice_buttons(questions, lang, style="secondary"), ephemeral=True)


def split_text(text: str, limit: int) -> list[str]:
    """`text` cut into pieces of at most `limit` characters, at paragraph, line or word ends."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    # Prefer the last paragraph break, then line break, then space, in the second half of
    # the window; a hard cut only for a single enormous word.
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, limit // 2, limit)
        if at > 0:
            return at
    return limit


def _answer(reply: Reply, ephemeral: bool) -> list[Payload]:
    title = clip(reply.question or "", TITLE_LIMIT) or None
    footer = clip(reply.source or "", FOOTER_LIMIT) or None
    pieces = split_text(reply.text, DESCRIPTION_LIMIT)
    buttons = (
        _choice_buttons(reply.related, reply.lang, style="secondary", rows=MAX_ROWS - 1)
        + _feedback_buttons(reply)
    )
    payloads = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        embed = discord.Embed(title=title if i == 0 else None, description=piece)
        if last and footer:
            embed.set_footer(text=footer)
        payloads.append(Payload(None, embed, buttons if last else (), ephemeral))
    return payloads


def _text(text: str, buttons: tuple[ButtonSpec, ...], ephemeral: bool) -> list[Payload]:
    pieces = split_text(text, CONTENT_LIMIT)
    last = len(pieces) - 1
    return [Payload(p, None, buttons if i == last else (), ephemeral) for i, p in enumerate(pieces)]


def _choice_buttons(
    choices: Sequence[Suggestion], lang: Lang, *, style: Style, rows: int = MAX_ROWS
) -> tuple[ButtonSpec, ...]:
    fitting = [s for s in choices if _fits(answer_id(s.id, lang))][: rows * PER_ROW]
    return tuple(
        ButtonSpec(_label(s.question), answer_id(s.id, lang), style, row=i // PER_ROW)
        for i, s in enumerate(fitting)
    )


def _feedback_buttons(reply: Reply) -> tuple[ButtonSpec, ...]:
    if reply.ref is None:
        return ()
    up, down = feedback_id("up", reply.ref, reply.lang), feedback_id("down", reply.ref, reply.lang)
    if not (_fits(up) and _fits(down)):
        return ()  # a ref too long for a custom_id: no feedback rather than a rejected message
    row = MAX_ROWS - 1
    return (ButtonSpec("", up, emoji="👍", row=row), ButtonSpec("", down, emoji="👎", row=row))


def _fits(custom_id: str) -> bool:
    return len(custom_id) <= CUSTOM_ID_LIMIT


def _label(text: str) -> str:
    return clip(text, LABEL_LIMIT) or "…"


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
