"""Etiquette in busy places: a per-user rate limit and per-channel de-duplication of answers.

Both are plain in-memory structures driven by an injectable clock, so tests need no sleeping.
The rate limiter answers "ok", "notice" (the first refused question: say so politely, once) or
"silent" (refused again: say nothing until the window frees).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Clock = Callable[[], float]
Verdict = Literal["ok", "notice", "silent"]


@dataclass(frozen=True)
class Decision:
    """The rate limiter's verdict, and how many seconds until the user may ask again."""

    verdict: Verdict
    retry_after: float = 0.0


class RateLimiter:
    """At most `per_minute` accepted questions per key in any sliding 60-second window."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._accepted: dict[str, deque[float]] = {}
        self._notified: set[str] = set()
        self._last_sweep = clock()

    def check(self, key: str) -> Decision:
        """Count a question from `key` if allowed; refused questions are not counted."""
        if self.per_minute <= 0:  # 0 disables the limit
            return Decision("ok")
        now = self._clock()
        self._sweep(now)
        stamps = self._accepted.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.WINDOW:
            stamps.popleft()
        if len(stamps) < self.per_minute:
            stamps.append(now)
            self._notified.discard(key)
            return Decision("ok")
        retry_after = max(0.0, stamps[0] + self.WINDOW - now)
        if key in self._notified:
            return Decision("silent", retry_after)
        self._notified.add(key)
        return Decision("notice", retry_after)

    def _sweep(self, now: float) -> None:
        # Forget idle users now and then, so memory follows active users, not all users ever seen.
        if now - self._last_sweep < self.WINDOW:
            return
        self._last_sweep = now
        idle = [k for k, s in self._accepted.items() if not s or s[-1] <= now - self.WINDOW]
        for key in idle:
            del self._accepted[key]
            self._notified.discard(key)


class ChannelDeduper:
    """Remembers which entry was answered in which channel, for `seconds`."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._answered: dict[tuple[str, str], float] = {}

    def recently_answered(self, channel: str, entry_id: str) -> bool:
        """True if `entry_id` was answered in `channel` less than `seconds` ago."""
        if self.seconds <= 0:
            return False
        when = self._answered.get((channel, entry_id))
        return when is not None and self._clock() - when < self.seconds

    def remember(self, channel: str, entry_id: str) -> None:
        """Note that `entry_id` has just been answered in `channel`."""
        if self.seconds <= 0:
            return
        now = self._clock()
        if len(self._answered) > 10_000:  # bound memory in very busy deployments
            self._answered = {k: t for k, t in self._answered.items() if now - t < self.seconds}
        self._answered[(channel, entry_id)] = now
