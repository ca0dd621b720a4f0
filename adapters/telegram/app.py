"""Build and run the Telegram application: polling or webhook, clean start and stop.

`serve(service, config, stop)` is what the process bootstrap calls; `build_application` is the
composition root of this adapter (the tests drive it with the manual lifecycle).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    Defaults,
)

from adapters.telegram.config import TelegramConfig
from adapters.telegram.handlers import Handlers, TelegramApp
from adapters.telegram.render import render_notice
from adapters.telegram.webhook import WebhookServer
from bot.model import LANGS
from bot.reloading import ReloadOutcome
from bot.service import Service

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
COMMANDS = ("start", "ask", "topics", "help")
MAX_RETRIES = 5  # on 429, wait retry_after and resend, up to this many times: never drop a reply
CONCURRENT_UPDATES = 64


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in arrival order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # chat id -> (its lock, how many updates hold or wait for it)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers while holding its chat's lock (no lock without a chat)."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]  # keep the map small: locks only for busy chats
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def build_application(service: Service, config: TelegramConfig, *,
                      rate_limiter: BaseRateLimiter[Any] | None = None) -> TelegramApp:
    """The PTB application wired to `service`: handlers, rate limiter, HTML defaults."""
    # Opt in to PTB's timedelta durations now: otherwise building every RetryAfter (a 429)
    # emits a deprecation warning, which `-W error` turns into a lost reply. We never read
    # these durations ourselves.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # httpx logs every request URL at INFO/DEBUG, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_base_url)
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=MAX_RETRIES))
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
    )
    if config.webhook_url:
        builder = builder.updater(None)  # our WebhookServer feeds the update queue
    app = builder.build()
    Handlers(service, config).register(app)
    return app


async def set_commands(app: TelegramApp, service: Service) -> None:
    """Register the command menu in French and English (and the default language for others)."""
    answerer = service.answerer
    default = answerer.detect_language("", None)
    for lang in (None, *LANGS):
        shown = lang or default
        commands = [BotCommand(c, answerer.message(f"command.{c}", shown)) for c in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=lang)


class TelegramRunner:
    """One running adapter: the PTB application, polling or fed by our webhook server."""

    def __init__(self, service: Service, config: TelegramConfig, *,
                 rate_limiter: BaseRateLimiter[Any] | None = None) -> None:
        self.service, self.config = service, config
        self.app = build_application(service, config, rate_limiter=rate_limiter)
        # Built now so a webhook without a secret fails before any network call.
        self.webhook = WebhookServer(self.app, config) if config.webhook_url else None

    async def start(self) -> None:
        """Log in (getMe), register the commands, then receive updates."""
        await self.app.initialize()
        await set_commands(self.app, self.service)
        if self.webhook is None:
            assert self.app.updater is not None  # built with one in polling mode
            await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await self.app.start()
            return
        await self.app.bot.set_webhook(self.config.webhook_url or "",
                                       secret_token=self.config.webhook_secret,
                                       allowed_updates=ALLOWED_UPDATES)
        await self.app.start()
        self.webhook.start()

    async def stop(self) -> None:
        """Stop receiving, finish the updates in flight (their replies are sent), then close."""
        if self.webhook is not None:
            await self.webhook.stop()
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


def admin_notifier(app: TelegramApp, service: Service, config: TelegramConfig
                   ) -> Callable[[ReloadOutcome], Awaitable[None]]:
    """A reload listener that tells each admin, in a private message, how a reload went."""

    async def notify(outcome: ReloadOutcome) -> None:
        answerer = service.answerer
        text = render_notice(outcome.text(answerer, answerer.detect_language("", None)))
        for admin in sorted(config.admins):
            for payload in text:
                await app.bot.send_message(admin, payload.html)

    return notify


async def serve(service: Service, config: TelegramConfig, stop_event: asyncio.Event) -> None:
    """Run the Telegram adapter until `stop_event` is set, then shut down cleanly."""
    runner = TelegramRunner(service, config)
    try:
        await runner.start()
        if config.admins:
            service.add_reload_listener(admin_notifier(runner.app, service, config))
        log.info("telegram adapter running as @%s (%s)", runner.app.bot.username,
                 "webhook" if config.webhook_url else "long polling")
        await stop_event.wait()
    finally:
        await runner.stop()
