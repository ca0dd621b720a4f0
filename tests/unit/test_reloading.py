"""Live content reload: good content gets served; broken content keeps the old one, reported."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.content import load_content
from bot.reloading import ContentWatcher, ReloadOutcome, snapshot
from bot.service import Asker, Service
from tests.unit.test_service import write_content

ADMIN = Asker("discord", "1", "1", "private", is_admin=True)
USER = Asker("discord", "2", "2", "private")
NEW_ENTRY = """
- id: pancake-recipe
  questions:
    fr: [Quelle est la recette des crêpes de Liang ?]
    en: [What is Liang's pancake recipe?]
  answer:
    fr: Une entrée de test ajoutée pendant que le bot tourne.
    en: A test entry added while the bot runs.
"""
BROKEN = "- id: broken-entry\n  qestions:\n    fr: [Une question ?]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


def service_on(folder: Path) -> Service:
    return Service(Answerer(load_content(folder)), rate_limit=0)


def add_entry(folder: Path) -> None:
    (folder / "qa" / "extra.yaml").write_text(NEW_ENTRY, encoding="utf-8")


def test_admin_reload_serves_the_new_content(folder: Path) -> None:
    """After adding an entry and /reload, the new question is answered."""
    service = service_on(folder)
    question = "What is Liang's pancake recipe?"
    assert getattr(service.ask(question, USER, "en"), "entry_id", None) != "pancake-recipe"
    add_entry(folder)
    notice = service.reload(ADMIN, "en")
    assert notice.text == service.answerer.message(
        "reload_ok", "en", entries=len(service.answerer.content.entries))
    reply = service.ask(question, USER, "en")
    assert reply is not None and reply.entry_id == "pancake-recipe"


def test_broken_reload_keeps_old_content_and_reports(folder: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A broken file: old content still served, the admin and the log get file, line and fix."""
    service = service_on(folder)
    before = service.answerer
    (folder / "qa" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.reloading"):
        notice = service.reload(ADMIN, "fr")
    assert service.answerer is before
    assert "broken.yaml:" in notice.text and "qestions" in notice.text
    assert notice.text.startswith(before.message("reload_failed", "fr", error="").strip())
    logged = caplog.records[-1].getMessage()
    assert "broken.yaml:" in logged and "qestions" in logged
    reply = service.ask("Qui est Liang Wenfeng ?", USER)
    assert reply is not None and reply.entry_id == "who-is-liang-wenfeng"


async def test_watcher_reloads_a_changed_folder_and_notifies(folder: Path) -> None:
    """The poller sees a new file, reloads once it is stable, and tells the listeners."""
    service = service_on(folder)
    outcomes: asyncio.Queue[ReloadOutcome] = asyncio.Queue()
    service.add_reload_listener(outcomes.put)
    watcher = ContentWatcher(service, folder, interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    await asyncio.sleep(0.1)
    add_entry(folder)
    outcome = await asyncio.wait_for(outcomes.get(), 10)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert outcome.ok and outcome.trigger == "watch"
    assert service.answerer.content.entry("pancake-recipe") is not None


async def test_watcher_reports_broken_content_to_listeners(folder: Path) -> None:
    """A broken edit is reported to the listeners with its location; the old content stays."""
    service = service_on(folder)
    before = service.answerer
    outcomes: asyncio.Queue[ReloadOutcome] = asyncio.Queue()
    service.add_reload_listener(outcomes.put)
    watcher = ContentWatcher(service, folder, interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    await asyncio.sleep(0.1)
    (folder / "qa" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    outcome = await asyncio.wait_for(outcomes.get(), 10)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert not outcome.ok and any("broken.yaml:" in p for p in outcome.problems)
    assert service.answerer is before


async def test_sighup_triggers_a_reload(folder: Path) -> None:
    """SIGHUP reloads the content (trigger 'signal')."""
    service = service_on(folder)
    outcomes: asyncio.Queue[ReloadOutcome] = asyncio.Queue()
    service.add_reload_listener(outcomes.put)
    watcher = ContentWatcher(service, folder, interval=0)
    loop = asyncio.get_running_loop()
    assert watcher.install_sighup(loop)
    try:
        add_entry(folder)
        os.kill(os.getpid(), signal.SIGHUP)
        outcome = await asyncio.wait_for(outcomes.get(), 10)
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
    assert outcome.ok and outcome.trigger == "signal"
    assert service.answerer.content.entry("pancake-recipe") is not None


async def test_questions_in_flight_use_one_version(folder: Path) -> None:
    """A question that started before a swap is answered by the answerer it started with."""
    service = service_on(folder)
    old = service.answerer
    seen: list[Answerer] = []

    class Spy(Answerer):
        def reply(self, question: str, lang_hint: str | None = None):  # type: ignore[no-untyped-def]
            seen.append(service.answerer)
            service.swap(old)  # a reload lands mid-question
            return super().reply(question, lang_hint)

    spy = Spy(old.content, old.settings)
    service.swap(spy)
    reply = service.ask("Qui est Liang Wenfeng ?", USER)
    assert reply is not None and reply.entry_id == "who-is-liang-wenfeng"
    assert seen == [spy] and service.answerer is old


def test_snapshot_changes_on_edit_add_and_delete(tmp_path: Path) -> None:
    """The polling fingerprint notices edits, new files and removed files."""
    (tmp_path / "a.yaml").write_text("a")
    first = snapshot(tmp_path)
    (tmp_path / "b.yaml").write_text("b")
    second = snapshot(tmp_path)
    (tmp_path / "a.yaml").write_text("aa")
    third = snapshot(tmp_path)
    (tmp_path / "b.yaml").unlink()
    fourth = snapshot(tmp_path)
    assert len({first, second, third, fourth}) == 4
