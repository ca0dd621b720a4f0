"""The Telegram adapter's settings, as one frozen value (built by the ops layer from env vars).

`repr` never shows the token or the webhook secret, so the config can be logged or shown in an
error without leaking them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TELEGRAM_ROOT = "https://api.telegram.org"


def _ids(values: Iterable[int | str]) -> frozenset[int]:
    # Env vars give strings; Telegram gives ints: compare as ints everywhere.
    return frozenset(int(v) for v in values)


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram, and who may do what.

    `base_url` is the Bot API server root (e.g. "http://127.0.0.1:8081"), None for Telegram's own.
    `webhook_url` set = webhook mode (public URL behind the reverse proxy), else long polling.
    `allowed_chats` empty = every chat.
    """

    token: str = field(repr=False)
    base_url: str | None = None
    webhook_url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    admins: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "admins", _ids(self.admins))
        object.__setattr__(self, "allowed_chats", _ids(self.allowed_chats))

    def __repr__(self) -> str:
        secret = "set" if self.webhook_secret else None
        return (
            f"TelegramConfig(token=<hidden>, base_url={self.base_url!r}, "
            f"webhook_url={self.webhook_url!r}, listen={self.listen!r}, port={self.port}, "
            f"webhook_secret={secret!r}, admins={sorted(self.admins)}, "
            f"allowed_chats={sorted(self.allowed_chats)})"
        )

    @property
    def api_base_url(self) -> str:
        """PTB's `base_url`: the server root followed by `/bot` (PTB appends the token)."""
        return f"{self._root}/bot"

    @property
    def file_base_url(self) -> str:
        """PTB's `base_file_url`: the server root followed by `/file/bot`."""
        return f"{self._root}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path part of `webhook_url`, which the local webhook server listens on."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    def chat_allowed(self, chat_id: int) -> bool:
        """Whether the bot may answer in this chat."""
        return not self.allowed_chats or chat_id in self.allowed_chats

    @property
    def _root(self) -> str:
        return (self.base_url or TELEGRAM_ROOT).rstrip("/")
