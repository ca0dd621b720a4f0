"""Telegram adapter under load: 1 000 messages from 50 chats at once, through the fake API.

Prints the throughput (run pytest with -s to see it); asserts only counts and order.
"""

from __future__ import annotations

import time

from telegram.ext import AIORateLimiter

from adapters.telegram.app import MAX_RETRIES
from bot.answering import Answerer
from bot.service import Service
from tests.adapters.test_telegram import make_content
from tests.fakes.telegram_api import running_telegram

CHATS = 50
PER_CHAT = 20
QUESTIONS = ("Qui est Liang Wenfeng ?", "Qu'est-ce que DeepSeek ?", "Qu'est-ce que High-Flyer ?",
             "DeepSeek a-t-il lancé la guerre des prix ?", "Comment DeepSeek fixe-t-il ses prix ?")


def question(chat: int, i: int) -> str:
    """The i-th question of a chat (varied, so a reply can be traced to its question)."""
    return QUESTIONS[(chat + i) % len(QUESTIONS)]


async def test_thousand_messages_from_fifty_chats() -> None:
    """1 000 messages pushed at once: exactly 1 000 replies, each in its chat, in order."""
    # No per-user limit here (it is tested elsewhere), and no global 30/s throttle: the fake
    # has no flood limit, and the throttle would only measure itself.
    service = Service(Answerer(make_content()), rate_limit=PER_CHAT * 2)
    limiter = AIORateLimiter(overall_max_rate=0, max_retries=MAX_RETRIES)
    async with running_telegram(service, rate_limiter=limiter) as (api, _):
        started = time.perf_counter()
        for i in range(PER_CHAT):
            for chat in range(1, CHATS + 1):
                api.push(api.message(chat, question(chat, i)))
        await api.wait_until(lambda: len(api.sent) >= CHATS * PER_CHAT, timeout=45)
        elapsed = time.perf_counter() - started
    print(f"\ntelegram load: {len(api.sent)} replies in {elapsed:.2f} s "
          f"= {len(api.sent) / elapsed:.0f} messages/s ({CHATS} chats, fake Bot API)")
    assert len(api.sent) == CHATS * PER_CHAT
    assert [c.status for c in api.calls_of("sendMessage")] == [200] * (CHATS * PER_CHAT)
    for chat in range(1, CHATS + 1):
        titles = [m["text"].split("\n")[0] for m in api.sent_to(chat)]
        assert titles == [question(chat, i) for i in range(PER_CHAT)], chat
