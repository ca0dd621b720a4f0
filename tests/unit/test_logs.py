"""Logging: one line per event, JSON option, and tokens never reach the output, even on errors."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.content import load_content
from bot.logs import Redactor, setup_logging
from bot.service import Asker, Service
from tests.unit.test_service import write_content

TG_TOKEN = "7012345678:AAHk3v9-QxYzSECRETsecretSECRET_abcdef"
DC_TOKEN = "MTEyMzQ1Njc4OTAxMjM0NTY3OA.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = setup_logging("DEBUG", "text", [TG_TOKEN, DC_TOKEN], stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(level)


def test_token_in_an_exception_is_redacted(output: io.StringIO) -> None:
    """An exception whose message holds the token is logged with its traceback, token masked."""
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TG_TOKEN}/getMe failed")
    except RuntimeError:
        logging.getLogger("telegram.ext.Application").exception("error while polling")
    text = output.getvalue()
    assert "error while polling" in text and "RuntimeError" in text and "Traceback" in text
    assert TG_TOKEN not in text and "/bot***/getMe" in text


def test_token_in_library_request_logs_is_redacted(output: io.StringIO) -> None:
    """httpx-style request lines and discord.py-style headers never show the token."""
    logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 200 OK"',
                                       f"https://api.telegram.org/bot{TG_TOKEN}/getUpdates")
    logging.getLogger("discord.client").warning("headers: %s",
                                                {"Authorization": f"Bot {DC_TOKEN}"})
    logging.getLogger("bot").info("startup", extra={"url": f"http://x/bot{TG_TOKEN}/y"})
    text = output.getvalue()
    assert TG_TOKEN not in text and DC_TOKEN not in text
    assert text.count("***") >= 3


def test_unknown_token_shapes_are_masked_too() -> None:
    """Credential-shaped strings are masked even if they are not in the configured secrets."""
    redact = Redactor()
    other = "5550001112:BBFqwertyuiopasdfghjklzxcvbnm12345"
    assert redact(f"token={other}") == "token=***"
    assert DC_TOKEN not in redact(f"login with {DC_TOKEN}")
    assert redact("Qui est Liang Wenfeng ? score=0.91") == "Qui est Liang Wenfeng ? score=0.91"


def test_json_format_is_one_object_per_line() -> None:
    """BOT_LOG_FORMAT=json writes one parseable object per event, with the extra fields."""
    stream = io.StringIO()
    handler = setup_logging("INFO", "json", [TG_TOKEN], stream)
    try:
        logging.getLogger("bot.service").info(
            "question", extra={"event": "question", "platform": "telegram",
                               "outcome": "answer", "entry_id": "mla", "latency_ms": 1.2})
        try:
            raise ValueError(f"bad {TG_TOKEN}")
        except ValueError:
            logging.getLogger("x").exception("boom\nsecond line")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "question" and first["entry_id"] == "mla"
    assert first["latency_ms"] == 1.2 and first["level"] == "INFO"
    assert "ValueError" in second["exc"] and TG_TOKEN not in lines[1]


def test_question_events_carry_outcome_but_no_user_id(output: io.StringIO,
                                                       tmp_path: Path) -> None:
    """The service logs platform, outcome, entry id and latency, never the raw user id."""
    service = Service(Answerer(load_content(write_content(tmp_path))))
    service.ask("Qui est Liang Wenfeng ?", Asker("telegram", "424242424242", "99", "private"))
    line = next(x for x in output.getvalue().splitlines() if "event=question" in x)
    assert "platform=telegram" in line and "outcome=answer" in line
    assert "entry_id=who-is-liang-wenfeng" in line and "latency_ms=" in line
    assert "424242424242" not in output.getvalue()


def test_setup_is_idempotent() -> None:
    """Calling setup twice leaves one handler of ours, not two."""
    first = setup_logging("INFO", "text", [], io.StringIO())
    second = setup_logging("INFO", "text", [], io.StringIO())
    root = logging.getLogger()
    try:
        assert first not in root.handlers and second in root.handlers
    finally:
        root.removeHandler(second)
