"""Telegram rendering, without a network: escaping, splitting, keyboards, callback data, config."""

from __future__ import annotations

import html
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.config import TelegramConfig
from adapters.telegram.render import (
    MAX_TEXT,
    Callback,
    callback_data,
    parse_callback,
    render_article,
    render_notice,
    render_reply,
    render_welcome,
    size,
    split_html,
    to_html,
)
from bot.answering import Answerer
from bot.content import load_content
from bot.model import LANGS, Lang, Reply, Suggestion
from tests.fakes.telegram_api import parse_html


def message(key: str, lang: Lang) -> str:
    """The only bot phrase the renderer needs."""
    return {"source_label": "Source"}[key]


def answer(text: str, **more: object) -> Reply:
    """An answer reply with a title and a source."""
    fields: dict[str, object] = {"entry_id": "who", "question": "Qui <est> Liang & co ?",
                                 "source": "暗涌 <Waves>"} | more
    return Reply("answer", "fr", text, **fields)  # type: ignore[arg-type]


def test_to_html_escapes_then_bolds() -> None:
    """Markup in text is escaped; only the content's **bold** becomes a tag."""
    assert to_html("**a** <b>x</b> & <script>") == \
        "<b>a</b> &lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"
    assert to_html("** <i>y</i> **") == "<b> &lt;i&gt;y&lt;/i&gt; </b>"


def test_answer_has_title_text_and_source_last() -> None:
    """An answer: escaped bold title, the text, the source as the last line, all valid HTML."""
    (payload,) = render_reply(answer("Il a **fondé** DeepSeek."), message)
    assert payload.html.splitlines()[0] == "<b>Qui &lt;est&gt; Liang &amp; co ?</b>"
    assert payload.html.splitlines()[-1] == "<i>Source : 暗涌 &lt;Waves&gt;</i>"
    assert parse_html(payload.html).splitlines()[-1] == "Source : 暗涌 <Waves>"


def test_english_source_line_has_english_colon() -> None:
    """The source line follows each language's typography."""
    reply = Reply("answer", "en", "Text.", entry_id="who", question="Who?", source="Waves")
    assert render_reply(reply, message)[0].html.endswith("<i>Source: Waves</i>")


def test_related_and_feedback_buttons() -> None:
    """Related entries are buttons (a:id:lang); 👍/👎 only when the reply has a ref."""
    related = (Suggestion("high-flyer", "Qu'est-ce que High-Flyer ?", 1.0),)
    (with_ref,) = render_reply(answer("x", related=related, ref="abc123"), message)
    (without,) = render_reply(answer("x", related=related), message)
    assert with_ref.keyboard is not None and without.keyboard is not None
    rows = [[b.callback_data for b in row] for row in with_ref.keyboard.inline_keyboard]
    assert rows == [["a:high-flyer:fr"], ["f:abc123:+", "f:abc123:-"]]
    assert len(without.keyboard.inline_keyboard) == 1


def test_suggest_reply_buttons_and_long_labels_cut() -> None:
    """"Did you mean": one button per suggestion, long labels cut with an ellipsis."""
    long_question = "Pourquoi " * 20
    reply = Reply("suggest", "fr", "Vouliez-vous dire :",
                  suggestions=(Suggestion("a-b", long_question, 0.5), Suggestion("c", "C ?", 0.4)))
    (payload,) = render_reply(reply, message)
    assert payload.keyboard is not None
    (first,), (second,) = payload.keyboard.inline_keyboard
    assert first.callback_data == "a:a-b:fr" and second.text == "C ?"
    assert len(first.text) == 60 and first.text.endswith("…")


def test_callback_data_fits_64_bytes_or_the_button_is_dropped() -> None:
    """Callback data over 64 bytes is never produced: the button is left out instead."""
    assert callback_data("a", "x" * 59, "fr") == f"a:{'x' * 59}:fr"
    assert callback_data("a", "x" * 60, "fr") is None
    reply = Reply("suggest", "fr", "?", suggestions=(Suggestion("é" * 40, "Q", 0.5),))
    assert render_reply(reply, message)[0].keyboard is None


def test_parse_callback_round_trip_and_junk() -> None:
    """What callback_data encodes, parse_callback decodes; anything else is None."""
    assert parse_callback("a:why-lower-prices:en") == Callback("a", "why-lower-prices", "en")
    assert parse_callback("f:0a1b:+") == Callback("f", "0a1b", "+")
    assert parse_callback("zz:1:2") is None
    assert parse_callback(None) is None
    assert parse_callback("a::fr") is None


def test_notice_is_plain_escaped_text() -> None:
    """A notice (rate limit, error...) is escaped and has no keyboard."""
    (payload,) = render_notice("Doucement <b>🙂</b> & merci")
    assert payload.html == "Doucement &lt;b&gt;🙂&lt;/b&gt; &amp; merci"
    assert payload.keyboard is None


def test_welcome_lists_examples_as_text_and_buttons() -> None:
    """/start: the welcome line, then each example as a bullet and as a button."""
    (payload,) = render_welcome("Bonjour !", ["A & B ?", "C ?"], "fr")
    assert payload.html == "Bonjour !\n• A &amp; B ?\n• C ?"
    assert payload.keyboard is not None
    assert [r[0].callback_data for r in payload.keyboard.inline_keyboard] == ["x:0:fr", "x:1:fr"]


def test_long_answer_split_on_paragraphs_keyboard_last() -> None:
    """A 9 000-character answer: parts at paragraph boundaries, each <= 4096, keyboard on the
    last part only."""
    paragraphs = [f"Paragraphe {i} " + "mot " * 120 for i in range(20)]
    related = (Suggestion("x", "X ?", 1.0),)
    parts = render_reply(answer("\n\n".join(paragraphs), related=related), message)
    assert len(parts) >= 3
    assert all(size(p.html) <= MAX_TEXT for p in parts)
    assert all(p.html.split("\n\n")[0].startswith(("<b>", "Paragraphe")) for p in parts)
    assert [p.keyboard is not None for p in parts] == [False] * (len(parts) - 1) + [True]


def test_hard_split_keeps_tags_balanced() -> None:
    """A single 10 000-character bold line is cut hard, each part closing and reopening <b>."""
    text = "<b>" + "a" * 10_000 + "</b>"
    parts = split_html(text)
    assert len(parts) == 3
    assert all(size(p) <= MAX_TEXT and p.startswith("<b>") and p.endswith("</b>") for p in parts)
    assert "".join(parse_html(p) for p in parts) == "a" * 10_000


def test_split_counts_utf16_units() -> None:
    """Emoji count double, as Telegram counts them: 3 000 emoji make two messages."""
    parts = split_html("😀" * 3_000)
    assert len(parts) == 2
    assert all(size(p) <= MAX_TEXT for p in parts)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab <>&*\n😀é"), max_size=3_000),
       st.integers(min_value=40, max_value=400))
def test_split_never_breaks_html_or_loses_text(text: str, limit: int) -> None:
    """For any text: every part is valid HTML within the limit, and no character is lost."""
    rendered = to_html(text)
    parts = split_html(rendered, limit)
    assert all(size(p) <= limit for p in parts)
    visible = "".join(parse_html(p) for p in parts)
    expected = html.unescape(rendered.replace("<b>", "").replace("</b>", ""))
    assert "".join(visible.split()) == "".join(expected.split())


def test_inline_article_is_the_first_part_of_the_answer() -> None:
    """Inline mode: an article with the entry id, the question as title, a short description."""
    article = render_article(answer("**Liang** a fondé DeepSeek.\nSuite."), message)
    assert article is not None
    assert (article.id, article.title) == ("who", "Qui <est> Liang & co ?")
    assert article.description == "Liang a fondé DeepSeek."
    assert render_article(Reply("unknown", "fr", "?"), message) is None


def test_config_repr_hides_secrets_and_builds_urls() -> None:
    """The config never shows the token or secret; the base URLs follow TELEGRAM_BASE_URL."""
    config = TelegramConfig(token="123:SECRET", base_url="http://127.0.0.1:8081/",
                            webhook_url="https://bot.example.org/tg/hook",
                            webhook_secret="hush", admins=frozenset({"42"}))  # type: ignore[arg-type]
    assert "SECRET" not in repr(config) and "hush" not in repr(config)
    assert config.api_base_url == "http://127.0.0.1:8081/bot"
    assert config.file_base_url == "http://127.0.0.1:8081/file/bot"
    assert config.webhook_path == "tg/hook"
    assert config.admins == frozenset({42})
    assert TelegramConfig(token="t").api_base_url == "https://api.telegram.org/bot"
    assert config.chat_allowed(-5) and not TelegramConfig("t", allowed_chats=frozenset({1})
                                                          ).chat_allowed(2)


def test_every_real_answer_renders_to_valid_telegram_messages() -> None:
    """Each entry of the real content, in each language, renders to HTML Telegram accepts:
    valid markup, parts within 4096, callback data within 64 bytes, the source last."""
    answerer = Answerer(load_content())
    for entry in answerer.content.entries:
        for lang in LANGS:
            reply = replace(answerer.answer_entry(entry.id, lang), ref="0123456789abcdef")
            parts = render_reply(reply, answerer.message)
            for part in parts:
                assert size(part.html) <= MAX_TEXT and parse_html(part.html), entry.id
            keyboard = parts[-1].keyboard
            assert keyboard is not None, entry.id  # the feedback row at least
            for row in keyboard.inline_keyboard:
                assert all(len(str(b.callback_data).encode()) <= 64 for b in row), entry.id
            if entry.source:
                assert parse_html(parts[-1].html).endswith(entry.source.strip()), entry.id
