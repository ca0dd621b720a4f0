"""Build a discord.py view from rendered `ButtonSpec`s, only to carry the components of a send.

The clicks are dispatched by the persistent `DynamicItem`s in `components`, matched on the
custom_id, so these views are stopped right after the send instead of piling up in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.render import ButtonSpec

STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


def build_view(buttons: Sequence[ButtonSpec]) -> discord.ui.View | None:
    """A view holding one button per spec, or None when there is no button."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for spec in buttons:
        view.add_item(
            discord.ui.Button(
                label=spec.label or None,
                custom_id=spec.custom_id,
                style=STYLES[spec.style],
                emoji=spec.emoji,
                row=spec.row,
            )
        )
    return view
