"""Send rendered payloads to a channel or as an interaction's response, never pinging anyone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from adapters.discord.render import Payload
from adapters.discord.views import build_view

# Every send says so explicitly, on top of the client-wide default: a question quoting
# "@everyone" or a role must never make the bot ping anyone.
NO_PINGS = discord.AllowedMentions.none()


async def to_channel(
    channel: discord.abc.Messageable,
    payloads: Sequence[Payload],
    reference: discord.Message | None = None,
) -> None:
    """Send the payloads in order to `channel`, the first one as a reply to `reference`."""
    for i, payload in enumerate(payloads):
        kwargs = _kwargs(payload)
        if i == 0 and reference is not None:
            kwargs["reference"] = reference.to_reference(fail_if_not_exists=False)
            kwargs["mention_author"] = False
        view = kwargs.get("view")
        await channel.send(**kwargs)
        _forget(view)


async def to_interaction(interaction: discord.Interaction, payloads: Sequence[Payload]) -> None:
    """Answer the interaction with the first payload (or follow up if it was deferred)."""
    for payload in payloads:
        kwargs = _kwargs(payload)
        kwargs["ephemeral"] = payload.ephemeral
        view = kwargs.get("view")
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)
        _forget(view)


def _kwargs(payload: Payload) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if payload.content:
        kwargs["content"] = payload.content
    if payload.embed is not None:
        kwargs["embed"] = payload.embed
    view = build_view(payload.buttons)
    if view is not None:
        kwargs["view"] = view
    return kwargs


def _forget(view: discord.ui.View | None) -> None:
    # The persistent DynamicItems answer the clicks; the per-message view would only leak memory.
    if view is not None:
        view.stop()
