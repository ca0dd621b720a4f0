"""Discord setup: explicit command sync (global / guild), config secrecy, and the pure renderer."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from adapters.discord import DiscordConfig, build_client, serve, sync_commands
from adapters.discord import client as discord_client
from adapters.discord.client import api_base
from adapters.discord.handlers import strip_mention
from adapters.discord.render import CONTENT_LIMIT, CUSTOM_ID_LIMIT, LABEL_LIMIT, render, split_text
from bot.answering import Answerer
from bot.model import Reply, Suggestion
from bot.reloading import ReloadOutcome
from bot.service import Service
from tests.fakes.discord_api import FakeDiscord, faq_content, running_bot


def service() -> Service:
    return Service(Answerer(faq_content()))


def config_for(fake: FakeDiscord) -> DiscordConfig:
    return DiscordConfig(token="fake-token-123", api_url=fake.api_url,
                         gateway_url=fake.gateway_url)


async def test_sync_registers_localised_commands_globally_without_gateway() -> None:
    """sync_commands registers /ask /topics /help /reload with French names, over REST only."""
    svc = service()
    async with FakeDiscord() as fake:
        count = await sync_commands(config_for(fake), svc)
    [(path, commands)] = fake.synced
    assert path == f"/api/v10/applications/{fake.app_id}/commands" and count == 4
    by_name = {c["name"]: c for c in commands}
    assert set(by_name) == {"ask", "topics", "help", "reload"}
    ask = by_name["ask"]
    assert ask["name_localizations"]["fr"] == "question"
    assert ask["description"] == svc.answerer.message("command.ask", "en")
    assert ask["description_localizations"]["fr"] == svc.answerer.message("command.ask", "fr")
    assert ask["options"][0]["autocomplete"] is True
    assert by_name["topics"]["name_localizations"]["fr"] == "themes"
    assert fake.identifies == []  # no gateway connection for a sync


async def test_sync_to_one_guild() -> None:
    """sync_commands with a guild id registers the commands on that guild (instant)."""
    async with FakeDiscord() as fake:
        await sync_commands(config_for(fake), service(), guild_id=123456789012345678)
    [(path, commands)] = fake.synced
    assert path == f"/api/v10/applications/{fake.app_id}/guilds/123456789012345678/commands"
    assert len(commands) == 4


async def test_sync_setting_syncs_at_start_and_start_does_not_sync_by_default() -> None:
    """With sync="guild" the bot syncs on start; with the default it never does."""
    async with FakeDiscord() as fake:
        async with running_bot(fake, service()):
            pass
        assert fake.synced == []
        async with running_bot(fake, service(), sync="guild", sync_guild=42424242424242424):
            pass
    assert [p for p, _ in fake.synced] == [
        f"/api/v10/applications/{fake.app_id}/guilds/42424242424242424/commands"
    ]


def test_config_repr_never_shows_the_token() -> None:
    """repr() and str() of the config hide the token but show the other settings."""
    config = DiscordConfig(token="MTIz.secret-token", shards="auto")
    for shown in (repr(config), str(config), f"{config}"):
        assert "secret" not in shown and "MTIz" not in shown
        assert "shards='auto'" in shown and "token='***'" in shown


def test_split_text_keeps_every_word_within_the_limit() -> None:
    """split_text cuts at word ends, under the limit, losing and adding nothing."""
    text = " ".join(f"mot{i}" for i in range(3000))
    pieces = split_text(text, CONTENT_LIMIT)
    assert len(pieces) > 1 and all(len(p) <= CONTENT_LIMIT for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert split_text("x" * 4500, 2000) == ["x" * 2000, "x" * 2000, "x" * 500]  # one huge word


def test_render_long_suggestions_stay_within_component_limits() -> None:
    """Long questions and ids become labels <= 80 and custom_ids <= 100 (or are left out)."""
    long_q = "Pourquoi " + "très " * 60 + "?"
    reply = Reply("suggest", "fr", "Vouliez-vous dire :", suggestions=(
        Suggestion("ok-id", long_q, 0.5), Suggestion("x" * 120, "Trop long", 0.4)))
    [payload] = render(reply)
    assert [b.custom_id for b in payload.buttons] == ["faq:a:ok-id:fr"]
    assert all(len(b.label) <= LABEL_LIMIT for b in payload.buttons)
    assert all(len(b.custom_id) <= CUSTOM_ID_LIMIT for b in payload.buttons)


def test_render_answer_has_feedback_buttons_only_with_a_ref() -> None:
    """An answer gets 👍/👎 buttons when the service gave it a ref, none otherwise."""
    answer = Reply("answer", "en", "Yes.", entry_id="open-source", question="Q?", source="S")
    [plain] = render(answer)
    [rated] = render(dataclasses.replace(answer, ref="abc123"))
    assert [b.custom_id for b in plain.buttons] == []
    assert [b.custom_id for b in rated.buttons] == ["faq:f:up:en:abc123", "faq:f:down:en:abc123"]
    assert plain.embed is not None and plain.embed.footer.text == "S"


async def test_automatic_reload_outcome_is_sent_to_admins_by_dm() -> None:
    """A reload listener DMs each Discord admin how an automatic reload went (file, line)."""
    svc = service()
    admins = frozenset({700_000_000_000_000_031, 700_000_000_000_000_032})
    outcome = ReloadOutcome(False, 4, ("content/qa/prices.yaml:12: answer.fr is empty",), "watch")
    async with FakeDiscord() as fake, running_bot(fake, svc, admins=admins):
        await svc.notify_reload(outcome)
        sent = await fake.wait_sent(2)
    assert len({s.channel_id for s in sent}) == 2  # one DM channel per admin
    assert all("content/qa/prices.yaml:12" in s.content for s in sent)
    assert all(s.content == outcome.text(svc.answerer, "fr") for s in sent)


def test_api_url_gets_the_api_version_when_missing() -> None:
    """DISCORD_API_URL may be a bare proxy URL: /api/v10 is added; a versioned one is kept."""
    assert api_base("https://proxy.example") == "https://proxy.example/api/v10"
    assert api_base("https://proxy.example/api/") == "https://proxy.example/api/v10"
    assert api_base("http://127.0.0.1:8080/api/v10") == "http://127.0.0.1:8080/api/v10"


def test_config_ids_may_be_ints_or_digit_strings() -> None:
    """Admin and channel ids given as ints or as strings are the same ids."""
    config = DiscordConfig(token="t", admins=frozenset({"123", 456}),
                           allowed_channels=frozenset({"789"}))
    assert config.is_admin(123) and config.is_admin(456) and not config.is_admin(789)
    assert config.allows(789, private=False) and not config.allows(1, private=False)
    assert config.allows(1, private=True)  # DMs are always allowed


async def test_build_client_points_at_discord_unless_configured() -> None:
    """Endpoints are set by build_client from the config; without URLs they are Discord's."""
    async with FakeDiscord() as fake:
        client = build_client(service(), config_for(fake))
        # discord.py reads these two class attributes (reached through our module, so that
        # the adapter's import-time warning filter applies first).
        assert fake.api_url == discord_client.Route.BASE
        assert str(discord_client.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
        await client.close()
    client = build_client(service(), DiscordConfig(token="t"))
    assert discord_client.Route.BASE == "https://discord.com/api/v10"
    assert str(discord_client.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
    await client.close()


async def test_a_rejected_token_stops_serve_with_login_failure_and_no_token_in_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A token Discord refuses makes serve() raise LoginFailure; the token is never logged."""
    import discord  # here, after adapters.discord has silenced discord.py's import warning

    caplog.set_level(logging.DEBUG)
    async with FakeDiscord() as fake:
        config = DiscordConfig(token="MTIz.wrong-token", api_url=fake.api_url,
                               gateway_url=fake.gateway_url)
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(serve(service(), config, asyncio.Event()), 10)
    assert fake.identifies == []  # it never reached the gateway
    assert "wrong-token" not in caplog.text and "MTIz" not in caplog.text


def test_strip_mention_removes_only_the_bot() -> None:
    """Both forms of the bot's mention go; other users' mentions stay as typed."""
    assert strip_mention("<@11> hi <@!11> <@22>  there", 11) == "hi <@22> there"
