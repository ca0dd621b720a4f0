"""Webhook mode: a small HTTP server behind the reverse proxy, feeding PTB's update queue.

PTB's own webhook server is replaced by this one (PTB's "custom webhook" pattern) so that it can
also answer `GET /healthz`, bind port 0 in tests, compare the secret in constant time and cap
request bodies. Tornado comes with python-telegram-bot[webhooks].
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from adapters.telegram.config import TelegramConfig
from adapters.telegram.handlers import TelegramApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # Telegram updates are a few kB: refuse anything over 1 MiB


class UpdateReceiver:
    """Checks one webhook request and queues its update; returns the HTTP status to answer."""

    def __init__(self, app: TelegramApp, secret: str) -> None:
        self._app = app
        self._secret = secret.encode()

    async def receive(self, secret: str | None, content_type: str | None, body: bytes) -> int:
        """403 without the right secret, 400 for what is not an update, else 200 (queued)."""
        if secret is None or not hmac.compare_digest(secret.encode(), self._secret):
            return 403
        if (content_type or "").split(";")[0].strip() != "application/json":
            return 400
        try:
            update = Update.de_json(json.loads(body), self._app.bot)
        except Exception:  # a malformed request must not reach the bot: log it, refuse it
            log.warning("telegram webhook: unreadable update refused", exc_info=True)
            return 400
        await self._app.update_queue.put(update)
        return 200


class _UpdateHandler(RequestHandler):
    def initialize(self, receiver: UpdateReceiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        headers = self.request.headers
        self.set_status(await self.receiver.receive(
            headers.get(SECRET_HEADER), headers.get("Content-Type"), self.request.body))
        await self.finish()


class _HealthHandler(RequestHandler):
    def initialize(self, alive: Callable[[], bool]) -> None:
        self.alive = alive

    def get(self) -> None:
        healthy = self.alive()
        self.set_status(200 if healthy else 503)
        self.finish("ok\n" if healthy else "stopped\n")


def _quiet(handler: RequestHandler) -> None:
    # One access line per update would flood the logs; failures still show as warnings.
    if handler.get_status() >= 400:
        request = handler.request
        log.warning("telegram webhook: %s %s -> %d", request.method, request.path,
                    handler.get_status())


class WebhookServer:
    """Serves `POST /<webhook path>` (updates) and `GET /healthz` on config.listen:config.port."""

    def __init__(self, app: TelegramApp, config: TelegramConfig) -> None:
        if not config.webhook_secret:
            raise ValueError("webhook mode needs a webhook secret, checked on every request")
        receiver = UpdateReceiver(app, config.webhook_secret)
        routes: list[Any] = [
            (rf"/{config.webhook_path}/?" if config.webhook_path else r"/",
             _UpdateHandler, {"receiver": receiver}),
            (r"/healthz", _HealthHandler, {"alive": lambda: app.running}),
        ]
        self._server = HTTPServer(WebApplication(routes, log_function=_quiet),
                                  max_body_size=MAX_BODY)
        self._config = config
        self.port: int | None = None

    def start(self) -> int:
        """Bind and serve; returns the bound port (useful with port 0)."""
        sockets = bind_sockets(self._config.port, self._config.listen)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop accepting, close open connections."""
        self._server.stop()
        await self._server.close_all_connections()
