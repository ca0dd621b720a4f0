"""Logging set-up: one line per event (text or JSON), and secrets redacted from every record.

The redaction filter sits on the handler, so it sees every record that reaches the output,
including the ones from httpx, python-telegram-bot and discord.py, whose request logs put the
bot token in URLs (`https://api.telegram.org/bot<token>/getMe`). It rewrites the message, its
arguments, the traceback text and any extra field before a formatter ever sees them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

MASK = "***"

# Shapes of credentials worth masking even when they are not in the configured secrets.
PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}"),  # a Telegram bot token
    re.compile(r"(?<=/bot)\d+:[^/\s?#'\"]+"),  # any token in a Bot API URL path
    re.compile(r"\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,40}\b"),  # a Discord bot token
    re.compile(r"(?i)(?<=authorization: )(?:bot|bearer) [^\s'\",}]+"),
    re.compile(r"(?i)(?<=['\"]authorization['\"]: ['\"])(?:bot|bearer) [^'\"]+"),
    re.compile(r"(?i)(?<=x-telegram-bot-api-secret-token['\"]: ['\"])[^'\"]+"),
)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_OURS = "bot-logs"  # marks the handler this module installs, so set-up is idempotent


class Redactor:
    """Replaces known secret values and credential-shaped strings with '***'."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern in PATTERNS:
            text = pattern.sub(MASK, text)
        return text


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message, arguments, traceback and extras."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in extras(record).items():
            if isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def extras(record: logging.LogRecord) -> dict[str, object]:
    """The fields passed with `extra=` (event, platform, outcome, entry_id, latency_ms ...)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ...` on one line (a traceback follows, indented)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record).replace("\n", " | ")
        fields = " ".join(f"{k}={v}" for k, v in extras(record).items() if v is not None)
        return f"{line} {fields}" if fields else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the extras, and exc when present."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        data.update(extras(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = (),
                  stream: TextIO | None = None) -> logging.Handler:
    """Install the one root handler (replacing a previous one of ours) and tame chatty libraries."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "name", None) == _OURS]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_OURS)
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL (with the token) at INFO; the filter would mask it, but
    # one line per poll is noise anyway. discord.py's gateway chatter is noise too.
    for name in ("httpx", "httpcore", "discord.gateway", "discord.http", "telegram.ext.Updater"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
