"""Discord messages end to end: the real bot (discord.py) against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re

import pytest

from adapters.discord import DiscordConfig, serve
from bot.answering import Answerer
from bot.model import Reply
from bot.service import Asker, Service
from tests.fakes.discord_api import FakeDiscord, faq_content, guild_id, running_bot

GUILD, CHANNEL, DM = guild_id(0), 9001, 8001
OTHER_BOT = 777_000_000_000_000_001


def service() -> Service:
    return Service(Answerer(faq_content()))


async def test_mention_in_guild_gets_embed_answer_without_pings() -> None:
    """An @mention in a guild channel gets an embed answer sent with allowed_mentions parse []."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        bot = f"<@{fake.bot_id}>"
        await fake.push_message(f"{bot} Why did DeepSeek cut its prices?", channel=CHANNEL,
                                guild=GUILD, mentions=(fake.bot_id,))
        [sent] = await fake.wait_sent(1)
    assert sent.channel_id == CHANNEL
    [embed] = sent.embeds
    assert embed["title"] == "Why did DeepSeek cut its prices?"
    assert embed["description"].startswith("Because costs fell.")
    assert embed["footer"]["text"] == "暗涌 Waves, 2024"
    assert sent.body["allowed_mentions"]["parse"] == []
    assert sent.pings == []
    assert "faq:a:open-source:en" in sent.custom_ids  # the related entry as a button
    assert fake.unhandled == [] and fake.rejected == []


async def test_direct_message_gets_answer() -> None:
    """A DM (no mention needed) is a question and gets the answer in the DM channel."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        await fake.push_message("DeepSeek va-t-il rester open source ?", channel=DM)
        [sent] = await fake.wait_sent(1)
    assert sent.channel_id == DM
    assert sent.embeds[0]["description"] == "Yes, open source stays."


async def test_message_without_mention_and_bot_messages_are_ignored() -> None:
    """A guild message without a mention, a bot's DM and the bot's own message get no reply."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        await fake.push_message("Why did DeepSeek cut its prices?", channel=CHANNEL, guild=GUILD)
        await fake.push_message(f"<@{fake.bot_id}> Will DeepSeek stay open source?",
                                channel=CHANNEL, guild=GUILD, author=OTHER_BOT, bot=True,
                                mentions=(fake.bot_id,))
        await fake.push_message("Will DeepSeek stay open source?", channel=DM,
                                author=fake.bot_id, bot=True)
        await fake.push_message("When does Liang think AGI will arrive?", channel=DM)
        sent = await fake.wait_sent(1)
    assert [s.channel_id for s in sent] == [DM]  # only the human DM, sent after the others
    assert sent[0].embeds[0]["title"] == "When does Liang think AGI will arrive?"


async def test_everyone_and_role_mentions_in_question_ping_no_one() -> None:
    """A question with @everyone, a role and a user mention gets a reply that pings no one."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        question = (f"<@{fake.bot_id}> @everyone <@&555> <@42> xqzw plorb vromp kadoodle "
                    "@here zzzzzz")
        await fake.push_message(question, channel=CHANNEL, guild=GUILD,
                                mentions=(fake.bot_id, 42))
        await fake.push_message(f"<@{fake.bot_id}> Why did DeepSeek cut its prices?",
                                channel=CHANNEL, guild=GUILD, author=700_000_000_000_000_002,
                                mentions=(fake.bot_id,))
        sent = await fake.wait_sent(2)
    assert all(s.pings == [] for s in sent)
    assert all(s.body["allowed_mentions"] == {"parse": [], "replied_user": False} for s in sent)
    # The answer text itself quotes "<@42> @everyone": still nobody is notified.
    assert any("@everyone" in s.text for s in sent)


class FailingService(Service):
    """The real service, except that one question makes it raise."""

    def ask(self, question: str, asker: Asker, lang_hint: str | None = None) -> Reply | None:
        if "boom" in question:
            raise RuntimeError("boom")
        return super().ask(question, asker, lang_hint)


async def test_an_error_is_logged_apologised_for_and_does_not_stop_the_bot(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A handler error logs a traceback and apologises; the next message is answered."""
    svc = FailingService(Answerer(faq_content()))
    async with FakeDiscord() as fake, running_bot(fake, svc):
        await fake.push_message("boom", channel=DM)
        await fake.wait_sent(1)
        inter = await fake.push_command("ask", {"question": "boom"}, channel=CHANNEL, guild=GUILD)
        [sorry_slash] = await fake.responses(inter)
        await fake.push_message("Will DeepSeek stay open source?", channel=DM)
        sent = await fake.wait_sent(3)
    texts = [s.text for s in sent if s.interaction_id is None]
    assert texts[0] == svc.answerer.message("error", "fr")
    assert sorry_slash.ephemeral and sorry_slash.content == svc.answerer.message("error", "en")
    assert sent[-1].embeds[0]["title"] == "Will DeepSeek stay open source?"
    assert "RuntimeError: boom" in caplog.text
    assert "fake-token-123" not in caplog.text  # the token never reaches a log line


async def test_cooldown_and_allowed_channels() -> None:
    """With a cooldown a user's second question waits; a channel not allowed is ignored."""
    async with FakeDiscord({GUILD: [CHANNEL, 9002]}) as fake, running_bot(
        fake, service(), cooldown_seconds=600, allowed_channels=frozenset({CHANNEL})
    ):
        bot = f"<@{fake.bot_id}>"
        await fake.push_message(f"{bot} hello 9002", channel=9002, guild=GUILD,
                                mentions=(fake.bot_id,))
        await fake.push_message(f"{bot} Why did DeepSeek cut its prices?", channel=CHANNEL,
                                guild=GUILD, mentions=(fake.bot_id,))
        await fake.push_message(f"{bot} Will DeepSeek stay open source?", channel=CHANNEL,
                                guild=GUILD, mentions=(fake.bot_id,))
        inter = await fake.push_command("ask", {"question": "Will DeepSeek stay open source?"},
                                        channel=CHANNEL, guild=GUILD)
        [notice] = await fake.responses(inter)
        await fake.push_message("When does Liang think AGI will arrive?", channel=DM,
                                author=700_000_000_000_000_002)
        sent = await fake.wait_sent(3)
    assert notice.ephemeral and re.search(r"\b(599|600) s\b", notice.content), notice.content
    # In CHANNEL: the first answer and the /ask notice (either may land first); then the DM.
    [answer] = [s for s in sent if s.kind == "message" and s.channel_id == CHANNEL]
    assert answer.embeds[0]["title"] == "Why did DeepSeek cut its prices?"
    assert [s.channel_id for s in sent].count(CHANNEL) == 2 and sent[-1].channel_id == DM


async def test_stop_lets_the_reply_in_flight_finish() -> None:
    """When stop is set while a reply is being sent, serve() returns only after it is sent."""
    async with FakeDiscord() as fake:
        fake.slow_messages = 0.5
        stop = asyncio.Event()
        config = DiscordConfig(token="fake-token-123", api_url=fake.api_url,
                               gateway_url=fake.gateway_url)
        bot = asyncio.create_task(serve(service(), config, stop))
        await fake.wait_ready()
        await fake.push_message("Will DeepSeek stay open source?", channel=DM)
        await fake.until(lambda: fake.posts_started == 1)
        stop.set()
        await asyncio.wait_for(bot, 10)
        assert len(fake.sent) == 1  # recorded before serve() returned


async def test_bare_mention_gets_the_empty_question_prompt() -> None:
    """A mention with no question (both mention forms stripped) gets the "ask me" prompt."""
    svc = service()
    async with FakeDiscord() as fake, running_bot(fake, svc):
        await fake.push_message(f"<@{fake.bot_id}>  <@!{fake.bot_id}> ", channel=CHANNEL,
                                guild=GUILD, mentions=(fake.bot_id,))
        [sent] = await fake.wait_sent(1)
    assert sent.content == svc.answerer.message("empty", "fr")
