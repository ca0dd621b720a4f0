"""Settings: environment and YAML file, validation of every value at once, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import OPTIONS, ConfigError, Secret, Settings


def test_defaults_without_any_variable() -> None:
    """An empty environment gives the documented defaults and starts no platform adapter."""
    settings = Settings.from_env({})
    assert settings.rate_limit == 10
    assert settings.dedup_seconds == 60
    assert settings.retention_days == 90
    assert settings.match.default_lang == "fr"
    assert settings.db_path == Path("data/questions.sqlite3")
    assert settings.adapters() == []


def test_environment_values_are_typed() -> None:
    """Numbers, lists of ids and languages are parsed into their types."""
    settings = Settings.from_env({
        "TELEGRAM_TOKEN": "123:abc", "BOT_ADMINS_TELEGRAM": "1, 2", "BOT_RATE_LIMIT": "5",
        "BOT_DEFAULT_LANG": "EN", "BOT_ANSWER_THRESHOLD": "0.7", "BOT_DATA_DIR": "/srv/d",
        "DISCORD_TOKEN": "dt", "DISCORD_SYNC": "guild", "DISCORD_SYNC_GUILD": "42",
        "BOT_ALLOWED_CHANNELS_DISCORD": "7,8", "BOT_SUGGEST_RATIO": "0.5",
    })
    assert settings.telegram is not None and settings.telegram.admins == frozenset({1, 2})
    assert settings.telegram.token.reveal() == "123:abc"
    assert settings.discord is not None and settings.discord.sync_guild == 42
    assert settings.discord.allowed_channels == frozenset({7, 8})
    assert settings.rate_limit == 5 and settings.match.default_lang == "en"
    assert settings.match.answer_threshold == 0.7 and settings.match.suggest_ratio == 0.5
    assert settings.db_path == Path("/srv/d/questions.sqlite3")
    assert settings.heartbeat_file == Path("/srv/d/heartbeat")
    assert settings.adapters() == ["telegram", "discord"]


def test_every_bad_value_is_reported_at_once() -> None:
    """Several bad values give one error naming each variable and what it allows."""
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({
            "BOT_RATE_LIMIT": "lots", "BOT_ANSWER_THRESHOLD": "1.5", "BOT_DEFAULT_LANG": "de",
            "BOT_LOG_FORMAT": "xml", "BOT_ADMINS_DISCORD": "alice", "DISCORD_TOKEN": "t",
            "DISCORD_SYNC": "guild",
        })
    problems = "\n".join(caught.value.problems)
    assert "BOT_RATE_LIMIT='lots': expected a whole number >= 0" in problems
    assert "BOT_ANSWER_THRESHOLD='1.5': expected a number from 0 to 1" in problems
    assert "BOT_DEFAULT_LANG='de': expected one of: fr, en" in problems
    assert "BOT_LOG_FORMAT='xml': expected one of: text, json" in problems
    assert "BOT_ADMINS_DISCORD='alice': expected numeric ids" in problems
    assert "DISCORD_SYNC=guild: needs DISCORD_SYNC_GUILD" in problems
    assert len(caught.value.problems) == 6


def test_thresholds_must_be_ordered() -> None:
    """A suggest threshold above the answer threshold is refused."""
    with pytest.raises(ConfigError, match="must not be above BOT_ANSWER_THRESHOLD"):
        Settings.from_env({"BOT_SUGGEST_THRESHOLD": "0.8", "BOT_ANSWER_THRESHOLD": "0.6"})


def test_yaml_file_is_read_and_env_wins(tmp_path: Path) -> None:
    """The BOT_CONFIG file sets values; an environment variable overrides the same setting."""
    config = tmp_path / "bot.yaml"
    config.write_text("limits:\n  rate_limit: 3\n  dedup_seconds: 30\n"
                      "match:\n  default_lang: en\n"
                      "telegram:\n  token: '1:x'\n  admins: [5, 6]\n", encoding="utf-8")
    settings = Settings.from_env({"BOT_CONFIG": str(config), "BOT_RATE_LIMIT": "7"})
    assert settings.rate_limit == 7
    assert settings.dedup_seconds == 30
    assert settings.match.default_lang == "en"
    assert settings.telegram is not None and settings.telegram.admins == frozenset({5, 6})


def test_yaml_file_errors_name_the_key(tmp_path: Path) -> None:
    """Unknown keys and bad values in the file are reported with their dotted key."""
    config = tmp_path / "bot.yaml"
    config.write_text("limits:\n  rate_limt: 3\nretention_days: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"BOT_CONFIG": str(config)})
    problems = "\n".join(caught.value.problems)
    assert "unknown setting 'limits.rate_limt'" in problems
    assert "config file 'retention_days'=-1: expected a whole number >= 1" in problems


def test_broken_yaml_file_gives_its_line(tmp_path: Path) -> None:
    """A YAML syntax error in the config file is reported with file and line."""
    config = tmp_path / "bot.yaml"
    config.write_text("limits:\n  rate_limit: [3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bot\.yaml:\d+: not valid YAML"):
        Settings.from_env({"BOT_CONFIG": str(config)})


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    """BOT_CONFIG pointing nowhere is reported, not ignored."""
    with pytest.raises(ConfigError, match="cannot read the file"):
        Settings.from_env({"BOT_CONFIG": str(tmp_path / "nope.yaml")})


def test_secrets_never_print() -> None:
    """Tokens do not appear in repr/str of the settings, nor in error messages."""
    token = "987654:SECRET-TOKEN-VALUE"
    settings = Settings.from_env({"TELEGRAM_TOKEN": token, "BOT_HASH_SALT": "pepper-salt"})
    assert token not in repr(settings) and token not in str(settings)
    assert "pepper-salt" not in repr(settings)
    assert str(Secret(token)) == "***"
    assert set(settings.secrets()) == {token, "pepper-salt"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"TELEGRAM_WEBHOOK_SECRET": "bad secret with spaces!"})
    assert "bad secret" not in str(caught.value)


def test_webhook_needs_a_secret() -> None:
    """Webhook mode without a secret token is refused (anyone could post updates)."""
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET: required"):
        Settings.from_env({"TELEGRAM_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://x.org/tg"})


def test_unknown_bot_variable_is_a_warning() -> None:
    """A misspelt BOT_* variable is surfaced as a warning rather than silently ignored."""
    settings = Settings.from_env({"BOT_RATE_LIMT": "3"})
    assert settings.warnings == ("unknown environment variable BOT_RATE_LIMT (ignored)",)


REPO = Path(__file__).resolve().parents[2]


def test_example_files_are_valid_and_complete() -> None:
    """config.example.yaml loads without error and .env.example mentions every variable."""
    Settings.from_env({"BOT_CONFIG": str(REPO / "config.example.yaml")})
    documented = (REPO / ".env.example").read_text(encoding="utf-8")
    missing = [o.env for o in OPTIONS if o.env not in documented]
    assert missing == []
