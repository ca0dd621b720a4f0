"""`run` end to end: the composition root drives the real Telegram adapter against a fake Bot API.

One process as in production: settings from the environment, the shared Service with its
question log, the content watcher and the heartbeat; a question, a 👎 on its answer, a live
content edit announced to the admin, then SIGTERM. Everything on 127.0.0.1, nothing external.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
from pathlib import Path

from bot.bootstrap import adapters, build_service, serve_all
from bot.config import Settings
from bot.health import heartbeat_age
from bot.logs import setup_logging
from tests.fakes.telegram_api import FakeBotApi
from tests.unit.test_reloading import NEW_ENTRY
from tests.unit.test_service import write_content
from tests.unit.test_storage import fetch

USER, ADMIN = 4242, 1001
WAIT = 15.0


async def test_run_question_feedback_reload_and_sigterm(tmp_path: Path) -> None:
    """Answer, store the 👎 with the question, notify the admin of a reload, stop cleanly."""
    api = FakeBotApi()
    root = await api.start()
    content = write_content(tmp_path / "content")
    settings = Settings.from_env({
        "TELEGRAM_TOKEN": api.token, "TELEGRAM_BASE_URL": root,
        "BOT_ADMINS_TELEGRAM": str(ADMIN), "BOT_CONTENT": str(content),
        "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_RELOAD_INTERVAL": "0.1",
        "BOT_HEARTBEAT_INTERVAL": "1"})
    service = build_service(settings)
    run = asyncio.create_task(serve_all(service, adapters(settings), settings))
    try:
        await api.wait_until(lambda: bool(api.calls_of("getUpdates")), WAIT)
        assert heartbeat_age(settings.heartbeat_file) is not None

        api.push(api.message(USER, "Qui est Liang Wenfeng ?"))
        answer = (await api.wait_sent(USER, 1, WAIT))[0]
        assert "fondateur de DeepSeek" in answer["text"]
        buttons = [b for row in answer["reply_markup"]["inline_keyboard"] for b in row]
        thumbs_down = next(b["callback_data"] for b in buttons if b["text"] == "👎")
        api.push(api.callback(answer, thumbs_down))
        await api.wait_until(lambda: bool(api.calls_of("answerCallbackQuery")), WAIT)

        (content / "qa" / "extra.yaml").write_text(NEW_ENTRY, encoding="utf-8")
        notice = (await api.wait_sent(ADMIN, 1, WAIT))[0]
        assert notice["text"] == "Rechargé : 3 entrées."  # reload_ok, with the new entry
        api.push(api.message(USER, "Quelle est la recette des crêpes de Liang ?"))
        second = (await api.wait_sent(USER, 2, WAIT))[1]
        assert "ajoutée pendant que le bot tourne" in second["text"]

        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(run, WAIT) == 0
    finally:
        if not run.done():
            run.cancel()
        service.close()
        await api.close()

    assert not settings.heartbeat_file.exists()
    rows = fetch(settings.db_path, "SELECT entry_id, platform, user_hash FROM questions"
                 " ORDER BY ts")
    assert [r[:2] for r in rows] == [("who-is-liang-wenfeng", "telegram"),
                                     ("pancake-recipe", "telegram")]
    assert str(USER) not in rows[0][2]
    votes = fetch(settings.db_path, "SELECT q.entry_id, f.vote FROM feedback f JOIN questions q"
                  " ON q.ref = f.question_ref")
    assert votes == [("who-is-liang-wenfeng", -1)]


async def test_token_never_logged_even_when_telegram_fails(tmp_path: Path) -> None:
    """With DEBUG logs and failing API calls, the log output never contains the bot token."""
    api = FakeBotApi()
    root = await api.start()
    settings = Settings.from_env({
        "TELEGRAM_TOKEN": api.token, "TELEGRAM_BASE_URL": root, "BOT_LOG_LEVEL": "debug",
        "BOT_CONTENT": str(write_content(tmp_path / "content")),
        "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_RELOAD_INTERVAL": "0"})
    stream = io.StringIO()
    logger = logging.getLogger()
    level = logger.level
    handler = setup_logging(settings.log_level, "text", settings.secrets(), stream)
    service = build_service(settings, log_questions=False)
    run = asyncio.create_task(serve_all(service, adapters(settings), settings))
    try:
        await api.wait_until(lambda: bool(api.calls_of("getUpdates")), WAIT)
        api.fail("sendMessage", 400, times=5)
        api.push(api.message(USER, "Qui est Liang Wenfeng ?"))
        await api.wait_until(lambda: bool(api.calls_of("sendMessage")), WAIT)
        await asyncio.sleep(0.2)  # let the error handler log its traceback
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(run, WAIT)
    finally:
        if not run.done():
            run.cancel()
        service.close()
        await api.close()
        logger.removeHandler(handler)
        logger.setLevel(level)
    output = stream.getvalue()
    assert "ERROR" in output and "Traceback" in output  # the failure was logged...
    assert "/bot***" in output  # ...as were PTB's token-bearing URLs, masked...
    assert api.token not in output  # ...and the token appears nowhere
    assert api.token.split(":")[1] not in output
