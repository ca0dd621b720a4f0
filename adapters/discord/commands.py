"""The slash commands (/ask, /topics, /help, /reload), localised in French and English.

Command names and descriptions are sent to Discord only when commands are synced (explicitly:
`sync_commands`, or the `sync` setting); the texts come from content/messages.yaml where a key
exists (command.ask, command.topics, command.help), else from the small table below.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str

from adapters.discord.handlers import Handlers
from bot.model import Lang
from bot.service import Service

# Texts Discord needs that content/messages.yaml does not hold: command names are part of the
# interface (lowercase, no spaces), not prose for content authors.
BUILTIN: dict[str, dict[Lang, str]] = {
    "name.ask": {"en": "ask", "fr": "question"},
    "name.topics": {"en": "topics", "fr": "themes"},
    "name.help": {"en": "help", "fr": "aide"},
    "name.reload": {"en": "reload", "fr": "recharger"},
    "param.question": {"en": "question", "fr": "question"},
    "param.question.description": {"en": "Your question", "fr": "Votre question"},
    "command.reload": {
        "en": "Reload the Q&A content (admins only)",
        "fr": "Recharger le contenu (administrateurs seulement)",
    },
}


def discord_lang(locale: discord.Locale) -> Lang | None:
    """fr / en for the Discord locales we translate to, None for the others (English default)."""
    code = str(locale)[:2]
    return "fr" if code == "fr" else "en" if code == "en" else None


class FaqTranslator(app_commands.Translator):
    """Looks up each command string's `key` in the bot's messages, then in BUILTIN."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = discord_lang(locale)
        key = string.extras.get("key")
        return text(self.service, key, lang) if lang and key else None


def text(service: Service, key: str, lang: Lang) -> str:
    """The command text `key` in `lang`: from messages.yaml, else from BUILTIN."""
    if key in BUILTIN:
        return BUILTIN[key][lang]
    found = service.answerer.message(key, lang)
    return found if found != key else key


def _str(service: Service, key: str) -> locale_str:
    # The English text is the default shown to every locale we do not translate.
    return locale_str(text(service, key, "en"), key=key)


def install(tree: app_commands.CommandTree[discord.Client], handlers: Handlers) -> None:
    """Add the bot's slash commands to `tree`; each one just calls a handler."""
    service = handlers.service

    @tree.command(name=_str(service, "name.ask"), description=_str(service, "command.ask"))
    @app_commands.rename(question=_str(service, "param.question"))
    @app_commands.describe(question=_str(service, "param.question.description"))
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await handlers.ask(interaction, question)

    @ask.autocomplete("question")
    async def ask_complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return handlers.complete(interaction, current)

    @tree.command(name=_str(service, "name.topics"), description=_str(service, "command.topics"))
    async def topics(interaction: discord.Interaction) -> None:
        await handlers.topics(interaction)

    @tree.command(name=_str(service, "name.help"), description=_str(service, "command.help"))
    async def help_(interaction: discord.Interaction) -> None:
        await handlers.help(interaction)

    @tree.command(name=_str(service, "name.reload"), description=_str(service, "command.reload"))
    @app_commands.default_permissions(manage_guild=True)  # hidden from members by default
    async def reload(interaction: discord.Interaction) -> None:
        await handlers.reload(interaction)
