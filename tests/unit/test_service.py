"""The service around the core: question log refs, feedback, rate limit, channel de-dup, reload."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from bot.answering import Answerer
from bot.content import load_content
from bot.model import Content
from bot.reloading import ReloadOutcome
from bot.service import Asker, Service
from bot.storage import QuestionLog
from tests.unit.test_storage import fetch

WHO = "Qui est Liang Wenfeng ?"
USER = Asker("telegram", "555000111", "-100777", "group")
PRIVATE = Asker("telegram", "555000111", "555000111", "private")
ADMIN = Asker("telegram", "1", "-100777", "group", is_admin=True)


MESSAGES = {
    "unknown": ("Je ne sais pas.", "I don't know."),
    "suggest": ("Vouliez-vous dire :", "Did you mean:"),
    "empty": ("Posez une question.", "Ask a question."),
    "help": ("Aide.", "Help."),
    "welcome": ("Bienvenue.", "Welcome."),
    "error": ("Oups.", "Oops."),
    "rate_limited": ("Doucement, reprise dans {seconds} s.", "Easy, back in {seconds} s."),
    "repeated": ("Déjà répondu : « {question} ».", "Already answered: “{question}”."),
    "not_admin": ("Réservé aux admins.", "Admins only."),
    "reload_ok": ("Rechargé : {entries} entrées.", "Reloaded: {entries} entries."),
    "reload_failed": ("Échec ; ancien contenu gardé. {error}", "Failed; old content kept. {error}"),
    "topic.basics": ("Les bases", "Basics"),
}
ENTRIES = """
- id: who-is-liang-wenfeng
  questions:
    fr: [Qui est Liang Wenfeng ?, Liang Wenfeng c'est qui ?]
    en: [Who is Liang Wenfeng?, Tell me about Liang Wenfeng]
  answer:
    fr: Le fondateur de DeepSeek et de High-Flyer.
    en: The founder of DeepSeek and High-Flyer.
- id: mla
  questions:
    fr: [C'est quoi MLA ?, Que veut dire MLA ?]
    en: [What is MLA?, What does MLA mean?]
  answer:
    fr: Multi-head Latent Attention, une innovation d'architecture de V2.
    en: Multi-head Latent Attention, one of V2's architecture innovations.
"""


def write_content(root: Path) -> Path:
    """A small, valid content folder in `root` (tests must not depend on content in progress)."""
    (root / "qa").mkdir(parents=True, exist_ok=True)
    (root / "qa" / "basics.yaml").write_text(ENTRIES, encoding="utf-8")
    messages = {key: {"fr": fr, "en": en} for key, (fr, en) in MESSAGES.items()}
    (root / "messages.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True),
                                        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load_content(write_content(tmp_path_factory.mktemp("content")))


@pytest.fixture(scope="module")
def answerer(content: Content) -> Answerer:
    return Answerer(content)  # built once: building the index is the slow part


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(answerer: Answerer, tmp_path: Path | None = None, **kw: object) -> Service:
    log = QuestionLog(tmp_path / "q.sqlite3") if tmp_path else None
    return Service(answerer, log=log, **kw)  # type: ignore[arg-type]


def test_ask_logs_the_question_and_sets_ref(answerer: Answerer, tmp_path: Path) -> None:
    """Each reply carries the ref of its log row; the row holds outcome, entry and hashed id."""
    service = make(answerer, tmp_path)
    reply = service.ask(WHO, PRIVATE)
    assert reply is not None and reply.kind == "answer" and reply.ref
    service.close()
    row = fetch(tmp_path / "q.sqlite3",
                "SELECT platform, chat_kind, text, outcome, entry_id, user_hash FROM questions"
                " WHERE ref = ?", reply.ref)[0]
    assert row[:5] == ("telegram", "private", WHO, "answer", "who-is-liang-wenfeng")
    assert "555000111" not in row[5]


def test_feedback_is_stored_against_the_reply(answerer: Answerer, tmp_path: Path) -> None:
    """A 👎 on a reply's ref lands in the feedback table of that question."""
    service = make(answerer, tmp_path)
    reply = service.ask(WHO, PRIVATE)
    assert reply is not None and reply.ref
    service.feedback(reply.ref, PRIVATE, -1)
    service.close()
    rows = fetch(tmp_path / "q.sqlite3", "SELECT question_ref, vote FROM feedback")
    assert rows == [(reply.ref, -1)]


def test_button_pick_is_logged_and_gets_a_ref(answerer: Answerer, tmp_path: Path) -> None:
    """An entry picked from a button is an answer with a ref, logged as a 'pick'."""
    service = make(answerer, tmp_path)
    reply = service.answer_entry("mla", PRIVATE, "en")
    assert reply.kind == "answer" and reply.entry_id == "mla" and reply.ref
    service.close()
    assert fetch(tmp_path / "q.sqlite3", "SELECT outcome FROM questions") == [("pick",)]


def test_without_a_log_answers_have_no_ref(answerer: Answerer) -> None:
    """With --no-log (log=None) answering works and no ref is offered for feedback."""
    reply = make(answerer).ask(WHO, PRIVATE)
    assert reply is not None and reply.kind == "answer" and reply.ref is None


def test_broken_database_never_breaks_answering(answerer: Answerer, tmp_path: Path) -> None:
    """A database path that cannot be opened still gives answers."""
    (tmp_path / "file").write_text("x")
    service = Service(answerer, log=QuestionLog(tmp_path / "file" / "q.sqlite3"))
    reply = service.ask(WHO, PRIVATE)
    assert reply is not None and reply.kind == "answer"
    service.close()


def test_rate_limit_notice_once_then_silence(answerer: Answerer, content: Content) -> None:
    """The 11th question in a minute gets one localised notice, the 12th nothing, later ok."""
    clock = FakeClock()
    service = make(answerer, rate_limit=10, dedup_seconds=0, clock=clock)
    replies = [service.ask(WHO, PRIVATE) for _ in range(12)]
    assert all(r is not None and r.kind == "answer" for r in replies[:10])
    notice = replies[10]
    assert notice is not None and notice.kind == "notice"
    assert notice.text == content.message("rate_limited", "fr", seconds=60)
    assert replies[11] is None
    clock.now += 61
    again = service.ask(WHO, PRIVATE)
    assert again is not None and again.kind == "answer"


def test_rate_limit_exempts_admins(answerer: Answerer) -> None:
    """Admins are never rate-limited."""
    service = make(answerer, rate_limit=1, dedup_seconds=0, clock=FakeClock())
    assert all(service.ask(WHO, ADMIN) is not None for _ in range(5))


def test_same_entry_in_a_group_gets_a_pointer(answerer: Answerer, content: Content) -> None:
    """The same entry twice in one group within the window: the second is a 'repeated' notice."""
    clock = FakeClock()
    service = make(answerer, dedup_seconds=60, clock=clock)
    first = service.ask(WHO, USER)
    second = service.ask("qui est liang wenfeng", USER)
    assert first is not None and first.kind == "answer"
    assert second is not None and second.kind == "notice" and second.ref is None
    assert second.text == content.message("repeated", "fr", question=first.question)
    other_chat = service.ask(WHO, Asker("telegram", "2", "-100888", "group"))
    assert other_chat is not None and other_chat.kind == "answer"
    clock.now += 61
    later = service.ask(WHO, USER)
    assert later is not None and later.kind == "answer"


def test_dedup_skips_private_chats_and_admins(answerer: Answerer) -> None:
    """Private chats and admins always get the full answer."""
    service = make(answerer, dedup_seconds=60, clock=FakeClock())
    kinds = [getattr(service.ask(WHO, PRIVATE), "kind", None) for _ in range(2)]
    assert kinds == ["answer", "answer"]
    service.ask(WHO, USER)
    admin_reply = service.ask(WHO, ADMIN)
    assert admin_reply is not None and admin_reply.kind == "answer"


def test_reload_is_for_admins_only(answerer: Answerer, content: Content) -> None:
    """A non-admin /reload gets 'not_admin'; an admin gets the entry count."""
    service = make(answerer)
    denied = service.reload(USER, "en")
    assert denied.kind == "notice" and denied.text == content.message("not_admin", "en")
    done = service.reload(ADMIN, "en")
    assert done.text == content.message("reload_ok", "en", entries=len(content.entries))


async def test_reload_listeners_all_run_even_if_one_fails(answerer: Answerer) -> None:
    """A failing admin-notification listener does not stop the others."""
    service = make(answerer)
    seen: list[ReloadOutcome] = []

    async def broken(outcome: ReloadOutcome) -> None:
        raise RuntimeError("platform down")

    async def working(outcome: ReloadOutcome) -> None:
        seen.append(outcome)

    service.add_reload_listener(broken)
    service.add_reload_listener(working)
    outcome = ReloadOutcome(True, 3)
    await asyncio.wait_for(service.notify_reload(outcome), 5)
    assert seen == [outcome]
    service.remove_reload_listener(working)
    await asyncio.wait_for(service.notify_reload(outcome), 5)
    assert seen == [outcome]
