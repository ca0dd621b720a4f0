"""The shipped content/ folder: it loads, and it covers everything content-spec.md requires."""

from __future__ import annotations

import pytest

from bot.content import DEFAULT_CONTENT_DIR, load_content
from bot.model import LANGS, Content
from bot.validation import validate

# Every id that /work/shared/content-spec.md requires, in the spec's order.
REQUIRED_IDS = (
    # Basics
    "who-is-liang-wenfeng", "what-is-deepseek", "high-flyer", "about-the-interview",
    "translations", "about-this-summary", "deepseek-v2", "later-models",
    # July 2024 interview
    "price-war", "pricing-principle", "competitors-price-cuts", "why-lower-prices",
    "affordable-ai", "cost-reduction", "llama-structure", "compute-efficiency-gap", "mla",
    "silicon-valley-surprise", "china-contributor", "originality-vs-imitation", "tech-ecosystem",
    "what-china-lacks", "innovation-and-money", "openai", "open-source", "mistral", "moat",
    "technology-before-apps", "startup-timing", "agi-goal", "agi-timeline", "agi-three-bets",
    "local-talent", "hiring-criteria", "bottom-up-organisation", "tasks-and-kpis",
    "hardest-problems", "hardcore-innovation", "childhood", "funding", "chips-not-money",
    "summary-conclusion",
    # May 2023 interview
    "interview-2023", "ten-thousand-gpus", "fire-flyer", "no-business-case", "venture-capital",
    "experience-2023", "management-2023", "startups-vs-big-tech",
    # The bot itself
    "greeting", "thanks", "goodbye", "help", "about-bot",
)
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye", "help", "about-bot"})
MIN_PHRASINGS = 6  # per language, on interview entries


@pytest.fixture(scope="module")
def content() -> Content:
    """The real content, loaded once (load_content raises on any error)."""
    return load_content(DEFAULT_CONTENT_DIR)


def test_real_content_validates_without_errors() -> None:
    """validate() finds no error in content/ (warnings are allowed)."""
    errors = [str(p) for p in validate(DEFAULT_CONTENT_DIR) if p.severity == "error"]
    assert errors == []


def test_ids_are_unique(content: Content) -> None:
    """No two entries share an id."""
    ids = [e.id for e in content.entries]
    assert len(ids) == len(set(ids))


def test_every_required_id_exists(content: Content) -> None:
    """Every entry id that content-spec.md lists is present."""
    assert len(REQUIRED_IDS) == len(set(REQUIRED_IDS)) == 55
    missing = sorted(set(REQUIRED_IDS) - {e.id for e in content.entries})
    assert missing == []


def test_every_entry_has_both_languages(content: Content) -> None:
    """Every entry has French and English questions and answers."""
    lacking = [
        f"{e.id}: {lang}"
        for e in content.entries
        for lang in LANGS
        if not e.questions.get(lang) or not e.answer.get(lang)
    ]
    assert lacking == []


def test_interview_entries_have_enough_phrasings(content: Content) -> None:
    """Interview entries have at least 6 phrasings in each language."""
    thin = [
        f"{e.id}: {lang} has {len(e.questions.get(lang, ()))}"
        for e in content.entries
        if e.id not in SMALL_TALK
        for lang in LANGS
        if len(e.questions.get(lang, ())) < MIN_PHRASINGS
    ]
    assert thin == []


def test_every_related_id_exists(content: Content) -> None:
    """Every `related` id names an existing entry other than itself."""
    ids = {e.id for e in content.entries}
    broken = [f"{e.id} -> {r}" for e in content.entries for r in e.related
              if r not in ids or r == e.id]
    assert broken == []


def test_interview_entries_have_a_source(content: Content) -> None:
    """Every interview entry names a source a reader can follow (outlet and date)."""
    unsourced = [e.id for e in content.entries if e.id not in SMALL_TALK
                 and not (e.source and any(y in e.source for y in ("2023", "2024", "2025")))]
    assert unsourced == []


def test_every_topic_has_titles(content: Content) -> None:
    """Each Q&A file (topic) has a French and an English title in messages.yaml."""
    untitled = [t.key for t in content.topics if set(t.titles) != set(LANGS)]
    assert untitled == []
