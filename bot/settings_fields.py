"""Every setting of the bot as an `Option`: YAML key, environment variable, parser and default.

Each parser takes a str (env) or a YAML value and raises ValueError saying what is allowed;
`bot.settings_sources` applies them and `bot.config` assembles the result into `Settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answering import MatchSettings
from bot.content import DEFAULT_CONTENT_DIR
from bot.secret import Secret

# --- parsers: each takes a str (env) or a YAML value and raises ValueError saying what is allowed


def _text(raw: object) -> str:
    if not isinstance(raw, str | int | float) or not str(raw).strip():
        raise ValueError("expected a non-empty text")
    return str(raw).strip()


def _path(raw: object) -> Path:
    return Path(_text(raw)).expanduser()


def _secret(raw: object) -> Secret:
    return Secret(_text(raw))


def _number(low: float, high: float | None = None) -> Callable[[object], float]:
    def parse(raw: object) -> float:
        try:
            value = float(str(raw))
        except ValueError:
            raise ValueError(_range_text("a number", low, high)) from None
        if value != value or value < low or (high is not None and value > high):
            raise ValueError(_range_text("a number", low, high))
        return value
    return parse


def _whole(low: int, high: int | None = None) -> Callable[[object], int]:
    def parse(raw: object) -> int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(_range_text("a whole number", low, high)) from None
        if value < low or (high is not None and value > high):
            raise ValueError(_range_text("a whole number", low, high))
        return value
    return parse


def _range_text(kind: str, low: float, high: float | None) -> str:
    return f"expected {kind} from {low:g} to {high:g}" if high is not None else (
        f"expected {kind} >= {low:g}")


def _choice(*allowed: str) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        value = str(raw).strip().lower()
        if value not in allowed:
            raise ValueError(f"expected one of: {', '.join(allowed)}")
        return value
    return parse


def _flag(raw: object) -> bool:
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _ids(raw: object) -> frozenset[int]:
    """A comma list (env) or YAML list of numeric platform ids; empty means none / all."""
    items = raw if isinstance(raw, list) else str(raw).split(",")
    try:
        return frozenset(int(str(i).strip()) for i in items if str(i).strip())
    except ValueError:
        raise ValueError("expected numeric ids separated by commas, e.g. 123,456") from None


def _shard_ids(raw: object) -> tuple[int, ...]:
    return tuple(sorted(_ids(raw)))


def _shards(raw: object) -> str | None:
    value = _choice("auto", "none")(raw)
    return None if value == "none" else value


def _log_level(raw: object) -> str:
    return _choice("debug", "info", "warning", "error")(raw).upper()


def _url(raw: object) -> str:
    value = _text(raw).rstrip("/")
    if not value.startswith(("http://", "https://", "ws://", "wss://")):
        raise ValueError("expected a URL starting with http(s):// or ws(s)://")
    return value


def _webhook_secret(raw: object) -> Secret:
    value = _text(raw)
    if len(value) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in value):
        raise ValueError("expected 1-256 characters A-Z a-z 0-9 _ -")
    return Secret(value)


@dataclass(frozen=True)
class Option:
    """One setting: its YAML key, environment variable, parser and default."""

    key: str
    env: str
    parse: Callable[[object], Any]
    default: Any = None
    secret: bool = False


_MATCH = MatchSettings()

OPTIONS: tuple[Option, ...] = (
    Option("content", "BOT_CONTENT", _path, DEFAULT_CONTENT_DIR),
    Option("data_dir", "BOT_DATA_DIR", _path, Path("data")),
    Option("db", "BOT_DB", _path),
    Option("log.questions", "BOT_LOG_QUESTIONS", _flag, True),
    Option("log.level", "BOT_LOG_LEVEL", _log_level, "INFO"),
    Option("log.format", "BOT_LOG_FORMAT", _choice("text", "json"), "text"),
    # The matcher's defaults live in one place, MatchSettings, where they were tuned.
    Option("match.default_lang", "BOT_DEFAULT_LANG", _choice("fr", "en"), _MATCH.default_lang),
    Option("match.answer_confidence", "BOT_ANSWER_CONFIDENCE", _number(0, 1),
           _MATCH.answer_confidence),
    Option("match.answer_threshold", "BOT_ANSWER_THRESHOLD", _number(0, 1),
           _MATCH.answer_threshold),
    Option("match.margin", "BOT_MARGIN", _number(0, 1), _MATCH.margin),
    Option("match.min_cover", "BOT_MIN_COVER", _number(0, 1), _MATCH.min_cover),
    Option("match.suggest_threshold", "BOT_SUGGEST_THRESHOLD", _number(0, 1),
           _MATCH.suggest_threshold),
    Option("match.suggest_ratio", "BOT_SUGGEST_RATIO", _number(0, 1), _MATCH.suggest_ratio),
    Option("match.max_suggestions", "BOT_MAX_SUGGESTIONS", _whole(1, 5), _MATCH.max_suggestions),
    Option("limits.rate_limit", "BOT_RATE_LIMIT", _whole(0), 10),
    Option("limits.dedup_seconds", "BOT_DEDUP_SECONDS", _number(0), 60.0),
    Option("retention_days", "BOT_RETENTION_DAYS", _whole(1), 90),
    Option("hash_salt", "BOT_HASH_SALT", _secret, None, secret=True),
    Option("health.heartbeat_file", "BOT_HEARTBEAT_FILE", _path),
    Option("health.interval", "BOT_HEARTBEAT_INTERVAL", _number(1), 15.0),
    Option("health.max_age", "BOT_HEALTH_MAX_AGE", _number(1), 90.0),
    Option("reload_interval", "BOT_RELOAD_INTERVAL", _number(0), 2.0),
    Option("telegram.token", "TELEGRAM_TOKEN", _secret, None, secret=True),
    Option("telegram.base_url", "TELEGRAM_BASE_URL", _url),
    Option("telegram.webhook_url", "TELEGRAM_WEBHOOK_URL", _url),
    Option("telegram.listen", "TELEGRAM_LISTEN", _text, "0.0.0.0"),
    Option("telegram.port", "TELEGRAM_PORT", _whole(1, 65535), 8443),
    Option("telegram.webhook_secret", "TELEGRAM_WEBHOOK_SECRET", _webhook_secret, None,
           secret=True),
    Option("telegram.admins", "BOT_ADMINS_TELEGRAM", _ids, frozenset()),
    Option("telegram.allowed_chats", "BOT_ALLOWED_CHATS_TELEGRAM", _ids, frozenset()),
    Option("discord.token", "DISCORD_TOKEN", _secret, None, secret=True),
    Option("discord.api_url", "DISCORD_API_URL", _url),
    Option("discord.gateway_url", "DISCORD_GATEWAY_URL", _url),
    Option("discord.shards", "DISCORD_SHARDS", _shards),
    Option("discord.shard_ids", "DISCORD_SHARD_IDS", _shard_ids),
    Option("discord.shard_count", "DISCORD_SHARD_COUNT", _whole(1)),
    Option("discord.sync", "DISCORD_SYNC", _choice("none", "global", "guild"), "none"),
    Option("discord.sync_guild", "DISCORD_SYNC_GUILD", _whole(1)),
    Option("discord.admins", "BOT_ADMINS_DISCORD", _ids, frozenset()),
    Option("discord.allowed_channels", "BOT_ALLOWED_CHANNELS_DISCORD", _ids, frozenset()),
    Option("discord.cooldown_seconds", "DISCORD_COOLDOWN", _number(0), 0.0),
)
