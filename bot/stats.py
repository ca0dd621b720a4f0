"""What people asked: `python -m bot stats` over the question log, and the unanswered export.

Reads the SQLite log read-only: questions per day and platform, answer / suggest / unknown rates,
top entries, entries with the most 👎, and the unanswered questions grouped by similarity
(rapidfuzz token_set_ratio on normalised text) so authors see what to add next.
`--export-unanswered FILE` writes those groups as a YAML skeleton of new entries, which the
content loader rejects until an author gives each a real id and answers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

import yaml
from rapidfuzz import fuzz, process

UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
GROUP_CUTOFF = 85.0  # token_set_ratio over which two unanswered questions are "the same"
TOP = 10


@dataclass
class Group:
    """Unanswered questions that say the same thing; `questions` are (text, lang, count)."""

    label: str
    count: int = 0
    questions: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Report:
    """Everything `stats` shows, as plain data (the --json output)."""

    since: str
    total: int
    per_day: list[tuple[str, str, int]]
    outcomes: dict[str, int]
    rates: dict[str, float]
    top_entries: list[tuple[str, int]]
    most_disliked: list[tuple[str, int, int]]
    unanswered: list[Group]


def parse_since(text: str) -> float:
    """'7d', '24h', '30m', '2w' -> seconds; 'all' -> infinity. ValueError otherwise."""
    if text.strip().lower() == "all":
        return float("inf")
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text.lower())
    if not match:
        raise ValueError(f"--since {text!r}: expected a number and a unit m/h/d/w, e.g. 7d")
    return int(match.group(1)) * UNITS[match.group(2)]


def normalise(text: str) -> str:
    """Casefolded, accent-free words only: what grouping compares."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


def group_questions(rows: list[tuple[str, str]], cutoff: float = GROUP_CUTOFF) -> list[Group]:
    """Group (text, lang) rows by similarity, biggest group first; the label is its top text."""
    counts = Counter((normalise(t), t.strip(), lang) for t, lang in rows if normalise(t))
    keys: list[str] = []
    groups: list[Group] = []
    for (key, text, lang), count in counts.most_common():
        hit = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, processor=None,
                                 score_cutoff=cutoff)
        if hit is None:
            keys.append(key)
            groups.append(Group(text))
            group = groups[-1]
        else:
            group = groups[hit[2]]
        group.count += count
        group.questions.append((text, lang, count))
    return sorted(groups, key=lambda g: (-g.count, g.label))


def collect(db_path: Path, since: str = "7d", now: float | None = None) -> Report:
    """Read the log (read-only) into a Report covering the last `since`."""
    start = (time.time() if now is None else now) - parse_since(since)
    start = max(start, 0.0)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return _report(conn, since, start)
    finally:
        conn.close()


def _report(conn: sqlite3.Connection, since: str, start: float) -> Report:
    asked = "FROM questions WHERE ts >= ? AND outcome != 'pick'"
    outcomes = dict(conn.execute(f"SELECT outcome, count(*) {asked} GROUP BY outcome",
                                 (start,)).fetchall())
    total = sum(outcomes.values())
    per_day = conn.execute(
        "SELECT date(ts, 'unixepoch'), platform, count(*) " + asked
        + " GROUP BY 1, 2 ORDER BY 1, 2", (start,)).fetchall()
    top = conn.execute(
        "SELECT entry_id, count(*) FROM questions WHERE ts >= ? AND entry_id IS NOT NULL"
        " AND outcome IN ('answer', 'pick') GROUP BY entry_id ORDER BY 2 DESC, 1 LIMIT ?",
        (start, TOP)).fetchall()
    disliked = conn.execute(
        "SELECT q.entry_id, sum(f.vote < 0), sum(f.vote > 0) FROM feedback f JOIN questions q"
        " ON q.ref = f.question_ref WHERE q.ts >= ? AND q.entry_id IS NOT NULL"
        " GROUP BY q.entry_id HAVING sum(f.vote < 0) > 0 ORDER BY 2 DESC, 1 LIMIT ?",
        (start, TOP)).fetchall()
    unknown = conn.execute("SELECT text, lang " + asked + " AND outcome = 'unknown'",
                           (start,)).fetchall()
    rates = {k: round(outcomes.get(k, 0) / total, 4) if total else 0.0
             for k in ("answer", "suggest", "unknown")}
    return Report(since, total, [tuple(r) for r in per_day], outcomes, rates,
                  [tuple(r) for r in top], [tuple(r) for r in disliked],
                  group_questions([tuple(r) for r in unknown]))


def format_text(report: Report, groups: int = 20) -> str:
    """The human-readable report."""
    lines = [f"Questions in the last {report.since}: {report.total}"]
    if report.total:
        lines.append("Outcomes: " + ", ".join(
            f"{k} {report.outcomes.get(k, 0)} ({v:.0%})" for k, v in report.rates.items()))
    lines += ["", "Per day and platform:"]
    lines += [f"  {day}  {platform:<9} {n}" for day, platform, n in report.per_day] or ["  -"]
    lines += ["", "Top entries:"]
    lines += [f"  {n:>5}  {eid}" for eid, n in report.top_entries] or ["  -"]
    lines += ["", "Most 👎 (down / up):"]
    lines += [f"  {d:>3} / {u:<3} {eid}" for eid, d, u in report.most_disliked] or ["  -"]
    lines += ["", "Top unanswered (grouped):"]
    for g in report.unanswered[:groups]:
        lines.append(f"  {g.count:>5}  {g.label}")
        lines += [f"           · [{lang}] {text} ×{n}" for text, lang, n in g.questions[1:4]]
    if not report.unanswered:
        lines.append("  -")
    return "\n".join(lines) + "\n"


EXPORT_HEADER = """\
# Unanswered questions from the question log (last {since}), grouped by similarity.
# For each entry you keep: give it a real id (lowercase-kebab-case), complete the questions in
# both languages, write both answers (and a source for interview facts), then move it into
# content/qa/<theme>.yaml. The loader refuses these entries until they are completed.
"""


def export_unanswered(report: Report, path: Path, groups: int = 20) -> int:
    """Write the skeleton YAML; returns the number of entries written."""
    entries = []
    for number, group in enumerate(report.unanswered[:groups], start=1):
        questions = {lang: [t for t, q_lang, _ in group.questions if q_lang == lang]
                     for lang in ("fr", "en")}
        entries.append({"id": f"todo-{number}", "questions": questions,
                        "answer": {"fr": "", "en": ""}})
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(EXPORT_HEADER.format(since=report.since) + text, encoding="utf-8")
    return len(entries)


def run_stats(db_path: Path, out: TextIO, *, since: str = "7d", as_json: bool = False,
              export: Path | None = None, now: float | None = None) -> int:
    """`python -m bot stats`: print the report (text or JSON), optionally export; exit status."""
    try:
        parse_since(since)
    except ValueError as exc:
        out.write(f"{exc}\n")
        return 2
    if not Path(db_path).exists():
        out.write(f"no question log at {db_path} (set BOT_DB or BOT_DATA_DIR)\n")
        return 1
    report = collect(Path(db_path), since, now)
    out.write(json.dumps(asdict(report), ensure_ascii=False, indent=1) + "\n" if as_json
              else format_text(report))
    if export is not None:
        written = export_unanswered(report, export)
        if not as_json:
            out.write(f"\nwrote {written} draft entries to {export}\n")
    return 0
