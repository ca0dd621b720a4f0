"""Persistent buttons: the state each click needs is in its custom_id, so clicks on old messages
keep working after a restart. Registered once with `client.add_dynamic_items`.
"""

from __future__ import annotations

import re
from typing import Any, cast

import discord

from adapters.discord import render
from adapters.discord.handlers import HasHandlers
from bot.model import Lang

_LANG = r"(?P<lang>fr|en)"


def _handlers(interaction: discord.Interaction) -> HasHandlers:
    return cast(HasHandlers, interaction.client)


def _button(custom_id: str) -> discord.ui.Button[Any]:
    # Only used to satisfy DynamicItem's constructor; what is sent is built in views.py.
    return discord.ui.Button(label="…", custom_id=custom_id)


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=rf"{render.ANSWER_PREFIX}:(?P<id>[^:]+):{_LANG}"):
    """A suggestion or related-entry button: answers the entry in its custom_id."""

    def __init__(self, entry_id: str, lang: Lang) -> None:
        super().__init__(_button(render.answer_id(entry_id, lang)))
        self.entry_id, self.lang = entry_id, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["id"], cast(Lang, match["lang"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        handlers = _handlers(interaction).handlers
        try:
            await handlers.choose(interaction, self.entry_id, self.lang)
        except Exception:
            await handlers.fail(interaction)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                     template=rf"{render.FEEDBACK_PREFIX}:(?P<vote>up|down):{_LANG}:(?P<ref>.+)"):
    """A 👍/👎 button under an answer: records the vote for the logged reply `ref`."""

    def __init__(self, up: bool, ref: str, lang: Lang) -> None:
        super().__init__(_button(render.feedback_id("up" if up else "down", ref, lang)))
        self.up, self.ref, self.lang = up, ref, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(match["vote"] == "up", match["ref"], cast(Lang, match["lang"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        handlers = _handlers(interaction).handlers
        try:
            await handlers.vote(interaction, self.up, self.ref, self.lang)
        except Exception:
            await handlers.fail(interaction)


class TopicButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                  template=rf"{render.TOPIC_PREFIX}:(?P<key>[^:]+):{_LANG}"):
    """A topic button from /topics: lists that topic's questions."""

    def __init__(self, key: str, lang: Lang) -> None:
        super().__init__(_button(render.topic_id(key, lang)))
        self.key, self.lang = key, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TopicButton:
        return cls(match["key"], cast(Lang, match["lang"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        handlers = _handlers(interaction).handlers
        try:
            await handlers.topic(interaction, self.key, self.lang)
        except Exception:
            await handlers.fail(interaction)


PERSISTENT_ITEMS = (AnswerButton, FeedbackButton, TopicButton)

