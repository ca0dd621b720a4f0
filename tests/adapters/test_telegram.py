"""Telegram adapter end to end: the real PTB application against the fake Bot API server.

Reads like a chat: push an update as Telegram would, wait (bounded) for what the bot sends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.answering import Answerer
from bot.content import load_content
from bot.model import Content, Entry, Lang, Topic, frozen_map
from bot.service import Service
from tests.fakes.telegram_api import FakeBotApi, running_telegram

USER = 1001
GROUP = -100500
WHO_FR = "Qui est Liang Wenfeng ?"
MESSAGES = Path(__file__).resolve().parents[2] / "content" / "messages.yaml"


def entry(entry_id: str, fr: str, en: str, answer_fr: str, answer_en: str, topic: str,
          **more: Any) -> Entry:
    """A test entry with one question and one answer per language."""
    return Entry(entry_id, frozen_map({"fr": (fr,), "en": (en,)}),
                 frozen_map({"fr": answer_fr, "en": answer_en}), topic=topic, **more)


ENTRIES = (
    entry("who-is-liang-wenfeng", "Qui est Liang Wenfeng ?", "Who is Liang Wenfeng?",
          "**Liang Wenfeng** (梁文锋) est le fondateur de DeepSeek et du fonds High-Flyer.",
          "**Liang Wenfeng** (梁文锋) is the founder of DeepSeek and of the High-Flyer fund.",
          "basics", source="暗涌 Waves, 2024", related=("high-flyer", "what-is-deepseek")),
    entry("high-flyer", "Qu'est-ce que High-Flyer ?", "What is High-Flyer?",
          "Un fonds quantitatif.", "A quant fund.", "basics"),
    entry("what-is-deepseek", "Qu'est-ce que DeepSeek ?", "What is DeepSeek?",
          "Une entreprise d'IA.", "An AI company.", "basics"),
    entry("price-war", "DeepSeek a-t-il lancé la guerre des prix ?",
          "Did DeepSeek start the price war?", "Pas exprès.", "Not on purpose.", "prices"),
    entry("pricing-principle", "Comment DeepSeek fixe-t-il ses prix ?",
          "How does DeepSeek set its prices?", "Au coût.", "At cost.", "prices"),
    entry("markup", "Que veut dire <b> & <script> ?", "What do <b> & <script> mean?",
          "Écrire <script>alert(1)</script> & <b>non</b> ne fait rien ici.",
          "Writing <script>alert(1)</script> & <b>no</b> does nothing here.", "prices"),
)


def make_content(*extra: Entry) -> Content:
    """A small content of our own (the real one changes under other helpers' hands), with the
    bot's real phrases from content/messages.yaml."""
    raw = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    messages = frozen_map({k: frozen_map(v) for k, v in raw.items()})
    entries = ENTRIES + extra
    topics = tuple(
        Topic(key, frozen_map(raw[f"topic.{key}"]), tuple(e.id for e in entries if e.topic == key))
        for key in ("basics", "prices"))
    return Content(entries, messages=messages, topics=topics)


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    """One answerer over the test content, shared by the module (it is immutable)."""
    return Answerer(make_content())


@pytest.fixture
def service(answerer: Answerer) -> Service:
    """A fresh service per test."""
    return Service(answerer)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons under a sent message, row by row flattened."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b for row in rows for b in row]


async def test_private_question_answered_in_french(service: Service) -> None:
    """A French question in a private chat gets the French answer, bold title and source."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Qui est Liang Wenfeng ?", lang="fr"))
        (sent,) = await api.wait_sent(USER)
    assert "est le fondateur" in sent["text"]
    assert sent["html"].startswith("<b>Qui est Liang Wenfeng ?</b>")
    assert "<b>Liang Wenfeng</b>" in sent["html"]
    assert sent["text"].splitlines()[-1].startswith("Source : ")


async def test_private_question_answered_in_english(service: Service) -> None:
    """An English question from an English-speaking user gets the English answer."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Who is Liang Wenfeng?", lang="en"))
        (sent,) = await api.wait_sent(USER)
    assert "is the founder" in sent["text"]
    assert sent["text"].splitlines()[-1].startswith("Source: ")


async def test_answer_has_related_buttons(service: Service) -> None:
    """Related entries come as buttons whose callback data name the entry and language."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Qui est Liang Wenfeng ?", lang="fr"))
        (sent,) = await api.wait_sent(USER)
    assert [b["callback_data"] for b in buttons(sent)] == [
        "a:high-flyer:fr", "a:what-is-deepseek:fr"]


async def test_group_ignores_chatter_other_bots_and_other_commands(service: Service) -> None:
    """In a group, chatter, /ask@otherbot and another bot's mention get no reply at all."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(GROUP, "Qui est Liang Wenfeng ?", user_id=1))
        api.push(api.message(GROUP, "/ask@otherbot Qui est Liang Wenfeng ?", user_id=2))
        api.push(api.message(GROUP, "@liang_faq_bot Qui est Liang Wenfeng ?", user_id=3,
                             is_bot=True))
        # A last, addressed question: the chat's updates run in order, so once it is
        # answered the three before it were handled (and ignored).
        last = api.push(api.message(GROUP, "/ask@liang_faq_bot Who is Liang Wenfeng?", user_id=4,
                                    lang="en"))
        sent = await api.wait_sent(GROUP)
    assert len(sent) == 1
    assert "is the founder" in sent[0]["text"]
    assert last > 0


async def test_edited_messages_are_not_asked_again(service: Service) -> None:
    """Editing a question does not trigger a second answer (each message is answered once)."""
    async with running_telegram(service) as (api, _):
        edited = api.message(USER, "Qu'est-ce que High-Flyer ?")
        api.push({"edited_message": edited["message"] | {"edit_date": 1}})
        api.push(api.message(USER, WHO_FR))
        sent = await api.wait_sent(USER)
    assert [m["text"].split("\n")[0] for m in sent] == [WHO_FR]


async def test_group_answers_ask_mention_and_reply_to_bot(service: Service) -> None:
    """In a group, /ask@thisbot, an @mention and a reply to the bot are answered, quoted."""
    async with running_telegram(service) as (api, _):
        first = api.message(GROUP, "/ask@liang_faq_bot Qui est Liang Wenfeng ?", user_id=1)
        api.push(first)
        (answer,) = await api.wait_sent(GROUP)
        # Different questions: the service answers one entry only once a minute per chat.
        mention = api.message(GROUP, "@Liang_FAQ_bot Qu'est-ce que DeepSeek ?", user_id=2)
        api.push(mention)
        await api.wait_sent(GROUP, 2)
        reply = api.message(GROUP, "Qu'est-ce que High-Flyer ?", user_id=3, reply_to=answer)
        api.push(reply)
        sent = await api.wait_sent(GROUP, 3)
    quoted = [m["reply_parameters"]["message_id"] for m in sent]
    asked = [u["message"]["message_id"] for u in (first, mention, reply)]
    assert quoted == asked
    assert [m["text"].split("\n")[0] for m in sent] == [
        "Qui est Liang Wenfeng ?", "Qu'est-ce que DeepSeek ?", "Qu'est-ce que High-Flyer ?"]


async def test_plain_ask_in_private_and_empty_ask(service: Service) -> None:
    """/ask <question> works in private; a bare /ask gets the "ask me something" hint."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "/ask Qui est Liang Wenfeng ?"))
        await api.wait_sent(USER)
        api.push(api.message(USER, "/ask"))
        sent = await api.wait_sent(USER, 2)
    assert "est le fondateur" in sent[0]["text"]
    assert sent[1]["text"] == service.answerer.message("empty", "fr")


@pytest.mark.parametrize(("lang", "greeting"), [("fr", "Bonjour"), ("en", "Hello")])
async def test_start_welcomes_in_user_language(service: Service, lang: Lang,
                                              greeting: str) -> None:
    """/start sends the welcome and three example questions, each a button, in the user's lang."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "/start", lang=lang))
        (sent,) = await api.wait_sent(USER)
        examples = service.answerer.message("examples", lang).split("|")
        assert sent["text"].startswith(greeting)
        assert [b["text"] for b in buttons(sent)] == examples[:3]
        api.push(api.callback(sent, buttons(sent)[0]["callback_data"], lang=lang))
        answer = (await api.wait_sent(USER, 2))[1]
    assert answer["html"].startswith(f"<b>{examples[0]}</b>")


async def test_commands_registered_in_french_and_english(service: Service) -> None:
    """setMyCommands is called for fr, en and the default, with localised descriptions."""
    async with running_telegram(service) as (api, _):
        pass
    assert set(api.commands) == {None, "fr", "en"}
    fr = {c["command"]: c["description"] for c in api.commands["fr"]}
    assert fr["topics"] == service.answerer.message("command.topics", "fr")
    assert [c["command"] for c in api.commands["en"]] == ["start", "ask", "topics", "help"]


async def test_topics_button_lists_questions(service: Service) -> None:
    """/topics shows one button per theme; pressing one lists its questions as buttons."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "/topics", lang="en"))
        (menu,) = await api.wait_sent(USER)
        basics = next(b for b in buttons(menu) if b["callback_data"] == "t:basics:en")
        assert basics["text"] == "Basics: Liang, DeepSeek, the interviews"
        press = api.callback(menu, basics["callback_data"], lang="en")
        api.push(press)
        listing = (await api.wait_sent(USER, 2))[1]
        await api.wait_until(lambda: bool(api.calls_of("answerCallbackQuery")))
    assert "Basics" in listing["text"]
    ids = [b["callback_data"] for b in buttons(listing)]
    assert "a:who-is-liang-wenfeng:en" in ids
    assert api.calls_of("answerCallbackQuery")[0].params["callback_query_id"] == \
        press["callback_query"]["id"]


async def test_unclear_question_suggests_and_press_answers(service: Service) -> None:
    """An unclear question gets "did you mean" buttons; pressing one answers and is acked."""
    question = "prix"  # three price entries: ambiguous
    assert service.answerer.reply(question, "fr").kind == "suggest"  # the premise
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, question))
        (suggest,) = await api.wait_sent(USER)
        choice = buttons(suggest)[0]
        assert suggest["text"] == service.answerer.message("suggest", "fr")
        assert choice["callback_data"].startswith("a:") and choice["callback_data"].endswith(":fr")
        api.push(api.callback(suggest, choice["callback_data"]))
        answer = (await api.wait_sent(USER, 2))[1]
        await api.wait_until(lambda: bool(api.calls_of("answerCallbackQuery")))
    entry_id = choice["callback_data"].split(":")[1]
    entry = service.answerer.content.entry(entry_id)
    assert entry is not None
    assert answer["html"].startswith(f"<b>{entry.question('fr')}</b>")


async def test_inline_query_returns_articles(service: Service) -> None:
    """`@bot question` returns up to 5 articles, the best first, each with the answer to post."""
    async with running_telegram(service) as (api, _):
        api.push(api.inline_query("Qui est Liang Wenfeng", lang="fr"))
        await api.wait_until(lambda: bool(api.calls_of("answerInlineQuery")))
    (call,) = api.calls_of("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["id"] == "who-is-liang-wenfeng"
    assert results[0]["type"] == "article"
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    assert "est le fondateur" in results[0]["input_message_content"]["message_text"]


async def test_unknown_chat_is_ignored_when_chats_are_restricted(service: Service) -> None:
    """With allowed_chats set, other chats get nothing; the allowed one is answered."""
    async with running_telegram(service, allowed_chats=frozenset({USER})) as (api, _):
        api.push(api.message(USER + 1, "Qui est Liang Wenfeng ?"))
        api.push(api.message(USER, "Qui est Liang Wenfeng ?"))
        await api.wait_sent(USER)
    assert api.sent_to(USER + 1) == []


def test_fake_rejects_unknown_methods_and_bad_html() -> None:
    """The fake server refuses what Telegram refuses, so the tests above mean something."""
    from tests.fakes.telegram_api import ApiError, parse_html

    with pytest.raises(ApiError):
        parse_html("<script>alert(1)</script>")
    with pytest.raises(ApiError):
        parse_html("a & b")
    assert parse_html("<b>a</b> &amp; &lt;b&gt;") == "a & <b>"
    assert FakeBotApi().username == "liang_faq_bot"


async def test_real_content_answers_in_both_languages() -> None:
    """Real content/ folder: "Qui est Liang Wenfeng ?" → who-is-liang-wenfeng, in fr and en."""
    service = Service(Answerer(load_content()))
    entry = service.answerer.content.entry("who-is-liang-wenfeng")
    assert entry is not None
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "Qui est Liang Wenfeng ?", lang="fr"))
        api.push(api.message(USER + 1, "Who is Liang Wenfeng?", lang="en"))
        (fr,) = await api.wait_sent(USER)
        (en,) = await api.wait_sent(USER + 1)
    pairs: tuple[tuple[dict[str, Any], Lang], ...] = ((fr, "fr"), (en, "en"))
    for sent, lang in pairs:
        assert sent["text"].startswith(entry.question(lang))
        assert [b["callback_data"] for b in buttons(sent)][: len(entry.related)] == [
            f"a:{r}:{lang}" for r in entry.related]


def test_addressed_text_rules() -> None:
    """Who is talking to the bot: private always; in groups a mention of it or a reply to it."""
    import datetime as dt

    from telegram import Chat, Message, MessageEntity, User

    from adapters.telegram.handlers import addressed_text

    bot = User(42, "Bot", is_bot=True, username="liang_faq_bot")
    someone = User(7, "Ada", is_bot=False)
    group, private = Chat(-1, Chat.SUPERGROUP), Chat(7, Chat.PRIVATE)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def says(text: str, chat: Chat = group, reply_to: Message | None = None,
             entities: tuple[MessageEntity, ...] = ()) -> str | None:
        message = Message(1, when, chat, from_user=someone, text=text, entities=entities,
                          reply_to_message=reply_to)
        return addressed_text(message, bot.id, bot.username)

    def mention(offset: int, length: int) -> MessageEntity:
        return MessageEntity(MessageEntity.MENTION, offset, length)

    ours = Message(9, when, group, from_user=bot, text="an answer")
    theirs = Message(8, when, group, from_user=someone, text="chatter")
    assert says("Qui est Liang ?", chat=private) == "Qui est Liang ?"
    assert says("Qui est Liang ?") is None
    assert says("@Liang_FAQ_bot  Qui est Liang ?", entities=(mention(0, 14),)) == "Qui est Liang ?"
    assert says("@otherbot Qui ?", entities=(mention(0, 9),)) is None
    assert says("et lui ?", reply_to=ours) == "et lui ?"
    assert says("et lui ?", reply_to=theirs) is None
    assert says("@liang_faq_bot et lui ?", reply_to=ours,
                entities=(mention(0, 14),)) == "et lui ?"
    text_mention = MessageEntity(MessageEntity.TEXT_MENTION, 0, 3, user=bot)
    assert says("Bot, qui ?", entities=(text_mention,)) == ", qui ?"


async def test_every_press_is_acknowledged_even_unknown_ones(service: Service) -> None:
    """A press with stale or foreign callback data is still acknowledged, and nothing is sent."""
    async with running_telegram(service) as (api, _):
        api.push(api.message(USER, "/topics"))
        (menu,) = await api.wait_sent(USER)
        for data in ("zz:1:fr", "t:no-such-topic:fr", "x:99:fr"):
            api.push(api.callback(menu, data))
        await api.wait_until(lambda: len(api.calls_of("answerCallbackQuery")) == 3)
        api.push(api.message(USER, WHO_FR))  # same chat, in order: the presses are done
        await api.wait_sent(USER, 2)
    assert len(api.sent_to(USER)) == 2
