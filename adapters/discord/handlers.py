"""The thin handlers: get the text, ask the service, render, send. No matching logic here."""

from __future__ import annotations

import logging
import re
from typing import Literal, Protocol

import discord
from discord import app_commands

from adapters.discord import render, sending
from adapters.discord.config import DiscordConfig
from adapters.discord.guards import Cooldown, InFlight, tracked
from bot.model import Lang, Reply, Suggestion
from bot.service import Asker, Service

log = logging.getLogger(__name__)

CHOICE_LIMIT = 100  # Discord's limit on an autocomplete choice's name and value


class HasHandlers(Protocol):
    """What the components need from the client: its handlers."""

    handlers: Handlers


class Handlers:
    """Everything the bot does on Discord, each as a short coroutine."""

    def __init__(self, service: Service, config: DiscordConfig) -> None:
        self.service = service
        self.config = config
        self.cooldown = Cooldown(config.cooldown_seconds)
        self.in_flight = InFlight()

    # --- messages: DMs and @mentions -------------------------------------------------------
    @tracked
    async def message(self, message: discord.Message, me: discord.ClientUser) -> None:
        """Answer a DM or a message that @mentions the bot; ignore everything else."""
        if message.author.bot:
            return  # never answer a bot, ourselves included: no reply loops
        private = message.guild is None
        if not private and all(user.id != me.id for user in message.mentions):
            return
        if not self._allows(message.channel.id, message.channel, private):
            return
        asker = self._asker(message.author, message.channel.id, private)
        if not asker.is_admin and self.cooldown.wait_left(asker.user_id):
            return  # silently: a notice per extra message would be the spam we avoid
        reply = self.service.ask(strip_mention(message.content, me.id), asker, None)
        if reply is not None:
            await sending.to_channel(message.channel, render.render(reply), reference=message)

    # --- slash commands --------------------------------------------------------------------
    @tracked
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """/ask: the answer; "did you mean" buttons; an ephemeral "unknown"."""
        asker = self._interaction_asker(interaction)
        if not self._channel_allowed(interaction):
            await _stay_silent(interaction)
            return
        if await self._cooling(interaction, asker):
            return
        reply = self.service.ask(question, asker, _locale(interaction))
        if reply is None:  # rate-limited, and already told so once
            await _stay_silent(interaction)
            return
        ephemeral = reply.kind in ("unknown", "notice")
        await sending.to_interaction(interaction, render.render(reply, ephemeral=ephemeral))

    def complete(self, interaction: discord.Interaction, current: str) -> list[
        app_commands.Choice[str]
    ]:
        """Up to 25 known questions that fit what the user is typing, in their locale."""
        found = self.service.answerer.complete(current, lang_hint=_locale(interaction), limit=25)
        choices: dict[str, app_commands.Choice[str]] = {}
        for s in found:
            name = render.clip(s.question, CHOICE_LIMIT)
            choices.setdefault(name, app_commands.Choice(name=name, value=name))
        return list(choices.values())[:25]

    @tracked
    async def topics(self, interaction: discord.Interaction) -> None:
        """/topics: the themes, each a button listing its questions."""
        lang = self._lang(interaction)
        answerer = self.service.answerer
        intro = answerer.message("topics_intro", lang)
        await sending.to_interaction(
            interaction, render.render_topics(intro, answerer.topics(), lang)
        )

    @tracked
    async def help(self, interaction: discord.Interaction) -> None:
        """/help: what the bot knows and how to ask."""
        await sending.to_interaction(interaction, self._notice("help", interaction))

    @tracked
    async def reload(self, interaction: discord.Interaction) -> None:
        """/reload (admins): reload the content; the service checks the admin right."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # may take > 3 s
        reply = self.service.reload(self._interaction_asker(interaction), self._lang(interaction))
        await sending.to_interaction(interaction, render.render(reply, ephemeral=True))

    # --- buttons ---------------------------------------------------------------------------
    @tracked
    async def choose(self, interaction: discord.Interaction, entry_id: str, lang: Lang) -> None:
        """A suggestion or related button: that entry's answer."""
        reply = self.service.answer_entry(entry_id, self._interaction_asker(interaction), lang)
        # Private when the clicked message was (an "unknown" /ask reply), public otherwise.
        clicked = interaction.message
        ephemeral = bool(clicked and clicked.flags.ephemeral)
        await sending.to_interaction(interaction, render.render(reply, ephemeral=ephemeral))

    @tracked
    async def vote(self, interaction: discord.Interaction, up: bool, ref: str, lang: Lang) -> None:
        """A 👍/👎 button: record the vote, thank the user privately."""
        vote: Literal[1, -1] = 1 if up else -1
        self.service.feedback(ref, self._interaction_asker(interaction), vote)
        thanks = self.service.answerer.message("feedback_thanks", lang)
        await sending.to_interaction(interaction, render.render_text(thanks, ephemeral=True))

    @tracked
    async def topic(self, interaction: discord.Interaction, key: str, lang: Lang) -> None:
        """A topic button: its questions, as buttons that answer them."""
        answerer = self.service.answerer
        topic = next((t for t in answerer.topics() if t.key == key), None)
        if topic is None:
            reply = Reply("unknown", lang, answerer.message("unknown", lang))
            await sending.to_interaction(interaction, render.render(reply, ephemeral=True))
            return
        content = answerer.content
        questions = [
            Suggestion(e.id, e.question(lang), 1.0)
            for e in (content.entry(i) for i in topic.entry_ids)
            if e is not None
        ]
        heading = answerer.message("topic_questions", lang, topic=topic.title(lang))
        await sending.to_interaction(interaction, render.render_topic(heading, questions, lang))

    # --- the one apology -------------------------------------------------------------------
    async def fail(self, target: discord.Interaction | discord.Message) -> None:
        """Log the error being handled, with its traceback, and say sorry; never raises."""
        log.exception("discord: error while handling %s", type(target).__name__)
        try:
            if isinstance(target, discord.Interaction):
                await sending.to_interaction(target, self._notice("error", target))
            else:
                lang = self.service.answerer.detect_language(target.content, None)
                text = self.service.answerer.message("error", lang)
                await sending.to_channel(target.channel, render.render_text(text))
        except Exception:  # the apology itself failed (e.g. Discord unreachable): log only
            log.exception("discord: could not send the apology")

    # --- helpers ---------------------------------------------------------------------------
    def _asker(self, user: discord.abc.User, channel_id: int | None, private: bool) -> Asker:
        return Asker(
            "discord",
            str(user.id),
            str(channel_id),
            "private" if private else "group",
            is_admin=self.config.is_admin(user.id),
        )

    def _interaction_asker(self, interaction: discord.Interaction) -> Asker:
        return self._asker(interaction.user, interaction.channel_id, _private(interaction))

    def _channel_allowed(self, interaction: discord.Interaction) -> bool:
        channel = interaction.channel
        return self._allows(interaction.channel_id or 0, channel, _private(interaction))

    def _allows(self, channel_id: int, channel: object, private: bool) -> bool:
        # In a thread, the thread's parent channel being allowed is enough.
        parent = getattr(channel, "parent_id", None)
        return self.config.allows(channel_id, private=private) or (
            isinstance(parent, int) and self.config.allows(parent, private=private)
        )

    async def _cooling(self, interaction: discord.Interaction, asker: Asker) -> bool:
        left = 0.0 if asker.is_admin else self.cooldown.wait_left(asker.user_id)
        if left:
            lang = self._lang(interaction)
            text = self.service.answerer.message("rate_limited", lang, seconds=round(left) or 1)
            await sending.to_interaction(interaction, render.render_text(text, ephemeral=True))
        return bool(left)

    def _lang(self, interaction: discord.Interaction) -> Lang:
        return self.service.answerer.detect_language("", _locale(interaction))

    def _notice(self, key: str, interaction: discord.Interaction) -> list[render.Payload]:
        text = self.service.answerer.message(key, self._lang(interaction))
        return render.render_text(text, ephemeral=True)


_MENTION = re.compile(r"<@!?(\d+)>")


def strip_mention(text: str, bot_id: int) -> str:
    """The question without the @mentions of the bot (other mentions are left as typed)."""
    kept = _MENTION.sub(lambda m: "" if int(m.group(1)) == bot_id else m.group(0), text)
    return " ".join(kept.split())


async def _stay_silent(interaction: discord.Interaction) -> None:
    # A slash command must be acknowledged or Discord shows an error: acknowledge privately,
    # then remove the placeholder, so nothing is said.
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.delete_original_response()


def _locale(interaction: discord.Interaction) -> str | None:
    return str(interaction.locale) if interaction.locale else None


def _private(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is None

