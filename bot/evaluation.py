"""Measure how well an answerer handles questions it has never seen (`python -m bot eval`).

An evaluation set is a few YAML files under `tests/eval/`, each a list of
`{q: "...", expect: <id> | [<id>, ...] | null}`; `null` marks a question the bot must not answer.
`load_eval` reads and checks them, `evaluate` asks every question and scores the replies:

- accuracy: answered with an expected id (in-scope questions);
- helpful: accurate, or a "did you mean" that offers an expected id;
- wrong: answered with an id that is not expected (the worst failure);
- false answer: answered anything to an out-of-scope question.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from bot.model import LANGS, Lang, Reply


class EvalError(Exception):
    """A problem in an evaluation file, located by file, item number (1-based) and line."""

    def __init__(self, file: str, index: int, why: str, line: int = 0) -> None:
        self.file, self.index, self.why, self.line = file, index, why, line
        where = file + (f":{line}" if line else "") + (f" item {index}" if index else "")
        super().__init__(f"{where}: {why}")


@dataclass(frozen=True)
class EvalCase:
    """One question of the set; an empty `expect` means out of scope."""

    q: str
    expect: tuple[str, ...]
    file: str = ""
    index: int = 0  # 1-based position in its file
    line: int = 0

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


class Replier(Protocol):
    """What `evaluate` needs: the `Answerer` API, or a baseline that mimics it."""

    def reply(self, question: str, lang_hint: str | None = None) -> Reply: ...

    def detect_language(self, text: str, hint: str | None = None) -> Lang: ...


def load_eval(
    paths: Iterable[str | Path], known_ids: Collection[str] | None = None
) -> list[EvalCase]:
    """Read evaluation files (or folders of *.yaml) into cases; EvalError on the first problem.

    With `known_ids`, an expected id that is not among them is an error too.
    """
    cases: list[EvalCase] = []
    seen: dict[str, EvalCase] = {}
    for path in _expand(paths):
        for case in _load_file(path):
            key = " ".join(case.q.casefold().split())
            if key in seen:
                first = seen[key]
                raise EvalError(case.file, case.index, f"duplicate question {case.q!r} "
                                f"(first in {first.file} item {first.index})", case.line)
            seen[key] = case
            cases.append(case)
    if known_ids is not None:
        check_ids(cases, known_ids)
    return cases


def check_ids(cases: Iterable[EvalCase], known_ids: Collection[str]) -> None:
    """Raise EvalError for the first case that expects an id the content does not have."""
    for case in cases:
        for entry_id in case.expect:
            if entry_id not in known_ids:
                raise EvalError(case.file, case.index, f"unknown entry id {entry_id!r}", case.line)


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            found.append(path)
        else:
            raise EvalError(str(path), 0, "no such file or folder")
    return found


def _load_file(path: Path) -> list[EvalCase]:
    name = str(path)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise EvalError(name, 0, f"cannot read: {err}") from err
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise EvalError(name, 0, "the file must be a list of {q, expect} items")
    return [
        _case(item, name, i, node.start_mark.line + 1)
        for i, (item, node) in enumerate(zip(data, root.value, strict=True), start=1)
    ]


def _case(item: object, file: str, index: int, line: int) -> EvalCase:
    def fail(why: str) -> EvalError:
        return EvalError(file, index, why, line)

    if not isinstance(item, dict):
        raise fail("an item must be a mapping {q: ..., expect: ...}")
    extra = sorted(str(k) for k in item if k not in ("q", "expect"))
    if extra:
        raise fail(f"unknown key(s) {', '.join(extra)} (only q and expect)")
    q = item.get("q")
    if not isinstance(q, str) or not q.strip():
        raise fail("q must be a non-empty string (quote it if YAML reads it as a number)")
    if "expect" not in item:
        raise fail("expect is missing (write `expect: null` for an out-of-scope question)")
    return EvalCase(q=q, expect=_expect(item["expect"], fail), file=file, index=index, line=line)


def _expect(value: object, fail: Callable[[str], EvalError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(dict.fromkeys(v.strip() for v in value))
    raise fail("expect must be an entry id, a non-empty list of ids, or null")


@dataclass(frozen=True)
class CaseResult:
    """One case, the language it was counted under, and what came back."""

    case: EvalCase
    lang: Lang
    reply: Reply

    @property
    def accurate(self) -> bool:
        return self.reply.kind == "answer" and self.reply.entry_id in self.case.expect

    @property
    def helpful(self) -> bool:
        offered = self.reply.kind == "suggest" and any(
            s.id in self.case.expect for s in self.reply.suggestions
        )
        return self.accurate or offered

    @property
    def answered(self) -> bool:
        return self.reply.kind == "answer"

    @property
    def failed(self) -> bool:
        """Shown in the failure list: in scope and not accurate, or out of scope and answered."""
        return not self.accurate if self.case.in_scope else self.answered

    def to_json(self) -> dict[str, object]:
        expect = list(self.case.expect) if self.case.in_scope else None
        return {
            "q": self.case.q,
            "file": self.case.file,
            "expect": expect,
            "got_kind": self.reply.kind,
            "got_id": self.reply.entry_id,
            "suggestions": [s.id for s in self.reply.suggestions],
            "score": round(self.reply.score, 4),
        }


@dataclass(frozen=True)
class Scores:
    """Counts over a group of results, and the four rates (0.0 when a group is empty)."""

    n_in: int
    accurate: int
    helpful_n: int
    wrong_n: int
    n_out: int
    false_answers: int

    @classmethod
    def of(cls, results: Sequence[CaseResult]) -> Scores:
        inside = [r for r in results if r.case.in_scope]
        outside = [r for r in results if not r.case.in_scope]
        return cls(
            n_in=len(inside),
            accurate=sum(r.accurate for r in inside),
            helpful_n=sum(r.helpful for r in inside),
            wrong_n=sum(r.answered and not r.accurate for r in inside),
            n_out=len(outside),
            false_answers=sum(r.answered for r in outside),
        )

    @property
    def n(self) -> int:
        return self.n_in + self.n_out

    @property
    def accuracy(self) -> float:
        return _rate(self.accurate, self.n_in)

    @property
    def helpful(self) -> float:
        return _rate(self.helpful_n, self.n_in)

    @property
    def wrong(self) -> float:
        return _rate(self.wrong_n, self.n_in)

    @property
    def false_answer(self) -> float:
        return _rate(self.false_answers, self.n_out)

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "in_scope": {
                "n": self.n_in,
                "accuracy": round(self.accuracy, 4),
                "helpful": round(self.helpful, 4),
                "wrong": round(self.wrong, 4),
            },
            "out_of_scope": {"n": self.n_out, "false_answer": round(self.false_answer, 4)},
        }


def _rate(count: int, total: int) -> float:
    return count / total if total else 0.0


def _pct(count: int, total: int) -> str:
    return f"{_rate(count, total):6.1%} ({count}/{total})"


def _row(name: str, s: Scores) -> str:
    return (f"{name:8}{s.n_in:>9}  {_pct(s.accurate, s.n_in):<17}{_pct(s.helpful_n, s.n_in):<17}"
            f"{_pct(s.wrong_n, s.n_in):<17}{s.n_out:>12}  {_pct(s.false_answers, s.n_out)}")


def _failure(r: CaseResult) -> str:
    where = f"{Path(r.case.file).name}:{r.case.line}" if r.case.file else f"#{r.case.index}"
    expected = " | ".join(r.case.expect) or "nothing (out of scope)"
    got = r.reply.kind + (f" {r.reply.entry_id}" if r.reply.entry_id else "")
    offered = ", ".join(s.id for s in r.reply.suggestions) or "-"
    return (f"  [{where}] ({r.lang}) {r.case.q!r}\n      expected {expected}; got {got} "
            f"(score {r.reply.score:.2f}); suggestions: {offered}")


@dataclass(frozen=True)
class EvalReport:
    """All results of one run, with the scores overall and per language."""

    results: tuple[CaseResult, ...]

    def __repr__(self) -> str:  # the default would print every reply
        s = self.overall
        return (f"EvalReport(n={s.n}, accuracy={s.accuracy:.3f}, helpful={s.helpful:.3f}, "
                f"wrong={s.wrong:.3f}, false_answer={s.false_answer:.3f})")

    @property
    def overall(self) -> Scores:
        return Scores.of(self.results)

    def by_lang(self, lang: Lang) -> Scores:
        return Scores.of([r for r in self.results if r.lang == lang])

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(r for r in self.results if r.failed)

    def to_json(self) -> dict[str, object]:
        """The `eval --json` object."""
        return {
            **self.overall.to_json(),
            "by_lang": {lang: self.by_lang(lang).to_json() for lang in LANGS},
            "failures": [r.to_json() for r in self.failures],
        }

    def format_text(self) -> str:
        """A readable table overall and per language, then the failures."""
        rows = [("overall", self.overall)] + [(lang, self.by_lang(lang)) for lang in LANGS]
        lines = [f"{'':8}{'in scope':>9}  {'accuracy':<17}{'helpful':<17}{'wrong':<17}"
                 f"{'out of scope':>12}  false answers"]
        lines += [_row(name, s) for name, s in rows]
        lines += ["", f"Failures ({len(self.failures)}):"]
        lines += [_failure(r) for r in self.failures] or ["  none"]
        return "\n".join(lines)


def evaluate(answerer: Replier, cases: Iterable[EvalCase]) -> EvalReport:
    """Ask every case's question (no language hint, as a new user would) and keep the replies."""
    results = tuple(
        CaseResult(case, answerer.detect_language(case.q), answerer.reply(case.q))
        for case in cases
    )
    return EvalReport(results)
