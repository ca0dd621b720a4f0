"""Telegram adapter (python-telegram-bot): handlers, a pure renderer, polling or webhook."""

from __future__ import annotations

from adapters.telegram.app import TelegramRunner, build_application, serve
from adapters.telegram.config import TelegramConfig

__all__ = ["TelegramConfig", "TelegramRunner", "build_application", "serve"]
