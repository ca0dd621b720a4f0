"""The Telegram handlers: get the text, ask the service, render, send. Nothing else.

Private chats: every text message is a question. Groups: only when addressed (a command, an
@mention of the bot, or a reply to one of its messages). Other bots are never answered.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from adapters.telegram.config import TelegramConfig
from adapters.telegram.render import (
    Payload,
    as_lang,
    parse_callback,
    render_article,
    render_notice,
    render_reply,
    render_topic,
    render_topics,
    render_welcome,
)
from bot.model import Lang, Suggestion
from bot.service import Asker, ChatKind, Service

log = logging.getLogger(__name__)

Context = CallbackContext[Any, Any, Any, Any]
TelegramApp = Application[Any, Any, Any, Any, Any, Any]

INLINE_RESULTS = 5
# Edited messages are not questions: answer each message once.
NEW_MESSAGE = filters.UpdateType.MESSAGE


class Handlers:
    """The callbacks of one Telegram application, bound to the service and the config."""

    def __init__(self, service: Service, config: TelegramConfig) -> None:
        self._service = service
        self._config = config

    def register(self, app: TelegramApp) -> None:
        """Add every handler, and the one error handler, to `app`."""
        app.add_handler(CommandHandler("start", self.on_start, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("help", self.on_help, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("topics", self.on_topics, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("ask", self.on_ask, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("reload", self.on_reload, filters=NEW_MESSAGE))
        text = NEW_MESSAGE & filters.TEXT & ~filters.COMMAND
        app.add_handler(MessageHandler(text, self.on_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_error_handler(self.on_error)

    # --- messages ------------------------------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        """A plain text message: a question in private, or in a group when addressed."""
        message = update.message
        if message is None or message.text is None:
            return
        question = addressed_text(message, context.bot.id, context.bot.username)
        if question is not None:
            await self._ask(update, context, question)

    async def on_ask(self, update: Update, context: Context) -> None:
        """/ask <question> (also /ask@thisbot in groups; PTB ignores /ask@otherbot)."""
        text = update.message.text if update.message else None
        await self._ask(update, context, command_argument(text or ""))

    async def on_start(self, update: Update, context: Context) -> None:
        """/start: the welcome line and three example questions, in the user's language."""
        if self._asker(update) is None:
            return
        lang = self._lang(update)
        examples = [e.strip() for e in self._message("examples", lang).split("|") if e.strip()]
        await self._send(update, context, render_welcome(self._message("welcome", lang),
                                                          examples[:3], lang))

    async def on_help(self, update: Update, context: Context) -> None:
        """/help: what the bot knows and its commands."""
        if self._asker(update) is not None:
            await self._notice(update, context, "help")

    async def on_topics(self, update: Update, context: Context) -> None:
        """/topics: the themes, one button each."""
        if self._asker(update) is None:
            return
        lang = self._lang(update)
        topics = self._service.answerer.topics()
        await self._send(update, context, render_topics(self._message("topics_intro", lang),
                                                        topics, lang))

    async def on_reload(self, update: Update, context: Context) -> None:
        """/reload: content reload, admins only (the service checks)."""
        asker = self._asker(update)
        if asker is not None:
            reply = self._service.reload(asker, self._lang(update))
            await self._send(update, context, render_reply(reply, self._message))

    # --- buttons and inline mode ---------------------------------------------------------------

    async def on_button(self, update: Update, context: Context) -> None:
        """A pressed inline button: acknowledged first, then answered in the chat."""
        query = update.callback_query
        if query is None:
            return
        press, asker = parse_callback(query.data), self._asker(update)
        if press is None or asker is None or query.message is None:
            await query.answer()
            return
        lang = as_lang(press.arg, self._lang(update))
        if press.kind == "f":
            self._service.feedback(press.value, asker, 1 if press.arg == "+" else -1)
            await query.answer(self._message("feedback_thanks", self._lang(update)))
            return
        await query.answer()
        payloads = self._pressed(press.kind, press.value, asker, lang)
        if payloads:
            await self._send(update, context, payloads)

    def _pressed(self, kind: str, value: str, asker: Asker, lang: Lang) -> list[Payload]:
        if kind == "a":
            return render_reply(self._service.answer_entry(value, asker, lang), self._message)
        if kind == "t":
            return self._topic(value, lang)
        examples = self._message("examples", lang).split("|")
        if not value.isdigit() or int(value) >= len(examples):
            return []
        reply = self._service.ask(examples[int(value)].strip(), asker, lang)
        return render_reply(reply, self._message) if reply else []

    def _topic(self, key: str, lang: Lang) -> list[Payload]:
        answerer = self._service.answerer
        topic = next((t for t in answerer.topics() if t.key == key), None)
        if topic is None:
            return []
        entries = (answerer.content.entry(i) for i in topic.entry_ids)
        questions = [Suggestion(e.id, e.question(lang), 1.0) for e in entries if e is not None]
        header = self._message("topic_questions", lang, topic=topic.title(lang))
        return render_topic(header, questions, lang)

    async def on_inline(self, update: Update, context: Context) -> None:
        """`@bot question` in any chat: up to 5 answers as articles to share."""
        query = update.inline_query
        if query is None:
            return
        results = self._articles(query.query.strip(), query.from_user.language_code)
        await query.answer(results, cache_time=60)

    def _articles(self, text: str, hint: str | None) -> list[InlineQueryResultArticle]:
        if not text:
            return []
        answerer = self._service.answerer
        lang = answerer.detect_language(text, hint)
        results = []
        for found in answerer.complete(text, hint, limit=INLINE_RESULTS)[:INLINE_RESULTS]:
            article = render_article(answerer.answer_entry(found.id, lang), self._message)
            if article is not None:
                content = InputTextMessageContent(article.html)
                results.append(InlineQueryResultArticle(
                    article.id, article.title, content, description=article.description))
        return results

    # --- errors --------------------------------------------------------------------------------

    async def on_error(self, update: object, context: Context) -> None:
        """The one catch-all: log the traceback, apologise where there is a chat, carry on."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed", update_id, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        apology = render_notice(self._message("error", self._lang(update)))[0]
        # The apology may fail too (chat blocked, network down): that is already logged above.
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, apology.html)

    # --- plumbing ------------------------------------------------------------------------------

    async def _ask(self, update: Update, context: Context, question: str) -> None:
        asker = self._asker(update)
        if asker is None:
            return
        if not question.strip():
            await self._notice(update, context, "empty")
            return
        hint = update.effective_user.language_code if update.effective_user else None
        reply = self._service.ask(question, asker, lang_hint=hint)
        if reply is not None:  # None: the service chose silence (rate limit)
            await self._send(update, context, render_reply(reply, self._message))

    def _asker(self, update: Update) -> Asker | None:
        """Who asks; None when the bot must not answer (another bot, a channel, a closed chat)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return None
        if not self._config.chat_allowed(chat.id):
            return None
        kind: ChatKind = "private" if chat.type == ChatType.PRIVATE else "group"
        return Asker("telegram", str(user.id), str(chat.id), kind,
                     is_admin=user.id in self._config.admins)

    def _lang(self, update: Update) -> Lang:
        user = update.effective_user
        return self._service.answerer.detect_language("", user.language_code if user else None)

    def _message(self, key: str, lang: Lang, **values: object) -> str:
        return self._service.answerer.message(key, lang, **values)

    async def _notice(self, update: Update, context: Context, key: str) -> None:
        await self._send(update, context, render_notice(self._message(key, self._lang(update))))

    async def _send(self, update: Update, context: Context, payloads: Sequence[Payload]) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        quote = update.message if chat.type != ChatType.PRIVATE else None
        for i, payload in enumerate(payloads):
            # In a busy group, quote the question so the answer's context is clear.
            reply_to = ReplyParameters(quote.message_id, allow_sending_without_reply=True) \
                if quote is not None and i == 0 else None
            await context.bot.send_message(chat.id, payload.html, reply_markup=payload.keyboard,
                                           reply_parameters=reply_to)


def command_argument(text: str) -> str:
    """What follows the command word: "/ask@bot  why?" -> "why?"."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def addressed_text(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in `message` if it is addressed to the bot (our @mentions removed), else
    None: in a group, only a mention of the bot or a reply to one of its messages counts."""
    text = message.text or ""
    ours = _our_mentions(message, bot_id, bot_username)
    for part in ours:
        text = text.replace(part, " ")
    replied = message.reply_to_message
    to_us = replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    if message.chat.type == ChatType.PRIVATE or ours or to_us:
        return " ".join(text.split())
    return None


def _our_mentions(message: Message, bot_id: int, bot_username: str | None) -> list[str]:
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    handle = f"@{bot_username}".lower() if bot_username else None
    return [part for entity, part in mentions.items()
            if (entity.type == MessageEntity.MENTION and part.lower() == handle)
            or (entity.user is not None and entity.user.id == bot_id)]
