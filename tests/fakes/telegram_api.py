"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp, port 0), for end-to-end adapter tests.

It speaks the Bot API's wire format as python-telegram-bot uses it: routes /bot<token>/<method>,
form, multipart or JSON bodies, `{"ok": ..., "result" | "error_code", "description"}` replies,
real long polling on getUpdates. It checks what real Telegram checks and a careless bot gets wrong
(HTML that does not parse, text over 4096, callback data over 64 bytes), records every call, and
injects failures (400, 403, 429 with retry_after, 500, slow replies) on the next N calls of a
method.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from telegram.ext import BaseRateLimiter

from adapters.telegram import TelegramConfig, TelegramRunner
from bot.service import Service

JSON_FIELDS = {"reply_markup", "results", "commands", "allowed_updates", "entities",
               "link_preview_options", "reply_parameters", "scope", "button"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "tg-spoiler", "span", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)(\s[^<>]*)?>")
_BAD_AMP = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_COMMAND = re.compile(r"^/\w+(@\w+)?")
_MENTION = re.compile(r"@\w{5,}")
DESCRIPTIONS = {400: "Bad Request: injected failure", 403: "Forbidden: bot was blocked by the user",
                429: "Too Many Requests: retry after {}", 500: "Internal Server Error"}


class ApiError(Exception):
    """A Bot API error reply: HTTP status = error_code, and a description."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, and the status we answered."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class Failure:
    """An injected failure for the next call(s) of a method."""

    status: int
    retry_after: int | None = None
    delay: float = 0.0


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of Telegram HTML, or ApiError(400) where Telegram would refuse it."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in [*_TAG.finditer(text), None]:
        chunk = text[pos: match.start() if match else len(text)]
        if "<" in chunk or ">" in chunk or _BAD_AMP.search(chunk):
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped text {chunk[:40]!r}")
        out.append(html.unescape(chunk))
        if match is None:
            break
        closing, name = match.group(1), match.group(2).lower()
        if name not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported tag <{name}>")
        if closing and (not stack or stack.pop() != name):
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched </{name}>")
        if not closing:
            stack.append(name)
        pos = match.end()
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1]}>")
    return "".join(out)


def _check_markup(markup: Any) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


@dataclass
class FakeBotApi:
    """The server plus its state; `await start()` returns the root URL (TELEGRAM_BASE_URL)."""

    token: str = "123456:TEST-token"
    bot_id: int = 123456
    username: str = "liang_faq_bot"
    calls: list[Call] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # messages the bot sent
    commands: dict[str | None, list[dict[str, Any]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    _updates: deque[dict[str, Any]] = field(default_factory=deque)
    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _changed: asyncio.Condition | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closing: bool = False
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Serve on 127.0.0.1, a free port; return the server root URL."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        """Stop serving (wakes any long poll first, so it does not hold the shutdown)."""
        self._closing = True
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do ---------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        self.stamp(update)
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    def stamp(self, update: dict[str, Any]) -> dict[str, Any]:
        """Give `update` the next update_id (for webhook posts, which skip the queue)."""
        update["update_id"] = next(self._ids)
        return update

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None,
             delay: float = 0.0) -> None:
        """Answer the next `times` calls of `method` with `status` (200 = just `delay` them)."""
        for _ in range(times):
            self._failures[method].append(Failure(status, retry_after, delay))

    def calls_of(self, method: str) -> list[Call]:
        """The recorded calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to one chat, in order."""
        return [m for m in self.sent if m["chat"]["id"] == chat_id]

    async def wait_until(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (at most `timeout` s) until `check()` holds; re-checked after every call."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), timeout)

    async def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0
                        ) -> list[dict[str, Any]]:
        """Wait until the bot has sent `count` messages to `chat_id`; return them."""
        await self.wait_until(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.sent_to(chat_id)

    # --- updates, as Telegram would build them ---------------------------------------------------

    def user(self, user_id: int, lang: str | None = "fr", is_bot: bool = False) -> dict[str, Any]:
        """A user object."""
        found = {"id": user_id, "is_bot": is_bot, "first_name": f"User{user_id}"}
        return found | ({"language_code": lang} if lang else {})

    def message(self, chat_id: int, text: str, *, user_id: int | None = None,
                lang: str | None = "fr", is_bot: bool = False,
                reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new text message update (command and @mention entities computed like Telegram)."""
        sender = self.user(user_id or abs(chat_id), lang, is_bot)
        msg = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
               "chat": self._chat(chat_id), "from": sender, "text": text,
               "entities": _entities(text)}
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return {"message": msg}

    def callback(self, message: dict[str, Any], data: str, *, user_id: int | None = None,
                 lang: str | None = "fr") -> dict[str, Any]:
        """A button press on a message the bot sent."""
        user = self.user(user_id or abs(message["chat"]["id"]), lang)
        query = {"id": f"cq{next(self._ids)}", "from": user, "message": message,
                 "chat_instance": "ci", "data": data}
        return {"callback_query": query}

    def inline_query(self, query: str, *, user_id: int = 777, lang: str | None = "fr"
                     ) -> dict[str, Any]:
        """An inline query (`@bot query` typed in any chat)."""
        return {"inline_query": {"id": f"iq{next(self._ids)}", "from": self.user(user_id, lang),
                                 "query": query, "offset": ""}}

    # --- the server ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        self._notify()  # tests may wait for a call to arrive, not only for it to be answered
        try:
            await self._maybe_fail(method)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            call.status = exc.code
            self._notify()
            return _error(exc)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _maybe_fail(self, method: str) -> None:
        queue = self._failures.get(method)
        if not queue:
            return
        failure = queue.popleft()
        await asyncio.sleep(failure.delay)
        if failure.status != 200:
            description = DESCRIPTIONS[failure.status].format(failure.retry_after)
            raise ApiError(failure.status, description, failure.retry_after)

    def _notify(self) -> None:
        async def notify() -> None:
            assert self._changed is not None
            async with self._changed:
                self._changed.notify_all()
        task = asyncio.get_running_loop().create_task(notify())
        self._tasks.add(task)  # keep a reference until done, or the loop may drop it
        task.add_done_callback(self._tasks.discard)

    # --- Bot API methods -----------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Liang FAQ",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": True}

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset: Telegram forgets them
        if not self._updates and timeout > 0:
            assert self._changed is not None
            async with self._changed:
                # Real long polling: hold the request until an update comes or time runs out.
                await _wait_quietly(self._changed, lambda: bool(self._updates) or self._closing,
                                    timeout)
        return list(itertools.islice(self._updates, limit))

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[params.get("language_code") or None] = list(params["commands"])
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = self._bot_message(chat_id, self._next_message_id(chat_id), params)
        self.sent.append(message)
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return self._bot_message(chat_id, int(params["message_id"]), params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            content = result.get("input_message_content") or {}
            _visible(content.get("message_text", ""), content.get("parse_mode"))
        return True

    # --- helpers -------------------------------------------------------------------------------

    def _bot_message(self, chat_id: int, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text") or "")
        visible = _visible(text, params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": self.user(self.bot_id, None, is_bot=True) | {"username": self.username},
                   "text": visible, "html": text}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("reply_parameters"):
            message["reply_parameters"] = params["reply_parameters"]
        return message

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}


def _visible(text: str, parse_mode: Any) -> str:
    visible = parse_html(text) if parse_mode == "HTML" else text
    if not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(visible) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    return visible


async def _wait_quietly(cond: asyncio.Condition, check: Callable[[], bool], timeout: float) -> None:
    # An empty answer after `timeout`, as Telegram gives.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(cond.wait_for(check), timeout)


def _entities(text: str) -> list[dict[str, Any]]:
    """The bot_command / mention entities Telegram would attach, with UTF-16 offsets."""
    found = []
    command = _COMMAND.match(text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        found.append({"type": "mention", "offset": utf16_len(text[: mention.start()]),
                      "length": utf16_len(mention.group())})
    return found


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters from a JSON, urlencoded or multipart body (or the query string)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                text = value
            elif isinstance(value, bytes | bytearray):
                text = bytes(value).decode()
            else:  # an uploaded part
                text = value.file.read().decode()
            params[key] = json.loads(text) if key in JSON_FIELDS else text
    return params


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)


# --- driving the real adapter against the fake ----------------------------------------------------

WAIT = 15.0  # seconds: the bound on every wait of the harness


@asynccontextmanager
async def running_telegram(service: Service, *, rate_limiter: BaseRateLimiter[Any] | None = None,
                           **settings: Any) -> AsyncIterator[tuple[FakeBotApi, TelegramRunner]]:
    """The real PTB application of our adapter, polling (or webhook) against a fresh fake API.

    Manual lifecycle: start (getMe, commands, polling or webhook) ... stop (finish in-flight
    updates, shut down); each step bounded by a timeout so a hung bot fails the test instead
    of hanging it.
    """
    api = FakeBotApi()
    root = await api.start()
    config = TelegramConfig(token=api.token, base_url=root, **settings)
    runner = TelegramRunner(service, config, rate_limiter=rate_limiter)
    try:
        await asyncio.wait_for(runner.start(), WAIT)
        yield api, runner
    finally:
        await asyncio.wait_for(runner.stop(), WAIT)
        await api.close()
