"""The console adapter (adapters/console/): transcript-style chats over io.StringIO, and render."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat, run_console
from adapters.console.render import render
from bot.__main__ import main
from bot.answering import Answerer
from bot.model import Reply, Suggestion
from bot.service import Asker, Service
from tests.unit.conftest import message

LABELS = {"source_label": "Source", "related_label": "Voir aussi"}
UNCLEAR = "open source"  # two close entries: numbered suggestions from `unsure`


class BrokenService(Service):
    """A service whose `ask` fails on the word 'boom', as a bug in the core would."""

    def ask(self, question: str, asker: Asker, lang_hint: str | None = None) -> Reply | None:
        if "boom" in question:
            raise RuntimeError("simulated bug")
        return super().ask(question, asker, lang_hint)


def chat(answerer: Answerer, *lines: str, service: Service | None = None) -> tuple[int, str]:
    """Run a whole console conversation on `lines`: (exit status, everything printed)."""
    out = io.StringIO()
    status = run_console(service or Service(answerer), io.StringIO("".join(f"{line}\n"
                                                                          for line in lines)), out)
    return status, out.getvalue()


def after_banner(output: str) -> str:
    """What the chat printed after its welcome banner."""
    return output.split("(/help, /topics, /quit)\n\n", 1)[1]


# --- conversations ----------------------------------------------------------------------------


def test_banner_shows_welcome_and_examples(answerer: Answerer) -> None:
    """The chat opens with the welcome, the examples and the commands."""
    status, output = chat(answerer)
    assert status == 0
    assert output.startswith(message("welcome", "fr") + "\n")
    assert "  • Qui est Liang Wenfeng ?\n  • C'est quoi MLA ?\n" in output
    assert "(/help, /topics, /quit)" in output


def test_question_gets_the_answer(answerer: Answerer) -> None:
    """> Qui est Liang Wenfeng ?  < the answer, its source and the numbered follow-up."""
    _, output = chat(answerer, "Qui est Liang Wenfeng ?")
    assert after_banner(output) == (
        "Le fondateur de DeepSeek et de High-Flyer.\n"
        "(Source: Waves, juillet 2024)\n"
        "Voir aussi:\n"
        "  1. Qu'est-ce que DeepSeek ?\n\n"
    )


def test_unclear_question_gets_numbered_suggestions_then_a_pick(unsure: Answerer) -> None:
    """> an unclear question  < numbered suggestions;  > 1  < the first suggestion's answer."""
    suggested = unsure.reply(UNCLEAR).suggestions
    _, output = chat(unsure, UNCLEAR, "1")
    first, second = after_banner(output).split("\n\n")[:2]
    assert first.splitlines()[0] == message("suggest", "fr")
    assert first.splitlines()[1:] == [f"  {n}. {s.question}"
                                      for n, s in enumerate(suggested, start=1)]
    assert second == unsure.answer_entry(suggested[0].id, "fr").text


def test_second_pick_answers_the_second_suggestion(unsure: Answerer) -> None:
    """> 2 after suggestions answers the second one."""
    suggested = unsure.reply(UNCLEAR).suggestions
    _, output = chat(unsure, UNCLEAR, "2")
    assert after_banner(output).split("\n\n")[1] == unsure.answer_entry(suggested[1].id,
                                                                         "fr").text


def test_number_without_choices_is_a_question(answerer: Answerer) -> None:
    """A number when nothing was offered is asked like any question (no crash, no pick)."""
    _, output = chat(answerer, "7")
    assert after_banner(output) == message("unknown", "fr") + "\n\n"


# "²" and "①" are digits (str.isdigit) but not decimals: int() would raise on them, so the pick
# checks str.isdecimal (which "١" passes).
@pytest.mark.parametrize("text", ["²", "①"])
def test_digit_like_symbols_are_questions_not_errors(
    unsure: Answerer, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    """'²' or '①' after suggestions is asked as a question, not turned into an error."""
    with caplog.at_level(logging.ERROR):
        _, output = chat(unsure, UNCLEAR, text)
    assert message("error", "fr") not in output
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("digit", ["1", "١"])
def test_decimal_digits_in_any_script_pick(unsure: Answerer, digit: str) -> None:
    """'1' and the Arabic-Indic '١' both pick the first suggestion."""
    suggested = unsure.reply(UNCLEAR).suggestions
    _, output = chat(unsure, UNCLEAR, digit)
    assert after_banner(output).split("\n\n")[1] == unsure.answer_entry(suggested[0].id,
                                                                         "fr").text


def test_help_command(answerer: Answerer) -> None:
    """> /help  < the help message."""
    _, output = chat(answerer, "/help")
    assert after_banner(output) == message("help", "fr") + "\n\n"


def test_topics_command_lists_themes_and_questions(answerer: Answerer) -> None:
    """> /topics  < each theme's title, then its entries' questions."""
    _, output = chat(answerer, "/topics")
    lines = after_banner(output).splitlines()
    assert lines[0] == message("topics_intro", "fr")
    assert lines[1] == "• Les bases"
    assert "    - Qui est Liang Wenfeng ?" in lines
    assert "• Technique" in lines and "    - C'est quoi MLA ?" in lines


def test_language_follows_the_question(answerer: Answerer) -> None:
    """After an English question, the answer and the following /help are in English."""
    _, output = chat(answerer, "What does MLA mean?", "/help")
    assert after_banner(output) == ("Multi-head Latent Attention.\n\n"
                                    + message("help", "en") + "\n\n")


def test_quit_ends_the_chat(answerer: Answerer) -> None:
    """> /quit  ends the conversation: nothing after it is answered, exit status 0."""
    status, output = chat(answerer, "/quit", "Qui est Liang Wenfeng ?")
    assert status == 0
    assert after_banner(output) == ""


@pytest.mark.parametrize("word", ["/exit", "/q", "quit", "EXIT"])
def test_other_quit_words(answerer: Answerer, word: str) -> None:
    """/exit, /q, quit and exit (any case) end the chat too."""
    assert after_banner(chat(answerer, word, "MLA")[1]) == ""


def test_end_of_input_ends_the_chat(answerer: Answerer) -> None:
    """End of input (Ctrl-D) ends the chat with status 0 after answering what came before."""
    out = io.StringIO()
    status = run_console(Service(answerer), io.StringIO("MLA"), out)  # no final newline
    assert status == 0
    assert after_banner(out.getvalue()) == "Une attention latente à plusieurs têtes.\n\n"


def test_service_error_prints_apology_and_chat_goes_on(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure inside the service prints the apology, is logged, and the next question works."""
    service = BrokenService(answerer)
    with caplog.at_level(logging.ERROR):
        status, output = chat(answerer, "boom", "MLA", service=service)
    assert status == 0
    assert after_banner(output) == (message("error", "fr") + "\n"
                                    "Une attention latente à plusieurs têtes.\n\n")
    assert any(r.exc_info and "simulated bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("stop", [EOFError, KeyboardInterrupt])
def test_interactive_chat_reads_input_until_ctrl_d_or_ctrl_c(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:
    """In a terminal the chat prompts with input('> ') and ends cleanly on Ctrl-D or Ctrl-C."""
    typed = iter(["MLA"])
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise stop from None

    monkeypatch.setattr("builtins.input", fake_input)
    out = io.StringIO()
    assert run_console(Service(answerer), io.StringIO(), out, interactive=True) == 0
    assert prompts == ["> ", "> "]
    assert after_banner(out.getvalue()) == "Une attention latente à plusieurs têtes.\n\n\n"


def test_handle_returns_false_only_on_quit(answerer: Answerer) -> None:
    """ConsoleChat.handle() says whether to go on: True for a question, False for /quit."""
    console = ConsoleChat(Service(answerer), io.StringIO())
    assert console.handle("MLA\n") is True
    assert console.handle("  /quit  ") is False


def test_chat_command_over_stdin(monkeypatch: pytest.MonkeyPatch, fixture_dir: Path) -> None:
    """`python -m bot chat --content DIR` reads questions from stdin and answers them."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Qui est Liang Wenfeng ?\n/quit\nMLA\n"))
    out = io.StringIO()
    assert main(["chat", "--content", str(fixture_dir)], out=out) == 0
    assert after_banner(out.getvalue()).startswith("Le fondateur de DeepSeek et de High-Flyer.\n")
    assert "Une attention latente" not in out.getvalue()  # /quit came first


# --- render -----------------------------------------------------------------------------------


def test_render_answer_with_source_and_follow_ups() -> None:
    """An answer renders without Markdown bold, with its source and numbered follow-ups."""
    follow = Suggestion("b", "Et ensuite ?", 1.0)
    reply = Reply("answer", "fr", "Le **fondateur**.", entry_id="a", source="Waves",
                  related=(follow,))
    text, choices = render(reply, LABELS)
    assert text == "Le fondateur.\n(Source: Waves)\nVoir aussi:\n  1. Et ensuite ?"
    assert choices == [follow]


def test_render_suggestions_are_numbered_choices() -> None:
    """A suggest reply renders its lead-in and numbered suggestions, which become the choices."""
    picks = (Suggestion("a", "Question A ?", 0.5), Suggestion("b", "Question B ?", 0.4))
    text, choices = render(Reply("suggest", "fr", "Vouliez-vous dire :", suggestions=picks),
                           LABELS)
    assert text == "Vouliez-vous dire :\n  1. Question A ?\n  2. Question B ?"
    assert choices == list(picks)


def test_render_unknown_and_notice_are_plain_text() -> None:
    """Unknown and notice replies render as their text alone, with no choices and no source."""
    assert render(Reply("unknown", "en", "No idea.", source="x"), LABELS) == ("No idea.", [])
    assert render(Reply("notice", "en", "Slow down."), {}) == ("Slow down.", [])


def test_render_default_labels() -> None:
    """Without labels, the source and follow-up headings fall back to English words."""
    reply = Reply("answer", "en", "Yes.", source="S",
                  related=(Suggestion("b", "More?", 1.0),))
    assert render(reply, {})[0] == "Yes.\n(Source: S)\nSee also:\n  1. More?"
