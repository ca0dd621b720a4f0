"""`run` end to end with Discord: the composition root drives the real adapter against a fake.

A slash-command question gets an answer with 👍/👎 buttons carrying the question-log ref; the
👎 click lands in the SQLite feedback table next to its question; SIGTERM stops cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from bot.bootstrap import adapters, build_service, serve_all
from bot.config import Settings
from tests.fakes.discord_api import FakeDiscord, guild_id
from tests.unit.test_service import write_content
from tests.unit.test_storage import fetch

WHERE = {"channel": 9001, "guild": guild_id(0)}
WAIT = 20.0


async def test_run_discord_feedback_is_stored(tmp_path: Path) -> None:
    """/ask answers, the 👎 on that answer is stored with the question, SIGTERM exits 0."""
    async with FakeDiscord() as fake:
        settings = Settings.from_env({
            "DISCORD_TOKEN": "fake-token-123", "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "BOT_CONTENT": str(write_content(tmp_path / "content")),
            "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_RELOAD_INTERVAL": "0"})
        service = build_service(settings)
        run = asyncio.create_task(serve_all(service, adapters(settings), settings))
        try:
            await fake.wait_ready(1, WAIT)
            inter = await fake.push_command("ask", {"question": "What is MLA?"}, **WHERE)
            [answer] = await fake.responses(inter)
            down = next(c for c in answer.custom_ids if c.startswith("faq:f:down:"))
            click = await fake.push_click(answer, down, guild=WHERE["guild"])
            await fake.responses(click)
            os.kill(os.getpid(), signal.SIGTERM)
            assert await asyncio.wait_for(run, WAIT) == 0
        finally:
            if not run.done():
                run.cancel()
            service.close()
    assert fetch(settings.db_path, "SELECT platform, chat_kind, entry_id FROM questions") == [
        ("discord", "group", "mla")]
    assert fetch(settings.db_path, "SELECT q.entry_id, f.vote FROM feedback f JOIN questions q"
                 " ON q.ref = f.question_ref") == [("mla", -1)]
