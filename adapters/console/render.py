"""Plain-text rendering of a `Reply` for the terminal (pure: no I/O)."""

from __future__ import annotations

import re

from bot.model import Reply, Suggestion

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render(reply: Reply, labels: dict[str, str]) -> tuple[str, list[Suggestion]]:
    """The text to print and the numbered choices it offers (suggestions, then follow-ups).

    `labels` holds the localised "source_label" and "related_label".
    """
    lines = [_BOLD.sub(r"\1", reply.text)]
    choices: list[Suggestion] = []
    if reply.kind == "answer" and reply.source:
        lines.append(f"({labels.get('source_label', 'Source')}: {reply.source})")
    picks = reply.suggestions if reply.kind != "answer" else reply.related
    if picks:
        if reply.kind == "answer":
            lines.append(f"{labels.get('related_label', 'See also')}:")
        for n, s in enumerate(picks, start=1):
            lines.append(f"  {n}. {s.question}")
            choices.append(s)
    return "\n".join(lines), choices
