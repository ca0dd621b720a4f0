"""Answer quality of our matcher next to two naive baselines, on the same eval set and content.

    .venv/bin/python -m benchmarks.quality [--content DIR] [EVAL_FILE_OR_DIR ...]

Prints the four figures of `python -m bot eval` (accuracy, helpful, wrong, false answer), overall
and per language, for:

- ours: `bot.answering.Answerer` as the bot runs it;
- rapidfuzz: `process.extractOne` with `fuzz.WRatio` over every phrasing, answer above a cutoff;
- BM25: plain Okapi BM25 (bm25s) over every phrasing, answer above a score threshold.

The baselines answer their top entry or nothing: they never suggest, so their helpful rate equals
their accuracy. Their thresholds were chosen once, by `--sweep` on this eval set: the value with
the best (right answers - wrong answers - false answers). Tuning on the test set flatters the
baselines, not us. The output ends with a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
from rapidfuzz import fuzz, process, utils

from bot.answering import Answerer
from bot.content import load_content
from bot.evaluation import EvalReport, Replier, Scores, evaluate, load_eval
from bot.model import LANGS, Content, Lang, Reply

ROOT = Path(__file__).resolve().parent.parent
# Chosen with --sweep (see the module docstring). WRatio is 0..100; BM25 scores are raw sums.
WRATIO_CUTOFF = 88.0
BM25_MIN_SCORE = 4.0
WRATIO_SWEEP = (75.0, 80.0, 85.0, 88.0, 90.0, 92.0, 95.0)
BM25_SWEEP = (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s' own default token pattern


# (name, which way is better, count, out of): the four figures of `bot eval`.
FIGURES: list[tuple[str, str, Callable[[Scores], int], Callable[[Scores], int]]] = [
    ("accuracy", "↑", lambda s: s.accurate, lambda s: s.n_in),
    ("helpful", "↑", lambda s: s.helpful_n, lambda s: s.n_in),
    ("wrong answer", "↓", lambda s: s.wrong_n, lambda s: s.n_in),
    ("false answer, out of scope", "↓", lambda s: s.false_answers, lambda s: s.n_out),
]


class FuzzyBaseline:
    """Baseline A: the best WRatio match among all phrasings, if it clears the cutoff."""

    def __init__(self, content: Content, languages: Answerer,
                 cutoff: float = WRATIO_CUTOFF) -> None:
        self.cutoff = cutoff
        self._ids = [e.id for e in content.entries for qs in e.questions.values() for _ in qs]
        self._texts = [q for e in content.entries for qs in e.questions.values() for q in qs]
        self._languages = languages

    def detect_language(self, text: str, hint: str | None = None) -> Lang:
        # Same language split as ours, so the per-language columns compare like with like.
        return self._languages.detect_language(text, hint)

    def reply(self, question: str, lang_hint: str | None = None) -> Reply:
        lang = self.detect_language(question, lang_hint)
        best = process.extractOne(question, self._texts, scorer=fuzz.WRatio,
                                  processor=utils.default_process, score_cutoff=self.cutoff)
        if best is None:
            return Reply("unknown", lang, "")
        _, score, index = best
        return Reply("answer", lang, "", entry_id=self._ids[index], score=score / 100)


class BM25Baseline:
    """Baseline B: the phrasing with the highest BM25 score, if it clears the threshold."""

    def __init__(self, content: Content, languages: Answerer,
                 min_score: float = BM25_MIN_SCORE) -> None:
        self.min_score = min_score
        self._ids = [e.id for e in content.entries for qs in e.questions.values() for _ in qs]
        texts = [q for e in content.entries for qs in e.questions.values() for q in qs]
        self._index = bm25s.BM25()
        self._index.index([_tokens(t) for t in texts], show_progress=False)
        self._languages = languages

    def detect_language(self, text: str, hint: str | None = None) -> Lang:
        return self._languages.detect_language(text, hint)

    def reply(self, question: str, lang_hint: str | None = None) -> Reply:
        lang = self.detect_language(question, lang_hint)
        tokens = _tokens(question)
        if not tokens:
            return Reply("unknown", lang, "")
        scores = self._index.get_scores(tokens)
        best = int(scores.argmax())
        if float(scores[best]) < self.min_score:
            return Reply("unknown", lang, "")
        return Reply("answer", lang, "", entry_id=self._ids[best], score=float(scores[best]))


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def run(content_root: Path, eval_paths: Sequence[Path]) -> list[tuple[str, EvalReport, float]]:
    """Evaluate the three matchers; (label, report, seconds) for each."""
    content = load_content(content_root)
    ours = Answerer(content)
    cases = load_eval(eval_paths, known_ids={e.id for e in content.entries})
    matchers: list[tuple[str, Replier]] = [
        ("ours", ours),
        (f"rapidfuzz WRatio ≥ {WRATIO_CUTOFF:g}", FuzzyBaseline(content, ours)),
        (f"BM25 (bm25s) ≥ {BM25_MIN_SCORE:g}", BM25Baseline(content, ours)),
    ]
    results = []
    for label, matcher in matchers:
        start = time.perf_counter()
        report = evaluate(matcher, cases)
        results.append((label, report, time.perf_counter() - start))
    return results


def sweep(content_root: Path, eval_paths: Sequence[Path]) -> str:
    """Each baseline at several thresholds: accuracy, wrong, false answer and the utility."""
    content = load_content(content_root)
    ours = Answerer(content)
    cases = load_eval(eval_paths, known_ids={e.id for e in content.entries})
    lines = ["baseline   threshold  accuracy  wrong  false  right-wrong-false"]
    runs: list[tuple[str, float, Replier]] = [
        *(("rapidfuzz", t, FuzzyBaseline(content, ours, cutoff=t)) for t in WRATIO_SWEEP),
        *(("bm25", t, BM25Baseline(content, ours, min_score=t)) for t in BM25_SWEEP),
    ]
    for name, threshold, matcher in runs:
        s = evaluate(matcher, cases).overall
        lines.append(f"{name:10} {threshold:9g}  {s.accuracy:8.1%}  {s.wrong:5.1%}  "
                     f"{s.false_answer:5.1%}  {s.accurate - s.wrong_n - s.false_answers:17d}")
    return "\n".join(lines)


def markdown(results: Sequence[tuple[str, EvalReport, float]]) -> str:
    """The side-by-side table: one row per figure and scope, one column per matcher."""
    reports = [r for _, r, _ in results]
    scopes: list[tuple[str, list[Scores]]] = [("all", [r.overall for r in reports])]
    scopes += [(lang, [r.by_lang(lang) for r in reports]) for lang in LANGS]
    lines = ["| figure | " + " | ".join(label for label, _, _ in results) + " |",
             "|---|" + "---:|" * len(results)]
    for name, better, count, total in FIGURES:
        for scope, scores in scopes:
            cells = [f"{_rate(count(s), total(s))} ({count(s)}/{total(s)})" for s in scores]
            lines.append(f"| {name} ({better}), {scope} | " + " | ".join(cells) + " |")
    return "\n".join(lines)




def _rate(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("eval", nargs="*", type=Path, default=[ROOT / "tests" / "eval"])
    parser.add_argument("--sweep", action="store_true",
                        help="print the baselines at several thresholds instead")
    args = parser.parse_args(argv)
    if args.sweep:
        print(sweep(args.content, args.eval))
        return 0
    results = run(args.content, args.eval)
    overall = results[0][1].overall
    print(f"Eval set: {overall.n} questions ({overall.n_in} in scope, "
          f"{overall.n_out} out of scope); content: {args.content}")
    for label, _, seconds in results:
        print(f"  {label}: {seconds:.2f}s")
    print()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
