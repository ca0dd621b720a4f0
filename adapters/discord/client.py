"""The composition root of the Discord adapter: build the client, run it, sync its commands.

`build_client` points discord.py at the configured REST API and gateway (a proxy, or the fake
Discord in tests), then composes a client that holds the service, its handlers and a command
tree. Lean caches: no member chunking, no member cache, no message cache.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import commands, components, render, sending
from adapters.discord.config import DiscordConfig
from adapters.discord.handlers import Handlers
from adapters.discord.sending import NO_PINGS
from bot.reloading import ReloadOutcome
from bot.service import Service

log = logging.getLogger(__name__)

DISCORD_API_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
SHUTDOWN_GRACE = 10.0  # seconds the replies in flight get to finish when the bot stops


def intents() -> discord.Intents:
    """Guilds and messages, without the privileged message-content and members intents.

    Discord still sends the content of DMs and of messages that mention the bot.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class FaqClient(discord.Client):
    """A discord.py client holding the service, its handlers and the slash-command tree."""

    def __init__(self, service: Service, config: DiscordConfig, **options: Any) -> None:
        super().__init__(
            intents=intents(),
            allowed_mentions=NO_PINGS,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            **options,
        )
        self.config = config
        self.handlers = Handlers(service, config)
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(self)
        self.tree.error(self._on_tree_error)
        commands.install(self.tree, self.handlers)

    async def setup_hook(self) -> None:
        """Once, after login: persistent buttons, translations, optional sync, shard count."""
        self.add_dynamic_items(*components.PERSISTENT_ITEMS)
        await self.tree.set_translator(commands.FaqTranslator(self.handlers.service))
        if self.config.sync != "none":
            await sync_tree(self, self.config.sync_guild if self.config.sync == "guild" else None)
        await self._count_shards()

    async def _count_shards(self) -> None:
        # With "auto" sharding discord.py connects to the URL /gateway/bot returns; to go
        # through a configured gateway proxy we take only the shard count from it.
        if isinstance(self, discord.AutoShardedClient) and self.shard_count is None and (
            self.config.gateway_url
        ):
            self.shard_count, _, _ = await self.http.get_bot_gateway()

    async def tell_admins(self, outcome: ReloadOutcome) -> None:
        """A reload listener: tell each admin, in a DM, how an automatic content reload went."""
        if self.is_closed():
            return
        answerer = self.handlers.service.answerer
        payloads = render.render_text(outcome.text(answerer, answerer.detect_language("", None)))
        for admin in sorted(self.config.admins, key=int):
            try:
                user = await self.fetch_user(int(admin))
                await sending.to_channel(user, payloads)
            except discord.HTTPException:  # an admin who left or closed their DMs: the others
                log.warning("discord: could not tell admin about the reload", exc_info=True)

    async def on_ready(self) -> None:
        """Connected (again): one log line, without ids."""
        log.info("discord: connected as %s to %d servers", self.user, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """A message the bot can see: the handlers decide whether it is a question."""
        if self.user is not None:
            await self.handlers.message(message, self.user)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Any event handler's error: log it, apologise when it came from a message."""
        target = args[0] if args and isinstance(args[0], discord.Message) else None
        if target is not None and not target.author.bot:
            await self.handlers.fail(target)
        else:
            log.exception("discord: error in %s", event_method)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        try:
            raise error  # so that fail() logs the traceback of the command's error
        except app_commands.AppCommandError:
            await self.handlers.fail(interaction)


class ShardedFaqClient(FaqClient, discord.AutoShardedClient):
    """The same client over several shards (all of them, or the configured ones)."""


def point_at(config: DiscordConfig) -> None:
    """Send discord.py's REST calls and gateway connections where the config says.

    discord.py reads these two class attributes; setting them here (never at import) keeps a
    process that was pointed at a proxy or a test server from leaking it into the next client.
    """
    Route.BASE = api_base(config.api_url or DISCORD_API_URL)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url or DISCORD_GATEWAY_URL)


def api_base(url: str) -> str:
    """The REST base with the API version: a bare proxy URL gets discord.py's `/api/v10`."""
    url = url.rstrip("/")
    if re.search(r"/api/v\d+$", url):
        return url
    return url + ("/v10" if url.endswith("/api") else "/api/v10")


def build_client(service: Service, config: DiscordConfig) -> FaqClient:
    """The configured client, not yet connected."""
    point_at(config)
    if not config.sharded:
        return FaqClient(service, config)
    shard_ids = list(config.shard_ids) if config.shard_ids is not None else None
    return ShardedFaqClient(service, config, shard_ids=shard_ids, shard_count=config.shard_count)


async def serve(service: Service, config: DiscordConfig, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set, then close cleanly; raises if the connection fails."""
    client = build_client(service, config)
    if config.admins:
        service.add_reload_listener(client.tell_admins)
    async with client:
        runner = asyncio.create_task(client.start(config.token), name="discord-client")
        stopper = asyncio.create_task(stop.wait(), name="discord-stop")
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        # Let the replies being written go out before the HTTP session closes.
        if not await client.handlers.in_flight.drain(SHUTDOWN_GRACE):
            log.warning("discord: stopping with %d replies unfinished",
                        client.handlers.in_flight.count)
        await client.close()
        await runner  # re-raises a failed login or a fatal gateway close


async def sync_tree(client: FaqClient, guild_id: int | None) -> int:
    """Register the slash commands globally, or to one guild (instant); the number synced."""
    guild = discord.Object(guild_id) if guild_id is not None else None
    if guild is not None:
        client.tree.copy_global_to(guild=guild)
    synced = await client.tree.sync(guild=guild)
    log.info("discord: %d commands synced %s", len(synced), f"to guild {guild_id}" if guild else
             "globally (may take up to an hour to show)")
    return len(synced)


async def sync_commands(
    config: DiscordConfig, service: Service, guild_id: int | None = None
) -> int:
    """The explicit sync: log in over REST only, sync, close. `guild_id` overrides the config."""
    if guild_id is None and config.sync == "guild":
        guild_id = config.sync_guild
    client = build_client(service, dataclasses.replace(config, sync="none"))
    async with client:
        await client.login(config.token)
        return await sync_tree(client, guild_id)
