"""Rate limit per user and per-channel de-duplication, on a fake clock."""

from __future__ import annotations

from bot.limits import ChannelDeduper, RateLimiter


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_allows_then_notices_once_then_stays_silent() -> None:
    """Ten questions pass, the 11th gets one notice, the next ones silence."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock)
    verdicts = []
    for _ in range(13):
        verdicts.append(limiter.check("u1").verdict)
        clock.now += 1
    assert verdicts == ["ok"] * 10 + ["notice", "silent", "silent"]


def test_window_frees_and_notice_can_come_again() -> None:
    """After the window, the user is answered again; a new burst gets a new notice."""
    clock = FakeClock()
    limiter = RateLimiter(2, clock)
    assert [limiter.check("u").verdict for _ in range(3)] == ["ok", "ok", "notice"]
    clock.now += 61
    assert [limiter.check("u").verdict for _ in range(4)] == ["ok", "ok", "notice", "silent"]


def test_retry_after_counts_down_to_the_oldest_question() -> None:
    """The notice says how long until the oldest counted question leaves the window."""
    clock = FakeClock()
    limiter = RateLimiter(1, clock)
    limiter.check("u")
    clock.now += 20
    decision = limiter.check("u")
    assert decision.verdict == "notice" and decision.retry_after == 40


def test_users_are_counted_separately_and_zero_disables() -> None:
    """One user's burst does not limit another; a limit of 0 means no limit."""
    clock = FakeClock()
    limiter = RateLimiter(1, clock)
    assert limiter.check("a").verdict == "ok"
    assert limiter.check("b").verdict == "ok"
    assert limiter.check("a").verdict == "notice"
    unlimited = RateLimiter(0, clock)
    assert all(unlimited.check("a").verdict == "ok" for _ in range(100))


def test_idle_users_are_forgotten() -> None:
    """Users idle for a window are swept from memory."""
    clock = FakeClock()
    limiter = RateLimiter(5, clock)
    for user in range(100):
        limiter.check(str(user))
    clock.now += 120
    limiter.check("fresh")
    assert set(limiter._accepted) == {"fresh"}


def test_dedup_within_window_only_and_per_channel() -> None:
    """The same entry in the same channel is 'recent' for the window, not elsewhere or later."""
    clock = FakeClock()
    dedup = ChannelDeduper(60, clock)
    assert not dedup.recently_answered("c1", "mla")
    dedup.remember("c1", "mla")
    clock.now += 30
    assert dedup.recently_answered("c1", "mla")
    assert not dedup.recently_answered("c2", "mla")
    assert not dedup.recently_answered("c1", "moat")
    clock.now += 31
    assert not dedup.recently_answered("c1", "mla")


def test_dedup_disabled_with_zero_seconds() -> None:
    """BOT_DEDUP_SECONDS=0 turns de-duplication off."""
    dedup = ChannelDeduper(0, FakeClock())
    dedup.remember("c1", "mla")
    assert not dedup.recently_answered("c1", "mla")
