"""The bot's settings: one frozen, typed object from the environment and an optional YAML file.

Every option has an environment variable (`BOT_*`, `TELEGRAM_*`, `DISCORD_*`) and a place in the
YAML file named by `BOT_CONFIG`; the environment wins. Every bad value is reported at once, naming
the variable and what it allows. Secrets are wrapped in `Secret`, which never prints its value.
Nothing here reads `os.environ`: callers pass the mapping (see `Settings.from_env`).

The options and their parsers are in `bot.settings_fields`, reading the environment and the file
in `bot.settings_sources`, `Secret` in `bot.secret`; this module assembles and cross-checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from bot.answering import MatchSettings
from bot.content import DEFAULT_CONTENT_DIR
from bot.secret import Secret as Secret
from bot.settings_fields import OPTIONS as OPTIONS
from bot.settings_fields import Option as Option
from bot.settings_sources import collect, read_yaml


class ConfigError(ValueError):
    """Invalid settings; `problems` lists every bad value, one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class TelegramSettings:
    """What the Telegram adapter needs (mirrors adapters.telegram.config.TelegramConfig)."""

    token: Secret
    base_url: str | None = None
    webhook_url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8443
    webhook_secret: Secret | None = None
    admins: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DiscordSettings:
    """What the Discord adapter needs (mirrors adapters.discord.config.DiscordConfig)."""

    token: Secret
    api_url: str | None = None
    gateway_url: str | None = None
    shards: Literal["auto"] | None = None
    shard_ids: tuple[int, ...] | None = None
    shard_count: int | None = None
    sync: Literal["none", "global", "guild"] = "none"
    sync_guild: int | None = None
    admins: frozenset[int] = frozenset()
    allowed_channels: frozenset[int] = frozenset()
    cooldown_seconds: float = 0.0


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated. Build it with `Settings.from_env(os.environ)`."""

    content_dir: Path = DEFAULT_CONTENT_DIR
    data_dir: Path = Path("data")
    db_path: Path = Path("data/questions.sqlite3")
    log_questions: bool = True
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    match: MatchSettings = field(default_factory=MatchSettings)
    rate_limit: int = 10
    dedup_seconds: float = 60.0
    retention_days: int = 90
    hash_salt: Secret | None = None
    heartbeat_file: Path = Path("data/heartbeat")
    heartbeat_interval: float = 15.0
    health_max_age: float = 90.0
    reload_interval: float = 2.0
    telegram: TelegramSettings | None = None
    discord: DiscordSettings | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, config_file: str | Path | None = None
                 ) -> Settings:
        """Settings from `environ` and the YAML file named by BOT_CONFIG; raises ConfigError."""
        problems: list[str] = []
        path = config_file or environ.get("BOT_CONFIG") or None
        file_values = read_yaml(Path(path), problems) if path else {}
        values, warnings = collect(environ, file_values, problems)
        settings = _build(values, problems)
        if problems or settings is None:
            raise ConfigError(problems)
        return replace(settings, warnings=tuple(warnings))

    def secrets(self) -> list[str]:
        """Every secret value, for the log redaction filter."""
        found = [self.hash_salt]
        if self.telegram:
            found += [self.telegram.token, self.telegram.webhook_secret]
        if self.discord:
            found.append(self.discord.token)
        return [s.reveal() for s in found if s]

    def adapters(self) -> list[str]:
        """Names of the platform adapters that `run` starts (those with a token)."""
        return [name for name in ("telegram", "discord") if getattr(self, name) is not None]


def _build(v: dict[str, Any], problems: list[str]) -> Settings | None:
    """Assemble the Settings and check rules that involve several options."""
    match = MatchSettings(answer_confidence=v["match.answer_confidence"],
                          answer_threshold=v["match.answer_threshold"], margin=v["match.margin"],
                          min_cover=v["match.min_cover"],
                          suggest_threshold=v["match.suggest_threshold"],
                          suggest_ratio=v["match.suggest_ratio"],
                          max_suggestions=v["match.max_suggestions"],
                          default_lang=v["match.default_lang"])
    if match.suggest_threshold > match.answer_threshold:
        problems.append(f"BOT_SUGGEST_THRESHOLD={match.suggest_threshold}: must not be above "
                        f"BOT_ANSWER_THRESHOLD={match.answer_threshold}")
    data_dir: Path = v["data_dir"]
    telegram = _telegram(v, problems)
    discord = _discord(v, problems)
    if problems:
        return None
    return Settings(
        content_dir=v["content"], data_dir=data_dir,
        db_path=v["db"] or data_dir / "questions.sqlite3", log_questions=v["log.questions"],
        log_level=v["log.level"], log_format=v["log.format"], match=match,
        rate_limit=v["limits.rate_limit"], dedup_seconds=v["limits.dedup_seconds"],
        retention_days=v["retention_days"], hash_salt=v["hash_salt"],
        heartbeat_file=v["health.heartbeat_file"] or data_dir / "heartbeat",
        heartbeat_interval=v["health.interval"], health_max_age=v["health.max_age"],
        reload_interval=v["reload_interval"], telegram=telegram, discord=discord,
    )


def _telegram(v: dict[str, Any], problems: list[str]) -> TelegramSettings | None:
    token: Secret | None = v["telegram.token"]
    if not token:
        return None
    if v["telegram.webhook_url"] and not v["telegram.webhook_secret"]:
        problems.append("TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set "
                        "(1-256 characters A-Z a-z 0-9 _ -)")
    return TelegramSettings(
        token=token, base_url=v["telegram.base_url"], webhook_url=v["telegram.webhook_url"],
        listen=v["telegram.listen"], port=v["telegram.port"],
        webhook_secret=v["telegram.webhook_secret"], admins=v["telegram.admins"],
        allowed_chats=v["telegram.allowed_chats"])


def _discord(v: dict[str, Any], problems: list[str]) -> DiscordSettings | None:
    token: Secret | None = v["discord.token"]
    if not token:
        return None
    if v["discord.sync"] == "guild" and v["discord.sync_guild"] is None:
        problems.append("DISCORD_SYNC=guild: needs DISCORD_SYNC_GUILD (a server id)")
    ids, count = v["discord.shard_ids"], v["discord.shard_count"]
    if ids is not None and (count is None or any(i >= count for i in ids)):
        problems.append("DISCORD_SHARD_IDS: needs DISCORD_SHARD_COUNT greater than every id")
    return DiscordSettings(
        token=token, api_url=v["discord.api_url"], gateway_url=v["discord.gateway_url"],
        shards=v["discord.shards"], shard_ids=ids, shard_count=count, sync=v["discord.sync"],
        sync_guild=v["discord.sync_guild"], admins=v["discord.admins"],
        allowed_channels=v["discord.allowed_channels"],
        cooldown_seconds=v["discord.cooldown_seconds"])


def describe(settings: Settings) -> list[str]:
    """Human-readable lines summarising the settings (secrets masked), for `check`."""
    lines = [f"content: {settings.content_dir}", f"database: {settings.db_path}"
             + ("" if settings.log_questions else " (question log off)"),
             f"log: {settings.log_level} {settings.log_format}",
             f"limits: {settings.rate_limit}/min per user, same answer in a channel after "
             f"{settings.dedup_seconds:g} s, retention {settings.retention_days} days"]
    lines += [f"warning: {w}" for w in settings.warnings]
    return lines

