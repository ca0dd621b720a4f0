"""The question log: every question, its outcome and its feedback, in SQLite.

Writes go through a queue to one background thread, so answering never waits on the disk and a
locked, missing or broken database is logged, never raised. User ids are stored only as salted
HMAC hashes; the salt comes from BOT_HASH_SALT or is generated once and kept in the `meta` table.
The schema is migrated with `PRAGMA user_version`; rows older than the retention are purged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Each step moves the schema from version i to i + 1; never edit a released step, append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        ts REAL NOT NULL,
        platform TEXT NOT NULL,
        chat_kind TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        lang TEXT NOT NULL,
        text TEXT NOT NULL,
        outcome TEXT NOT NULL,
        entry_id TEXT,
        score REAL NOT NULL,
        latency_ms REAL NOT NULL DEFAULT 0
    );
    CREATE INDEX questions_ts ON questions (ts);
    CREATE TABLE feedback (
        question_ref TEXT NOT NULL REFERENCES questions (ref) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        ts REAL NOT NULL,
        PRIMARY KEY (question_ref, user_hash)
    );
    """,
)

PURGE_EVERY = 6 * 3600.0  # seconds between retention purges while running


@dataclass(frozen=True)
class QuestionRecord:
    """One asked question, as handed to the log (the raw user id never leaves the writer)."""

    ref: str
    ts: float
    platform: str
    chat_kind: str
    user_id: str
    lang: str
    text: str
    outcome: str
    entry_id: str | None
    score: float
    latency_ms: float = 0.0


@dataclass(frozen=True)
class FeedbackRecord:
    """A 👍 (1) or 👎 (-1) from one user on one logged question."""

    ref: str
    platform: str
    user_id: str
    vote: int
    ts: float


def new_ref() -> str:
    """An opaque, short, unique handle for a logged question (fits in callback data)."""
    return secrets.token_hex(8)


def connect(path: Path, timeout: float = 2.0) -> sqlite3.Connection:
    """Open (creating and migrating) the database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")  # readers (stats) never block the writer
    migrate(conn)
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing migrations; returns the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for step in range(version, len(MIGRATIONS)):
        conn.executescript(f"BEGIN; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;")
    return len(MIGRATIONS)


def load_salt(conn: sqlite3.Connection, configured: str | None) -> str:
    """The configured salt, else the one stored in `meta`, else a new one (stored)."""
    if configured:
        return configured
    row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
    if row:
        return str(row[0])
    salt = secrets.token_hex(16)
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (salt,))
    return str(conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0])


def hash_user(salt: str, platform: str, user_id: str) -> str:
    """A salted, one-way id: the same user maps to the same hash, which reveals nothing."""
    digest = hmac.new(salt.encode(), f"{platform}:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def purge(conn: sqlite3.Connection, retention_days: int, now: float | None = None) -> int:
    """Delete questions (and their feedback) older than the retention; returns rows deleted."""
    cutoff = (time.time() if now is None else now) - retention_days * 86400
    return conn.execute("DELETE FROM questions WHERE ts < ?", (cutoff,)).rowcount


Item = QuestionRecord | FeedbackRecord | Callable[[], None] | None


class QuestionLog:
    """Non-blocking writer of question and feedback rows, run by one daemon thread."""

    def __init__(self, path: Path, *, salt: str | None = None, retention_days: int = 90,
                 max_pending: int = 10_000) -> None:
        self.path = Path(path)
        self._salt_setting = salt
        self._retention_days = retention_days
        self._queue: queue.Queue[Item] = queue.Queue(maxsize=max_pending)
        self._conn: sqlite3.Connection | None = None
        self._salt = ""
        self._last_purge = 0.0
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
        self._thread.start()

    def record(self, item: QuestionRecord | FeedbackRecord) -> None:
        """Queue a row; never blocks, never raises (a full queue drops the row with a warning)."""
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            logger.warning("question log queue full; dropping a row",
                           extra={"event": "log_dropped"})

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued row is written (or given up on); True if done in time."""
        done = threading.Event()
        try:
            self._queue.put(done.set, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the thread and close the database."""
        if self._thread.is_alive():
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                logger.warning("question log queue full at shutdown")
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            if callable(item):
                item()
                continue
            self._write(item)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _write(self, item: QuestionRecord | FeedbackRecord) -> None:
        try:
            conn = self._connection()
            if isinstance(item, QuestionRecord):
                self._insert_question(conn, item)
            else:
                self._insert_feedback(conn, item)
            self._maybe_purge(conn)
            self._failing = False
        except (sqlite3.Error, OSError) as exc:
            self._report(exc)
            if self._conn is not None:
                self._conn.close()
            self._conn = None  # reconnect on the next row: the disk may be back

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
            self._salt = load_salt(self._conn, self._salt_setting)
        return self._conn

    def _insert_question(self, conn: sqlite3.Connection, q: QuestionRecord) -> None:
        conn.execute(
            "INSERT INTO questions (ref, ts, platform, chat_kind, user_hash, lang, text, outcome,"
            " entry_id, score, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (q.ref, q.ts, q.platform, q.chat_kind, hash_user(self._salt, q.platform, q.user_id),
             q.lang, q.text, q.outcome, q.entry_id, q.score, q.latency_ms))

    def _insert_feedback(self, conn: sqlite3.Connection, f: FeedbackRecord) -> None:
        # One vote per user per question: a second press replaces the first.
        conn.execute(
            "INSERT INTO feedback (question_ref, user_hash, vote, ts)"
            " SELECT ref, ?, ?, ? FROM questions WHERE ref = ?"
            " ON CONFLICT (question_ref, user_hash) DO UPDATE SET vote = excluded.vote,"
            " ts = excluded.ts",
            (hash_user(self._salt, f.platform, f.user_id), f.vote, f.ts, f.ref))

    def _maybe_purge(self, conn: sqlite3.Connection) -> None:
        now = time.time()
        if now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            deleted = purge(conn, self._retention_days, now)
            if deleted:
                logger.info("purged %d old questions", deleted, extra={"event": "log_purged"})

    def _report(self, exc: Exception) -> None:
        # Log the first failure of a run with details, then quietly until a write succeeds.
        if not self._failing:
            logger.error("question log unavailable (%s): %s; answering continues", self.path, exc,
                         extra={"event": "log_error"})
        self._failing = True
