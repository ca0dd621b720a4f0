"""The answer confidence (bot/confidence.py): a probability that grows with score and lead."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.confidence import FEATURES, FITTED, MODEL, confidence, features, load_model
from bot.matching import Candidate, Index
from bot.model import Content, frozen_map


def ranked_for(answerer: Answerer, question: str) -> list[Candidate]:
    """The candidates the answerer ranks for `question`."""
    index = answerer.index
    return index.search(index.query(question), limit=4)


def test_no_candidate_has_zero_confidence() -> None:
    """With nothing ranked the confidence is 0."""
    assert confidence([]) == 0.0


def test_every_feature_has_a_coefficient(answerer: Answerer) -> None:
    """features() yields exactly the names of FEATURES, and the shipped model has one
    coefficient for each (it loaded), and a threshold within 0..1."""
    ranked = ranked_for(answerer, "Qui est Liang Wenfeng ?")
    assert list(features(ranked)) == list(FEATURES)
    assert len(MODEL.coefficients) == len(FEATURES) and 0.0 < MODEL.threshold < 1.0
    assert load_model(FITTED) == MODEL


def test_a_model_without_a_feature_is_refused(tmp_path: Path) -> None:
    """A confidence.json that lacks a feature, or has one the code does not compute, is an
    error naming it and saying to rerun `make tune`."""
    data = json.loads(FITTED.read_text(encoding="utf-8"))
    del data["coefficients"]["agree"]
    data["coefficients"]["mood"] = 1.0
    path = tmp_path / "confidence.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"\['agree', 'mood'\].*make tune"):
        load_model(path)


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


def test_a_model_without_neutral_values_is_refused(tmp_path: Path) -> None:
    """confidence.json must give the neutral value of every out-of-scope signal."""
    data = json.loads(FITTED.read_text(encoding="utf-8"))
    del data["neutral"]["off_words"]
    path = tmp_path / "confidence.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"neutral.*off_topic.*off_words.*make tune"):
        load_model(path)


def test_no_out_of_scope_questions_means_neutral_values_not_zero(content: Content) -> None:
    """A content without out-of-scope questions is scored as if the question were as far from
    them as a typical well-matched question (the fitted neutral values), not infinitely far:
    its confidence is lower than with zeros, and measured values replace them once the content
    has such questions."""
    index = Index(content)
    ranked = index.search(index.query("Qui est Liang Wenfeng ?"), limit=4)
    found = features(ranked)
    assert (found["off_topic"], found["off_words"]) == (MODEL.neutral["off_topic"],
                                                        MODEL.neutral["off_words"])
    zeros = [replace(ranked[0], parts={**ranked[0].parts, "off_topic": 0.0, "off_words": 0.0}),
             *ranked[1:]]
    assert confidence(ranked) < confidence(zeros)
    off = frozen_map({"en": ("what is the weather in Paris?",)})
    measured = Index(replace(content, out_of_scope=off))
    found = features(measured.search(measured.query("what is the weather in Hangzhou?"), limit=4))
    assert found["off_topic"] > MODEL.neutral["off_topic"]
    assert found["off_words"] > MODEL.neutral["off_words"]
