"""The console adapter: a conversation in the terminal, the reference adapter.

Its streams are parameters, so tests drive it with `io.StringIO`.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TextIO

from adapters.console.render import render
from bot.model import Lang, Reply, Suggestion
from bot.service import Asker, Service

log = logging.getLogger(__name__)

QUIT = {"/quit", "/exit", "/q", "quit", "exit"}


class ConsoleChat:
    """One terminal conversation: reads questions, prints replies, remembers numbered choices."""

    def __init__(self, service: Service, out: TextIO, lang: Lang | None = None) -> None:
        self.service = service
        self.out = out
        self.lang: Lang = lang or service.answerer.settings.default_lang
        self.choices: list[Suggestion] = []
        self.asker = Asker("console", "console", "console", "console", is_admin=True)

    def handle(self, line: str) -> bool:
        """Answer one input line; False when the user wants to leave."""
        text = line.strip()
        if text.lower() in QUIT:
            return False
        try:
            self._say(self._reply_to(text))
        except Exception:  # the one catch-all of this adapter: a bug must not end the chat
            log.exception("console: failed to answer %r", text[:80])
            self.out.write(self.service.answerer.message("error", self.lang) + "\n")
        return True

    def _reply_to(self, text: str) -> Reply | None:
        answerer = self.service.answerer
        if text.isdecimal() and 1 <= int(text) <= len(self.choices):
            picked = self.choices[int(text) - 1]
            return self.service.answer_entry(picked.id, self.asker, self.lang)
        if text.lower() in {"/help", "/aide", "help?"}:
            return Reply("notice", self.lang, answerer.message("help", self.lang))
        if text.lower() in {"/topics", "/themes", "/thèmes"}:
            return Reply("notice", self.lang, self._topics())
        if text.lower() == "/reload":
            return self.service.reload(self.asker, self.lang)
        reply = self.service.ask(text, self.asker, lang_hint=self.lang)
        if reply is not None:
            self.lang = reply.lang
        return reply

    def _topics(self) -> str:
        answerer = self.service.answerer
        lines = [answerer.message("topics_intro", self.lang)]
        for topic in answerer.topics():
            lines.append(f"• {topic.title(self.lang)}")
            for entry_id in topic.entry_ids:
                entry = answerer.content.entry(entry_id)
                if entry is not None:
                    lines.append(f"    - {entry.question(self.lang)}")
        return "\n".join(lines)

    def _say(self, reply: Reply | None) -> None:
        if reply is None:
            return
        labels = {k: self.service.answerer.message(k, reply.lang)
                  for k in ("source_label", "related_label")}
        text, choices = render(reply, labels)
        self.choices = choices or self.choices
        self.out.write(text + "\n\n")


def run_console(service: Service, stdin: TextIO, stdout: TextIO, interactive: bool = False) -> int:
    """Chat until end of input or /quit; returns the exit status."""
    chat = ConsoleChat(service, stdout)
    answerer = service.answerer
    stdout.write(answerer.message("welcome", chat.lang) + "\n")
    for example in answerer.message("examples", chat.lang).split("|"):
        stdout.write(f"  • {example}\n")
    stdout.write("(/help, /topics, /quit)\n\n")
    if interactive:
        _enable_history()
    while True:
        if interactive:
            try:
                line = input("> ")
            except (EOFError, KeyboardInterrupt):
                stdout.write("\n")
                return 0
        else:
            line = stdin.readline()
            if not line:
                return 0
        if not chat.handle(line):
            return 0


def _enable_history() -> None:
    """Arrow-key history and line editing where the platform has readline."""
    # Windows without pyreadline has no readline: plain input() still works there.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (imported for its side effect on input())
