"""`stats` on a seeded question log: counts, rates, top and disliked entries, grouped unanswered."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content
from bot.stats import group_questions, parse_since, run_stats
from bot.storage import connect
from tests.unit.test_service import write_content

NOW = 1_780_000_000.0  # a fixed "now" (2026-05-28 UTC) so days are stable
DAY = 86400.0
ROWS = [  # (days ago, platform, lang, text, outcome, entry id, ref)
    (0.1, "telegram", "fr", "Qui est Liang Wenfeng ?", "answer", "who-is-liang-wenfeng", "r1"),
    (0.2, "telegram", "fr", "c'est quoi MLA", "answer", "mla", "r2"),
    (0.3, "discord", "en", "what is MLA", "answer", "mla", "r3"),
    (1.1, "discord", "en", "Does Liang play chess?", "unknown", None, "r4"),
    (1.2, "discord", "en", "does liang play chess", "unknown", None, "r5"),
    (1.3, "telegram", "fr", "Liang joue-t-il aux échecs ?", "unknown", None, "r6"),
    (1.4, "telegram", "fr", "Liang joue t il aux echecs", "unknown", None, "r7"),
    (1.5, "telegram", "fr", "Quel est son plat préféré ?", "unknown", None, "r8"),
    (2.0, "console", "fr", "prix", "suggest", None, "r9"),
    (2.1, "discord", "en", "[mla]", "pick", "mla", "r10"),
    (30.0, "discord", "en", "very old question", "unknown", None, "r11"),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "q.sqlite3"
    conn = connect(path)
    for days, platform, lang, text, outcome, entry, ref in ROWS:
        conn.execute("INSERT INTO questions (ref, ts, platform, chat_kind, user_hash, lang, text,"
                     " outcome, entry_id, score) VALUES (?, ?, ?, 'group', 'h', ?, ?, ?, ?, 0.5)",
                     (ref, NOW - days * DAY, platform, lang, text, outcome, entry))
    for ref, user, vote in (("r2", "a", -1), ("r3", "b", -1), ("r3", "c", 1), ("r1", "a", 1)):
        conn.execute("INSERT INTO feedback VALUES (?, ?, ?, ?)", (ref, user, vote, NOW))
    conn.close()
    return path


def test_json_report_on_seeded_log(db: Path) -> None:
    """Counts per outcome, rates, top entries and 👎 come out right for the last 7 days."""
    out = io.StringIO()
    assert run_stats(db, out, since="7d", as_json=True, now=NOW) == 0
    report = json.loads(out.getvalue())
    assert report["total"] == 9  # the pick is not a question; the 30-day-old row is out
    assert report["outcomes"] == {"answer": 3, "suggest": 1, "unknown": 5}
    assert report["rates"] == {"answer": 0.3333, "suggest": 0.1111, "unknown": 0.5556}
    assert report["top_entries"][0] == ["mla", 3]
    assert report["most_disliked"] == [["mla", 2, 1]]
    per_day = {(d, p): n for d, p, n in report["per_day"]}
    assert sum(per_day.values()) == 9 and ("2026-05-28", "telegram") in per_day


def test_unanswered_questions_are_grouped(db: Path) -> None:
    """Variants of one question (case, accents, punctuation) form one group, biggest first."""
    out = io.StringIO()
    run_stats(db, out, since="7d", as_json=True, now=NOW)
    groups = json.loads(out.getvalue())["unanswered"]
    sizes = [(g["count"], sorted(q[0] for q in g["questions"])) for g in groups]
    assert sizes[0][0] == 2 and sizes[1][0] == 2 and sizes[2][0] == 1
    assert ["Liang joue t il aux echecs", "Liang joue-t-il aux échecs ?"] in [s for _, s in sizes]
    assert ["Does Liang play chess?", "does liang play chess"] in [s for _, s in sizes]


def test_text_report_and_since_all(db: Path) -> None:
    """The text report has every section; --since all includes the old row."""
    out = io.StringIO()
    assert run_stats(db, out, since="all", now=NOW) == 0
    text = out.getvalue()
    assert text.startswith("Questions in the last all: 10")
    for heading in ("Per day and platform:", "Top entries:", "Most 👎", "Top unanswered"):
        assert heading in text
    assert "very old question" in text


def test_export_writes_a_skeleton_the_loader_rejects(db: Path, tmp_path: Path) -> None:
    """The export is YAML entries with questions filled and answers empty, refused until done."""
    root = write_content(tmp_path / "content")
    target = root / "qa" / "todo.yaml"
    run_stats(db, io.StringIO(), since="7d", export=target, now=NOW)
    entries = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == ["todo-1", "todo-2", "todo-3"]
    assert all(e["answer"] == {"fr": "", "en": ""} for e in entries)
    chess_fr = next(e for e in entries if e["questions"]["fr"] and "échecs" in
                    " ".join(e["questions"]["fr"]))
    assert len(chess_fr["questions"]["fr"]) == 2
    with pytest.raises(ContentError, match=r"todo\.yaml:\d+ \[todo-1\]"):
        load_content(root)


def test_missing_database_and_bad_since(tmp_path: Path) -> None:
    """No log yet exits 1 with a hint; a bad --since exits 2 saying the format."""
    out = io.StringIO()
    assert run_stats(tmp_path / "none.sqlite3", out) == 1 and "BOT_DB" in out.getvalue()
    assert run_stats(tmp_path / "none.sqlite3", io.StringIO(), since="week") == 2
    with pytest.raises(ValueError, match=r"e\.g\. 7d"):
        parse_since("7 days")
    assert parse_since("24h") == 86400


def test_grouping_keeps_different_questions_apart() -> None:
    """Unrelated questions are not merged."""
    groups = group_questions([("Quel âge a Liang ?", "fr"), ("Où vit Liang ?", "fr"),
                              ("quel age a liang", "fr")])
    assert sorted(g.count for g in groups) == [1, 2]
