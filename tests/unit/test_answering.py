"""The Answerer (bot/answering.py): answer / suggest / unknown, language, settings, Reply shape."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.answering import Answerer, MatchSettings
from bot.model import LANGS, Content, Entry, Lang, frozen_map
from tests.unit.conftest import ENTRIES, make_content, message

CLEAR = "Qui est Liang Wenfeng ?"
CLOSE_PAIR = "open source"  # two entries about open source score alike (see `unsure`)
OFF_TOPIC_FR = "Quelle est la recette de la tarte tatin ?"
OFF_TOPIC_EN = "recipe for a chocolate cake"

# Input that must never break the answerer (the property tests add random strings).
NASTY = [
    "",
    "   \n\t  ",
    "x" * 100_000,
    "MLA " * 25_000,
    "🎉🔥😀🤖",
    "\x00\x01\x02\x1b[31m\x7f",
    "MLA\x00Liang",
    "ما هو MLA؟ מי זה ליאנג",
    "\u202eMLA\u202c",
    "<script>alert(1)</script> <b>MLA</b>",
    "**Liang** _DeepSeek_ `code` [x](https://example.com) # titre",
    "@everyone",
    "@here Qui est Liang ?",
    "<@&123>",
    "<@!456> <#789>",
    "\ud800 MLA \udfff",
    "??",
    "…",
    "'",
    "l'",
    "-",
    "\u0301\u0301",
    "\ufeff",
    "ǅ İ ß ﷺ",
    "0",
]


def entry_answer(entry_id: str, lang: Lang) -> str:
    """The fixture answer of `entry_id` in `lang`."""
    entry = next(e for e in ENTRIES if e.id == entry_id)
    return entry.answer[lang]


# --- the three outcomes -----------------------------------------------------------------------


def test_clear_question_is_answered(answerer: Answerer) -> None:
    """A question written in the content gets its entry's answer, title and source."""
    reply = answerer.reply(CLEAR)
    assert (reply.kind, reply.entry_id, reply.lang) == ("answer", "who-is-liang", "fr")
    assert reply.text == entry_answer("who-is-liang", "fr")
    assert reply.question == "Qui est Liang Wenfeng ?"
    assert reply.source == "Waves, juillet 2024"
    assert reply.score >= answerer.settings.answer_threshold
    assert reply.suggestions == ()


def test_answer_is_in_the_language_of_the_question(answerer: Answerer) -> None:
    """The English question gets the English answer and the English title."""
    reply = answerer.reply("Who is Liang Wenfeng?")
    assert (reply.kind, reply.entry_id, reply.lang) == ("answer", "who-is-liang", "en")
    assert reply.text == entry_answer("who-is-liang", "en")
    assert reply.question == "Who is Liang Wenfeng?"


def test_two_close_entries_give_suggestions(unsure: Answerer) -> None:
    """When the answerer is not sure, the reply suggests the entries that score alike."""
    answerer = unsure
    reply = answerer.reply(CLOSE_PAIR)
    assert reply.kind == "suggest"
    assert reply.entry_id is None
    assert reply.text == message("suggest", reply.lang)
    ids = [s.id for s in reply.suggestions]
    assert 2 <= len(ids) <= 3
    assert set(ids[:2]) == {"open-source-why", "open-source-future"}
    scores = [s.score for s in reply.suggestions]
    assert scores == sorted(scores, reverse=True) and reply.score == scores[0]
    assert all(s >= answerer.settings.suggest_threshold for s in scores)


def test_suggestions_are_phrased_in_the_reply_language(unsure: Answerer) -> None:
    """Each suggestion shows its entry's first question in the reply's language."""
    reply = unsure.reply(CLOSE_PAIR, lang_hint="en")
    assert reply.lang == "en" and reply.suggestions
    by_id = {e.id: e for e in ENTRIES}
    assert all(s.question == by_id[s.id].questions["en"][0] for s in reply.suggestions)


@pytest.mark.parametrize(("question", "lang"), [(OFF_TOPIC_FR, "fr"), (OFF_TOPIC_EN, "en")])
def test_off_topic_question_is_unknown(answerer: Answerer, question: str, lang: Lang) -> None:
    """A question about nothing in the content gets the honest 'unknown' reply."""
    reply = answerer.reply(question)
    assert (reply.kind, reply.lang, reply.entry_id) == ("unknown", lang, None)
    assert reply.text == message("unknown", lang)
    assert reply.suggestions == ()


def test_empty_question_gets_the_empty_message(answerer: Answerer) -> None:
    """An empty or blank message asks for a question rather than saying 'unknown'."""
    for text in ("", "   ", "\n"):
        reply = answerer.reply(text)
        assert (reply.kind, reply.text) == ("unknown", message("empty", "fr"))


def test_punctuation_only_gets_the_unknown_message(answerer: Answerer) -> None:
    """'??' has nothing to go on: the unknown reply, score 0."""
    reply = answerer.reply("??")
    assert (reply.kind, reply.text, reply.score) == ("unknown", message("unknown", "fr"), 0.0)


@pytest.mark.parametrize("text", ["test", "ping ?", "ok", "lol mdr", "Hmm...", "TESTING"])
def test_chat_noise_gets_the_unknown_message(content: Content, text: str) -> None:
    """'test', 'ok', 'lol' are not questions: unknown, whatever the threshold, no suggestion."""
    reply = Answerer(content, MatchSettings(answer_confidence=0.0)).reply(text)
    assert (reply.kind, reply.suggestions, reply.score) == ("unknown", (), 0.0)


def test_a_question_with_a_noise_word_is_still_read(answerer: Answerer) -> None:
    """Only a message made of nothing but noise is ignored: 'ok, c'est quoi MLA ?' answers."""
    reply = answerer.reply("ok, c'est quoi MLA ?")
    assert (reply.kind, reply.entry_id) == ("answer", "mla")


# --- settings ---------------------------------------------------------------------------------


def test_lower_answer_confidence_turns_suggest_into_answer(content: Content) -> None:
    """With an answer confidence of 0 the slightly better of two close entries is answered."""
    reply = Answerer(content, MatchSettings(answer_confidence=0.0)).reply(CLOSE_PAIR)
    assert (reply.kind, reply.entry_id) == ("answer", "open-source-why")


def test_margin_floor_turns_answer_into_suggest(content: Content) -> None:
    """A margin floor of 0.9 over the runner-up keeps a clear but imperfect match a suggestion."""
    reply = Answerer(content, MatchSettings(margin=0.9)).reply("Who is Liang Wenfeng?")
    assert reply.kind == "suggest"
    assert reply.suggestions[0].id == "who-is-liang"


def test_higher_answer_threshold_turns_answer_into_suggest(content: Content) -> None:
    """With an answer threshold of 0.99 a good but imperfect match is only suggested."""
    reply = Answerer(content, MatchSettings(answer_threshold=0.99)).reply("Who is Liang Wenfeng?")
    assert reply.kind == "suggest"
    assert reply.suggestions[0].id == "who-is-liang"


def test_higher_suggest_threshold_turns_suggest_into_unknown(content: Content) -> None:
    """With a suggest threshold of 0.99 the close pair is neither answered nor suggested."""
    reply = Answerer(content, MatchSettings(answer_confidence=1.0,
                                            suggest_threshold=0.99)).reply(CLOSE_PAIR)
    assert reply.kind == "unknown"
    assert reply.text == message("unknown", reply.lang)


def test_suggestions_far_behind_the_best_are_left_out(content: Content) -> None:
    """A suggestion must score `suggest_ratio` of the best one: at 1.0 only the leader (and any
    exact tie) is offered; at 0.0 every lead above the floor is."""
    strict = Answerer(content, MatchSettings(answer_confidence=1.0, suggest_ratio=1.0))
    loose = Answerer(content, MatchSettings(answer_confidence=1.0, suggest_ratio=0.0))
    assert len(strict.reply(CLOSE_PAIR).suggestions) == 1
    assert len(loose.reply(CLOSE_PAIR).suggestions) >= 2


def test_max_suggestions_is_honoured(content: Content) -> None:
    """max_suggestions=1 keeps only the best suggestion."""
    reply = Answerer(content, MatchSettings(answer_confidence=1.0,
                                            max_suggestions=1)).reply(CLOSE_PAIR)
    assert reply.kind == "suggest"
    assert [s.id for s in reply.suggestions] == ["open-source-why"]


def test_default_language_setting(content: Content) -> None:
    """A question with no language clue is answered in the configured default language."""
    assert Answerer(content).reply("MLA").lang == "fr"
    assert Answerer(content, MatchSettings(default_lang="en")).reply("MLA").lang == "en"


# --- answer_entry and follow-ups ------------------------------------------------------------


def test_answer_entry_for_a_known_id(answerer: Answerer) -> None:
    """answer_entry (a pressed button) answers that entry in the given language, score 1."""
    reply = answerer.answer_entry("mla", "en")
    assert (reply.kind, reply.entry_id, reply.lang, reply.score) == ("answer", "mla", "en", 1.0)
    assert reply.text == entry_answer("mla", "en")
    assert reply.question == "What is MLA?"


def test_answer_entry_for_an_unknown_id(answerer: Answerer) -> None:
    """A button for an entry that no longer exists gets the 'unknown' reply, not an error."""
    reply = answerer.answer_entry("no-such-entry", "fr")
    assert (reply.kind, reply.entry_id) == ("unknown", None)
    assert reply.text == message("unknown", "fr")


def test_related_entries_are_follow_ups(answerer: Answerer) -> None:
    """An answer lists its related entries (in its language) and skips ids that are gone."""
    reply = answerer.reply("Who is Liang Wenfeng?")
    related = [(s.id, s.question) for s in reply.related]
    assert related == [("what-is-deepseek", "What is DeepSeek?")]
    assert answerer.answer_entry("mla", "fr").related == ()


def test_missing_language_falls_back_to_the_other() -> None:
    """An entry written only in French still answers an English question, in French."""
    only_fr = Entry(id="fr-only", questions=frozen_map({"fr": ("C'est quoi Fire-Flyer ?",)}),
                    answer=frozen_map({"fr": "Un supercalculateur."}))
    reply = Answerer(make_content((only_fr,))).answer_entry("fr-only", "en")
    assert (reply.text, reply.question) == ("Un supercalculateur.", "C'est quoi Fire-Flyer ?")


# --- Reply.to_json ----------------------------------------------------------------------------


def test_to_json_shape_of_an_answer(answerer: Answerer) -> None:
    """An answer's JSON has exactly the documented keys, with the entry's id and source."""
    data = answerer.reply(CLEAR).to_json()
    assert list(data) == ["kind", "id", "lang", "score", "text", "suggestions", "source"]
    assert data["kind"] == "answer" and data["id"] == "who-is-liang" and data["lang"] == "fr"
    assert data["suggestions"] == [] and data["source"] == "Waves, juillet 2024"
    assert isinstance(data["score"], float) and 0.0 <= data["score"] <= 1.0


def test_to_json_shape_of_suggestions(unsure: Answerer) -> None:
    """A suggestion's JSON lists {id, question, score} objects, scores rounded to 4 places."""
    data = unsure.reply(CLOSE_PAIR).to_json()
    assert data["kind"] == "suggest" and data["id"] is None and data["source"] is None
    suggestions = data["suggestions"]
    assert isinstance(suggestions, list) and suggestions
    for item in suggestions:
        assert list(item) == ["id", "question", "score"]
        assert item["score"] == round(item["score"], 4)
    assert json.loads(json.dumps(data)) == data


def test_to_json_of_unknown(answerer: Answerer) -> None:
    """An unknown reply's JSON has no id, no source and no suggestions."""
    data = answerer.reply(OFF_TOPIC_FR).to_json()
    assert (data["kind"], data["id"], data["source"], data["suggestions"]) == (
        "unknown", None, None, [])


# --- language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("Pourquoi DeepSeek a-t-il baissé ses prix ?", "fr"),
    ("C'est quoi MLA ?", "fr"),
    ("Why did DeepSeek cut its prices?", "en"),
    ("What does MLA mean?", "en"),
])
def test_clear_language_is_detected(answerer: Answerer, text: str, lang: Lang) -> None:
    """A clearly French or English question is read in that language, whatever the hint."""
    assert answerer.detect_language(text) == lang
    other = "en" if lang == "fr" else "fr"
    assert answerer.detect_language(text, other) == lang


@pytest.mark.parametrize(("text", "hint", "lang"), [
    ("MLA", "en", "en"),
    ("MLA", "fr", "fr"),
    ("MLA", "en-US", "en"),
    ("MLA", "EN_gb", "en"),
    ("MLA please", "fr", "fr"),
    ("MLA stp", "en", "en"),
])
def test_hint_decides_short_or_mixed_text(
    answerer: Answerer, text: str, hint: str, lang: Lang
) -> None:
    """For short or mixed text, the user's locale decides (any 'xx-YY' / 'xx_yy' form)."""
    assert answerer.detect_language(text, hint) == lang


def test_unsupported_hint_falls_back_to_default(answerer: Answerer) -> None:
    """A locale we don't speak ('de') or no hint gives the default language (fr)."""
    assert answerer.detect_language("MLA", "de") == "fr"
    assert answerer.detect_language("MLA") == "fr"
    assert answerer.detect_language("") == "fr"


def test_hinted_language_is_the_reply_language(answerer: Answerer) -> None:
    """'MLA' with an 'en' hint is answered in English."""
    reply = answerer.reply("MLA", lang_hint="en")
    assert (reply.kind, reply.entry_id, reply.lang) == ("answer", "mla", "en")
    assert reply.text == entry_answer("mla", "en")


# --- the rest of the API --------------------------------------------------------------------


def test_message_topics_and_explain(answerer: Answerer, content: Content) -> None:
    """message() localises, topics() returns the content's themes, explain() scores candidates."""
    assert answerer.message("help", "en") == message("help", "en")
    assert answerer.message("no.such.key", "fr") == "no.such.key"
    assert answerer.topics() == content.topics
    ex = answerer.explain("C'est quoi MLA ?")
    assert ex.lang == "fr" and set(ex.tokens) == set(LANGS)
    assert "mla" in ex.tokens["fr"]
    assert ex.candidates[0].entry.id == "mla" and len(ex.candidates) <= 5


# --- robustness -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_never_raises_and_is_deterministic(answerer: Answerer, text: str) -> None:
    """Hostile or odd input gets a well-formed reply, the same one twice, and complete() copes."""
    first = answerer.reply(text)
    assert first == answerer.reply(text)
    assert first.kind in {"answer", "suggest", "unknown"}
    assert first.lang in LANGS and first.text
    assert 0.0 <= first.score <= 1.0 + 1e-9
    assert len(first.suggestions) <= answerer.settings.max_suggestions
    json.dumps(first.to_json())
    assert answerer.complete(text) == answerer.complete(text)
    assert answerer.reply(text, lang_hint=text[:5]) == answerer.reply(text, lang_hint=text[:5])


@pytest.mark.parametrize("text", [
    "<b>C'est quoi MLA ?</b>",
    "**MLA**",
    "@everyone c'est quoi MLA",
    "<@&123> What is MLA?",
    "> `MLA` ?",
])
def test_markup_and_mentions_around_a_question_still_answer(answerer: Answerer, text: str) -> None:
    """HTML, Markdown and platform mentions around a question do not hide it."""
    reply = answerer.reply(text)
    assert (reply.kind, reply.entry_id) == ("answer", "mla")


def test_same_reply_from_a_fresh_answerer(answerer: Answerer, content: Content) -> None:
    """Two answerers built from the same content give identical replies (no hidden state)."""
    fresh = Answerer(content)
    for question in (CLEAR, CLOSE_PAIR, OFF_TOPIC_EN, "deepseak", "MLA"):
        assert fresh.reply(question) == answerer.reply(question)


def test_empty_content_answers_unknown() -> None:
    """With no entries at all, every question gets 'unknown' (and no crash)."""
    reply = Answerer(Content(entries=())).reply(CLEAR)
    assert reply.kind == "unknown"


def test_a_question_clearly_nearer_an_out_of_scope_one_gets_no_suggestion(
        content: Content) -> None:
    """"Used car price in France" shares 'price' with an entry, so without out-of-scope
    questions it is a "did you mean"; once the content lists a question it is clearly nearer to
    (but not a near copy of), the reply is "not covered", while an in-scope question that only
    shares a word with that list keeps its suggestions."""
    asked = "used car price in france"
    assert Answerer(content).reply(asked).kind == "suggest"
    off = frozen_map({"en": ("how much does a used car cost in france these days",)})
    answerer = Answerer(replace(content, out_of_scope=off))
    assert answerer.reply(asked).kind == "unknown"
    assert answerer.reply("price cuts?").kind in ("answer", "suggest")
