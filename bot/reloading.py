"""Live content reload: a watcher that polls the content folder, SIGHUP, and the admin command.

A reload builds a complete new `Answerer` from the folder (the loader validates everything and
raises on any error) before swapping it into the service. On error the old content keeps
serving; the problems (file, line, what to fix) are logged and handed to the admin listeners
that adapters register on the service. Polling mtimes needs no extra dependency and works on
bind mounts, where inotify often does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.answering import Answerer, MatchSettings
from bot.content import load_content
from bot.model import Lang

if TYPE_CHECKING:
    from bot.service import Service

logger = logging.getLogger(__name__)

Trigger = Literal["watch", "signal", "command"]
Snapshot = tuple[tuple[str, int, int], ...]
MAX_PROBLEMS_SHOWN = 5  # in chat messages; the log gets them all


@dataclass(frozen=True)
class ReloadOutcome:
    """How a reload went: the entry count now served, and the problems if it failed."""

    ok: bool
    entries: int
    problems: tuple[str, ...] = ()
    trigger: Trigger = "command"

    def text(self, answerer: Answerer, lang: Lang) -> str:
        """The localised message for admins (reload_ok / reload_failed)."""
        if self.ok:
            return answerer.message("reload_ok", lang, entries=self.entries)
        shown = list(self.problems[:MAX_PROBLEMS_SHOWN])
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"(+{len(self.problems) - MAX_PROBLEMS_SHOWN})")
        return answerer.message("reload_failed", lang, error="\n" + "\n".join(shown))


def build_answerer(root: str | Path, settings: MatchSettings) -> Answerer:
    """A ready answerer for the content in `root`; raises if the content has any error."""
    return Answerer(load_content(root), settings)


def problems_of(exc: BaseException) -> tuple[str, ...]:
    """One line per problem: the loader's located errors, or the exception's own text."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors:
        return tuple(str(e) for e in errors)
    return tuple(str(exc).splitlines() or [type(exc).__name__])


def reload_service(service: Service, trigger: Trigger = "command",
                   root: str | Path | None = None) -> ReloadOutcome:
    """Load, validate and swap synchronously; keeps the old content on any error."""
    current = service.answerer
    try:
        fresh = build_answerer(root or current.content.root, current.settings)
    except Exception as exc:  # any failure must leave the old content serving
        return _failed(current, exc, trigger)
    return _swap(service, fresh, trigger)


def _failed(current: Answerer, exc: BaseException, trigger: Trigger) -> ReloadOutcome:
    outcome = ReloadOutcome(False, len(current.content.entries), problems_of(exc), trigger)
    logger.error("content reload failed, still serving the previous content; fix:\n%s",
                 "\n".join(outcome.problems), extra={"event": "reload_failed",
                                                     "trigger": trigger})
    return outcome


def _swap(service: Service, fresh: Answerer, trigger: Trigger) -> ReloadOutcome:
    service.swap(fresh)
    outcome = ReloadOutcome(True, len(fresh.content.entries), (), trigger)
    logger.info("content reloaded", extra={"event": "reload_ok", "trigger": trigger,
                                           "entries": outcome.entries})
    return outcome


def snapshot(root: Path) -> Snapshot:
    """Name, mtime and size of every file under `root`: any edit, add or delete changes it."""
    found: list[tuple[str, int, int]] = []
    try:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                found.append((str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size))
    except OSError:
        pass  # a folder being replaced; the next poll sees the settled state
    return tuple(found)


class ContentWatcher:
    """Reloads the service's content when the folder changes, on SIGHUP, or on demand."""

    def __init__(self, service: Service, root: str | Path, interval: float = 2.0,
                 build: Callable[[str | Path, MatchSettings], Answerer] = build_answerer) -> None:
        self.service = service
        self.root = Path(root)
        self.interval = interval
        self._build = build
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[ReloadOutcome]] = set()

    def reload_now(self) -> ReloadOutcome:
        """Synchronous reload (the admin command); does not notify listeners."""
        current = self.service.answerer
        try:
            fresh = self._build(self.root, current.settings)
        except Exception as exc:  # keep serving the old content
            return _failed(current, exc, "command")
        return _swap(self.service, fresh, "command")

    async def reload(self, trigger: Trigger = "watch") -> ReloadOutcome:
        """Build off the event loop, swap on it, then tell the admin listeners."""
        async with self._lock:
            current = self.service.answerer
            try:
                fresh = await asyncio.to_thread(self._build, self.root, current.settings)
            except Exception as exc:  # keep serving the old content
                outcome = _failed(current, exc, trigger)
            else:
                outcome = _swap(self.service, fresh, trigger)
        await self.service.notify_reload(outcome)
        return outcome

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; reload once a change has been stable for one interval."""
        if self.interval <= 0:
            return
        seen = snapshot(self.root)
        pending = False
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            if stop.is_set():
                break
            now = await asyncio.to_thread(snapshot, self.root)
            if now != seen:  # still changing (an editor saving several files): wait a tick
                seen, pending = now, True
            elif pending:
                pending = False
                await self.reload("watch")

    def install_sighup(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Reload on SIGHUP (where the platform has it); True if installed."""
        if not hasattr(signal, "SIGHUP"):
            return False
        loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        return True

    def _on_sighup(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload("signal"))
        self._tasks.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._tasks.discard)
