"""The index (bot/matching.py): word weights, typos, filler, prefixes, ranked candidates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering import Answerer
from bot.matching import Index
from bot.model import Content, frozen_map
from tests.unit.conftest import _entry, make_content


@pytest.fixture(scope="module")
def index(answerer: Answerer) -> Index:
    """The index of the fixture content (built once by the answerer)."""
    return answerer.index


def top(index: Index, question: str, prefix: bool = False) -> str:
    """The id of the best candidate for `question`."""
    ranked = index.search(index.query(question, prefix=prefix))
    assert ranked, f"no candidate for {question!r}"
    return ranked[0].entry.id


# --- which words matter -----------------------------------------------------------------------


def test_rare_word_weighs_more_than_common_word(index: Index) -> None:
    """'mla' (one entry) weighs more than 'deepseek' (in most entries) or 'pourquoi'."""
    assert index.weight["mla"] > index.weight["pourquoi"] > index.weight["deepseek"]


def test_rare_word_decides_the_match(index: Index) -> None:
    """'deepseek MLA' ranks the MLA entry first, well ahead of the many DeepSeek entries."""
    ranked = index.search(index.query("deepseek MLA"))
    assert ranked[0].entry.id == "mla"
    assert ranked[0].score - ranked[1].score > 0.3


def test_common_word_does_not_outweigh_a_rare_one(answerer: Answerer) -> None:
    """'pourquoi llama' ranks the Llama entry first though 'pourquoi' is in four entries."""
    assert top(answerer.index, "pourquoi llama") == "llama-structure"


def test_unknown_word_lowers_the_score(index: Index) -> None:
    """A word the content never uses makes the match less certain, without changing the winner."""
    plain = index.search(index.query("MLA"))[0]
    odd = index.search(index.query("MLA zorglub"))[0]
    assert plain.entry.id == odd.entry.id == "mla"
    assert odd.score < plain.score


def test_words_the_entry_lacks_are_counted(index: Index) -> None:
    """'left' counts the question's words the entry has nowhere (a rare known word or an unknown
    one) and 'unknown_words' those no entry has; a common word the entry lacks is not counted."""
    plain = index.search(index.query("MLA"))[0]
    assert (plain.parts["left"], plain.parts["unknown_words"]) == (0.0, 0.0)
    odd = index.search(index.query("MLA zorglub"))[0]
    assert odd.parts["left"] == odd.parts["unknown_words"] == pytest.approx(0.5)
    foreign = index.search(index.query("MLA llama"))[0]  # llama: another entry's rare word
    assert foreign.parts["left"] == pytest.approx(0.5)
    assert foreign.parts["unknown_words"] == 0.0 and foreign.parts["foreign"] > 0.5



def test_a_common_word_the_entry_lacks_is_not_counted() -> None:
    """'deepseek' in most entries but not in the MLA one does not count as left unexplained."""
    topics = ("prix", "llama", "openai", "kpi", "agi", "gpu", "v2", "v3", "puces", "talents",
              "moat", "open-source")
    entries = (*(_entry(t, "x", (f"deepseek et {t} ?",), (f"deepseek and {t}?",), (t, t))
                 for t in topics), _entry("mla", "x", ("MLA ?",), ("MLA?",), ("m", "m")))
    index = Index(make_content(entries))
    assert index.weight["deepseek"] < index.unknown_weight
    best = index.search(index.query("deepseek MLA"))[0]
    assert best.entry.id == "mla" and best.parts["left"] == 0.0


# --- typos ------------------------------------------------------------------------------------


def test_typo_resolves_to_the_known_word(index: Index) -> None:
    """'deepseak' and 'architecure' resolve to known tokens, with a confidence below 1."""
    (deepseak,) = index.query("deepseak").resolved["en"]
    assert [t for t, _ in deepseak] == ["deepseek"] and 0.7 <= deepseak[0][1] < 1
    (archi,) = index.query("architecure").resolved["fr"]
    assert [t for t, _ in archi] == ["architectur"]


def test_typo_in_a_question_still_answers(answerer: Answerer) -> None:
    """A misspelt word ('architecure') in a full question still gets the right answer."""
    reply = answerer.reply("Pourquoi ne pas reprendre l'architecure de Llama ?")
    assert (reply.kind, reply.entry_id) == ("answer", "llama-structure")


def test_typo_only_question_finds_its_entry(answerer: Answerer) -> None:
    """'deepseak' alone leads to the DeepSeek entry: answered, or offered first.

    (On this small fixture content the answer confidence stays under the default threshold; on
    the real content the same question is answered.)
    """
    reply = answerer.reply("deepseak")
    found = reply.entry_id if reply.kind == "answer" else reply.suggestions[0].id
    assert found == "what-is-deepseek"


def test_short_words_are_not_fuzzed(index: Index) -> None:
    """A short unknown word ('mlb') is not taken for a near one: too risky on acronyms."""
    (options,) = index.query("mlb").resolved["en"]
    assert options == ()


# --- filler and synonyms ----------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "hey stp c'est quoi MLA",
    "please what is MLA?",
    "bonjour, MLA c'est quoi svp ?",
    "hi, can you tell me what MLA is please",
])
def test_filler_does_not_sink_a_match(answerer: Answerer, question: str) -> None:
    """Greetings and politeness around a question keep the clear answer."""
    reply = answerer.reply(question)
    assert (reply.kind, reply.entry_id) == ("answer", "mla")


@pytest.mark.parametrize("question", ["GPUs", "cartes graphiques", "graphics card"])
def test_synonyms_find_the_entry(index: Index, question: str) -> None:
    """Any term of a synonym group finds the entry phrased with another term of it."""
    assert top(index, question) == "gpus"


def test_inflected_form_finds_the_entry(answerer: Answerer) -> None:
    """'pourquoi baisse prix' (no accent, other form) answers the entry with 'baissé ses prix'."""
    reply = answerer.reply("pourquoi baisse prix")
    assert (reply.kind, reply.entry_id) == ("answer", "price-war")


def test_chat_spelling_question_answers(answerer: Answerer) -> None:
    """'pk deepseek a baissé ses prix' (pk = pourquoi) answers the price entry."""
    reply = answerer.reply("pk deepseek a baissé ses prix")
    assert (reply.kind, reply.entry_id) == ("answer", "price-war")


# --- prefixes ---------------------------------------------------------------------------------


def test_prefix_completes_the_last_word(index: Index) -> None:
    """With prefix=True the last, partly typed word 'lia' stands for 'liang'."""
    (lia,) = index.query("lia", prefix=True).resolved["fr"]
    assert ("liang", 0.9) in lia
    (none,) = index.query("lia").resolved["fr"]
    assert none == ()


@pytest.mark.parametrize(("partial", "expected"), [
    ("Qui est Lia", "who-is-liang"),
    ("C'est quoi ML", "mla"),
    ("Why buy 10,000 GP", "gpus"),
])
def test_complete_offers_the_question_being_typed(
    answerer: Answerer, partial: str, expected: str
) -> None:
    """complete() puts the entry being typed first."""
    found = answerer.complete(partial)
    assert found and found[0].id == expected


def test_complete_short_input_lists_entries(answerer: Answerer, content: Content) -> None:
    """Under two characters, complete() lists the first entries, up to the limit."""
    found = answerer.complete("", limit=3)
    assert [s.id for s in found] == [e.id for e in content.entries[:3]]


def test_complete_respects_limit_and_order(answerer: Answerer) -> None:
    """complete() returns at most `limit` suggestions, best first, all with a positive score."""
    found = answerer.complete("Why did Deep", limit=2)
    assert 0 < len(found) <= 2
    assert all(s.score > 0 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_complete_uses_the_hinted_language(answerer: Answerer) -> None:
    """With an 'en' hint the completions are given as English questions."""
    found = answerer.complete("MLA", lang_hint="en")
    assert found[0].question == "What is MLA?"


# --- ranked candidates ------------------------------------------------------------------------


def test_search_ranks_one_candidate_per_entry_best_first(index: Index) -> None:
    """search() returns distinct entries sorted by score, within `limit`."""
    ranked = index.search(index.query("deepseek open source"), limit=4)
    ids = [c.entry.id for c in ranked]
    assert len(ids) == len(set(ids)) and len(ids) <= 4
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_candidate_carries_the_parts_of_its_score(index: Index) -> None:
    """Each candidate shows its phrasing and the parts that --explain prints."""
    best = index.search(index.query("What is MLA?"))[0]
    assert best.phrasing == "What is MLA?"
    assert {"phrasing", "query_cover", "phrasing_cover", "char", "entry_cover", "answer",
            "score", "left", "unknown_words", "foreign", "agree"} <= set(best.parts)
    # measured against out-of-scope questions, which this content has none of
    assert not {"off_topic", "off_words"} & set(best.parts)
    assert best.parts["agree"] == 1.0  # the narrowing's best phrasing is the winner's too
    assert best.parts["score"] == pytest.approx(best.score)
    assert 0.0 <= best.score <= 1.0 + 1e-9


def test_every_phrasing_finds_its_own_entry(answerer: Answerer, content: Content) -> None:
    """Each question written in the content is answered with its own entry."""
    misses = [
        (q, answerer.reply(q).entry_id)
        for entry in content.entries
        for lang in ("fr", "en")
        for q in entry.questions.get(lang, ())
        if answerer.reply(q).entry_id != entry.id
    ]
    assert misses == []


def test_nothing_in_common_gives_no_candidate(index: Index) -> None:
    """A question sharing no word with the content has no candidate at all."""
    assert index.search(index.query("Quelle est la recette de la tarte tatin ?")) == []


def test_index_of_empty_content_never_fails() -> None:
    """An index over no entries answers every search with nothing."""
    empty = Index(Content(entries=()))
    assert empty.search(empty.query("Qui est Liang ?")) == []


# --- out-of-scope questions -------------------------------------------------------------------


def test_out_of_scope_questions_are_measured_not_answered(content: Content) -> None:
    """The content's out-of-scope questions give each candidate an 'off_topic' similarity (1.0
    for the same question) and the log odds of their words ('off_words'); they are never
    candidates themselves; with no such file the signals are absent (the confidence then assumes
    a typical value, bot/confidence.py)."""
    off = frozen_map({"fr": ("quel temps fait-il a Paris ?",), "en": ("who founded Mistral?",)})
    index = Index(replace(content, out_of_scope=off))
    near = index.search(index.query("Who founded Mistral"))
    assert near and near[0].parts["off_topic"] == pytest.approx(1.0)
    assert near[0].parts["off_words"] > mla_words(index)
    assert all(not c.entry.id.startswith("out-of-scope") for c in near)
    mla = index.search(index.query("C'est quoi MLA ?"))[0]
    assert (mla.entry.id, mla.parts["off_topic"]) == ("mla", 0.0)
    plain = Index(content)
    assert not {"off_topic", "off_words"} & set(
        plain.search(plain.query("Who founded Mistral"))[0].parts)


def mla_words(index: Index) -> float:
    """The out-of-scope log odds of an in-scope question ("What is MLA?")."""
    return index.search(index.query("What is MLA?"))[0].parts["off_words"]


def test_an_out_of_scope_question_is_not_answered(content: Content) -> None:
    """A question the content lists as out of scope is not answered, though an entry shares
    words with it, while the entry's own question still is."""
    asked = "Who is the founder of DeepSeek's rival Mistral?"
    off = frozen_map({"en": (asked,)})
    answerer = Answerer(replace(content, out_of_scope=off))
    assert answerer.reply(asked).kind != "answer"
    assert answerer.reply("What is MLA?").entry_id == "mla"


def test_a_lone_common_word_finds_the_phrasing_it_explains_best() -> None:
    """Narrowing keeps only 60 phrasings: among many that all contain 'deepseek', the short
    'DeepSeek ?' of the last entry is kept and ranked first, not the first 60 in file order."""
    entries = tuple(_entry(f"e{i}", "x", (f"DeepSeek et le sujet numéro {i} ?",),
                           (f"DeepSeek and topic number {i}?",), ("a", "a")) for i in range(80))
    entries += (_entry("what", "x", ("DeepSeek ?",), ("DeepSeek?",), ("b", "b")),)
    index = Index(make_content(entries))
    assert index.search(index.query("deepseek"))[0].entry.id == "what"


def test_french_third_person_plural_reads_as_the_verb(index: Index) -> None:
    """Snowball leaves 'baissent' whole: it is read as 'baisser', here the synonym 'cut'."""
    resolved = index.query("ils baissent les prix").resolved["fr"]
    assert ("cut", 1.0) in resolved[0]
    assert index.query("zorglubent").resolved["fr"] == ((),)  # no such verb: still unknown


def test_a_typo_in_a_synonym_term_finds_its_group(index: Index) -> None:
    """'baisserr' is a typo of the synonym 'baisser': it stands for 'cut', a little weaker."""
    (options,) = index.query("baisserr").resolved["fr"]
    assert [t for t, _ in options] == ["cut"] and 0.8 < options[0][1] < 1.0
