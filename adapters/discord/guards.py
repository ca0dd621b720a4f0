"""What guards the handlers: a per-user cooldown, and the count of replies in flight."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Concatenate, ParamSpec, Protocol, TypeVar


class Cooldown:
    """Per-user pause between two questions (in memory; 0 seconds = no cooldown)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last: dict[str, float] = {}

    def wait_left(self, user_id: str) -> float:
        """Seconds the user still has to wait; 0 means go ahead (and starts a new pause)."""
        if self.seconds <= 0:
            return 0.0
        now = time.monotonic()
        left = self._last.get(user_id, -1e9) + self.seconds - now
        if left > 0:
            return left
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget users whose pause is over, to bound memory
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        return 0.0


class InFlight:
    """Counts the handlers running, so a shutdown can let them finish their replies."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def one(self) -> Iterator[None]:
        """Mark one handler as running for the duration of the block."""
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if not self.count:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait until no handler runs (at most `timeout` s); whether they all finished."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


P = ParamSpec("P")
R = TypeVar("R")


class HasInFlight(Protocol):
    """An object whose coroutine methods are counted while they run."""

    in_flight: InFlight


S = TypeVar("S", bound=HasInFlight)


def tracked(
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Count a handler method as in flight while it runs."""

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.in_flight.one():
            return await method(self, *args, **kwargs)

    return run
