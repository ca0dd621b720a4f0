"""Discord adapter: slash commands, DMs and @mentions, persistent buttons (discord.py)."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    # discord.py imports the stdlib `audioop` for voice (which we never use); Python 3.11+
    # warns that it is deprecated. Silence that one warning here, where discord is first
    # imported, so `filterwarnings = error` in the tests does not turn it into a failure.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401  (imported first, for the warning filter above)

from adapters.discord.client import build_client, serve, sync_commands
from adapters.discord.config import DiscordConfig

__all__ = ["DiscordConfig", "build_client", "serve", "sync_commands"]
