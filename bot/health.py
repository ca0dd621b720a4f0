"""Liveness: a heartbeat file written while the adapters run, and the `health` command reading it.

The file holds a Unix timestamp rather than relying on its mtime, so it reads the same through
bind mounts and copies. `python -m bot health` (the Docker HEALTHCHECK) exits 1 when the file is
missing or older than BOT_HEALTH_MAX_AGE seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

logger = logging.getLogger(__name__)


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """Atomically write the current time to `path` (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{time.time() if now is None else now:.3f}\n", encoding="utf-8")
    tmp.replace(path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last heartbeat, or None when there is no readable heartbeat."""
    try:
        beat = float(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return max(0.0, (time.time() if now is None else now) - beat)


def run_health(path: Path, max_age: float, out: TextIO, now: float | None = None) -> int:
    """Print the heartbeat's state; 0 when fresh, 1 when stale or missing."""
    age = heartbeat_age(path, now)
    if age is None:
        out.write(f"unhealthy: no heartbeat at {path} (is `python -m bot run` running?)\n")
        return 1
    if age > max_age:
        out.write(f"unhealthy: last heartbeat {age:.0f} s ago (limit {max_age:.0f} s)\n")
        return 1
    out.write(f"ok: last heartbeat {age:.0f} s ago\n")
    return 0


async def beat(path: Path, interval: float, stop: asyncio.Event,
               alive: Callable[[], bool]) -> None:
    """Write the heartbeat every `interval` seconds while `alive()`; remove it at the end."""
    try:
        while not stop.is_set():
            if alive():
                try:
                    write_heartbeat(path)
                except OSError as exc:  # a full disk must not take the bot down
                    logger.warning("cannot write heartbeat %s: %s", path, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        # A stopped bot is not healthy: do not leave a fresh-looking file behind.
        with contextlib.suppress(OSError):
            path.unlink()
