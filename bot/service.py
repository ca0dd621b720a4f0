"""The one object every adapter talks to: asks the current answerer, on behalf of someone.

Around the core it adds what a long-running community bot needs: the question log (with a `ref`
on each reply for feedback buttons), a per-user rate limit, per-channel de-duplication of
answers, feedback storage and content reload. Adapters only ever call `ask`, `answer_entry`,
`feedback`, `reload`, `add_reload_listener` and read `answerer`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from bot.answering import Answerer
from bot.limits import ChannelDeduper, Clock, RateLimiter
from bot.model import Lang, Reply
from bot.reloading import ReloadOutcome, reload_service
from bot.storage import FeedbackRecord, QuestionLog, QuestionRecord, new_ref

logger = logging.getLogger(__name__)

ChatKind = Literal["private", "group", "console", "inline"]
ReloadListener = Callable[[ReloadOutcome], Awaitable[None]]


@dataclass(frozen=True)
class Asker:
    """Who asks, and where. `user_id` / `chat_id` are the platform's raw ids (never stored raw)."""

    platform: str  # "console", "telegram", "discord", "cli"
    user_id: str
    chat_id: str
    chat_kind: ChatKind = "private"
    is_admin: bool = False


class Service:
    """Shared by all adapters of one process; safe to call from one asyncio loop."""

    def __init__(self, answerer: Answerer, *, log: QuestionLog | None = None,
                 rate_limit: int = 10, dedup_seconds: float = 60.0,
                 clock: Clock = time.monotonic) -> None:
        self._answerer = answerer
        self.log = log
        self._limiter = RateLimiter(rate_limit, clock)
        self._dedup = ChannelDeduper(dedup_seconds, clock)
        self._reloader: Callable[[], ReloadOutcome] | None = None
        self._listeners: list[ReloadListener] = []

    @property
    def answerer(self) -> Answerer:
        """The answerer serving now (replaced atomically by a content reload)."""
        return self._answerer

    def swap(self, answerer: Answerer) -> None:
        """Serve new content from now on; questions already in flight keep the old one."""
        self._answerer = answerer

    def ask(self, question: str, asker: Asker, lang_hint: str | None = None) -> Reply | None:
        """The reply to `question`, or None when the bot should stay silent (rate-limited)."""
        answerer = self._answerer  # one consistent content version for this whole question
        if not asker.is_admin:
            decision = self._limiter.check(f"{asker.platform}:{asker.user_id}")
            if decision.verdict != "ok":
                return self._rate_limited(answerer, question, asker, lang_hint,
                                          decision.verdict, decision.retry_after)
        started = time.perf_counter()
        reply = answerer.reply(question, lang_hint)
        latency_ms = (time.perf_counter() - started) * 1000
        reply = dataclasses.replace(reply, ref=self._log(question, asker, reply, latency_ms))
        return self._dedupe(answerer, reply, asker)

    def answer_entry(self, entry_id: str, asker: Asker, lang: Lang) -> Reply:
        """The answer of an entry picked from a button (suggestion or related)."""
        reply = self._answerer.answer_entry(entry_id, lang)
        # Logged as a "pick" so the answer can carry feedback buttons like any other.
        ref = self._log(f"[{entry_id}]", asker, reply, 0.0, outcome="pick")
        return dataclasses.replace(reply, ref=ref)

    def feedback(self, ref: str, asker: Asker, vote: Literal[1, -1]) -> None:
        """Record a 👍 (1) / 👎 (-1) on the reply whose `ref` is given."""
        logger.info("feedback", extra={"event": "feedback", "platform": asker.platform,
                                       "vote": vote})
        if self.log is not None and vote in (1, -1):
            self.log.record(FeedbackRecord(ref, asker.platform, asker.user_id, vote, time.time()))

    def reload(self, asker: Asker, lang: Lang) -> Reply:
        """Reload the content (admins only); a "notice" reply saying how it went."""
        if not asker.is_admin:
            return Reply("notice", lang, self._answerer.message("not_admin", lang))
        outcome = self._reloader() if self._reloader else reload_service(self, "command")
        return Reply("notice", lang, outcome.text(self._answerer, lang))

    def set_reloader(self, reloader: Callable[[], ReloadOutcome]) -> None:
        """Route `reload` through the content watcher (so both share one lock and log)."""
        self._reloader = reloader

    def add_reload_listener(self, listener: ReloadListener) -> None:
        """Adapters register a coroutine that tells their admins how an automatic reload went."""
        self._listeners.append(listener)

    def remove_reload_listener(self, listener: ReloadListener) -> None:
        """Forget a listener (an adapter shutting down); unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def notify_reload(self, outcome: ReloadOutcome) -> None:
        """Call every reload listener; one failing listener does not stop the others."""
        for listener in list(self._listeners):
            try:
                await listener(outcome)
            except Exception:  # a listener is an adapter boundary: log and carry on
                logger.exception("reload listener failed", extra={"event": "reload_notify"})

    def close(self) -> None:
        """Write the pending log rows and close the database."""
        if self.log is not None:
            self.log.close()

    def _log(self, text: str, asker: Asker, reply: Reply, latency_ms: float,
             outcome: str | None = None) -> str | None:
        outcome = outcome or reply.kind
        logger.info("question", extra={
            "event": "question", "platform": asker.platform, "chat_kind": asker.chat_kind,
            "lang": reply.lang, "outcome": outcome, "entry_id": reply.entry_id,
            "score": round(reply.score, 3), "latency_ms": round(latency_ms, 2)})
        if self.log is None:
            return None
        ref = new_ref()
        self.log.record(QuestionRecord(
            ref=ref, ts=time.time(), platform=asker.platform, chat_kind=asker.chat_kind,
            user_id=asker.user_id, lang=reply.lang, text=text, outcome=outcome,
            entry_id=reply.entry_id, score=reply.score, latency_ms=latency_ms))
        return ref

    def _rate_limited(self, answerer: Answerer, question: str, asker: Asker,
                      lang_hint: str | None, verdict: str, retry_after: float) -> Reply | None:
        logger.info("rate limited", extra={"event": "rate_limited", "platform": asker.platform,
                                           "verdict": verdict})
        if verdict != "notice":
            return None
        lang = answerer.detect_language(question, lang_hint)
        seconds = max(1, math.ceil(retry_after))
        return Reply("notice", lang, answerer.message("rate_limited", lang, seconds=seconds))

    def _dedupe(self, answerer: Answerer, reply: Reply, asker: Asker) -> Reply:
        """In a group, the same entry again within the window gets a pointer, not a repost."""
        if reply.kind != "answer" or reply.entry_id is None or asker.chat_kind != "group":
            return reply
        channel = f"{asker.platform}:{asker.chat_id}"
        if asker.is_admin or not self._dedup.recently_answered(channel, reply.entry_id):
            self._dedup.remember(channel, reply.entry_id)
            return reply
        text = answerer.message("repeated", reply.lang, question=reply.question or "")
        return Reply("notice", reply.lang, text)  # no ref: no feedback buttons under a pointer
