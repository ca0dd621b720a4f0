"""The SQLite question log: rows, hashed ids, feedback, migrations, retention, failures."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bot.storage import (
    FeedbackRecord,
    QuestionLog,
    QuestionRecord,
    connect,
    hash_user,
    load_salt,
    new_ref,
    purge,
)

RAW_ID = "412345678901234567"


def fetch(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of one query, on a connection closed right after (no leaked handles)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def question(ref: str, *, ts: float | None = None, user: str = RAW_ID) -> QuestionRecord:
    return QuestionRecord(ref=ref, ts=time.time() if ts is None else ts, platform="discord",
                          chat_kind="group", user_id=user, lang="fr",
                          text="Qui est Liang Wenfeng ?", outcome="answer",
                          entry_id="who-is-liang-wenfeng", score=0.91, latency_ms=1.5)


def test_rows_are_written_with_hashed_ids_only(tmp_path: Path) -> None:
    """A logged question is stored with a salted hash; the raw user id is nowhere in the file."""
    db = tmp_path / "data" / "q.sqlite3"
    log = QuestionLog(db)
    ref = new_ref()
    log.record(question(ref))
    log.close()
    row = fetch(db, "SELECT ref, platform, chat_kind, user_hash, lang, text, outcome, entry_id,"
                " score FROM questions")[0]
    assert row[:3] == (ref, "discord", "group")
    assert row[4:] == ("fr", "Qui est Liang Wenfeng ?", "answer", "who-is-liang-wenfeng", 0.91)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        salt = load_salt(conn, None)
    assert row[3] == hash_user(salt, "discord", RAW_ID) and RAW_ID not in row[3]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert RAW_ID.encode() not in path.read_bytes(), path


def test_salt_is_generated_once_and_kept(tmp_path: Path) -> None:
    """Without BOT_HASH_SALT, the same user gets the same hash across restarts."""
    db = tmp_path / "q.sqlite3"
    for ref in ("a1", "b2"):
        log = QuestionLog(db)
        log.record(question(ref))
        log.close()
    hashes = {r[0] for r in fetch(db, "SELECT user_hash FROM questions")}
    assert len(hashes) == 1


def test_configured_salt_is_used(tmp_path: Path) -> None:
    """BOT_HASH_SALT decides the hash, and is not written to the database."""
    db = tmp_path / "q.sqlite3"
    log = QuestionLog(db, salt="my-salt")
    log.record(question("r1"))
    log.close()
    assert fetch(db, "SELECT user_hash FROM questions")[0][0] == hash_user(
        "my-salt", "discord", RAW_ID)
    assert fetch(db, "SELECT count(*) FROM meta WHERE value = 'my-salt'")[0][0] == 0


def test_feedback_is_stored_once_per_user(tmp_path: Path) -> None:
    """A vote is attached to its question; the same user voting again replaces the vote."""
    db = tmp_path / "q.sqlite3"
    log = QuestionLog(db)
    log.record(question("r1"))
    log.record(FeedbackRecord("r1", "discord", "u1", 1, time.time()))
    log.record(FeedbackRecord("r1", "discord", "u1", -1, time.time()))
    log.record(FeedbackRecord("r1", "discord", "u2", 1, time.time()))
    log.record(FeedbackRecord("unknown-ref", "discord", "u2", 1, time.time()))
    log.close()
    votes = sorted(r[0] for r in fetch(db, "SELECT vote FROM feedback"))
    assert votes == [-1, 1]


def test_retention_purges_old_rows_and_their_feedback(tmp_path: Path) -> None:
    """Questions older than the retention disappear, with their feedback."""
    db = tmp_path / "q.sqlite3"
    now = time.time()
    with contextlib.closing(connect(db)) as conn:
        for ref, age_days in (("old", 100), ("new", 1)):
            conn.execute("INSERT INTO questions (ref, ts, platform, chat_kind, user_hash, lang,"
                         " text, outcome, score) VALUES (?, ?, 'cli', 'private', 'h', 'fr', 'q',"
                         " 'unknown', 0)", (ref, now - age_days * 86400))
            conn.execute("INSERT INTO feedback VALUES (?, 'h', 1, ?)", (ref, now))
        assert purge(conn, 90, now) == 1
    assert fetch(db, "SELECT ref FROM questions") == [("new",)]
    assert fetch(db, "SELECT question_ref FROM feedback") == [("new",)]


def test_migration_is_idempotent(tmp_path: Path) -> None:
    """Opening an existing database again keeps its rows and schema version."""
    db = tmp_path / "q.sqlite3"
    log = QuestionLog(db)
    log.record(question("r1"))
    log.close()
    connect(db).close()
    assert fetch(db, "PRAGMA user_version") == [(1,)]
    assert fetch(db, "SELECT count(*) FROM questions") == [(1,)]


def test_unusable_database_is_logged_not_raised(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """A database path that cannot be created logs one error and never raises to the caller."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    log = QuestionLog(blocker / "sub" / "q.sqlite3")
    with caplog.at_level(logging.ERROR, logger="bot.storage"):
        log.record(question("r1"))
        log.record(question("r2"))
        assert log.flush()
    log.close()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "question log unavailable" in errors[0].getMessage()


def test_locked_database_does_not_block_the_caller(tmp_path: Path) -> None:
    """While another connection holds a short write lock, record() returns and rows land later."""
    db = tmp_path / "q.sqlite3"
    connect(db).close()
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    log = QuestionLog(db)
    start = time.monotonic()
    for i in range(50):
        log.record(question(f"r{i}"))
    returned_after = time.monotonic() - start
    time.sleep(0.3)  # the writer thread is now waiting on the lock, not the caller
    locker.execute("ROLLBACK")
    locker.close()
    log.close()
    print(f"50 record() calls under a lock returned in {returned_after * 1000:.1f} ms")
    count = fetch(db, "SELECT count(*) FROM questions")[0][0]
    assert count == 50
