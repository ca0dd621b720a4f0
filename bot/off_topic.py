"""The content's out-of-scope questions (content/out_of_scope.yaml) as evidence against answering.

"Who founded Mistral?" shares its rare words with the entry on what Liang said of Mistral, yet
the bot must not answer it. The out-of-scope questions give the confidence (bot/confidence.py)
two signals: how close the question is to the nearest of them (`similarity`, scored like a
phrasing, over an index of their own with one pseudo-entry each), and how much likelier its
words are in out-of-scope questions than in phrasings (`evidence`, naive-Bayes log odds:
"weather", "salary", "today" lean out of scope).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.model import Lang

if TYPE_CHECKING:
    from bot.matching import Index
    from bot.vocabulary import Query

CANDIDATES = 40  # out-of-scope questions scored for the nearest one


class OffTopic:
    """The out-of-scope questions' index, and their words' log odds against the phrasings'."""

    def __init__(self, index: Index, phrasings: Sequence[frozenset[str]]) -> None:
        self.index = index
        inside = Counter(t for tokens in phrasings for t in tokens)
        outside = Counter(t for tokens in index.token_sets for t in tokens)
        n_in, n_out = len(phrasings) + 2, len(index.token_sets) + 2  # add-one smoothing
        self._odds = {t: math.log((outside[t] + 1) / n_out) - math.log((inside[t] + 1) / n_in)
                      for t in inside.keys() | outside.keys()}
        self._unseen = math.log(n_in / n_out)  # a token neither uses

    def query(self, tokens: dict[Lang, tuple[str, ...]]) -> Query:
        """The question, normalised once by the main index, resolved against these questions."""
        return self.index.query_tokens(tokens, False)

    def similarity(self, query: Query) -> float:
        """How close the question (`query`) is to the nearest out-of-scope question, 0..1 as a
        phrasing's score: 1.0 for the same words."""
        # one phrasing per pseudo-entry: the best phrasing score is all that is needed
        return max((self.index.score_phrasing(query, pid)["phrasing"]
                    for pid in self.index.narrow(query, CANDIDATES)), default=0.0)

    def evidence(self, tokens: dict[Lang, tuple[str, ...]]) -> float:
        """The question's tokens' log odds of out of scope, summed, in the language reading
        that makes it likelier in scope; scaled by 1/10."""
        sums = [sum(self._odds.get(t, self._unseen) for t in found)
                for found in tokens.values() if found]
        return min(sums, default=0.0) / 10
