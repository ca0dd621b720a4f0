"""Property-based tests (hypothesis): any string gets a well-formed reply, the same one twice."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answering import Answerer
from bot.model import LANGS
from bot.text import Normalizer, words
from tests.unit.conftest import ENTRIES, SYNONYMS, make_content

# Built at import time, not from a fixture: hypothesis calls the test many times per fixture.
ANSWERER = Answerer(make_content())
NORMALIZER = Normalizer(SYNONYMS)

MODEST = settings(max_examples=200, deadline=None)

# Any code point, surrogates and unassigned ones included (st.text() leaves surrogates out).
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=300) | st.text(max_size=300)

# Real words of the content, chat spellings, filler, markup and oddities, in any order.
_REAL = sorted({w for e in ENTRIES for lang in LANGS for q in e.questions[lang] for w in q.split()})
_NOISE = ["pk", "koi", "whats", "stp", "please", "hey", "bonjouuur", "l'", "qu'", "-t-il",
          "?", "!!!", "…", "🎉", "@everyone", "<@&123>", "**", "<b>", "\x00", "\u202e", "ǅ",
          "can you tell me", "dis-moi", "pas", "not", "IAG", "AGI", "carte graphique", "GPU"]
WORD_SOUP = st.lists(st.sampled_from(_REAL + _NOISE), max_size=15).map(" ".join)
QUESTIONS = ANY_TEXT | WORD_SOUP
HINTS = st.none() | st.sampled_from(["fr", "en", "en-US", "fr_FR", "de", "", "EN"]) | st.text(
    max_size=6)


def check_reply(question: str, hint: str | None) -> None:
    """The reply is well formed and the same when asked again."""
    reply = ANSWERER.reply(question, lang_hint=hint)
    assert reply == ANSWERER.reply(question, lang_hint=hint)
    assert reply.kind in {"answer", "suggest", "unknown"}
    assert reply.lang in LANGS
    assert reply.text
    assert 0.0 <= reply.score <= 1.0 + 1e-9
    assert len(reply.suggestions) <= ANSWERER.settings.max_suggestions
    if reply.kind == "answer":
        assert reply.entry_id is not None and reply.suggestions == ()
    else:
        assert reply.entry_id is None
    json.dumps(reply.to_json())


@MODEST
@given(QUESTIONS)
def test_any_string_gets_a_reply_without_exception(question: str) -> None:
    """Any string, random unicode or a soup of real words, gets a well-formed, repeatable reply."""
    check_reply(question, None)


@MODEST
@given(QUESTIONS, HINTS)
def test_any_hint_is_accepted(question: str, hint: str | None) -> None:
    """Any language hint, valid or not, gives a well-formed, repeatable reply."""
    check_reply(question, hint)


@MODEST
@given(QUESTIONS, st.integers(min_value=0, max_value=30))
def test_complete_never_raises(partial: str, limit: int) -> None:
    """complete() copes with any partial text and limit, and is repeatable."""
    found = ANSWERER.complete(partial, limit=limit)
    assert found == ANSWERER.complete(partial, limit=limit)
    assert len(found) <= limit


@MODEST
@given(QUESTIONS)
def test_tokens_are_clean_words(text: str) -> None:
    """Normalised tokens are casefolded words without spaces or apostrophes, and repeatable."""
    for lang in LANGS:
        tokens = NORMALIZER.tokens(text, lang)
        assert tokens == NORMALIZER.tokens(text, lang)
        assert all(t and " " not in t and "'" not in t and t == t.casefold() for t in tokens)
    assert bool(words(text)) == bool(NORMALIZER.tokens(text, "fr"))
