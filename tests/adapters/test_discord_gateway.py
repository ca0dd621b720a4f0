"""The Discord gateway side: reconnects, shards, lean intents, and a load test (fake Discord)."""

from __future__ import annotations

import time

from bot.answering import Answerer
from bot.service import Service
from tests.fakes.discord_api import USER, FakeDiscord, faq_content, guild_id, running_bot

QUESTIONS = (
    "Why did DeepSeek cut its prices?",
    "Will DeepSeek stay open source?",
    "When does Liang think AGI will arrive?",
    "Pourquoi DeepSeek a-t-il baissé ses prix ?",
)


def service() -> Service:
    # No per-user limit or channel de-duplication here: these tests count every reply.
    return Service(Answerer(faq_content()), rate_limit=1_000_000, dedup_seconds=0)


async def mention(
    fake: FakeDiscord, text: str, channel: int, guild: int, author: int = USER
) -> int:
    return await fake.push_message(f"<@{fake.bot_id}> {text}", channel=channel, guild=guild,
                                   mentions=(fake.bot_id,), author=author)


async def test_identify_asks_for_no_privileged_intent() -> None:
    """IDENTIFY asks for guild and DM messages but not message content, members or presences."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        [identify] = fake.identifies
    intents = identify["intents"]
    assert intents & (1 << 9) and intents & (1 << 12)  # guild messages, DM messages
    assert not intents & (1 << 15)  # message content (privileged)
    assert not intents & (1 << 1) and not intents & (1 << 8)  # members, presences (privileged)


async def test_gateway_close_resumes_and_answers_next_message() -> None:
    """After the gateway closes the connection the bot resumes and answers the next message."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        assert await fake.drop(code=4000) == 1
        await fake.until(lambda: len(fake.resumes) == 1)
        await fake.wait_ready()
        await mention(fake, QUESTIONS[0], 9001, guild_id(0))
        [sent] = await fake.wait_sent(1)
    assert len(fake.identifies) == 1  # resumed, not re-identified
    assert sent.embeds[0]["title"] == QUESTIONS[0]


async def test_refused_resume_identifies_again_and_answers() -> None:
    """When the session cannot be resumed (op 9) the bot identifies anew and keeps answering."""
    async with FakeDiscord() as fake, running_bot(fake, service()):
        await fake.drop(code=4000, forget=True)
        await fake.until(lambda: len(fake.identifies) == 2)
        await fake.wait_ready()
        await fake.push_message(QUESTIONS[1], channel=8001)
        [sent] = await fake.wait_sent(1)
    assert len(fake.resumes) == 1
    assert sent.embeds[0]["title"] == QUESTIONS[1]


async def test_two_auto_shards_answer_guilds_on_both() -> None:
    """DISCORD_SHARDS=auto with 2 recommended shards: guilds on shard 0 and 1 both get answers."""
    guilds = {guild_id(0): [9001], guild_id(1): [9101]}
    async with FakeDiscord(guilds, shard_count=2) as fake, running_bot(
        fake, service(), sessions=2, shards="auto"
    ):
        await mention(fake, QUESTIONS[0], 9001, guild_id(0))
        await mention(fake, QUESTIONS[1], 9101, guild_id(1))
        sent = await fake.wait_sent(2)
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    assert {s.channel_id for s in sent} == {9001, 9101}


async def test_explicit_shard_ids_run_only_those_shards() -> None:
    """shard_ids=(1,) of 2: this process connects shard 1 only and answers its guild."""
    guilds = {guild_id(0): [9001], guild_id(1): [9101]}
    async with FakeDiscord(guilds) as fake, running_bot(
        fake, service(), shard_ids=(1,), shard_count=2
    ):
        await mention(fake, QUESTIONS[2], 9101, guild_id(1))
        [sent] = await fake.wait_sent(1)
    assert [i["shard"] for i in fake.identifies] == [[1, 2]]
    assert sent.channel_id == 9101


async def test_load_500_mentions_in_20_channels() -> None:
    """500 mentions across 20 channels get exactly 500 replies, one per message; prints rate."""
    channels = list(range(9001, 9021))
    async with FakeDiscord({guild_id(0): channels}) as fake, running_bot(fake, service()):
        started = time.perf_counter()
        asked = [
            await mention(fake, QUESTIONS[i % len(QUESTIONS)], channels[i % 20], guild_id(0),
                          author=700_000_000_000_000_100 + i % 50)
            for i in range(500)
        ]
        sent = await fake.wait_sent(500, timeout=60)
        elapsed = time.perf_counter() - started
        await fake.until(lambda: len(fake.sent) == 500)  # and nothing more came after
    replied_to = [int(s.body["message_reference"]["message_id"]) for s in sent]
    assert sorted(replied_to) == sorted(asked)  # none lost, none doubled
    assert all(s.pings == [] for s in sent) and fake.rejected == []
    print(f"\ndiscord load: 500 mentions answered in {elapsed:.2f} s "
          f"({500 / elapsed:.0f} replies/s, fake Discord on loopback)")
