"""Normalisation of French and English text into the tokens the matcher compares.

The pipeline: Unicode NFKC, casefold, curly quotes and elisions (l', qu', don't), words only
(punctuation, emoji and control characters go), Snowball stems (on accented text, as the French
stemmer needs), accents folded, synonym phrases replaced by one canonical token, stop words
dropped (negations kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

from bot.lexicon import CHAT_NOISE as CHAT_NOISE
from bot.lexicon import EN_MARKERS, FR_MARKERS, IRREGULAR, MEANINGFUL, STOP_WORDS_TEXT, WHOLE
from bot.lexicon import NEGATIONS as NEGATIONS
from bot.lexicon import SLANG as SLANG
from bot.lexicon import SMALL_TALK as SMALL_TALK
from bot.lexicon import SMALL_TALK_MIN_REST as SMALL_TALK_MIN_REST
from bot.model import LANGS, Lang

MAX_CHARS = 2000  # longer input is cut: no real question is longer, and the cost stays bounded

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "«": " ", "»": " "})
# "peux-tu", "a-t-il", "est-ce": the verb and its pronoun are two words.
_INVERSION = re.compile(r"-(?:t-)?(tu|il|elle|on|vous|nous|ils|elles|je|moi|toi|ce|là)\b")
_ELISION = re.compile(r"\b(?:l|d|j|m|t|s|c|n|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=\w)")
_EN_CONTRACTION = re.compile(r"(?<=\w)'(?:s|re|ve|ll|d|m)\b")
_NOT = re.compile(r"(?<=\w)n't\b")
_IRREGULAR_NOT = re.compile(r"\b(ca|wo|sha)n't\b")  # can't, won't, shan't
_IRREGULAR_FULL = {"ca": "can", "wo": "will", "sha": "shall"}
# Politeness around a question ("can you tell me", "dis-moi") says nothing about its topic.
_FILLER = re.compile(
    r"\b(?:(?:can|could|would|will) you (?:please )?(?:tell|explain|give|say|show)(?: me| us)?"
    r"|do you know|tell me|tell us|explain to me|i (?:would like|want|wanted|d like) to know"
    r"|(?:peux|pourrais|pouvez|pourriez)[- ](?:tu|vous)(?: me| nous)? (?:dire|expliquer|donner)"
    r"|dis[- ]moi|dites[- ]moi|explique[- ]moi|expliquez[- ]moi|sais[- ]tu|savez[- ]vous"
    r"|je (?:voudrais|veux|aimerais) savoir|en fait|au fait|in fact)\b"
)
_WORD = re.compile(r"[^\W_]+")



def fold(text: str) -> str:
    """NFKC, casefold, straight quotes, no control characters; keeps accents."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_QUOTES)
    if text.isprintable():  # the common case: no control or format character to blank out
        return text
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)


def strip_accents(word: str) -> str:
    """'économie' -> 'economie' (and 'œ' -> 'oe')."""
    if word.isascii():
        return word
    word = word.replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


STOP_WORDS: dict[Lang, frozenset[str]] = {
    lang: frozenset(strip_accents(w) for w in text.split())
    for lang, text in STOP_WORDS_TEXT.items()
}
DROPPED: dict[Lang, frozenset[str]] = {
    "fr": STOP_WORDS["fr"] | (STOP_WORDS["en"] - MEANINGFUL["fr"]),
    "en": STOP_WORDS["en"] | (STOP_WORDS["fr"] - MEANINGFUL["en"]),
}


_REPEAT = re.compile(r"([^\W\d])\1{2,}")  # "bonjouuur", "heyyy": a letter typed 3+ times
# Markup around a question is not part of it: HTML tags ("<b>"), platform mentions, channels and
# custom emoji ("<@123>", "<@&9>", "<#5>", "<:ok:77>"), links.
_MARKUP = re.compile(r"</?[a-z][\w-]{0,15}(?:\s[^<>]{0,200})?>|<a?[@#:&!][^<>\s]{0,100}>"
                     r"|\bhttps?://\S+")


def words(text: str) -> list[str]:
    """The words of `text`, folded, elisions and contractions split off, punctuation dropped."""
    text = fold(text)
    if "<" in text or "http" in text:  # the cheap tests first: most questions have neither
        text = _MARKUP.sub(" ", text)
    text = _FILLER.sub(" ", _REPEAT.sub(r"\1", text))
    if "'" in text:
        text = _IRREGULAR_NOT.sub(lambda m: _IRREGULAR_FULL[m.group(1)] + " not", text)
        text = _NOT.sub(" not", text)
    if "-" in text:
        text = _INVERSION.sub(r" \1", text)
    if "'" in text:
        text = _ELISION.sub(" ", text)
        text = _EN_CONTRACTION.sub(" ", text)
    found = _WORD.findall(text.replace("'", " "))
    if any(w in SLANG for w in found):
        found = [part for w in found for part in SLANG.get(w, w).replace("'", " ").split()]
    return found


_STEMMERS = {"fr": Stemmer.Stemmer("french"), "en": Stemmer.Stemmer("english")}




@lru_cache(maxsize=65536)
def stem(word: str, lang: Lang) -> str:
    """The accent-free Snowball stem of one folded word; digits, short words and a few names
    kept as they are."""
    word = strip_accents(word)
    word = IRREGULAR[lang].get(word, word)
    if len(word) <= 3 or not word.isalpha() or word in WHOLE:
        return word
    return strip_accents(_STEMMERS[lang].stemWord(word))


class Normalizer:
    """Turns text into matching tokens; built once per content (it knows the synonym groups)."""

    def __init__(self, synonym_groups: Iterable[Sequence[str]] = ()) -> None:
        # (lang, token tuple) -> canonical token; the canonical one is the group's first term.
        self._phrases: dict[tuple[Lang, tuple[str, ...]], str] = {}
        self._longest_from: dict[tuple[Lang, str], int] = {}  # (lang, first stem) -> longest
        # Tokens of the groups of greetings and thanks ("salut", "thx"): see `without_small_talk`.
        self.small_talk: set[str] = set()
        for group in synonym_groups:
            if not group:
                continue
            canonical = "_".join(self._stems(group[0], "en")) or group[0]
            if strip_accents(group[0].strip().casefold()) in SMALL_TALK:
                self.small_talk.add(canonical)
            for term in group:
                for lang in LANGS:
                    seq = tuple(self._stems(term, lang))
                    if seq:
                        self._phrases.setdefault((lang, seq), canonical)
                        first = (lang, seq[0])
                        self._longest_from[first] = max(self._longest_from.get(first, 0),
                                                        len(seq))

    def single_word_synonyms(self) -> dict[str, str]:
        """The stem of every one-word synonym term -> its group's canonical token (the matcher
        corrects typos against them: "recrutment" is a typo of "recrutement", that is "hire")."""
        return {seq[0]: canonical for (_, seq), canonical in self._phrases.items()
                if len(seq) == 1}

    @staticmethod
    def _stems(text: str, lang: Lang) -> list[str]:
        return [stem(w, lang) for w in words(text)]

    def tokens(self, text: str, lang: Lang, keep_stop_words: bool = False) -> tuple[str, ...]:
        """Stemmed, synonym-merged tokens of `text` read as `lang`, stop words dropped.

        When nothing but stop words is left ("hey", "merci !"), they are kept: short small talk
        must still match something.
        """
        return self.tokens_of(words(text), lang, keep_stop_words)

    def tokens_of(self, raw: list[str], lang: Lang,
                  keep_stop_words: bool = False) -> tuple[str, ...]:
        """`tokens` for text already split by `words` (so callers split it once)."""
        merged = self._merge_synonyms([stem(w, lang) for w in raw], raw, lang)
        if keep_stop_words:
            return tuple(tok for tok, _ in merged)
        stop = DROPPED[lang]
        kept = tuple(t for t, w in merged if w not in stop or w in NEGATIONS)
        return kept or tuple(t for t, _ in merged)

    def without_small_talk(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """A question's tokens without its greetings and thanks, when there is a question
        besides them ("salut, what's the deal avec high-flyer ?"); small talk alone is kept."""
        rest = tuple(t for t in tokens if t not in self.small_talk)
        return rest if len(rest) >= SMALL_TALK_MIN_REST else tokens

    def key(self, text: str, lang: Lang | None = None) -> str:
        """A canonical string for 'the same normalised question' comparisons."""
        return " ".join(self.tokens(text, lang or detect_language_simple(text)))

    def full_key(self, text: str, lang: Lang | None = None) -> str:
        """Like `key`, but every word counts: two wordings differ unless only spelling does."""
        lang = lang or detect_language_simple(text)
        return " ".join(self.tokens(text, lang, keep_stop_words=True))

    def _merge_synonyms(
        self, stems: list[str], raw: list[str], lang: Lang
    ) -> list[tuple[str, str]]:
        """(token, word) pairs, known synonym phrases replaced by their canonical token."""
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(stems):
            # Only a stem that starts some synonym phrase is worth looking further from.
            longest = self._longest_from.get((lang, stems[i]), 0)
            for n in range(min(longest, len(stems) - i), 0, -1):
                canonical = self._phrases.get((lang, tuple(stems[i : i + n])))
                if canonical is not None:
                    out.append((canonical, "\0syn"))  # a synonym is never a stop word
                    i += n
                    break
            else:
                out.append((stems[i], strip_accents(raw[i])))
                i += 1
        return out




def language_votes(text: str) -> tuple[int, int]:
    """(French votes, English votes) from marker words and accented letters."""
    folded = fold(text)
    raw = _WORD.findall(folded.replace("'", " "))
    fr = sum(w in FR_MARKERS for w in raw) + sum(ch in "éèêàâçùûîïôœ" for ch in folded[:300])
    en = sum(w in EN_MARKERS for w in raw)
    if "'" in folded and re.search(r"\b(?:l|d|j|qu|c|n|s)'\w", folded):
        fr += 1
    return fr, en


def detect_language_simple(text: str, default: Lang = "fr") -> Lang:
    """fr or en by marker words alone; `default` on a tie."""
    fr, en = language_votes(text)
    if fr == en:
        return default
    return "fr" if fr > en else "en"
