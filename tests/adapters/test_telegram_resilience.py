"""Telegram adapter end to end, the hard cases: hostile text, long text, API failures, flood
control, webhook secret, clean shutdown, feedback storage, admin commands.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.telegram import TelegramConfig, TelegramRunner, serve
from adapters.telegram.app import admin_notifier
from bot.answering import Answerer
from bot.model import Entry, frozen_map
from bot.reloading import ReloadOutcome
from bot.service import Service
from bot.storage import QuestionLog
from tests.adapters.test_telegram import buttons, make_content
from tests.fakes.telegram_api import WAIT, FakeBotApi, running_telegram

USER = 2002
OTHER = 3003
GROUP = -100600
WHO = "Qui est Liang Wenfeng ?"
PARAGRAPH = "Paragraphe {} : " + "un texte de réponse assez long pour remplir la page. " * 9
LONG_ANSWER = "\n\n".join(PARAGRAPH.format(i).strip() for i in range(18))  # ~9 000 chars
LONG = Entry("long-answer", frozen_map({"fr": ("Raconte-moi toute l'histoire en détail",),
                                        "en": ("Tell me the whole story in detail",)}),
             frozen_map({"fr": LONG_ANSWER, "en": LONG_ANSWER}), source="暗涌 Waves",
             related=("high-flyer",), topic="basics")


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    """The test content plus one 9 000-character answer."""
    return Answerer(make_content(LONG))


@pytest.fixture
def service(answerer: Answerer) -> Service:
    """A fresh service per test."""
    return Service(answerer)


async def test_markup_in_question_and_content_comes_back_escaped(service: Service) -> None:
    """`<b>`, `&` and `<script>` in a question or an answer are shown as text, never as markup."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Que veut dire <b> & <script> ?"))
        api.push(api.message(USER, "<script>alert('x')</script> & <b>gras</b> &amp; ?"))
        sent = await api.wait_sent(USER, 2)
    answer = sent[0]
    assert answer["text"].startswith("Que veut dire <b> & <script> ?")
    assert "<script>alert(1)</script> & <b>non</b>" in answer["text"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;non&lt;/b&gt;" in answer["html"]
    assert "<script" not in sent[1]["html"]
    assert all(c.status == 200 for c in api.calls_of("sendMessage"))  # no HTML refused


async def test_huge_question_gets_one_sane_reply(service: Service) -> None:
    """A 10 000-character question gets one reply that fits one message."""
    question = ("pourquoi DeepSeek " * 600)[:10_000]
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, question))
        await api.wait_sent(USER)
        api.push(api.message(USER, WHO))  # same chat, in order: the huge one is done by now
        sent = await api.wait_sent(USER, 2)
    assert len(sent) == 2
    assert 0 < len(sent[0]["text"]) < 4096
    assert "est le fondateur" in sent[1]["text"]


async def test_long_answer_arrives_in_parts_under_4096(service: Service) -> None:
    """A 9 000-character answer comes in parts < 4096, cut between paragraphs, source last."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Raconte-moi toute l'histoire en détail"))
        await api.wait_until(lambda: any("Source" in m["text"] for m in api.sent_to(USER)))
        sent = api.sent_to(USER)
    assert len(sent) >= 3
    assert all(len(m["text"]) < 4096 for m in sent)
    paragraphs = [p for m in sent for p in m["text"].split("\n\n")]
    assert paragraphs[1:-1] == LONG_ANSWER.split("\n\n")
    assert sent[-1]["text"].splitlines()[-1] == "Source : 暗涌 Waves"
    assert [("reply_markup" in m) for m in sent] == [False] * (len(sent) - 1) + [True]


async def test_429_on_send_is_retried_and_reply_arrives_once(service: Service) -> None:
    """A 429 with retry_after on sendMessage: the rate limiter waits, resends, one reply."""
    async with running_telegram(service) as (api, _):
        api.fail("sendMessage", 429, retry_after=1)
        api.push(api.message(USER, WHO))
        await api.wait_sent(USER)
        api.push(api.message(USER, "Qu'est-ce que DeepSeek ?"))
        sent = await api.wait_sent(USER, 2)
    assert [c.status for c in api.calls_of("sendMessage")] == [429, 200, 200]
    assert [m["text"].split("\n")[0] for m in sent] == [WHO, "Qu'est-ce que DeepSeek ?"]


async def test_500_on_one_send_apologises_and_goes_on(service: Service,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """A 500 on one reply: the traceback is logged, an apology sent, the next question answered."""
    async with running_telegram(service) as (api, _):
        api.fail("sendMessage", 500)
        api.push(api.message(USER, WHO))
        await api.wait_sent(USER)
        api.push(api.message(USER, "Qu'est-ce que DeepSeek ?"))
        sent = await api.wait_sent(USER, 2)
    assert sent[0]["text"] == service.answerer.message("error", "fr")
    assert sent[1]["text"].startswith("Qu'est-ce que DeepSeek ?")
    failed = [r for r in caplog.records if r.getMessage().startswith("telegram update")]
    assert len(failed) == 1 and failed[0].exc_info is not None


@pytest.mark.parametrize("status", [400, 403])
async def test_refused_send_and_apology_do_not_stop_the_bot(service: Service, status: int) -> None:
    """A 400/403 on the reply and on the apology: logged, and the bot answers the next one."""
    async with running_telegram(service) as (api, _):
        api.fail("sendMessage", status, times=2)
        api.push(api.message(USER, WHO))
        api.push(api.message(USER, "Qu'est-ce que DeepSeek ?"))
        sent = await api.wait_sent(USER)
    assert [c.status for c in api.calls_of("sendMessage")] == [status, status, 200]
    assert [m["text"].split("\n")[0] for m in sent] == ["Qu'est-ce que DeepSeek ?"]


async def test_slow_send_in_one_chat_does_not_hold_other_chats(service: Service) -> None:
    """While one chat's reply is slow to send, another chat is answered meanwhile."""
    async with running_telegram(service) as (api, _):
        api.fail("sendMessage", 200, delay=1.0)
        api.push(api.message(USER, WHO))
        await api.wait_until(lambda: bool(api.calls_of("sendMessage")))
        api.push(api.message(OTHER, "Qu'est-ce que DeepSeek ?"))
        await api.wait_sent(USER)
        await api.wait_sent(OTHER)
    assert [m["chat"]["id"] for m in api.sent] == [OTHER, USER]


async def test_webhook_answers_with_secret_and_rejects_without(service: Service) -> None:
    """Webhook mode: setWebhook carries the secret; a POST without it or with a wrong one is
    refused with 403 and never answered; with it, the update is answered. /healthz says ok."""
    settings: dict[str, Any] = {"webhook_url": "https://bot.example.org/tg-hook",
                                "webhook_secret": "s3cret_t0ken", "listen": "127.0.0.1", "port": 0}
    async with running_telegram(service, **settings) as (api, runner), \
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as http:
        assert runner.webhook is not None
        root = f"http://127.0.0.1:{runner.webhook.port}"
        assert api.webhook["url"] == "https://bot.example.org/tg-hook"
        assert api.webhook["secret_token"] == "s3cret_t0ken"
        denied = api.stamp(api.message(USER, "Qu'est-ce que DeepSeek ?"))
        statuses = []
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(f"{root}/tg-hook", json=denied, headers=headers) as response:
                statuses.append(response.status)
        update = api.stamp(api.message(USER, WHO))
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_t0ken"}
        async with http.post(f"{root}/tg-hook", json=update, headers=headers) as response:
            statuses.append(response.status)
        async with http.post(f"{root}/tg-hook", data=b"{not json", headers=headers) as response:
            statuses.append(response.status)
        sent = await api.wait_sent(USER)
        async with http.get(f"{root}/healthz") as response:
            health = (response.status, await response.text())
    assert statuses == [403, 403, 200, 400]
    assert len(sent) == 1 and sent[0]["text"].startswith(WHO)
    assert health == (200, "ok\n")
    assert api.calls_of("getUpdates") == []


def test_webhook_mode_requires_a_secret(service: Service) -> None:
    """Webhook mode without a secret token refuses to start (every request must be checked)."""
    config = TelegramConfig(token="1:x", webhook_url="https://bot.example.org/hook")
    with pytest.raises(ValueError, match="secret"):
        TelegramRunner(service, config)


async def test_serve_stops_cleanly_and_finishes_reply_in_flight(service: Service) -> None:
    """serve(): commands registered, polling; when stop is set mid-reply, the reply still lands."""
    api = FakeBotApi()
    config = TelegramConfig(token=api.token, base_url=await api.start())
    stop_event = asyncio.Event()
    task = asyncio.create_task(serve(service, config, stop_event))
    try:
        await api.wait_until(lambda: bool(api.calls_of("getUpdates")), WAIT)
        api.fail("sendMessage", 200, delay=0.5)
        api.push(api.message(USER, WHO))
        await api.wait_until(lambda: bool(api.calls_of("sendMessage")), WAIT)
        stop_event.set()  # the reply is being sent right now
        await asyncio.wait_for(task, WAIT)
    finally:
        await api.close()
    assert len(api.sent_to(USER)) == 1
    assert set(api.commands) == {None, "fr", "en"}


async def test_feedback_buttons_store_the_vote(answerer: Answerer, tmp_path: Path) -> None:
    """👍 under an answer: the vote is stored with the question, the press acknowledged."""
    log = QuestionLog(tmp_path / "questions.db")
    service = Service(answerer, log=log)
    try:
        async with running_telegram(service) as (api, _):
            api.push(api.message(USER, WHO))
            (answer,) = await api.wait_sent(USER)
            up = next(b for b in buttons(answer) if b["text"] == "👍")
            assert up["callback_data"].startswith("f:") and up["callback_data"].endswith(":+")
            api.push(api.callback(answer, up["callback_data"]))
            await api.wait_until(lambda: bool(api.calls_of("answerCallbackQuery")))
        assert log.flush()
    finally:
        log.close()
    ack = api.calls_of("answerCallbackQuery")[0].params
    assert ack["text"] == answerer.message("feedback_thanks", "fr")
    with sqlite3.connect(tmp_path / "questions.db") as db:
        rows = db.execute("SELECT q.entry_id, f.vote FROM feedback f JOIN questions q "
                          "ON q.ref = f.question_ref").fetchall()
    assert rows == [("who-is-liang-wenfeng", 1)]
    assert str(USER).encode() not in (tmp_path / "questions.db").read_bytes()


async def test_reload_is_for_admins_and_admins_hear_of_reloads(service: Service) -> None:
    """/reload: refused to others, done for an admin; an automatic reload is told to admins."""
    service.set_reloader(lambda: ReloadOutcome(True, 42))
    async with running_telegram(service, admins=frozenset({USER})) as (api, runner):
        api.push(api.message(OTHER, "/reload", lang="en"))
        api.push(api.message(USER, "/reload"))
        await api.wait_sent(OTHER)
        await api.wait_sent(USER)
        config = TelegramConfig(token=api.token, admins=frozenset({USER}))
        notify = admin_notifier(runner.app, service, config)
        await notify(ReloadOutcome(False, 6, ("qa/x.yaml:3: bad",)))
        sent = await api.wait_sent(USER, 2)
    assert api.sent_to(OTHER)[0]["text"] == service.answerer.message("not_admin", "en")
    assert sent[0]["text"] == service.answerer.message("reload_ok", "fr", entries=42)
    assert "qa/x.yaml:3: bad" in sent[1]["text"]


async def test_rate_limited_user_gets_one_notice_then_silence(answerer: Answerer) -> None:
    """Over the per-user limit in a group: one polite notice, then nothing; others still served."""
    service = Service(answerer, rate_limit=3, dedup_seconds=0)
    async with running_telegram(service) as (api, _):
        for _ in range(6):
            api.push(api.message(GROUP, f"/ask {WHO}", user_id=USER))
        api.push(api.message(GROUP, "/ask Qu'est-ce que DeepSeek ?", user_id=OTHER))
        await api.wait_until(lambda: any("DeepSeek ?" in m["text"].split("\n")[0]
                                         for m in api.sent_to(GROUP)))
    texts = [m["text"].split("\n")[0] for m in api.sent_to(GROUP)]
    assert texts[:3] == [WHO] * 3
    assert texts[3].startswith(answerer.message("rate_limited", "fr", seconds=0)[:10])
    assert texts[4:] == ["Qu'est-ce que DeepSeek ?"]


async def test_token_never_logged_even_on_errors(service: Service,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """With errors and retries in the run, no log line (INFO and up) contains the token."""
    caplog.set_level(logging.INFO)
    async with running_telegram(service) as (api, _):
        api.fail("sendMessage", 500)
        api.fail("getUpdates", 500)  # the polling loop logs it and polls again
        api.push(api.message(USER, WHO))
        api.push(api.message(USER, "Qu'est-ce que DeepSeek ?"))
        await api.wait_sent(USER, 2)
    assert caplog.records  # something was logged, errors included
    assert api.token not in caplog.text
    assert api.token.split(":")[1] not in caplog.text
    assert api.token not in repr(TelegramConfig(token=api.token, webhook_secret="s"))
