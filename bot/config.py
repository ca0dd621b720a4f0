"""The bot's settings: one frozen, typed object from the environment and an optional YAML file.

Every option has an environment variable (`BOT_*`, `TELEGRAM_*`, `DISCORD_*`) and a place in the
YAML file named by `BOT_CONFIG`; the environment wins. Every bad value is reported at once, naming
the variable and what it allows. Secrets are wrapped in `Secret`, which never prints its value.
Nothing here reads `os.environ`: callers pass the mapping (see `Settings.from_env`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.answering import MatchSettings
from bot.content import DEFAULT_CONTENT_DIR


class Secret:
    """A secret string (token, salt): `repr` and `str` show '***', `reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one call that needs it (a client's constructor)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


class ConfigError(ValueError):
    """Invalid settings; `problems` lists every bad value, one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


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
        file_values = _read_yaml(Path(path), problems) if path else {}
        values, warnings = _collect(environ, file_values, problems)
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


def _read_yaml(path: Path, problems: list[str]) -> dict[str, Any]:
    """The YAML config file flattened to dotted keys ("limits.rate_limit": 10)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.append(f"BOT_CONFIG={path}: cannot read the file ({exc.strerror})")
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problems.append(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: the config file must be a mapping of settings")
        return {}
    return _flatten(data)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _collect(environ: Mapping[str, str], file_values: dict[str, Any], problems: list[str]
             ) -> tuple[dict[str, Any], list[str]]:
    """Parse each option from env (first) or file; bad values and unknown names become problems."""
    values: dict[str, Any] = {}
    known_keys = {o.key for o in OPTIONS}
    for key in sorted(set(file_values) - known_keys):
        problems.append(f"config file: unknown setting '{key}' (known: see config.example.yaml)")
    for option in OPTIONS:
        raw, origin = _raw(option, environ, file_values)
        if raw is None:
            values[option.key] = option.default
            continue
        try:
            values[option.key] = option.parse(raw)
        except ValueError as exc:
            shown = "***" if option.secret else repr(raw)
            problems.append(f"{origin}={shown}: {exc}")
            values[option.key] = option.default  # so the cross-checks below still run
    known_env = {o.env for o in OPTIONS} | {"BOT_CONFIG"}
    warnings = [f"unknown environment variable {name} (ignored)" for name in sorted(environ)
                if name.startswith(("BOT_", "TELEGRAM_", "DISCORD_")) and name not in known_env]
    return values, warnings


def _raw(option: Option, environ: Mapping[str, str], file_values: dict[str, Any]
         ) -> tuple[object, str]:
    value = environ.get(option.env)
    if value is not None and value.strip() != "":
        return value.strip(), option.env
    if option.key in file_values and file_values[option.key] is not None:
        return file_values[option.key], f"config file '{option.key}'"
    return None, option.env


def _build(v: dict[str, Any], problems: list[str]) -> Settings | None:
    """Assemble the Settings and check rules that involve several options."""
    match = MatchSettings(answer_confidence=v["match.answer_confidence"],
                          answer_threshold=v["match.answer_threshold"], margin=v["match.margin"],
                          min_cover=v["match.min_cover"],
                          suggest_threshold=v["match.suggest_threshold"],
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

