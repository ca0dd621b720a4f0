"""`python -m bot sync-discord`: the explicit command sync, run as a user runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakes.discord_api import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


async def sync_in_a_process(fake: FakeDiscord, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DISCORD_"))}
    env |= {"DISCORD_TOKEN": "fake-token-123", "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url, "BOT_LOG_QUESTIONS": "false"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sync-discord", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_sync_discord_command_registers_in_one_guild() -> None:
    """`sync-discord --guild ID` registers the four commands in that guild and says so."""
    async with FakeDiscord() as fake:
        status, out, err = await sync_in_a_process(fake, "--guild", "123456789012345678")
    assert status == 0, err
    [(path, commands)] = fake.synced
    assert path.endswith("/guilds/123456789012345678/commands") and len(commands) == 4
    assert "4 commands registered in guild 123456789012345678" in out
    assert "fake-token-123" not in out + err


async def test_sync_discord_command_registers_globally() -> None:
    """Without --guild the commands are registered globally."""
    async with FakeDiscord() as fake:
        status, out, err = await sync_in_a_process(fake)
    assert status == 0, err
    [(path, _)] = fake.synced
    assert path == f"/api/v10/applications/{fake.app_id}/commands"
    assert "registered globally" in out
