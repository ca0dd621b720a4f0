"""Settings of the Discord adapter, built once at start-up by `bot.config` from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SyncMode = Literal["none", "global", "guild"]


@dataclass(frozen=True)
class DiscordConfig:
    """Everything the Discord adapter needs; `repr` never shows the token.

    api_url / gateway_url: a REST or gateway proxy (our fake Discord in tests); None = Discord's.
    api_url may end with the API version (https://discord.com/api/v10); if not, /api/v10 is added.
    shards: "auto" runs every shard in this process; shard_ids + shard_count split a large bot
    over several processes; neither = one unsharded connection.
    admins / allowed_channels: Discord ids (ints, or digit strings: stored as ints);
    allowed_channels empty = every channel.
    cooldown_seconds: per-user pause between two questions (0 = none), admins exempt.
    """

    token: str
    api_url: str | None = None
    gateway_url: str | None = None
    shards: Literal["auto"] | None = None
    shard_ids: tuple[int, ...] | None = None
    shard_count: int | None = None
    sync: SyncMode = "none"
    sync_guild: int | None = None
    admins: frozenset[int | str] = frozenset()
    allowed_channels: frozenset[int | str] = frozenset()
    cooldown_seconds: float = 0.0

    def __post_init__(self) -> None:
        # Ids arrive as ints (bot.config) or strings (env text); compare them as ints.
        for name in ("admins", "allowed_channels"):
            object.__setattr__(self, name, frozenset(int(i) for i in getattr(self, name)))

    def __repr__(self) -> str:
        # A token in a log line or a traceback is a leaked bot: never show it.
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in self.__dataclass_fields__
            if name != "token"
        )
        return f"DiscordConfig(token='***', {shown})"

    __str__ = __repr__

    @property
    def sharded(self) -> bool:
        """Whether the bot runs through discord.py's AutoShardedClient."""
        return self.shards == "auto" or self.shard_ids is not None or self.shard_count is not None

    def is_admin(self, user_id: int) -> bool:
        """Whether this Discord user id is one of the bot's admins."""
        return user_id in self.admins

    def allows(self, channel_id: int, *, private: bool) -> bool:
        """Whether the bot may answer in this channel (DMs always; guild channels if listed)."""
        return private or not self.allowed_channels or channel_id in self.allowed_channels
