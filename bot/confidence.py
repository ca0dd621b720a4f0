"""How likely the best candidate is the right entry: a calibrated probability (0..1).

A ranking score alone is a poor answer/don't-answer signal: a right match written in other words
scores low, and a near-topic question ("who founded Mistral?") scores like a weak in-scope one.
So the answerer decides on a logistic regression over several signals of the ranking: the best
score, its lead over the runner-up, how much of the question the entry explains, the share of the
question in unknown words or in words that only the entry's answer has, how many of its words the
entry leaves unexplained, and so on.

The coefficients and the answer threshold (bot/confidence.json) are fitted by
`benchmarks/tune_matcher.py` on held-out phrasings of the content (each k-th phrasing of every
entry left out of the index, asked as is and with typos), on the user-style questions of the
development set `benchmarks/dev/` and on the content's own out-of-scope questions
(`content/out_of_scope.yaml`, held out the same way); `make tune` refits them and rewrites the
file after large content changes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.matching import Candidate

# The signals, in the order `features` computes them; all 0..1 except `close` and `off_words`.
FEATURES = (
    "score", "margin", "entry_cover", "unknown", "char", "answer", "query_cover", "close",
    "same_topic", "phrasing", "missed", "answer_only", "left", "unknown_words", "foreign",
    "off_topic", "agree", "off_words",
)
# Measured against the content's out-of-scope questions: a content without any (a new one, a
# test's) gets the value of a typical well-matched question instead (`Model.neutral`), not 0,
# which would read as "far from anything out of scope" and answer too eagerly.
OFF_TOPIC_SIGNALS = ("off_topic", "off_words")
FITTED = Path(__file__).with_name("confidence.json")


@dataclass(frozen=True)
class Model:
    """A fitted confidence: one coefficient per feature (FEATURES order), an intercept, the
    answer threshold chosen with it, and the neutral values of OFF_TOPIC_SIGNALS."""

    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    neutral: dict[str, float] = field(default_factory=dict)


def load_model(path: Path = FITTED) -> Model:
    """The model `benchmarks/tune_matcher.py --write` saved; ValueError naming what is wrong."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fitted = data.get("coefficients") if isinstance(data, dict) else None
    if not isinstance(fitted, dict) or set(fitted) != set(FEATURES):
        odd = sorted(set(FEATURES) ^ set(fitted or ()))
        raise ValueError(f"{path}: no coefficients, or missing or unknown ones {odd}; "
                         "rerun `make tune`")
    neutral = data.get("neutral")
    if not isinstance(neutral, dict) or set(neutral) != set(OFF_TOPIC_SIGNALS):
        raise ValueError(f"{path}: 'neutral' needs exactly {list(OFF_TOPIC_SIGNALS)}; "
                         "rerun `make tune`")
    return Model(tuple(float(fitted[name]) for name in FEATURES), float(data["intercept"]),
                 float(data["threshold"]),
                 {name: float(neutral[name]) for name in OFF_TOPIC_SIGNALS})


MODEL = load_model()


def features(ranked: Sequence[Candidate], model: Model = MODEL) -> dict[str, float]:
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
        "off_topic": parts.get("off_topic", model.neutral.get("off_topic", 0.0)),
        "agree": parts.get("agree", 0.0),
        "off_words": parts.get("off_words", model.neutral.get("off_words", 0.0)),
    }


def confidence(ranked: Sequence[Candidate], model: Model = MODEL) -> float:
    """The probability that ranked[0] is the entry the asker means; 0.0 with no candidate."""
    if not ranked:
        return 0.0
    found = features(ranked, model)
    z = model.intercept + sum(coef * found[name]
                              for name, coef in zip(FEATURES, model.coefficients, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
