"""The bot as a real process (`run_bot(only=["telegram"])`, what `python -m bot run --telegram`
runs), against the fake Bot API on 127.0.0.1.

The whole chain: environment → settings → bootstrap → Telegram adapter → answer → SIGTERM →
clean exit, with the token never printed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import WAIT, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
RUN = ("-m", "bot", "run", "--telegram")  # the command a deployment runs
ENTRY = """\
- id: who-is-liang-wenfeng
  questions:
    fr: ["Qui est Liang Wenfeng ?"]
    en: ["Who is Liang Wenfeng?"]
  answer:
    fr: "**Liang Wenfeng** est le fondateur de DeepSeek."
    en: "**Liang Wenfeng** is the founder of DeepSeek."
  source: "暗涌 Waves, 2024"
"""


def small_content(root: Path) -> Path:
    """One entry and the bot's real phrases (the real entries change under other hands)."""
    (root / "qa").mkdir(parents=True)
    (root / "qa" / "basics.yaml").write_text(ENTRY, encoding="utf-8")
    shutil.copy(ROOT / "content" / "messages.yaml", root / "messages.yaml")
    return root


async def test_run_telegram_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    """Telegram only, TELEGRAM_BASE_URL set: answers a question, then exits 0 on SIGTERM."""
    api = FakeBotApi()
    root = await api.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env |= {"TELEGRAM_TOKEN": api.token, "TELEGRAM_BASE_URL": root,
            "BOT_CONTENT": str(small_content(tmp_path / "content")),
            "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_RELOAD_INTERVAL": "0"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, *RUN, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_until(lambda: bool(api.calls_of("getUpdates")), WAIT * 2)
        api.push(api.message(1001, "Qui est Liang Wenfeng ?"))
        (sent,) = await api.wait_sent(1001, timeout=WAIT)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), WAIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await api.close()
    assert process.returncode == 0, err.decode()
    assert "est le fondateur de DeepSeek" in sent["text"]
    assert set(api.commands) == {None, "fr", "en"}
    logs = out + err
    assert b"telegram adapter running" in logs  # the logs were written, and they are clean:
    assert api.token.encode() not in logs and api.token.split(":")[1].encode() not in logs
