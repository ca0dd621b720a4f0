"""Telegram adapter (python-telegram-bot): handlers, a pure renderer, polling or webhook."""

from __future__ import annotations

from adapters.telegram.app import build_application, serve, set_commands, start, stop
from adapters.telegram.config import TelegramConfig

__all__ = ["TelegramConfig", "build_application", "serve", "set_commands", "start", "stop"]
