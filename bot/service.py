"""The one object every adapter talks to: asks the current answerer, on behalf of someone.

PROVISIONAL: question log, rate limits, channel de-duplication and feedback storage are added
behind this same API (issue #6). Adapters only ever call `ask`, `answer_entry`, `feedback`,
`reload` and read `answerer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.answering import Answerer
from bot.model import Lang, Reply

ChatKind = Literal["private", "group", "console", "inline"]


@dataclass(frozen=True)
class Asker:
    """Who asks, and where. `user_id` / `chat_id` are the platform's raw ids (never stored raw)."""

    platform: str  # "console", "telegram", "discord", "cli"
    user_id: str
    chat_id: str
    chat_kind: ChatKind = "private"
    is_admin: bool = False


class Service:
    """Shared by all adapters of one process; safe to call from one asyncio loop."""

    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer

    @property
    def answerer(self) -> Answerer:
        """The answerer serving now (replaced atomically by a content reload)."""
        return self._answerer

    def swap(self, answerer: Answerer) -> None:
        """Serve new content from now on; questions already in flight keep the old one."""
        self._answerer = answerer

    def ask(self, question: str, asker: Asker, lang_hint: str | None = None) -> Reply | None:
        """The reply to `question`, or None when the bot should stay silent (rate-limited)."""
        return self._answerer.reply(question, lang_hint)

    def answer_entry(self, entry_id: str, asker: Asker, lang: Lang) -> Reply:
        """The answer of an entry picked from a button (suggestion or related)."""
        return self._answerer.answer_entry(entry_id, lang)

    def feedback(self, ref: str, asker: Asker, vote: Literal[1, -1]) -> None:
        """Record a 👍 (1) / 👎 (-1) on the reply whose `ref` is given."""

    def reload(self, asker: Asker, lang: Lang) -> Reply:
        """Reload the content (admins only); a "notice" reply saying how it went."""
        if not asker.is_admin:
            return Reply("notice", lang, self._answerer.message("not_admin", lang))
        count = len(self._answerer.content.entries)
        return Reply("notice", lang, self._answerer.message("reload_ok", lang, entries=count))
