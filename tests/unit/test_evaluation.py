"""bot.evaluation: loading an eval set, the four metrics, and the JSON / text reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.evaluation import EvalCase, EvalError, evaluate, load_eval
from bot.model import Content, Entry, Lang, Reply, Suggestion, frozen_map


class ScriptedReplier:
    """A stand-in answerer: a fixed reply per question, language from a fixed table."""

    def __init__(self, replies: dict[str, Reply], langs: dict[str, Lang] | None = None) -> None:
        self.replies = replies
        self.langs = langs or {}

    def reply(self, question: str, lang_hint: str | None = None) -> Reply:
        return self.replies[question]

    def detect_language(self, text: str, hint: str | None = None) -> Lang:
        return self.langs.get(text, "en")


def answer(entry_id: str, lang: Lang = "en") -> Reply:
    return Reply("answer", lang, "text", entry_id=entry_id, score=0.9)


def suggest(*ids: str, lang: Lang = "en") -> Reply:
    return Reply("suggest", lang, "did you mean", score=0.5,
                 suggestions=tuple(Suggestion(i, i, 0.5) for i in ids))


def unknown(lang: Lang = "en") -> Reply:
    return Reply("unknown", lang, "no idea")


def case(q: str, *expect: str) -> EvalCase:
    return EvalCase(q=q, expect=tuple(expect), file="t.yaml", index=1, line=1)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- metrics -----------------------------------------------------------------------------------


def test_accuracy_counts_answers_with_an_expected_id() -> None:
    """Only an answer whose id is among the expected ones is accurate; a list accepts any."""
    cases = [case("a", "x"), case("b", "x", "y"), case("c", "x"), case("d", "x")]
    bot = ScriptedReplier({"a": answer("x"), "b": answer("y"), "c": answer("z"),
                           "d": suggest("x")})
    scores = evaluate(bot, cases).overall
    assert (scores.accurate, scores.n_in) == (2, 4)
    assert scores.accuracy == 0.5


def test_helpful_adds_suggestions_that_offer_an_expected_id() -> None:
    """A "did you mean" offering an expected id is helpful; one offering others is not."""
    cases = [case("a", "x"), case("b", "x"), case("c", "x"), case("d", "x")]
    weak_lead = Reply("unknown", "en", "?", suggestions=(Suggestion("x", "x", 0.3),))
    bot = ScriptedReplier({"a": answer("x"), "b": suggest("y", "x"), "c": suggest("y"),
                           "d": weak_lead})
    scores = evaluate(bot, cases).overall
    assert scores.helpful_n == 2
    assert scores.helpful == 0.5


def test_wrong_counts_only_answers_with_another_id() -> None:
    """Answering another id is wrong; a suggestion or an "unknown" is a miss but not wrong."""
    cases = [case("a", "x"), case("b", "x"), case("c", "x"), case("d", "x")]
    bot = ScriptedReplier({"a": answer("y"), "b": suggest("y"), "c": unknown(), "d": answer("x")})
    scores = evaluate(bot, cases).overall
    assert scores.wrong_n == 1
    assert scores.wrong == 0.25


def test_false_answer_counts_any_answer_to_an_out_of_scope_question() -> None:
    """Out of scope: any answer (even small talk) is false; suggest and unknown are fine."""
    cases = [case("lol"), case("weather"), case("asdf"), case("q", "x")]
    bot = ScriptedReplier({"lol": answer("greeting"), "weather": suggest("x"),
                           "asdf": unknown(), "q": answer("x")})
    scores = evaluate(bot, cases).overall
    assert (scores.false_answers, scores.n_out) == (1, 3)
    assert scores.false_answer == pytest.approx(1 / 3)
    assert scores.n == 4


def test_by_lang_uses_the_detected_language_of_each_question() -> None:
    """Per-language scores group cases by detect_language, not by file."""
    cases = [case("bonjour", "x"), case("hello", "x"), case("salut")]
    bot = ScriptedReplier({"bonjour": answer("x"), "hello": unknown(), "salut": answer("y")},
                          langs={"bonjour": "fr", "salut": "fr", "hello": "en"})
    report = evaluate(bot, cases)
    fr, en = report.by_lang("fr"), report.by_lang("en")
    assert (fr.n_in, fr.accuracy, fr.n_out, fr.false_answer) == (1, 1.0, 1, 1.0)
    assert (en.n_in, en.accuracy, en.n_out, en.false_answer) == (1, 0.0, 0, 0.0)


def test_failures_are_inaccurate_in_scope_and_answered_out_of_scope() -> None:
    """The failure list holds misses and false answers, and nothing that went right."""
    cases = [case("ok1", "x"), case("miss", "x"), case("oos-ok"), case("oos-bad")]
    bot = ScriptedReplier({"ok1": answer("x"), "miss": suggest("x", "y"),
                           "oos-ok": unknown(), "oos-bad": answer("z")})
    failures = evaluate(bot, cases).to_json()["failures"]
    assert failures == [
        {"q": "miss", "file": "t.yaml", "expect": ["x"], "got_kind": "suggest", "got_id": None,
         "suggestions": ["x", "y"], "score": 0.5},
        {"q": "oos-bad", "file": "t.yaml", "expect": None, "got_kind": "answer", "got_id": "z",
         "suggestions": [], "score": 0.9},
    ]


def test_to_json_has_the_documented_shape_and_rates() -> None:
    """`eval --json` carries n, in_scope, out_of_scope, by_lang fr/en and failures."""
    cases = [case("a", "x"), case("b", "x"), case("c"), case("d", "x")]
    bot = ScriptedReplier({"a": answer("x"), "b": answer("y"), "c": unknown(),
                           "d": suggest("x")}, langs={"a": "fr"})
    data = evaluate(bot, cases).to_json()
    assert data["n"] == 4
    assert data["in_scope"] == {"n": 3, "accuracy": 0.3333, "helpful": 0.6667, "wrong": 0.3333}
    assert data["out_of_scope"] == {"n": 1, "false_answer": 0.0}
    assert data["by_lang"] == {
        "fr": {"n": 1, "in_scope": {"n": 1, "accuracy": 1.0, "helpful": 1.0, "wrong": 0.0},
               "out_of_scope": {"n": 0, "false_answer": 0.0}},
        "en": {"n": 3, "in_scope": {"n": 2, "accuracy": 0.0, "helpful": 0.5, "wrong": 0.5},
               "out_of_scope": {"n": 1, "false_answer": 0.0}},
    }
    failures = data["failures"]
    assert isinstance(failures, list)
    assert [f["q"] for f in failures] == ["b", "d"]


def test_format_text_shows_the_table_and_each_failure() -> None:
    """The text report has overall/fr/en rows with rates and counts, then the failures."""
    cases = [case("good", "x"), case("bad question", "x", "w")]
    bot = ScriptedReplier({"good": answer("x"), "bad question": answer("y")},
                          langs={"good": "fr"})
    text = evaluate(bot, cases).format_text()
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "50.0% (1/2)" in rows["overall"]
    assert "100.0% (1/1)" in rows["fr"]
    assert "0.0% (0/1)" in rows["en"]
    assert "Failures (1):" in text
    assert "'bad question'" in text and "expected x | w; got answer y" in text


def test_evaluate_with_the_real_answerer_on_a_tiny_content() -> None:
    """End to end: an entry's own phrasing, asked through the Answerer, counts as accurate."""
    entry = Entry(id="price", questions=frozen_map({"fr": ("Pourquoi les prix ont-ils baissé ?",),
                                                    "en": ("Why did prices drop?",)}),
                  answer=frozen_map({"fr": "Parce que.", "en": "Because."}))
    content = Content(entries=(entry,))
    cases = [case("Why did prices drop?", "price"), case("Pourquoi les prix ont-ils baissé ?",
                                                          "price")]
    report = evaluate(Answerer(content), cases)
    assert report.overall.accuracy == 1.0
    assert report.failures == ()


# --- loading -----------------------------------------------------------------------------------


def test_load_eval_reads_single_ids_lists_and_null(tmp_path: Path) -> None:
    """Items with one id, a list of ids and null load as cases, with file, item and line."""
    path = write(tmp_path, "set.yaml", '- {q: "prix ?", expect: price}\n'
                 '- q: "tarifs"\n  expect: [price, cost]\n- {q: "lol", expect: null}\n')
    cases = load_eval([path], known_ids={"price", "cost"})
    assert [(c.q, c.expect, c.index, c.line) for c in cases] == [
        ("prix ?", ("price",), 1, 1), ("tarifs", ("price", "cost"), 2, 2), ("lol", (), 3, 4)]
    assert [c.in_scope for c in cases] == [True, True, False]
    assert cases[0].file == str(path)


def test_load_eval_expands_a_folder_in_name_order(tmp_path: Path) -> None:
    """A folder stands for its *.yaml files, sorted; other files are ignored."""
    write(tmp_path, "b.yaml", '- {q: "two", expect: null}\n')
    write(tmp_path, "a.yaml", '- {q: "one", expect: null}\n')
    write(tmp_path, "notes.txt", "not yaml")
    assert [c.q for c in load_eval([tmp_path])] == ["one", "two"]


@pytest.mark.parametrize(("text", "why"), [
    ('- {expect: x}\n', "q must be a non-empty string"),
    ('- {q: 1234, expect: x}\n', "q must be a non-empty string"),
    ('- {q: "  ", expect: x}\n', "q must be a non-empty string"),
    ('- {q: "a"}\n', "expect is missing"),
    ('- {q: "a", expect: 3}\n', "expect must be an entry id"),
    ('- {q: "a", expect: []}\n', "expect must be an entry id"),
    ('- {q: "a", expect: [x, 2]}\n', "expect must be an entry id"),
    ('- {q: "a", expect: x, note: hi}\n', "unknown key(s) note"),
    ('- just a string\n', "an item must be a mapping"),
    ('{q: "a", expect: x}\n', "must be a list"),
    ('- {q: "a", expect: x\n', "cannot read"),
])
def test_load_eval_rejects_malformed_items(tmp_path: Path, text: str, why: str) -> None:
    """Each malformed item raises EvalError naming the file and saying what is wrong."""
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(EvalError) as err:
        load_eval([path])
    assert why in err.value.why
    assert str(path) in str(err.value)


def test_load_eval_names_file_and_item_of_an_unknown_id(tmp_path: Path) -> None:
    """An expected id missing from the content is an error pointing at its item."""
    path = write(tmp_path, "set.yaml",
                 '- {q: "a", expect: price}\n- {q: "b", expect: [price, nope]}\n')
    with pytest.raises(EvalError) as err:
        load_eval([path], known_ids={"price"})
    assert (err.value.file, err.value.index, err.value.line) == (str(path), 2, 2)
    assert "unknown entry id 'nope'" in str(err.value)
    assert load_eval([path])[1].expect == ("price", "nope")  # without known_ids: not checked


def test_load_eval_rejects_a_question_asked_twice(tmp_path: Path) -> None:
    """The same question (ignoring case and spacing) in two files is reported with both places."""
    write(tmp_path, "a.yaml", '- {q: "Prix ?", expect: null}\n')
    second = write(tmp_path, "b.yaml", '- {q: "prix  ?", expect: null}\n')
    with pytest.raises(EvalError, match="duplicate question") as err:
        load_eval([tmp_path])
    assert err.value.file == str(second)
    assert "a.yaml item 1" in err.value.why


def test_load_eval_reports_a_missing_path(tmp_path: Path) -> None:
    """A path that does not exist is an EvalError, not a silent empty set."""
    with pytest.raises(EvalError, match="no such file"):
        load_eval([tmp_path / "missing.yaml"])
