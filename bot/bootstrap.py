"""The composition root: Settings -> Content -> Answerer -> Service -> adapters, in one process.

`run_bot` is what `python -m bot run` calls: it starts every adapter whose token is set, each as
`serve(service, config, stop)` in one asyncio loop sharing one Service, with the content watcher
and the heartbeat beside them. SIGTERM / SIGINT set `stop`; adapters then finish the replies in
flight and return; the question log is flushed and closed last. With no token at all it opens
the console chat instead. `check` validates everything without touching the network.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.answering import Answerer
from bot.config import ConfigError, Settings, describe
from bot.content import load_content
from bot.health import beat
from bot.logs import setup_logging
from bot.reloading import ContentWatcher
from bot.service import Service
from bot.storage import QuestionLog

logger = logging.getLogger(__name__)

Serve = Callable[[Service, Any, asyncio.Event], Coroutine[Any, Any, None]]
SHUTDOWN_GRACE = 20.0  # seconds adapters get to finish replies in flight after a stop


@dataclass(frozen=True)
class Adapter:
    """One platform adapter to start: its name, its `serve` coroutine function and config."""

    name: str
    serve: Serve
    config: Any


def build_service(settings: Settings, *, log_questions: bool | None = None) -> Service:
    """The Service for `settings`: content loaded and validated, log opened unless disabled."""
    answerer = Answerer(load_content(settings.content_dir), settings.match)
    keep_log = settings.log_questions if log_questions is None else log_questions
    log = None
    if keep_log:
        salt = settings.hash_salt.reveal() if settings.hash_salt else None
        log = QuestionLog(settings.db_path, salt=salt, retention_days=settings.retention_days)
    return Service(answerer, log=log, rate_limit=settings.rate_limit,
                   dedup_seconds=settings.dedup_seconds)


def adapters(settings: Settings, only: Sequence[str] = ()) -> list[Adapter]:
    """The adapters `run` would start: those with a token (restricted to `only` if given).

    Platform libraries are imported here, not at module import, so the core stays light.
    """
    found: list[Adapter] = []
    if settings.telegram and (not only or "telegram" in only):
        module = importlib.import_module("adapters.telegram")
        t = settings.telegram
        config = module.TelegramConfig(
            token=t.token.reveal(), base_url=t.base_url, webhook_url=t.webhook_url,
            listen=t.listen, port=t.port,
            webhook_secret=t.webhook_secret.reveal() if t.webhook_secret else None,
            admins=t.admins, allowed_chats=t.allowed_chats)
        found.append(Adapter("telegram", module.serve, config))
    if settings.discord and (not only or "discord" in only):
        module = importlib.import_module("adapters.discord")
        d = settings.discord
        config = module.DiscordConfig(
            token=d.token.reveal(), api_url=d.api_url, gateway_url=d.gateway_url,
            shards=d.shards, shard_ids=d.shard_ids, shard_count=d.shard_count, sync=d.sync,
            sync_guild=d.sync_guild, admins=d.admins, allowed_channels=d.allowed_channels,
            cooldown_seconds=d.cooldown_seconds)
        found.append(Adapter("discord", module.serve, config))
    return found


def load_settings(environ: Mapping[str, str], err: TextIO, *,
                  content_dir: Path | None = None) -> Settings | None:
    """Settings from the environment (content folder overridable), or None after printing why."""
    try:
        settings = Settings.from_env(environ)
    except ConfigError as exc:
        err.write(f"{exc}\n")
        return None
    return dataclasses.replace(settings, content_dir=content_dir) if content_dir else settings


def run_bot(environ: Mapping[str, str] | None = None, *, only: Sequence[str] = (),
            log_questions: bool | None = None, content_dir: Path | None = None,
            stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """`python -m bot run`: start the configured adapters (or the console); the exit status."""
    environ = os.environ if environ is None else environ
    settings = load_settings(environ, sys.stderr, content_dir=content_dir)
    if settings is None:
        return 2
    setup_logging(settings.log_level, settings.log_format, settings.secrets())
    for warning in settings.warnings:
        logger.warning(warning)
    service = build_service(settings, log_questions=log_questions)
    try:
        chosen = adapters(settings, only)
        if not chosen:
            from adapters.console.chat import run_console

            if "BOT_LOG_LEVEL" not in environ:  # log lines would interleave with the chat
                logging.getLogger().setLevel(logging.WARNING)

            stdin = stdin or sys.stdin
            return run_console(service, stdin, stdout or sys.stdout, interactive=stdin.isatty())
        return asyncio.run(serve_all(service, chosen, settings))
    finally:
        service.close()  # flush and close the question log, after every reply is out


async def serve_all(service: Service, chosen: Sequence[Adapter], settings: Settings,
                    stop: asyncio.Event | None = None) -> int:
    """Run the adapters until `stop` (or a signal, or one of them ending); 0 on a clean stop."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = _install_signals(loop, stop)
    watcher = ContentWatcher(service, settings.content_dir, settings.reload_interval)
    service.set_reloader(watcher.reload_now)
    if watcher.install_sighup(loop):
        handled.append(signal.SIGHUP)
    tasks: set[asyncio.Task[None]] = {
        asyncio.create_task(a.serve(service, a.config, stop), name=a.name) for a in chosen}
    helpers = [asyncio.create_task(watcher.run(stop)), asyncio.create_task(beat(
        settings.heartbeat_file, settings.heartbeat_interval, stop,
        alive=lambda: not any(t.done() for t in tasks)))]
    logger.info("started", extra={"event": "started", "adapters": ",".join(a.name for a in chosen)})
    try:
        return await _supervise(tasks, stop)
    finally:
        stop.set()
        await asyncio.gather(*helpers, return_exceptions=True)
        for sig in handled:
            loop.remove_signal_handler(sig)
        logger.info("stopped", extra={"event": "stopped"})


async def _supervise(tasks: set[asyncio.Task[None]], stop: asyncio.Event) -> int:
    """Wait for a stop or for an adapter to end; then let the others finish gracefully."""
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({*tasks, stopping}, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    for task in done & tasks:  # an adapter that ends on its own has failed or lost its platform
        error = task.exception() if not task.cancelled() else None
        logger.error("adapter %s stopped unexpectedly: %r", task.get_name(), error,
                     exc_info=error, extra={"event": "adapter_failed"})
        status = 1
    stop.set()
    _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
    for task in late:
        logger.warning("adapter %s did not stop in time; cancelling", task.get_name())
        task.cancel()
    await asyncio.gather(*tasks, stopping, return_exceptions=True)
    return status


def _install_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> list[int]:
    handled: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    return handled


def check(settings: Settings, out: TextIO) -> int:
    """`python -m bot check`: settings, content and adapters, no network; 1 on any problem."""
    from bot.validation import format_report, validate

    for line in describe(settings):
        out.write(line + "\n")
    problems = validate(settings.content_dir)
    errors = [p for p in problems if p.severity == "error"]
    out.write(format_report(problems, _count(settings)) + "\n")
    failures = len(errors) + _check_data(settings, out) + _check_adapters(settings, out)
    out.write("check: ok\n" if not failures else f"check: {failures} problem(s)\n")
    return 1 if failures else 0


def run_check(environ: Mapping[str, str], out: TextIO, content_dir: Path | None = None) -> int:
    """`check` from the environment: a bad setting is a problem too (exit 1)."""
    settings = load_settings(environ, out, content_dir=content_dir)
    return 1 if settings is None else check(settings, out)


def _count(settings: Settings) -> int:
    from bot.validation import count_entries

    return count_entries(settings.content_dir)


def _check_data(settings: Settings, out: TextIO) -> int:
    """The database and heartbeat folders must be creatable and writable (not created here)."""
    failures = 0
    for label, path in (("database", settings.db_path), ("heartbeat", settings.heartbeat_file)):
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            out.write(f"problem: {label} folder {path.parent} is not writable\n")
            failures += 1
    return failures


def _check_adapters(settings: Settings, out: TextIO) -> int:
    try:
        chosen = adapters(settings)
    except ImportError as exc:
        out.write(f"problem: a platform library is missing ({exc.name}); install the "
                  "'discord' / 'telegram' extras\n")
        return 1
    except (TypeError, ValueError) as exc:
        out.write(f"problem: adapter configuration: {exc}\n")
        return 1
    for adapter in chosen:
        out.write(f"adapter {adapter.name}: would start ({_mode(adapter)})\n")
    if not chosen:
        out.write("adapters: no platform token set; `run` opens the console chat\n")
    return 0


def _mode(adapter: Adapter) -> str:
    config = adapter.config
    if adapter.name == "telegram":
        hook = getattr(config, "webhook_url", None)
        return (f"webhook {hook}, listening on {config.listen}:{config.port}" if hook
                else "long polling")
    shards = getattr(config, "shards", None) or getattr(config, "shard_ids", None) or "none"
    return f"gateway, shards {shards}, command sync {getattr(config, 'sync', 'none')}"
