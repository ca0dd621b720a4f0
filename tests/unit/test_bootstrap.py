"""Composition root: check, running adapters in one loop, clean shutdown, heartbeat and health."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Adapter, adapters, build_service, run_bot, run_check, serve_all
from bot.config import Settings
from bot.health import heartbeat_age, run_health, write_heartbeat
from bot.service import Asker, Service
from tests.unit.test_service import write_content
from tests.unit.test_storage import fetch

WHO = "Qui est Liang Wenfeng ?"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    content = write_content(tmp_path / "content")
    return {"BOT_CONTENT": str(content), "BOT_DATA_DIR": str(tmp_path / "data"),
            "BOT_HEARTBEAT_INTERVAL": "1", "BOT_RELOAD_INTERVAL": "0"}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_check_passes_on_good_settings_and_content(env: dict[str, str]) -> None:
    """`check` on valid config and content exits 0 and says the console would open."""
    out = io.StringIO()
    assert run_check(env, out) == 0
    text = out.getvalue()
    assert "2 entries, 0 errors" in text and "console chat" in text and "check: ok" in text


def test_check_names_the_adapters_that_would_start(env: dict[str, str]) -> None:
    """With tokens set, `check` lists each adapter and its mode, without any network."""
    env |= {"TELEGRAM_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret", "DISCORD_TOKEN": "dtok"}
    out = io.StringIO()
    assert run_check(env, out) == 0
    text = out.getvalue()
    assert "adapter telegram: would start (webhook https://bot.example.org/tg" in text
    assert "adapter discord: would start" in text
    assert "1:abc" not in text and "dtok" not in text and "s3cret" not in text


def test_check_fails_on_broken_content(env: dict[str, str]) -> None:
    """A content error makes `check` exit 1 and show file and line."""
    (Path(env["BOT_CONTENT"]) / "qa" / "bad.yaml").write_text("- id: x\n  qestions: {}\n")
    out = io.StringIO()
    assert run_check(env, out) == 1
    assert "bad.yaml:" in out.getvalue()


def test_check_fails_on_bad_settings(env: dict[str, str]) -> None:
    """A bad setting makes `check` exit 1 with the variable named."""
    out = io.StringIO()
    assert run_check(env | {"BOT_RATE_LIMIT": "-3"}, out) == 1
    assert "BOT_RATE_LIMIT='-3'" in out.getvalue()


def test_adapter_configs_are_built_from_settings() -> None:
    """The platform configs get the raw token and ids in the types each adapter expects."""
    settings = Settings.from_env({"TELEGRAM_TOKEN": "1:abc", "BOT_ADMINS_TELEGRAM": "5",
                                  "DISCORD_TOKEN": "dtok", "BOT_ADMINS_DISCORD": "6"})
    telegram, discord = adapters(settings)
    assert telegram.config.token == "1:abc" and telegram.config.admins == frozenset({5})
    assert discord.config.token == "dtok" and discord.config.admins == frozenset({6})
    assert [a.name for a in adapters(settings, only=["discord"])] == ["discord"]


def test_no_log_means_no_database(env: dict[str, str]) -> None:
    """--no-log builds a service without a question log, and creates no database file."""
    settings = Settings.from_env(env)
    service = build_service(settings, log_questions=False)
    assert service.log is None
    assert not settings.db_path.exists()


async def test_sigterm_stops_adapters_after_replies_in_flight(env: dict[str, str]) -> None:
    """SIGTERM sets stop; each adapter finishes its reply in flight; the heartbeat was written."""
    settings = Settings.from_env(env)
    service = build_service(settings)
    finished: list[str] = []
    started = asyncio.Event()

    async def fake_serve(svc: Service, config: str, stop: asyncio.Event) -> None:
        started.set()
        await stop.wait()
        await asyncio.sleep(0.05)  # a reply still being sent when the signal came
        reply = svc.ask(WHO, Asker(config, "7", "7"))
        finished.append(f"{config}:{reply.entry_id if reply else None}")

    chosen = [Adapter("one", fake_serve, "one"), Adapter("two", fake_serve, "two")]
    run = asyncio.create_task(serve_all(service, chosen, settings))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.05)
    assert heartbeat_age(settings.heartbeat_file) is not None
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(run, 10) == 0
    service.close()
    assert sorted(finished) == ["one:who-is-liang-wenfeng", "two:who-is-liang-wenfeng"]
    assert not settings.heartbeat_file.exists()
    assert fetch(settings.db_path, "SELECT count(*) FROM questions") == [(2,)]


async def test_a_failing_adapter_stops_the_others(env: dict[str, str]) -> None:
    """If one adapter dies, the others are stopped and the exit status is 1."""
    settings = Settings.from_env(env)
    service = build_service(settings, log_questions=False)
    stopped: list[bool] = []

    async def broken(svc: Service, config: object, stop: asyncio.Event) -> None:
        raise ConnectionError("platform unreachable")

    async def healthy(svc: Service, config: object, stop: asyncio.Event) -> None:
        await stop.wait()
        stopped.append(True)

    chosen = [Adapter("broken", broken, None), Adapter("healthy", healthy, None)]
    assert await asyncio.wait_for(serve_all(service, chosen, settings), 10) == 1
    assert stopped == [True]


def test_run_without_token_opens_the_console(env: dict[str, str], restore_logging: None) -> None:
    """No token: `run` is the console chat, and its questions are logged."""
    stdin = io.StringIO(f"{WHO}\n/quit\n")
    stdout = io.StringIO()
    assert run_bot(env, stdin=stdin, stdout=stdout) == 0
    assert "fondateur de DeepSeek" in stdout.getvalue()
    db = Path(env["BOT_DATA_DIR"]) / "questions.sqlite3"
    rows = fetch(db, "SELECT platform, entry_id FROM questions")
    assert rows == [("console", "who-is-liang-wenfeng")]


def test_run_with_bad_settings_exits_2(env: dict[str, str], capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    """A bad setting stops `run` before anything starts, saying what is wrong."""
    assert run_bot(env | {"BOT_LOG_LEVEL": "loud"}) == 2
    assert "BOT_LOG_LEVEL='loud'" in capsys.readouterr().err


def test_health_reports_fresh_stale_and_missing(tmp_path: Path) -> None:
    """`health` exits 0 on a fresh heartbeat, 1 on a stale or missing one."""
    beat = tmp_path / "hb"
    out = io.StringIO()
    assert run_health(beat, 90, out) == 1 and "no heartbeat" in out.getvalue()
    write_heartbeat(beat, now=1000.0)
    assert run_health(beat, 90, io.StringIO(), now=1030.0) == 0
    stale = io.StringIO()
    assert run_health(beat, 90, stale, now=1200.0) == 1
    assert "200 s ago" in stale.getvalue()


def test_cli_check_stats_health(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot check|stats|health` reach the ops functions with the env settings."""
    from bot.__main__ import main

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    assert main(["check"], out) == 0 and "check: ok" in out.getvalue()
    assert main(["health"], io.StringIO()) == 1  # nothing running: no heartbeat
    write_heartbeat(Path(env["BOT_DATA_DIR"]) / "heartbeat")
    assert main(["health"], io.StringIO()) == 0
    service = build_service(Settings.from_env(env))
    service.ask(WHO, Asker("cli", "1", "1"))
    service.close()
    stats = io.StringIO()
    assert main(["stats", "--since", "1d", "--json"], stats) == 0
    assert '"total": 1' in stats.getvalue()
