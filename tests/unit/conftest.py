"""Shared fixtures of the core's unit tests: a small hand-made content, and no network at all.

The content is built directly from `bot.model` dataclasses so the tests don't depend on the
wording of the real `content/` (which other people keep improving).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.answering import Answerer, MatchSettings
from bot.model import Content, Entry, Lang, Topic, frozen_map

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("liang", "liang wenfeng", "wenfeng", "fondateur", "founder"),
    ("agi", "iag", "intelligence artificielle générale", "artificial general intelligence"),
    ("gpu", "gpus", "carte graphique", "cartes graphiques", "graphics card", "graphics cards"),
    ("cut", "baisse", "baisser", "baissé", "lower", "lowered", "reduce"),
    ("price", "prix", "prices", "tarif", "tarifs"),
    ("open-source", "open source", "code ouvert"),
    ("mla", "multi-head latent attention", "attention latente"),
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "unknown": ("Je ne sais pas. Tapez /help.", "I don't know. Type /help."),
    "suggest": ("Vouliez-vous dire :", "Did you mean:"),
    "empty": ("Posez une question.", "Ask a question."),
    "help": ("AIDE-FR : posez une question.", "HELP-EN: ask a question."),
    "welcome": ("Bienvenue !", "Welcome!"),
    "examples": ("Qui est Liang Wenfeng ?|C'est quoi MLA ?", "Who is Liang Wenfeng?|What is MLA?"),
    "topics_intro": ("Les thèmes :", "The themes:"),
    "source_label": ("Source", "Source"),
    "related_label": ("Voir aussi", "See also"),
    "error": ("Désolé, une erreur.", "Sorry, an error."),
    "rate_limited": ("Doucement ({seconds} s).", "Easy ({seconds} s)."),
    "repeated": ("Déjà dit : {question}", "Already said: {question}"),
    "not_admin": ("Réservé aux admins.", "Admins only."),
    "topic.basics": ("Les bases", "Basics"),
    "topic.tech": ("Technique", "Technology"),
}


def _entry(entry_id: str, topic: str, fr: tuple[str, ...], en: tuple[str, ...],
           answer: tuple[str, str], related: tuple[str, ...] = (),
           source: str | None = None) -> Entry:
    questions: dict[str, tuple[str, ...]] = {"fr": fr, "en": en}
    answers: dict[str, str] = {"fr": answer[0], "en": answer[1]}
    return Entry(id=entry_id, questions=frozen_map(questions), answer=frozen_map(answers),
                 source=source, related=related, topic=topic, file=f"qa/{topic}.yaml")


ENTRIES: tuple[Entry, ...] = (
    _entry("who-is-liang", "basics",
           ("Qui est Liang Wenfeng ?", "Liang Wenfeng, c'est qui ?"),
           ("Who is Liang Wenfeng?", "Tell me about Liang Wenfeng"),
           ("Le fondateur de DeepSeek et de High-Flyer.",
            "The founder of DeepSeek and High-Flyer."),
           related=("what-is-deepseek", "gone-entry"), source="Waves, juillet 2024"),
    _entry("what-is-deepseek", "basics",
           ("Qu'est-ce que DeepSeek ?", "DeepSeek, c'est quoi ?"),
           ("What is DeepSeek?", "What does DeepSeek do?"),
           ("Une entreprise chinoise d'IA, créée en 2023.",
            "A Chinese AI company, set up in 2023.")),
    _entry("open-source-future", "basics",
           ("DeepSeek restera-t-il open source ?",),
           ("Will DeepSeek stay open source?",),
           ("Oui, c'est prévu.", "Yes, that is the plan.")),
    _entry("open-source-why", "basics",
           ("Pourquoi DeepSeek est-il open source ?",),
           ("Why is DeepSeek open source?",),
           ("Pour attirer des talents.", "To attract talent.")),
    _entry("price-war", "basics",
           ("Pourquoi DeepSeek a-t-il baissé ses prix ?",),
           ("Why did DeepSeek cut its prices?",),
           ("Par principe, pas pour gagner des utilisateurs.", "On principle, not to win users.")),
    _entry("mla", "tech",
           ("C'est quoi MLA ?", "Que veut dire MLA ?"),
           ("What is MLA?", "What does MLA mean?"),
           ("Une attention latente à plusieurs têtes.", "Multi-head Latent Attention.")),
    _entry("llama-structure", "tech",
           ("Pourquoi DeepSeek ne reprend pas l'architecture de Llama ?",),
           ("Why doesn't DeepSeek reuse the Llama architecture?",),
           ("Elle ne suffit pas à ses objectifs.", "It is not enough for its goals.")),
    _entry("agi-goal", "tech",
           ("Quel est le but ultime de DeepSeek, l'IAG ?",),
           ("Is DeepSeek's ultimate goal AGI?",),
           ("Oui, le but ultime est l'IAG.", "Yes, the ultimate goal is AGI.")),
    _entry("gpus", "tech",
           ("Pourquoi avoir acheté 10 000 cartes graphiques ?",),
           ("Why buy 10,000 GPUs?",),
           ("Par curiosité.", "Out of curiosity.")),
)


def make_content(entries: tuple[Entry, ...] = ENTRIES) -> Content:
    """A `Content` of the given entries with the fixture's synonyms, messages and topics."""
    messages = {key: frozen_map({"fr": fr, "en": en}) for key, (fr, en) in _MESSAGES.items()}
    topics = tuple(
        Topic(key, frozen_map({"fr": _MESSAGES[f"topic.{key}"][0],
                               "en": _MESSAGES[f"topic.{key}"][1]}),
              tuple(e.id for e in entries if e.topic == key))
        for key in ("basics", "tech")
    )
    return Content(entries=entries, synonyms=SYNONYMS, messages=frozen_map(messages),
                   topics=topics, root="<fixture>")


@pytest.fixture(scope="session")
def content() -> Content:
    """The small hand-made content (9 entries, 2 topics, a few synonym groups)."""
    return make_content()


@pytest.fixture(scope="session")
def answerer(content: Content) -> Answerer:
    """An `Answerer` over the fixture content with the default settings."""
    return Answerer(content)


@pytest.fixture(scope="session")
def unsure(content: Content) -> Answerer:
    """An answerer over the fixture content that is never sure enough to answer: it shows how
    suggestions work without depending on the confidence fitted to the real content."""
    return Answerer(content, MatchSettings(answer_confidence=1.0))


def message(key: str, lang: Lang) -> str:
    """The fixture's own phrase `key` in `lang` (for asserting on a reply's text)."""
    return _MESSAGES[key][0 if lang == "fr" else 1]


def write_fixture_content(root: Path) -> Path:
    """Write the fixture entries and messages as a content folder (YAML files) in `root`."""
    by_topic: dict[str, list[dict[str, object]]] = {}
    known = {e.id for e in ENTRIES}
    for e in ENTRIES:
        item: dict[str, object] = {
            "id": e.id,
            "questions": {lang: list(qs) for lang, qs in e.questions.items()},
            "answer": dict(e.answer),
        }
        if e.source:
            item["source"] = e.source
        if any(r in known for r in e.related):
            item["related"] = [r for r in e.related if r in known]
        by_topic.setdefault(e.topic, []).append(item)
    (root / "qa").mkdir(parents=True)
    for topic, items in by_topic.items():
        (root / "qa" / f"{topic}.yaml").write_text(
            yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    messages = {key: {"fr": fr, "en": en} for key, (fr, en) in _MESSAGES.items()}
    (root / "messages.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True),
                                        encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content written as a valid content folder (for --content, lint, chat)."""
    return write_fixture_content(tmp_path_factory.mktemp("content"))


class NetworkAttempt(RuntimeError):
    """Raised by the patched socket: a unit test tried to reach the network.

    Not an OSError, so code that handles connection errors does not silently swallow it.
    """


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any socket connection attempt fails the test, even if the code under test catches it.

    Yields the list of attempted addresses (a test of the guard itself may clear it).
    """
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        self.close()  # callers only close on OSError; don't leak the socket (ResourceWarning)
        raise NetworkAttempt(f"unit tests must not connect anywhere (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    if attempts:
        pytest.fail(f"network connection attempted: {attempts!r}")
