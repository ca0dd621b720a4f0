"""Content loading and validation: every kind of problem is found, located and explained."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import ContentError, ContentErrors, load_content
from bot.validation import (
    Problem,
    copies_content,
    count_entries,
    format_report,
    lint,
    validate,
)

MESSAGES = """\
unknown: {fr: Je ne sais pas., en: I don't know.}
suggest: {fr: Vouliez-vous dire, en: Did you mean}
empty: {fr: Posez une question., en: Ask a question.}
help: {fr: Aide., en: Help.}
welcome: {fr: Bonjour !, en: Hello!}
error: {fr: Oups., en: Oops.}
topic.prices: {fr: Les prix, en: Prices}
"""

PRICES = """\
- id: price-war
  questions:
    fr: [Qui a lancé la guerre des prix ?]
    en: [Who started the price war?]
  answer:
    fr: DeepSeek, sans le vouloir.
    en: DeepSeek, without meaning to.
  related: [pricing-principle]
- id: pricing-principle
  questions:
    fr: [Comment DeepSeek fixe-t-il ses prix ?]
    en: [How does DeepSeek set its prices?]
  answer:
    fr: Selon ses coûts.
    en: From its costs.
"""


def make(tmp_path: Path, **files: str | None) -> Path:
    """A content folder: the valid baseline, with `files` ('qa/x.yaml' as qa__x) replaced."""
    layout: dict[str, str | None] = {"messages": MESSAGES, "qa__prices": PRICES}
    layout.update(files)
    for name, text in layout.items():
        if text is not None:
            path = tmp_path / (name.replace("__", "/") + ".yaml")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def one(problems: list[Problem], text: str) -> Problem:
    """The single problem whose message contains `text`."""
    found = [p for p in problems if text in p.message]
    assert len(found) == 1, (text, [str(p) for p in problems])
    return found[0]


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the errors."""
    return [p for p in problems if p.severity == "error"]


def test_valid_folder_has_no_problem_and_loads_with_positions(tmp_path: Path) -> None:
    """A correct folder validates clean and loads entries with file, line, topic and titles."""
    root = make(tmp_path, synonyms="- [prix, tarif]\n")
    assert validate(root) == []
    content = load_content(root)
    second = content.entries[1]
    assert (second.id, Path(second.file).name, second.line) == (
        "pricing-principle",
        "prices.yaml",
        9,
    )
    assert second.topic == "prices" and second.questions["en"] == (
        "How does DeepSeek set its prices?",
    )
    assert content.entries[0].related == ("pricing-principle",)
    assert content.topics[0].title("fr") == "Les prix"
    assert content.synonyms == (("prix", "tarif"),)
    assert content.message("error", "en") == "Oops."


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    """A YAML syntax error names the file and the line of the YAML mark."""
    broken = PRICES.replace("    en: DeepSeek, without meaning to.", "    en: [DeepSeek, oops")
    problem = one(validate(make(tmp_path, qa__prices=broken)), "YAML syntax error")
    assert problem.severity == "error" and problem.file.endswith("prices.yaml")
    assert problem.line in (7, 8)


def test_file_that_is_not_a_list(tmp_path: Path) -> None:
    """A Q&A file holding a mapping instead of a list is an error telling the expected shape."""
    problem = one(validate(make(tmp_path, qa__prices="id: price-war\n")), "must be a list")
    assert (Path(problem.file).name, problem.line) == ("prices.yaml", 1)


def test_entry_that_is_not_a_mapping(tmp_path: Path) -> None:
    """A list item that is a plain string is reported at its own line."""
    problem = one(
        validate(make(tmp_path, qa__prices=PRICES + "- just a string\n")), "must be a mapping"
    )
    assert problem.line == 16 and problem.entry_id is None


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    """A typo in a key ('qestions') is an error at that line, suggesting 'questions'."""
    text = PRICES.replace("  questions:\n    fr: [Comment", "  qestions:\n    fr: [Comment")
    problems = validate(make(tmp_path, qa__prices=text))
    problem = one(problems, "unknown key")
    assert (problem.line, problem.entry_id) == (10, "pricing-principle")
    assert problem.message == "unknown key 'qestions' (did you mean 'questions'?)"
    assert str(problem).endswith(
        "prices.yaml:10 [pricing-principle] error: unknown key 'qestions'"
        " (did you mean 'questions'?)"
    )
    one(problems, "missing or empty 'questions'")


@pytest.mark.parametrize("id_line", ["- id:\n", "- id: ''\n", "- tags: [x]\n"])
def test_missing_or_empty_id(tmp_path: Path, id_line: str) -> None:
    """An entry with no id, or an empty one, is an error at the entry's line."""
    text = PRICES.replace("- id: pricing-principle\n", id_line)
    problem = one(validate(make(tmp_path, qa__prices=text)), "missing or empty 'id'")
    assert problem.line == 9


def test_bad_id_format(tmp_path: Path) -> None:
    """An id that is not lowercase kebab-case is an error naming the expected form."""
    text = PRICES.replace("pricing-principle\n  questions", "Pricing_Principle\n  questions")
    problem = one(validate(make(tmp_path, qa__prices=text)), "bad id 'Pricing_Principle'")
    assert (problem.line, problem.entry_id) == (9, "Pricing_Principle")
    assert "kebab-case" in problem.message


def test_missing_and_empty_questions_and_answer(tmp_path: Path) -> None:
    """No 'questions' or an empty 'answer' mapping is an error for each."""
    text = PRICES.replace(
        "  questions:\n    fr: [Comment DeepSeek fixe-t-il ses prix ?]\n"
        "    en: [How does DeepSeek set its prices?]\n",
        "",
    ).replace("  answer:\n    fr: Selon ses coûts.\n    en: From its costs.\n", "  answer: {}\n")
    problems = validate(make(tmp_path, qa__prices=text))
    assert one(problems, "missing or empty 'questions'").line == 9
    assert one(problems, "missing or empty 'answer'").line == 10


def test_unknown_language_key(tmp_path: Path) -> None:
    """A language key other than fr/en is an error at its line, suggesting the closest one."""
    text = PRICES.replace("    en: From its costs.", "    eng: From its costs.")
    problems = validate(make(tmp_path, qa__prices=text))
    problem = one(problems, "unknown language 'eng'")
    assert (problem.line, problem.entry_id) == (15, "pricing-principle")
    assert "did you mean 'en'" in problem.message


def test_language_with_questions_but_no_answer_and_vice_versa(tmp_path: Path) -> None:
    """English questions without an English answer (and the reverse) are errors."""
    text = PRICES.replace("    en: From its costs.\n", "").replace(
        "    en: [Who started the price war?]\n", ""
    )
    problems = validate(make(tmp_path, qa__prices=text))
    assert one(problems, "questions in 'en' but no answer in 'en'").entry_id == "pricing-principle"
    assert one(problems, "an answer in 'en' but no questions in 'en'").entry_id == "price-war"


def test_empty_strings(tmp_path: Path) -> None:
    """An empty answer string and an empty question are errors at their lines."""
    text = PRICES.replace("    fr: Selon ses coûts.", "    fr: ''").replace(
        "[Who started the price war?]", "[Who started the price war?, '  ']"
    )
    problems = validate(make(tmp_path, qa__prices=text))
    assert one(problems, "the 'fr' answer must be a non-empty string").line == 14
    assert one(problems, "question 2 in 'en' must be a non-empty string").line == 4


def test_non_string_items(tmp_path: Path) -> None:
    """A number among the questions, or a non-list 'related', is an error."""
    text = PRICES.replace(
        "[How does DeepSeek set its prices?]",
        "\n      - How does DeepSeek set its prices?\n      - 42",
    ).replace("related: [pricing-principle]", "related: pricing-principle")
    problems = validate(make(tmp_path, qa__prices=text))
    assert one(problems, "question 2 in 'en' must be a non-empty string").line == 14
    assert one(problems, "'related' must be a list").line == 8


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    """The same id in two files is an error at the second, pointing to the first."""
    other = (
        "- id: price-war\n  questions: {fr: [Autre ?], en: [Other?]}\n"
        "  answer: {fr: Autre., en: Other.}\n"
    )
    problems = validate(make(tmp_path, qa__zother=other))
    problem = one(problems, "duplicate id 'price-war'")
    assert (Path(problem.file).name, problem.line, problem.entry_id) == (
        "zother.yaml",
        1,
        "price-war",
    )
    assert "prices.yaml:1" in problem.message


def test_related_ids_that_do_not_exist_or_link_to_self(tmp_path: Path) -> None:
    """A related id that is unknown (with a suggestion) or the entry itself is an error."""
    text = PRICES.replace("related: [pricing-principle]", "related: [pricing-principe, price-war]")
    problems = validate(make(tmp_path, qa__prices=text))
    missing = one(problems, "related id 'pricing-principe' does not exist")
    assert (missing.line, missing.entry_id) == (8, "price-war")
    assert "did you mean 'pricing-principle'" in missing.message
    assert one(problems, "links the entry to itself").entry_id == "price-war"


def test_same_normalised_question_in_two_entries(tmp_path: Path) -> None:
    """Two entries with the same question up to case, accents and punctuation: an error."""
    text = PRICES.replace(
        "[Comment DeepSeek fixe-t-il ses prix ?]",
        "[Comment DeepSeek fixe-t-il ses prix ?, 'qui a lance la guerre des prix']",
    )
    problem = one(validate(make(tmp_path, qa__prices=text)), "is the same as")
    assert (problem.severity, problem.line, problem.entry_id) == ("error", 11, "pricing-principle")
    assert "'price-war'" in problem.message


def test_near_duplicate_questions_are_a_warning(tmp_path: Path) -> None:
    """Nearly the same question (one typo apart) in two entries is a warning, not an error."""
    text = PRICES.replace(
        "[Who started the price war?]",
        "[What does Liang Wenfeng think about DeepSeek prices and costs?]",
    ).replace(
        "[How does DeepSeek set its prices?]",
        "[What does Liang Wenfeng think about DeepSeck prices and costs?]",
    )
    problems = validate(make(tmp_path, qa__prices=text))
    problem = one(problems, "is nearly the same as")
    assert (problem.severity, problem.line, problem.entry_id) == (
        "warning",
        12,
        "pricing-principle",
    )
    assert errors(problems) == []
    load_content(tmp_path)  # warnings do not stop loading


def test_bad_synonyms(tmp_path: Path) -> None:
    """synonyms.yaml: a group that is not a list, an empty term and a term in two groups."""
    synonyms = "- [AGI, IAG]\n- GPU\n- [carte graphique, '']\n- [iag, intelligence artificielle]\n"
    problems = validate(make(tmp_path, synonyms=synonyms))
    assert one(problems, "must be a non-empty list of terms").line == 2
    assert one(problems, "synonym term '' must be a non-empty string").line == 3
    twice = one(problems, "term 'iag' is also in the group at line 1")
    assert (Path(twice.file).name, twice.line) == ("synonyms.yaml", 4)
    assert one(validate(make(tmp_path, synonyms="AGI: IAG\n")), "must be a list of groups")


def test_synonym_that_folds_into_a_stop_word_or_negation(tmp_path: Path) -> None:
    """synonyms.yaml: 'né' folds into the negation 'ne' (every 'ne ... pas' would read 'born'),
    'the' is a stop word: errors naming the word; 'est né' is fine."""
    synonyms = "- [born, né, naissance]\n- [film, the]\n- [birthplace, est né]\n"
    problems = validate(make(tmp_path, synonyms=synonyms))
    assert one(problems, "synonym term 'né' reads as 'ne'").line == 1
    assert one(problems, "synonym term 'the' reads as 'the'").line == 2
    assert len(errors(problems)) == 2


def test_out_of_scope_questions_load_by_language(tmp_path: Path) -> None:
    """out_of_scope.yaml is optional; when present its questions load, stripped, by language."""
    assert not any(load_content(make(tmp_path)).out_of_scope.values())
    off = "fr:\n  - quel temps fait-il ?\nen:\n  - ' who founded Mistral? '\n"
    content = load_content(make(tmp_path, out_of_scope=off))
    assert dict(content.out_of_scope) == {"fr": ("quel temps fait-il ?",),
                                          "en": ("who founded Mistral?",)}


def test_bad_out_of_scope_file(tmp_path: Path) -> None:
    """out_of_scope.yaml: not a mapping, an unknown language, a non-list, an empty question, and
    a question that is also an entry's phrasing (the bot cannot both answer and refuse it)."""
    off = "fr:\n  - ''\n  - Qui a lancé la GUERRE des prix\nde: [wer?]\nen: who?\n"
    problems = validate(make(tmp_path, out_of_scope=off))
    assert one(problems, "must be a non-empty string").line == 2
    both = one(problems, "is also a phrasing of price-war; remove it from one of the two")
    assert (Path(both.file).name, both.line) == ("out_of_scope.yaml", 3)
    assert one(problems, "unknown language 'de'").line == 4
    assert one(problems, "'en' must be a list of questions").line == 5
    assert len(errors(problems)) == 4
    assert one(validate(make(tmp_path, out_of_scope="- who?\n")), "must map fr and en")
    with pytest.raises(ContentErrors):
        load_content(make(tmp_path, out_of_scope=off))


def test_bad_messages(tmp_path: Path) -> None:
    """messages.yaml: a message without English, a missing required key, not a mapping."""
    messages = MESSAGES.replace("help: {fr: Aide., en: Help.}", "help: {fr: Aide.}").replace(
        "welcome: {fr: Bonjour !, en: Hello!}\n", ""
    )
    problems = validate(make(tmp_path, messages=messages))
    assert one(problems, "message 'help' has no 'en' text").line == 4
    assert one(problems, "required message 'welcome' is missing").file.endswith("messages.yaml")
    assert one(validate(make(tmp_path, messages="- unknown\n")), "messages.yaml must map")


def test_long_answers_are_warnings(tmp_path: Path) -> None:
    """An answer over 5 sentences or 1500 characters is a warning at its line."""
    text = PRICES.replace(
        "fr: Selon ses coûts.", "fr: Un. Deux. Trois. Quatre. Cinq. Six."
    ).replace("en: From its costs.", "en: " + "word " * 400)
    problems = validate(make(tmp_path, qa__prices=text))
    assert one(problems, "6 sentences").line == 14
    assert one(problems, "characters (keep it <= 1500)").line == 15
    assert errors(problems) == []


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    """A key written twice in one mapping (YAML keeps the last silently) is an error."""
    text = PRICES.replace("    en: From its costs.", "    en: From its costs.\n    en: Again.")
    assert one(validate(make(tmp_path, qa__prices=text)), "key 'en' appears twice").line == 16


def test_missing_files(tmp_path: Path) -> None:
    """No Q&A file and no messages.yaml are errors."""
    problems = validate(make(tmp_path, messages=None, qa__prices=None))
    one(problems, "no Q&A files")
    assert one(problems, "file not found").file.endswith("messages.yaml")


def test_missing_folder(tmp_path: Path) -> None:
    """A content folder that does not exist is one clear error, and load_content refuses it."""
    assert [p.message for p in validate(tmp_path / "nowhere")] == ["content folder not found"]
    with pytest.raises(ContentErrors, match="content folder not found"):
        load_content(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Several errors in several files come back from one run, and load_content lists them all."""
    text = PRICES.replace("questions:\n    fr: [Comment", "qestions:\n    fr: [Comment").replace(
        "related: [pricing-principle]", "related: [nowhere]"
    )
    root = make(
        tmp_path, qa__prices=text, qa__broken="- id: x\n  answer: [\n", synonyms="- [a, b]\n- [b]\n"
    )
    problems = validate(root)
    for part in (
        "unknown key 'qestions'",
        "related id 'nowhere'",
        "YAML syntax error",
        "term 'b' is also",
    ):
        one(problems, part)
    with pytest.raises(ContentErrors) as caught:
        load_content(root)
    assert len(caught.value.errors) == len(errors(problems)) >= 4
    assert isinstance(caught.value, ContentError)
    assert "qestions" in str(caught.value) and "nowhere" in str(caught.value)


def test_lint_flags_eval_questions_that_copy_a_phrasing(tmp_path: Path) -> None:
    """lint: an eval question equal to a content phrasing once normalised is an error."""
    root = make(tmp_path)
    evals = tmp_path / "eval.yaml"
    evals.write_text(
        "- {q: who started the PRICE WAR, expect: price-war}\n"
        "- {q: why are prices so low, expect: price-war}\n",
        encoding="utf-8",
    )
    problems = lint(root, [evals])
    problem = one(problems, "copies a content phrasing of price-war; reword it")
    assert (Path(problem.file).name, problem.line) == ("eval.yaml", 1)
    assert len(problems) == 1


def test_lint_flags_eval_questions_that_copy_an_out_of_scope_question(tmp_path: Path) -> None:
    """lint: an eval question equal to one of the content's out-of-scope questions is an error
    (the matcher knows those questions: the eval would measure nothing)."""
    root = make(tmp_path, out_of_scope="en: [Who founded Mistral?]\n")
    evals = tmp_path / "eval.yaml"
    evals.write_text("- {q: who founded mistral, expect: null}\n"
                     "- {q: who runs mistral, expect: null}\n", encoding="utf-8")
    problem = one(lint(root, [evals]), "copies a question of out_of_scope.yaml; reword it")
    assert (Path(problem.file).name, problem.line) == ("eval.yaml", 1)
    assert len(lint(root, [evals])) == 1


def test_format_report(tmp_path: Path) -> None:
    """The lint report lists problems by file and line, then the summary line."""
    problems = [
        Problem("warning", "b.yaml", 3, "x", "careful"),
        Problem("error", "a.yaml", 9, None, "broken"),
    ]
    assert format_report(problems, 57) == (
        "a.yaml:9 error: broken\nb.yaml:3 [x] warning: careful\n"
        "lint: 57 entries, 1 errors, 1 warnings"
    )
    assert count_entries(make(tmp_path)) == 2


def test_entry_in_one_language_only_is_a_warning(tmp_path: Path) -> None:
    """An entry with French only (questions and answer) is a warning, not an error."""
    text = PRICES.replace("    en: From its costs.\n", "").replace(
        "    en: [How does DeepSeek set its prices?]\n", ""
    )
    problems = validate(make(tmp_path, qa__prices=text))
    problem = one(problems, "no 'en' questions and answer")
    assert (problem.severity, problem.line, problem.entry_id) == ("warning", 9, "pricing-principle")
    assert errors(problems) == []



def test_a_casual_first_question_is_a_warning(tmp_path: Path) -> None:
    """The first question of a language is shown on buttons and in 'see also': a lowercase or
    unpunctuated one is a warning naming it; a full question or an exclamation ("Bonjour !")
    is not."""
    text = PRICES.replace("[How does DeepSeek set its prices?]",
                          "[deepseek prices, How does DeepSeek set its prices?]")
    problems = validate(make(tmp_path, qa__prices=text))
    problem = one(problems, "the first 'en' question 'deepseek prices'")
    assert (problem.severity, problem.entry_id) == ("warning", "pricing-principle")
    assert "full question" in problem.message
    assert errors(problems) == []
    assert not [p for p in validate(make(tmp_path / "clean")) if "first" in p.message]


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "questions", "answer", "fr", "en", "related", "x"])
            | st.text(max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(qa=_VALUES, synonyms=_VALUES, messages=_VALUES)
def test_any_yaml_shape_is_reported_never_raised(
    qa: object, synonyms: object, messages: object
) -> None:
    """Any data in the files gives Problems from validate and at most ContentErrors from loading."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "qa").mkdir()
        for name, data in (("qa/x", qa), ("synonyms", synonyms), ("messages", messages)):
            (root / f"{name}.yaml").write_text(
                yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
            )
        problems = validate(root)
        assert all(isinstance(p, Problem) for p in problems)
        try:
            load_content(root)
        except ContentErrors as err:
            assert err.errors


def test_lint_flags_eval_questions_that_nearly_copy_what_they_expect(tmp_path: Path) -> None:
    """lint: an eval question one spelling away from a phrasing of the entry it expects (or, out
    of scope, from an out-of-scope question) is an error; near another entry it is a fair trap."""
    root = make(tmp_path, out_of_scope="en: [Who is the founder of Mistral AI?]\n")
    evals = tmp_path / "eval.yaml"
    evals.write_text(
        "- {q: who started that price war, expect: price-war}\n"
        "- {q: who started that price war, expect: pricing-principle}\n"
        "- {q: who is the founder of mistral, expect: null}\n"
        "- {q: how are prices decided, expect: pricing-principle}\n", encoding="utf-8")
    problems = lint(root, [evals])
    assert sorted(p.line for p in problems) == [1, 3]
    assert all("nearly copies" in p.message for p in problems)
    assert "a content phrasing of price-war" in problems[0].message


def test_copies_content_applies_the_eval_copy_rule_to_any_question_set(tmp_path: Path) -> None:
    """copies_content (the development set's filter) flags what lint flags in an eval file:
    exact copies of any question, near copies of what the question expects, nothing else."""
    root = make(tmp_path, out_of_scope="en: [Who is the founder of Mistral AI?]\n")
    cases = [("who started that price war", ("price-war",)),
             ("who started that price war", ("pricing-principle",)),
             ("who is the founder of mistral", ()),
             ("Who is the founder of Mistral AI", ("price-war",)),
             ("how are prices decided", ("pricing-principle",))]
    assert copies_content(root, cases) == [True, False, True, True, False]
