"""A fake Discord on 127.0.0.1 (port 0): the REST routes the bot uses and a websocket gateway.

REST answers with `Content-Type: application/json` exactly (discord.py only parses that), 404 for
any route it does not know (recorded in `unhandled`, so gaps fail loudly), and enforces the rules
the bot must respect: 2000 characters of content, embed limits, component limits, one response
per interaction. Every message records who it would have pinged under Discord's mention rules.

The gateway speaks HELLO, heartbeat ACK, IDENTIFY -> READY + GUILD_CREATE, RESUME -> RESUMED, and
sharding: a guild lives on shard (guild_id >> 22) % shard_count. Tests push MESSAGE_CREATE and
INTERACTION_CREATE with `push_message` / `push_command` / `push_autocomplete` / `push_click`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import WSMsgType, web

from adapters.discord import DiscordConfig, serve
from bot.model import Content, Entry, Topic, frozen_map

DISCORD_EPOCH = 1420070400000
MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
USER = 700_000_000_000_000_001  # a realistic snowflake: discord.py parses 15-20 digits
TOKEN = "fake-token-123"
WAIT = 10.0  # seconds: the most any wait in the fake lasts before it fails the test


def guild_id(k: int) -> int:
    """A guild id whose shard, out of n, is k % n (the shard bits are the timestamp)."""
    return (1_000_000_000 + k) << 22


@dataclass
class Sent:
    """One thing the bot sent: a channel message, an interaction callback or a follow-up."""

    kind: str  # "message" | "callback" | "followup"
    id: int
    channel_id: int
    body: dict[str, Any]
    pings: list[str]
    interaction_id: int | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The message part: the body itself, or a callback's `data`."""
        return self.body.get("data") or {} if self.kind == "callback" else self.body

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def text(self) -> str:
        """Content and embed texts together, for assertions about what the user reads."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    @property
    def custom_ids(self) -> list[str]:
        rows = self.data.get("components") or []
        return [c["custom_id"] for row in rows for c in row.get("components", [])]

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)


@dataclass
class _Session:
    id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None


@dataclass
class _Interaction:
    id: int
    token: str
    channel_id: int
    answered: bool = False
    deleted: bool = False  # the original response was deleted
    sent: list[Sent] = field(default_factory=list)


class FakeDiscord:
    """The fake server; `async with FakeDiscord(...) as fake:` starts and stops it."""

    def __init__(self, guilds: dict[int, list[int]] | None = None, shard_count: int = 1,
                 token: str = TOKEN) -> None:
        self.token = token  # the bot token the fake accepts (REST and IDENTIFY)
        self.bot_id, self.app_id = 1_100_000_000_000_000_001, 1_200_000_000_000_000_001
        self.guilds = guilds if guilds is not None else {guild_id(0): [9001]}
        self.shard_count = shard_count  # what /gateway/bot recommends
        self.sent: list[Sent] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.synced: list[tuple[str, list[dict[str, Any]]]] = []
        self.unhandled: list[str] = []
        self.rejected: list[str] = []
        self.posts_started = 0  # channel-message POSTs received, finished or not
        self.slow_messages = 0.0  # seconds each channel-message POST takes to answer
        self._ids = itertools.count(5_000_000)
        self._sessions: dict[str, _Session] = {}
        self._interactions: dict[str, _Interaction] = {}
        self._dm_channels: set[int] = set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._authenticate])
        api = "/api/v10"
        app.router.add_get(api + "/users/@me", self._me)
        app.router.add_get(api + "/applications/@me", self._application)
        app.router.add_get(api + "/oauth2/applications/@me", self._application)
        app.router.add_get(api + "/users/{user}", self._user)
        app.router.add_post(api + "/users/@me/channels", self._open_dm)
        app.router.add_get(api + "/gateway/bot", self._gateway_bot)
        app.router.add_get(api + "/gateway", self._gateway_bot)
        app.router.add_post(api + "/channels/{channel}/messages", self._create_message)
        app.router.add_post(api + "/interactions/{id}/{token}/callback", self._callback)
        app.router.add_post(api + "/webhooks/{app}/{token}", self._followup)
        app.router.add_delete(api + "/webhooks/{app}/{token}/messages/@original", self._delete)
        app.router.add_put(api + "/applications/{app}/commands", self._sync)
        app.router.add_put(api + "/applications/{app}/guilds/{guild}/commands", self._sync)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for session in self._sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- waiting ----------------------------------------------------------------------------
    async def until(self, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        """Wait until `predicate()` holds; fail with TimeoutError after `timeout` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_sent(self, count: int, timeout: float = WAIT) -> list[Sent]:
        """Wait for at least `count` sends in total, and return them all."""
        await self.until(lambda: len(self.sent) >= count, timeout)
        return list(self.sent)

    async def wait_ready(self, shards: int = 1, timeout: float = WAIT) -> None:
        """Wait until `shards` gateway sessions are connected (READY sent)."""
        await self.until(lambda: len(self._live()) >= shards, timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _live(self) -> list[_Session]:
        return [s for s in self._sessions.values() if s.ws is not None and not s.ws.closed]

    # --- REST -------------------------------------------------------------------------------
    def _json(self, data: Any, status: int = 200) -> web.Response:
        # Exactly "application/json": aiohttp's json_response adds "; charset=utf-8", which
        # discord.py would not parse.
        body = json.dumps(data).encode()
        return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})

    def _error(self, status: int, code: int, message: str) -> web.Response:
        self.rejected.append(message)
        return self._json({"code": code, "message": message}, status)

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # Interaction callbacks and follow-ups are authorised by their token in the URL; every
        # other REST call needs the bot token, as on Discord.
        open_route = request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
        if request.path.startswith("/api/") and not open_route and (
            request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return self._error(401, 0, "401: Unauthorized")
        response: web.StreamResponse = await handler(request)
        return response

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unhandled.append(f"{request.method} {request.path}")
        return self._json({"code": 0, "message": "404: Not Found"}, 404)

    async def _me(self, request: web.Request) -> web.Response:
        return self._json(self.bot_user())

    async def _user(self, request: web.Request) -> web.Response:
        user = int(request.match_info["user"])
        return self._json(self.user_json(user, f"user{user}"))

    async def _open_dm(self, request: web.Request) -> web.Response:
        user = int((await request.json())["recipient_id"])
        channel = 8_000_000_000_000_000 + user % 1_000_000
        self._dm_channels.add(channel)
        return self._json({"id": str(channel), "type": 1, "last_message_id": None,
                           "recipients": [self.user_json(user, f"user{user}")]})

    async def _application(self, request: web.Request) -> web.Response:
        return self._json({
            "id": str(self.app_id), "name": "faq", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
            "owner": self.user_json(1, "owner"), "flags": 0,
        })

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return self._json({
            "url": self.gateway_url, "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
            },
        })

    async def _sync(self, request: web.Request) -> web.Response:
        commands = await request.json()
        self.synced.append((request.path, commands))
        guild = request.match_info.get("guild")
        out = [
            {**c, "id": str(next(self._ids)), "application_id": str(self.app_id), "version": "1",
             "type": c.get("type", 1), **({"guild_id": guild} if guild else {})}
            for c in commands
        ]
        await self._notify()
        return self._json(out)

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = int(request.match_info["channel"])
        if not self._known_channel(channel):
            return self._error(404, 10003, "Unknown Channel")
        body = await request.json()
        self.posts_started += 1
        await self._notify()
        await asyncio.sleep(self.slow_messages)  # a slow Discord, to catch replies cut short
        problem = message_problem(body)
        if problem:
            return self._error(400, 50035, problem)
        sent = self._record("message", channel, body)
        return self._json(self.message_json(sent, self.bot_user()))

    async def _callback(self, request: web.Request) -> web.Response:
        inter = self._interactions.get(request.match_info["token"])
        if inter is None or str(inter.id) != request.match_info["id"]:
            return self._error(404, 10062, "Unknown interaction")
        if inter.answered:
            return self._error(400, 40060, "Interaction has already been acknowledged.")
        body = await request.json()
        if body.get("type") in (4, 7) and (problem := message_problem(body.get("data") or {})):
            return self._error(400, 50035, problem)
        inter.answered = True
        sent = self._record("callback", inter.channel_id, body, inter)
        reply: dict[str, Any] = {"interaction": {
            "id": str(inter.id), "type": 2, "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": sent.ephemeral,
        }}
        if body.get("type") == 4:
            reply["resource"] = {"type": 4, "message": self.message_json(sent, self.bot_user())}
        return self._json(reply)

    async def _followup(self, request: web.Request) -> web.Response:
        inter = self._interactions.get(request.match_info["token"])
        if inter is None or not inter.answered:
            return self._error(404, 10015, "Unknown Webhook")
        body = await request.json()
        if problem := message_problem(body):
            return self._error(400, 50035, problem)
        sent = self._record("followup", inter.channel_id, body, inter)
        return self._json(self.message_json(sent, self.bot_user()))

    async def _delete(self, request: web.Request) -> web.Response:
        inter = self._interactions.get(request.match_info["token"])
        if inter is None or not inter.answered:
            return self._error(404, 10008, "Unknown Message")
        inter.deleted = True
        await self._notify()
        return web.Response(status=204)

    def _record(
        self, kind: str, channel: int, body: dict[str, Any], inter: _Interaction | None = None
    ) -> Sent:
        data = body.get("data") or {} if kind == "callback" else body
        pinged = pings(str(data.get("content") or ""), data.get("allowed_mentions"),
                       "message_reference" in data)
        sent = Sent(kind, next(self._ids), channel, body, pinged, inter.id if inter else None)
        self.sent.append(sent)
        if inter is not None:
            inter.sent.append(sent)
        asyncio.get_running_loop().create_task(self._notify())
        return sent

    def _known_channel(self, channel: int) -> bool:
        return channel in self._dm_channels or any(channel in c for c in self.guilds.values())

    # --- payload builders -------------------------------------------------------------------
    def bot_user(self) -> dict[str, Any]:
        return self.user_json(self.bot_id, "faq-bot", bot=True)

    @staticmethod
    def user_json(user_id: int, name: str, bot: bool = False) -> dict[str, Any]:
        return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
                "avatar": None, "bot": bot, "public_flags": 0}

    def message_json(self, sent: Sent, author: dict[str, Any]) -> dict[str, Any]:
        data = sent.data
        return {
            "id": str(sent.id), "channel_id": str(sent.channel_id), "author": author,
            "content": data.get("content") or "", "timestamp": "2024-07-17T00:00:00+00:00",
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": data.get("embeds") or [],
            "components": data.get("components") or [], "pinned": False, "type": 0,
            "flags": int(data.get("flags") or 0),
        }

    def guild_json(self, gid: int) -> dict[str, Any]:
        channels = [
            {"id": str(c), "type": 0, "name": f"chan-{c}", "position": i,
             "permission_overwrites": [], "nsfw": False, "parent_id": None, "guild_id": str(gid)}
            for i, c in enumerate(self.guilds[gid])
        ]
        everyone = {"id": str(gid), "name": "@everyone", "permissions": "3072", "position": 0,
                    "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        return {
            "id": str(gid), "name": f"guild-{gid}", "unavailable": False, "member_count": 2,
            "large": False, "owner_id": "1", "channels": channels, "roles": [everyone],
            "members": [], "threads": [], "emojis": [], "stickers": [], "features": [],
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "joined_at": "2024-07-17T00:00:00+00:00",
            "preferred_locale": "en-US", "icon": None, "premium_tier": 0,
        }

    # --- gateway ----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        session: _Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif frame["op"] == 2:
                session = await self._identify(ws, frame["d"])
            elif frame["op"] == 6:
                session = await self._resume(ws, frame["d"])
        if session is not None and session.ws is ws:
            session.ws = None
        await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004)  # Authentication failed: discord.py must not retry
            return None
        shard = tuple(data.get("shard") or (0, 1))
        session = _Session(f"session-{next(self._ids)}", (shard[0], shard[1]), data["intents"])
        session.ws = ws
        self._sessions[session.id] = session
        mine = [g for g in self.guilds if (g >> 22) % shard[1] == shard[0]]
        ready = {
            "v": 10, "user": self.bot_user(), "session_id": session.id,
            "resume_gateway_url": self.gateway_url, "private_channels": [],
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "application": {"id": str(self.app_id), "flags": 0}, "shard": list(shard),
        }
        await self._dispatch(session, "READY", ready)
        for g in mine:
            await self._dispatch(session, "GUILD_CREATE", self.guild_json(g))
        await self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        self.resumes.append(data)
        session = self._sessions.get(data.get("session_id", ""))
        if session is None:
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
            return None
        session.ws = ws
        await self._dispatch(session, "RESUMED", {})
        await self._notify()
        return session

    async def _dispatch(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        assert session.ws is not None
        session.seq += 1
        await session.ws.send_json({"op": 0, "t": event, "s": session.seq, "d": data})

    async def _session_for(self, gid: int | None) -> _Session:
        def found() -> _Session | None:
            for s in self._live():
                if gid is None or (gid >> 22) % s.shard[1] == s.shard[0]:
                    return s
            return None

        await self.until(lambda: found() is not None)
        session = found()
        assert session is not None
        return session

    async def drop(self, code: int = 4000, forget: bool = False) -> int:
        """Close every gateway connection from the server side; the number closed.

        forget=True also drops the sessions, so a RESUME is refused (op 9) and the bot has to
        IDENTIFY again.
        """
        live = self._live()
        if forget:
            self._sessions.clear()
        for session in live:
            assert session.ws is not None
            await session.ws.close(code=code)
        return len(live)

    # --- pushing events ---------------------------------------------------------------------
    async def push_message(
        self, content: str, *, channel: int, guild: int | None = None, author: int = USER,
        bot: bool = False, mentions: tuple[int, ...] = (),
    ) -> int:
        """A MESSAGE_CREATE from user `author`; `mentions` are user ids (<@id> in content)."""
        if guild is None:
            self._dm_channels.add(channel)
        session = await self._session_for(guild)
        user = self.user_json(author, f"user{author}", bot=bot)
        seen = content
        if guild is not None and self.bot_id not in mentions and author != self.bot_id and not (
            session.intents & MESSAGE_CONTENT_INTENT
        ):
            seen = ""  # Discord blanks guild messages that do not mention a bot without the intent
        message_id = next(self._ids)
        data: dict[str, Any] = {
            "id": str(message_id), "channel_id": str(channel), "author": user, "content": seen,
            "timestamp": "2024-07-17T00:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": "@everyone" in content, "attachments": [], "embeds": [],
            "mentions": [self.user_json(m, f"user{m}", m == self.bot_id) for m in mentions],
            "mention_roles": re.findall(r"<@&(\d+)>", content), "pinned": False, "type": 0,
        }
        if guild is not None:
            data["guild_id"] = str(guild)
            data["member"] = {"roles": [], "joined_at": "2024-07-17T00:00:00+00:00",
                              "deaf": False, "mute": False, "flags": 0}
        await self._dispatch(session, "MESSAGE_CREATE", data)
        return message_id

    async def push_command(
        self, name: str, options: dict[str, str] | None = None, **where: Any
    ) -> _Interaction:
        """A slash command (/name option=value...) typed by a user."""
        opts = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
        return await self._interact(2, {"id": "1", "name": name, "type": 1, "options": opts},
                                    **where)

    async def push_autocomplete(self, name: str, option: str, typed: str, **where: Any) -> (
        _Interaction
    ):
        """The user typing `typed` into a command's option: an autocomplete request."""
        opts = [{"name": option, "type": 3, "value": typed, "focused": True}]
        return await self._interact(4, {"id": "1", "name": name, "type": 1, "options": opts},
                                    **where)

    async def push_click(self, message: Sent, custom_id: str, **where: Any) -> _Interaction:
        """A click on the button `custom_id` of a message the bot sent."""
        assert custom_id in message.custom_ids, (custom_id, message.custom_ids)
        data = {"custom_id": custom_id, "component_type": 2}
        msg = self.message_json(message, self.bot_user())
        where.setdefault("channel", message.channel_id)
        return await self._interact(3, data, message=msg, **where)

    async def _interact(
        self, kind: int, data: dict[str, Any], *, channel: int, guild: int | None = None,
        user: int = USER, locale: str = "en-US", message: dict[str, Any] | None = None,
    ) -> _Interaction:
        if guild is None:
            self._dm_channels.add(channel)
        session = await self._session_for(guild)
        iid = next(self._ids)
        inter = _Interaction(iid, f"token-{iid}", channel)
        self._interactions[inter.token] = inter
        who = self.user_json(user, f"user{user}")
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(self.app_id), "type": kind, "data": data,
            "channel_id": str(channel), "token": inter.token, "version": 1, "locale": locale,
            "app_permissions": "2248473465835073", "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild)} if guild else {"1": str(user)},
            "context": 0 if guild else 1, "attachment_size_limit": 10_485_760,
            "channel": {"id": str(channel), "type": 0 if guild else 1, "name": "c"},
        }
        if guild is not None:
            payload["guild_id"] = str(guild)
            payload["guild_locale"] = "en-US"
            payload["member"] = {"user": who, "roles": [], "permissions": "2248473465835073",
                                 "joined_at": "2024-07-17T00:00:00+00:00", "deaf": False,
                                 "mute": False, "flags": 0}
        else:
            payload["user"] = who
        if message is not None:
            payload["message"] = message
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        return inter

    async def responses(self, inter: _Interaction, count: int = 1) -> list[Sent]:
        """Wait for the interaction's callback and follow-ups (at least `count`)."""
        await self.until(lambda: len(inter.sent) >= count)
        return list(inter.sent)


def message_problem(body: dict[str, Any]) -> str | None:
    """Why Discord would reject this message body, or None (the limits the bot must respect)."""
    content = str(body.get("content") or "")
    embeds = body.get("embeds") or []
    rows = body.get("components") or []
    if not content and not embeds and not rows:
        return "Cannot send an empty message"
    if len(content) > 2000:
        return "content: Must be 2000 or fewer in length."
    if len(embeds) > 10:
        return "embeds: Must be 10 or fewer in length."
    total = 0
    for e in embeds:
        title, desc = e.get("title") or "", e.get("description") or ""
        footer = (e.get("footer") or {}).get("text") or ""
        if len(title) > 256 or len(desc) > 4096 or len(footer) > 2048:
            return "embeds: a title, description or footer is too long."
        total += len(title) + len(desc) + len(footer)
    if total > 6000:
        return "embeds: Embed size exceeds maximum size of 6000"
    if len(rows) > 5 or any(len(r.get("components", [])) > 5 for r in rows):
        return "components: too many rows or buttons."
    for c in (c for r in rows for c in r.get("components", [])):
        if len(c.get("custom_id", "")) > 100 or len(c.get("label") or "") > 80:
            return "components: custom_id or label too long."
    return None


def pings(content: str, allowed: dict[str, Any] | None, is_reply: bool) -> list[str]:
    """Who Discord would notify for this content under these allowed_mentions."""
    parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse", []))
    users = set((allowed or {}).get("users", []))
    roles = set((allowed or {}).get("roles", []))
    found = []
    if "everyone" in parse and re.search(r"@(everyone|here)", content):
        found.append("@everyone")
    found += [f"user:{u}" for u in re.findall(r"<@!?(\d+)>", content)
              if "users" in parse or u in users]
    found += [f"role:{r}" for r in re.findall(r"<@&(\d+)>", content)
              if "roles" in parse or r in roles]
    if is_reply and (allowed is None or allowed.get("replied_user", False)):
        found.append("replied_user")
    return found


# --- harness: the real bot (adapters.discord.serve) against a FakeDiscord -------------------
@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, service: Any, sessions: int = 1, **settings: Any
) -> AsyncIterator[DiscordConfig]:
    """Run `serve()` against `fake` (`sessions` gateway connections) until the block ends."""
    config = DiscordConfig(token=fake.token, api_url=fake.api_url,
                           gateway_url=fake.gateway_url, **settings)
    stop = asyncio.Event()
    bot = asyncio.create_task(serve(service, config, stop))
    ready = asyncio.create_task(fake.wait_ready(sessions))
    done, _ = await asyncio.wait({bot, ready}, timeout=WAIT, return_when="FIRST_COMPLETED")
    if bot in done:
        ready.cancel()
        bot.result()  # the bot stopped before connecting: raise its error
    ready.result()
    try:
        yield config
    finally:
        stop.set()
        await asyncio.wait_for(bot, WAIT)
        await fake.until(lambda: not fake._live())


MESSAGES_FILE = Path(__file__).resolve().parents[2] / "content" / "messages.yaml"
LONG_ANSWER = " ".join(f"Phrase {i} de la très longue réponse sur High-Flyer." for i in range(100))


def faq_content() -> Content:
    """A small, stable Q&A set for the Discord tests, with the bot's real messages."""
    def entry(eid: str, fr: str, en: str, answer: str, related: tuple[str, ...] = ()) -> Entry:
        return Entry(eid, frozen_map({"fr": (fr,), "en": (en,)}),
                     frozen_map({"fr": answer, "en": answer}), source="暗涌 Waves, 2024",
                     related=related, topic="basics")
    entries = (
        entry("why-lower-prices", "Pourquoi DeepSeek a-t-il baissé ses prix ?",
              "Why did DeepSeek cut its prices?", "Because costs fell. <@42> @everyone",
              ("open-source",)),
        entry("open-source", "DeepSeek va-t-il rester open source ?",
              "Will DeepSeek stay open source?", "Yes, open source stays.", ("why-lower-prices",)),
        entry("agi-when", "Quand Liang pense-t-il que l'AGI arrivera ?",
              "When does Liang think AGI will arrive?", "Within our lifetime."),
        entry("high-flyer-history", "Quelle est l'histoire complète du fonds High-Flyer ?",
              "What is the full history of the High-Flyer fund?", LONG_ANSWER),
    )
    raw = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    messages = frozen_map({k: frozen_map(v) for k, v in raw.items()})
    topic = Topic("basics", frozen_map(raw.get("topic.basics") or {}), tuple(e.id for e in entries))
    return Content(entries=entries, messages=messages, topics=(topic,))
