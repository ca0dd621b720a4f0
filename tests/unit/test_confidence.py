"""The answer confidence (bot/confidence.py): a probability that grows with score and lead."""

from __future__ import annotations

from dataclasses import replace

from bot.answering import Answerer
from bot.confidence import COEFFICIENTS, FEATURES, confidence, features
from bot.matching import Candidate


def ranked_for(answerer: Answerer, question: str) -> list[Candidate]:
    """The candidates the answerer ranks for `question`."""
    index = answerer.index
    return index.search(index.query(question), limit=4)


def test_no_candidate_has_zero_confidence() -> None:
    """With nothing ranked the confidence is 0."""
    assert confidence([]) == 0.0


def test_every_feature_has_a_coefficient(answerer: Answerer) -> None:
    """features() yields exactly the names the fitted coefficients use."""
    ranked = ranked_for(answerer, "Qui est Liang Wenfeng ?")
    assert set(features(ranked)) == set(FEATURES) == {name for name, _ in COEFFICIENTS}


def test_confidence_is_a_probability(answerer: Answerer) -> None:
    """Clear, close and off-topic questions all get a confidence within 0..1."""
    for question in ("Qui est Liang Wenfeng ?", "deepseek open source", "recette de la tarte"):
        ranked = ranked_for(answerer, question)
        assert 0.0 <= confidence(ranked) <= 1.0


def test_clear_question_is_more_confident_than_a_close_pair(answerer: Answerer) -> None:
    """A question written in the content beats one sitting between two entries."""
    clear = confidence(ranked_for(answerer, "Qui est Liang Wenfeng ?"))
    close = confidence(ranked_for(answerer, "deepseek open source"))
    assert clear > close


def test_higher_score_raises_confidence(answerer: Answerer) -> None:
    """The same ranking with a higher best score (and so a larger lead) is more confident."""
    ranked = ranked_for(answerer, "deepseek open source")
    better = [replace(ranked[0], score=ranked[0].score + 0.2), *ranked[1:]]
    assert confidence(better) > confidence(ranked)
