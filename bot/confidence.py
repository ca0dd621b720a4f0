"""How likely the best candidate is the right entry: a calibrated probability (0..1).

A ranking score alone is a poor answer/don't-answer signal: a right match written in other words
scores low, and a near-topic question ("who founded Mistral?") scores like a weak in-scope one.
So the answerer decides on a logistic regression over several signals of the ranking: the best
score, its lead over the runner-up, how much of the question the entry explains, the share of the
question in unknown words or in words that only the entry's answer has, how many of its words the
entry leaves unexplained, and so on.

The coefficients are constants fitted by `benchmarks/tune_matcher.py` on held-out phrasings of
the content (each k-th phrasing of every entry left out of the index, asked as is and with typos),
on the user-style questions of the development set `benchmarks/dev/` and on the content's own
out-of-scope questions (`content/out_of_scope.yaml`, held out the same way); rerun it
(`make tune`) after large content changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.matching import Candidate

# (feature, coefficient), fitted by benchmarks/tune_matcher.py; features are 0..1 except `close`.
COEFFICIENTS: tuple[tuple[str, float], ...] = (
    ("score", 33.3565),
    ("margin", 1.6647),
    ("entry_cover", -6.9198),
    ("unknown", -2.5413),
    ("char", 2.0481),
    ("answer", -7.8712),
    ("query_cover", -4.5876),
    ("close", -0.4605),
    ("same_topic", 0.1323),
    ("phrasing", -11.4109),
    ("missed", 0.3243),
    ("answer_only", 8.3256),
    ("left", -4.1830),
    ("unknown_words", -0.4841),
    ("foreign", 0.3026),
    ("off_topic", -9.1869),
    ("agree", 0.5737),
)
INTERCEPT = 3.4634
FEATURES = tuple(name for name, _ in COEFFICIENTS)


def features(ranked: Sequence[Candidate]) -> dict[str, float]:
    """The signals the confidence is computed from, for candidates ranked best first."""
    top = ranked[0]
    rest = ranked[1:]
    runner_up = rest[0].score if rest else 0.0
    parts = top.parts
    return {
        "score": top.score,
        "margin": top.score - runner_up,
        "entry_cover": parts.get("entry_cover", 0.0),
        "unknown": parts.get("unknown", 0.0),
        "char": parts.get("char", 0.0),
        "answer": parts.get("answer", 0.0),
        "query_cover": parts.get("query_cover", 0.0),
        # other entries within 0.05 of the best: the question sits between several entries
        "close": float(sum(c.score >= top.score - 0.05 for c in rest)),
        "same_topic": float(bool(rest) and rest[0].entry.topic == top.entry.topic),
        "phrasing": parts.get("phrasing", 0.0),
        "missed": parts.get("missed", 0.0),
        "answer_only": parts.get("answer_only", 0.0),
        "left": parts.get("left", 1.0),
        "unknown_words": parts.get("unknown_words", 1.0),
        "foreign": parts.get("foreign", 0.0),
        "off_topic": parts.get("off_topic", 0.0),
        "agree": parts.get("agree", 0.0),
    }


def confidence(ranked: Sequence[Candidate]) -> float:
    """The probability that ranked[0] is the entry the asker means; 0.0 with no candidate."""
    if not ranked:
        return 0.0
    found = features(ranked)
    z = INTERCEPT + sum(coef * found[name] for name, coef in COEFFICIENTS)
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
