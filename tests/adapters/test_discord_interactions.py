"""Discord slash commands, autocomplete and buttons end to end, against the fake Discord."""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

import pytest

from bot.answering import Answerer
from bot.model import Content, Entry, Lang, Reply, frozen_map
from bot.service import Asker, Service
from tests.fakes.discord_api import (
    LONG_ANSWER,
    FakeDiscord,
    faq_content,
    guild_id,
    running_bot,
)

GUILD, CHANNEL = guild_id(0), 9001
WHERE = {"channel": CHANNEL, "guild": GUILD}


class RecordingService(Service):
    """The real service, plus a `ref` on every reply and a record of the feedback received."""

    def __init__(self, content: Content | None = None) -> None:
        super().__init__(Answerer(content or faq_content()))
        self.votes: list[tuple[str, str, int]] = []

    def ask(self, question: str, asker: Asker, lang_hint: str | None = None) -> Reply | None:
        reply = super().ask(question, asker, lang_hint)
        return reply and dataclasses.replace(reply, ref="ref-1")

    def feedback(self, ref: str, asker: Asker, vote: Literal[1, -1]) -> None:
        self.votes.append((ref, asker.user_id, vote))


async def test_ask_answers_with_embed() -> None:
    """/ask with a known question answers publicly with an embed, pinging no one."""
    async with FakeDiscord() as fake, running_bot(fake, Service(Answerer(faq_content()))):
        inter = await fake.push_command("ask", {"question": "Why did DeepSeek cut its prices?"},
                                        **WHERE)
        [sent] = await fake.responses(inter)
    assert sent.kind == "callback" and sent.body["type"] == 4
    assert sent.embeds[0]["title"] == "Why did DeepSeek cut its prices?"
    assert not sent.ephemeral
    assert sent.pings == [] and sent.data["allowed_mentions"]["parse"] == []


async def test_unclear_ask_offers_buttons_and_a_click_answers() -> None:
    """An unclear /ask gets "did you mean" buttons; clicking one answers that entry."""
    service = Service(Answerer(faq_content()))
    lead = service.answerer.reply("DeepSeek", "en")
    assert lead.kind == "suggest", lead  # the premise: this question is unclear
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command("ask", {"question": "DeepSeek"}, **WHERE)
        [offer] = await fake.responses(inter)
        assert offer.content == lead.text
        assert offer.custom_ids == [f"faq:a:{s.id}:en" for s in lead.suggestions]
        click = await fake.push_click(offer, offer.custom_ids[0], guild=GUILD)
        [answer] = await fake.responses(click)
    chosen = faq_content().entry(lead.suggestions[0].id)
    assert chosen is not None
    assert answer.embeds[0]["description"] == chosen.answer_in("en")


async def test_unknown_ask_is_ephemeral() -> None:
    """/ask with something the content does not cover gets an ephemeral "unknown" reply."""
    service = Service(Answerer(faq_content()))
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command("ask", {"question": "xqzw plorb"}, **WHERE)
        [sent] = await fake.responses(inter)
    assert sent.ephemeral
    assert sent.content == service.answerer.message("unknown", "en")


def _many_questions() -> Content:
    base = faq_content()
    extra = tuple(
        Entry(f"extra-{i}", frozen_map({"fr": (f"Question numéro {i} sur DeepSeek ?",),
                                        "en": (f"Question number {i} about DeepSeek?",)}),
              frozen_map({"fr": "Oui.", "en": "Yes."}))
        for i in range(40)
    )
    return dataclasses.replace(base, entries=base.entries + extra)


async def test_autocomplete_french_and_english_partials() -> None:
    """Autocomplete offers known questions in the user's locale, at most 25, names <= 100."""
    async with FakeDiscord() as fake, running_bot(fake, Service(Answerer(_many_questions()))):
        fr = await fake.push_autocomplete("ask", "question", "Pourquoi DeepSeek a baiss",
                                          locale="fr", **WHERE)
        en = await fake.push_autocomplete("ask", "question", "Will DeepSeek stay",
                                          locale="en-US", **WHERE)
        many = await fake.push_autocomplete("ask", "question", "Question DeepSeek", **WHERE)
        [fr_sent], [en_sent], [many_sent] = [await fake.responses(i) for i in (fr, en, many)]
    fr_names = [c["name"] for c in fr_sent.data["choices"]]
    en_names = [c["name"] for c in en_sent.data["choices"]]
    assert fr_sent.body["type"] == 8
    assert fr_names[0] == "Pourquoi DeepSeek a-t-il baissé ses prix ?"
    assert "Will DeepSeek stay open source?" in en_names[:2]
    assert all("?" in n and not n.startswith(("Pourquoi", "Quand", "Quelle")) for n in en_names)
    assert len(many_sent.data["choices"]) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100
               for s in (fr_sent, en_sent, many_sent) for c in s.data["choices"])


async def test_long_answer_is_split_within_limits() -> None:
    """A 5 000-character answer is split over several messages, none over Discord's limits."""
    assert len(LONG_ANSWER) >= 5000
    service = RecordingService()
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command(
            "ask", {"question": "What is the full history of the High-Flyer fund?"}, **WHERE)
        sent = await fake.responses(inter, 2)
        # In a DM: in the same channel the service would point to the answer just given.
        await fake.push_message("Quelle est l'histoire complète du fonds High-Flyer ?",
                                channel=8001)
        channel_sent = (await fake.wait_sent(4))[2:]
    for pieces in (sent, channel_sent):
        assert len(pieces) == 2 and fake.rejected == []
        assert all(len(e["description"]) <= 4096 for p in pieces for e in p.embeds)
        joined = " ".join(e["description"] for p in pieces for e in p.embeds)
        assert joined.split() == LONG_ANSWER.split()  # nothing lost, nothing doubled
        assert pieces[0].custom_ids == []  # the buttons sit under the last piece
        assert any(c.startswith("faq:f:up:") for c in pieces[-1].custom_ids)
    assert [s.kind for s in sent] == ["callback", "followup"]


async def test_button_click_after_restart_is_answered() -> None:
    """A related-entry button on a message from before a restart still answers (new client)."""
    async with FakeDiscord() as fake:
        async with running_bot(fake, Service(Answerer(faq_content()))):
            inter = await fake.push_command(
                "ask", {"question": "Why did DeepSeek cut its prices?"}, **WHERE)
            [old] = await fake.responses(inter)
        async with running_bot(fake, Service(Answerer(faq_content()))):
            click = await fake.push_click(old, "faq:a:open-source:en", guild=GUILD)
            [answer] = await fake.responses(click)
        assert len(fake.identifies) == 2  # really a second client, not a resumed one
    assert answer.embeds[0]["title"] == "Will DeepSeek stay open source?"


async def test_feedback_buttons_record_the_vote() -> None:
    """👍/👎 buttons sit under an answer with a ref; a click records the vote and thanks."""
    service = RecordingService()
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command("ask", {"question": "Will DeepSeek stay open source?"},
                                        **WHERE)
        [answer] = await fake.responses(inter)
        assert {"faq:f:up:en:ref-1", "faq:f:down:en:ref-1"} <= set(answer.custom_ids)
        click = await fake.push_click(answer, "faq:f:down:en:ref-1", guild=GUILD)
        [thanks] = await fake.responses(click)
    assert service.votes == [("ref-1", "700000000000000001", -1)]
    assert thanks.ephemeral and thanks.content == service.answerer.message("feedback_thanks", "en")


async def test_topics_then_topic_button_lists_its_questions() -> None:
    """/topics shows the themes as buttons; a theme button lists its questions as buttons."""
    service = Service(Answerer(faq_content()))
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command("topics", locale="fr", **WHERE)
        [topics] = await fake.responses(inter)
        assert topics.custom_ids == ["faq:t:basics:fr"]
        click = await fake.push_click(topics, "faq:t:basics:fr", guild=GUILD)
        [questions] = await fake.responses(click)
    assert service.answerer.message("topics_intro", "fr") in topics.content
    assert "faq:a:why-lower-prices:fr" in questions.custom_ids


async def test_help_and_reload_permissions() -> None:
    """/help answers privately; /reload is refused to a non-admin and runs for an admin."""
    service = Service(Answerer(faq_content()))
    admin = 700_000_000_000_000_009
    lang: Lang = "fr"
    async with FakeDiscord() as fake, running_bot(fake, service, admins=frozenset({admin})):
        helped = await fake.push_command("help", locale="fr", **WHERE)
        refused = await fake.push_command("reload", locale="fr", **WHERE)
        allowed = await fake.push_command("reload", locale="fr", user=admin, **WHERE)
        [help_sent] = await fake.responses(helped)
        [_, refusal] = await fake.responses(refused, 2)
        [deferral, outcome] = await fake.responses(allowed, 2)
    assert help_sent.ephemeral and help_sent.content == service.answerer.message("help", lang)
    assert refusal.content == service.answerer.message("not_admin", lang)
    assert deferral.body["type"] == 5 and outcome.ephemeral
    assert outcome.content and outcome.content != refusal.content


async def test_rate_limited_ask_gets_one_notice_then_silence() -> None:
    """Over the service's limit: one private notice, then silence (acknowledged, then removed)."""
    service = Service(Answerer(faq_content()), rate_limit=1)
    async with FakeDiscord() as fake, running_bot(fake, service):
        first, second, third = [
            await fake.push_command("ask", {"question": q}, **WHERE)
            for q in ("Will DeepSeek stay open source?", "When does Liang think AGI will arrive?",
                      "Why did DeepSeek cut its prices?")
        ]
        [answer], [notice], [placeholder] = [await fake.responses(i) for i in (first, second,
                                                                                third)]
        await fake.until(lambda: third.deleted)
    assert answer.embeds and not answer.ephemeral
    pattern = re.escape(service.answerer.message("rate_limited", "en", seconds="N"))
    assert notice.ephemeral and re.fullmatch(pattern.replace("N", r"\d+"), notice.content)
    assert placeholder.body["type"] == 5 and placeholder.ephemeral and len(third.sent) == 1


async def test_ask_in_a_channel_not_allowed_says_nothing() -> None:
    """/ask in a channel outside the allowed list is acknowledged privately and removed."""
    async with FakeDiscord({GUILD: [CHANNEL, 9002]}) as fake, running_bot(
        fake, Service(Answerer(faq_content())), allowed_channels=frozenset({CHANNEL})
    ):
        inter = await fake.push_command("ask", {"question": "Will DeepSeek stay open source?"},
                                        channel=9002, guild=GUILD)
        [placeholder] = await fake.responses(inter)
        await fake.until(lambda: inter.deleted)
    assert placeholder.body["type"] == 5 and len(inter.sent) == 1


class BrokenButtons(Service):
    """The real service, except that answering a picked entry fails."""

    def answer_entry(self, entry_id: str, asker: Asker, lang: Lang) -> Reply:
        raise RuntimeError("broken button")


async def test_a_failing_button_apologises(caplog: pytest.LogCaptureFixture) -> None:
    """An error behind a button is logged with its traceback and the user gets the apology."""
    service = BrokenButtons(Answerer(faq_content()))
    async with FakeDiscord() as fake, running_bot(fake, service):
        inter = await fake.push_command("ask", {"question": "Why did DeepSeek cut its prices?"},
                                        **WHERE)
        [answer] = await fake.responses(inter)
        click = await fake.push_click(answer, "faq:a:open-source:en", guild=GUILD)
        [sorry] = await fake.responses(click)
    assert sorry.ephemeral and sorry.content == service.answerer.message("error", "en")
    assert "RuntimeError: broken button" in caplog.text
