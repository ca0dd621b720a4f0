"""Fit the answer confidence of `bot/confidence.py` on held-out data, and report its effect.

    .venv/bin/python -m benchmarks.tune_matcher [--content DIR] [--folds K]

Never uses tests/eval/: the data is made from the content itself and from
benchmarks/offtopic.yaml (out-of-scope questions written for this, many near-topic).

Protocol (leave-phrasings-out, K folds): in fold f, the f-th of every K phrasings of every entry,
in each language, is removed from the content; the index is rebuilt without it and the removed
phrasing is asked, as written ("clean") and as a user might type it ("noisy": lowercase, accents
or punctuation dropped, one typo, a filler word; seeded, so deterministic). Each off-topic
question is asked in one fold (question i in fold i % K). For every question the script records
the features of the ranking (`bot.confidence.features`) and whether the top candidate is right.

It then fits a logistic regression (Newton's method, small L2) predicting "the top candidate is
right", off-topic questions weighted OFF_TOPIC_WEIGHT times; reports cross-fitted figures (each
fold scored by a model fitted on the other folds) next to the old rule (score >= 0.50, margin
>= 0.12, entry cover >= 0.60); chooses the answer confidence threshold: the highest accuracy with
wrong <= MAX_WRONG and false answers <= MAX_FALSE; and prints the constants to paste into
bot/confidence.py and the threshold for MatchSettings.answer_confidence.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml

from bot.answering import MatchSettings
from bot.confidence import FEATURES, features
from bot.content import load_content
from bot.matching import Candidate, Index
from bot.model import LANGS, Content
from bot.text import Normalizer, strip_accents

ROOT = Path(__file__).resolve().parent.parent
OFF_TOPIC = ROOT / "benchmarks" / "offtopic.yaml"
FOLDS = 5
OFF_TOPIC_WEIGHT = 3.0  # a false answer is worse than a missed answer
L2 = 0.01
MAX_WRONG = 0.045  # bounds for choosing the threshold on this (harder than real) protocol
MAX_FALSE = 0.03  # the bar: off-topic questions are like real ones
OLD_RULE = (0.50, 0.12, 0.60)  # score, margin, entry cover: the rule before the confidence
FILLERS = {"fr": ("stp", "salut,", "dis moi", "svp", "euh", "bonjour"),
           "en": ("please", "hey", "hi,", "so", "um", "pls")}


@dataclasses.dataclass
class Row:
    """One asked question: where it came from, the features, and what the ranking gave."""

    fold: int
    lang: str
    expect: str | None
    kind: str  # clean, noisy, off
    feats: list[float] | None
    top: str | None
    suggested: tuple[str, ...]
    old_answer: bool
    floors_ok: bool


def perturb(q: str, lang: str, rng: random.Random) -> str:
    """What a user might type instead of a clean phrasing."""
    s = q.lower()
    if rng.random() < 0.6:
        s = strip_accents(s)
    if rng.random() < 0.6:
        s = s.replace("?", "").replace("!", "").rstrip(" .")
    ws = s.split()
    long = [i for i, w in enumerate(ws) if len(w) >= 5 and w.isalpha()]
    if long and rng.random() < 0.7:
        i = rng.choice(long)
        w = ws[i]
        j = rng.randrange(1, len(w) - 1)
        op = rng.randrange(3)
        if op == 0:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif op == 1:
            w = w[:j] + w[j + 1:]
        else:
            w = w[:j] + w[j] + w[j:]
        ws[i] = w
    if rng.random() < 0.3:
        f = rng.choice(FILLERS[lang])
        ws = [f, *ws] if rng.random() < 0.5 else [*ws, f]
    return " ".join(ws)


def fold_content(content: Content, fold: int, k: int) -> tuple[Content, list[tuple[str, str, str]]]:
    """The content without its fold-th phrasings, and those phrasings (question, lang, id)."""
    held: list[tuple[str, str, str]] = []
    entries = []
    for e in content.entries:
        qs = {}
        for lang in LANGS:
            own = e.questions.get(lang, ())
            qs[lang] = tuple(q for j, q in enumerate(own) if j % k != fold)
            held += [(q, lang, e.id) for j, q in enumerate(own) if j % k == fold]
        entries.append(dataclasses.replace(e, questions=qs))
    return dataclasses.replace(content, entries=tuple(entries)), held


def collect(content: Content, off_topic: list[tuple[str, str]], k: int,
            settings: MatchSettings) -> list[Row]:
    """Ask every held-out phrasing (clean and noisy) and every off-topic question once."""
    rows: list[Row] = []
    normalizer = Normalizer(content.synonyms)
    for fold in range(k):
        reduced, held = fold_content(content, fold, k)
        index = Index(reduced, normalizer)
        rng = random.Random(1000 + fold)
        asked: list[tuple[str, str, str | None, str]] = [
            (q, lang, eid, "clean") for q, lang, eid in held]
        asked += [(perturb(q, lang, rng), lang, eid, "noisy") for q, lang, eid in held]
        asked += [(q, lang, None, "off") for i, (q, lang) in enumerate(off_topic)
                  if i % k == fold]
        for q, lang, eid, kind in asked:
            ranked = index.search(index.query(q), limit=max(4, settings.max_suggestions + 1))
            rows.append(_row(fold, lang, eid, kind, ranked, settings))
    return rows


def _row(fold: int, lang: str, eid: str | None, kind: str, ranked: Sequence[Candidate],
         settings: MatchSettings) -> Row:
    if not ranked:
        return Row(fold, lang, eid, kind, None, None, (), False, False)
    f = features(ranked)
    score, margin, cover = OLD_RULE
    old = f["score"] >= score and f["margin"] >= margin and f["entry_cover"] >= cover
    floors = f["score"] >= settings.answer_threshold and f["margin"] >= settings.margin
    suggested = tuple(c.entry.id for c in ranked[: settings.max_suggestions]
                      if c.score >= settings.suggest_threshold)
    return Row(fold, lang, eid, kind, [f[n] for n in FEATURES], ranked[0].entry.id, suggested,
               old, floors)


def fit(rows: Sequence[Row]) -> np.ndarray:
    """Logistic regression coefficients (last one: intercept), by Newton's method."""
    used = [r for r in rows if r.feats is not None]
    x = np.hstack([np.array([r.feats for r in used]), np.ones((len(used), 1))])
    y = np.array([float(r.expect is not None and r.top == r.expect) for r in used])
    w = np.array([1.0 if r.expect is not None else OFF_TOPIC_WEIGHT for r in used])
    b = np.zeros(x.shape[1])
    penalty = L2 * np.eye(len(b))
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ b)))
        grad = x.T @ (w * (p - y)) + penalty @ b
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + penalty
        b -= np.linalg.solve(hess, grad)
    return b


def prob(b: np.ndarray, row: Row) -> float:
    if row.feats is None:
        return 0.0
    return float(1.0 / (1.0 + np.exp(-(np.array([*row.feats, 1.0]) @ b))))


def figures(rows: Sequence[Row], answers: Callable[[Row], bool]) -> tuple[float, ...]:
    """accuracy, helpful, wrong (in scope), false answer (off topic)."""
    inside = [r for r in rows if r.expect is not None]
    outside = [r for r in rows if r.expect is None]
    right = sum(answers(r) and r.top == r.expect for r in inside)
    wrong = sum(answers(r) and r.top != r.expect for r in inside)
    helpful = sum((answers(r) and r.top == r.expect)
                  or (not answers(r) and r.expect in r.suggested) for r in inside)
    false = sum(answers(r) for r in outside)
    n_in, n_out = max(1, len(inside)), max(1, len(outside))
    return right / n_in, helpful / n_in, wrong / n_in, false / n_out


def table(name: str, rows: Sequence[Row], answers: Callable[[Row], bool]) -> None:
    for kind in ("clean", "noisy", "all"):
        for lang in ("all", "fr", "en"):
            sub = [r for r in rows if (kind == "all" or r.kind in (kind, "off"))
                   and (lang == "all" or r.lang == lang)]
            acc, helpful, wrong, false = figures(sub, answers)
            print(f"  {name:10} {kind:6} {lang:4} accuracy {acc:6.1%}  helpful {helpful:6.1%}  "
                  f"wrong {wrong:5.1%}  false answer {false:5.1%}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", default=str(ROOT / "content"))
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args(argv)
    settings = MatchSettings()
    data = yaml.safe_load(OFF_TOPIC.read_text(encoding="utf-8"))
    off_topic: list[tuple[str, str]] = [(q, lang) for lang in LANGS for q in data[lang]]
    rows = collect(load_content(args.content), off_topic, args.folds, settings)
    n_in = sum(r.expect is not None for r in rows)
    print(f"{len(rows)} questions: {n_in} held-out phrasings (clean + noisy), "
          f"{len(rows) - n_in} off-topic")
    crossed: dict[int, float] = {}
    for fold in range(args.folds):
        b = fit([r for r in rows if r.fold != fold])
        crossed.update({id(r): prob(b, r) for r in rows if r.fold == fold})
    def at(t: float) -> Callable[[Row], bool]:
        return lambda r: r.floors_ok and crossed[id(r)] >= t

    best: tuple[float, float] | None = None
    print("\nthreshold  accuracy  helpful  wrong  false answer (cross-fitted)")
    for t in (round(float(x), 2) for x in np.arange(0.40, 0.96, 0.02)):
        acc, helpful, wrong, false = figures(rows, at(t))
        print(f"  {t:.2f}     {acc:6.1%}  {helpful:6.1%}  {wrong:5.1%}  {false:5.1%}")
    for t in (round(float(x), 2) for x in np.arange(0.40, 0.96, 0.01)):
        acc, _, wrong, false = figures(rows, at(t))
        if wrong <= MAX_WRONG and false <= MAX_FALSE and (best is None or acc > best[1]):
            best = (t, acc)
    threshold = best[0] if best else 0.9
    print(f"\nHeld-out figures (cross-fitted; confidence threshold {threshold}):")
    table("old rule", rows, lambda r: r.old_answer)
    table("confidence", rows, at(threshold))
    b = fit(rows)
    print("\n# bot/confidence.py")
    print("COEFFICIENTS: tuple[tuple[str, float], ...] = (")
    for name, coef in zip(FEATURES, b[:-1], strict=True):
        print(f'    ("{name}", {coef:.4f}),')
    print(")")
    print(f"INTERCEPT = {b[-1]:.4f}")
    print(f"# bot/answering.py MatchSettings\nanswer_confidence: float = {threshold}")


if __name__ == "__main__":
    main()
