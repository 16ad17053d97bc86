"""Match free text to nodes: stemmed keywords per node, weighted by rarity, typos tolerated."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content.model import ContentTree
from bot.content.topic_model import TopicModel
from bot.language.normalize import prefixes, stems_ru

# Words shorter than this must match exactly: fuzzy matching short words finds nonsense.
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 82.0
PREFIX_SIMILARITY = 0.8
# Below this raw keyword score a node is not a candidate at all.
MIN_SCORE = 1.2
# The keyword score and the topic model's probability, mixed; below MIN_MATCH nothing matched.
# Chosen on the team's evaluation sets (scripts/eval_matcher.py), never on the held-out one.
KEYWORD_SHARE = 0.4
MODEL_SHARE = 0.6
MIN_MATCH = 0.2
# Alternatives far weaker than the best match are noise, not help.
RELATIVE_MIN = 0.35
# Sections are menus: a question is better answered by an article inside them.
SECTION_WEIGHT = 0.5
MAX_QUERY_STEMS = 64


@dataclass(frozen=True)
class Match:
    node: str
    score: float  # 0..1, for display and thresholds; the order is what matters


class SearchIndex:
    def __init__(self, tree: ContentTree, model_cache: Path | None = None) -> None:
        # phrases[node] = list of stem tuples (keywords and the title, in every language)
        self._phrases: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        postings: dict[str, set[str]] = defaultdict(set)
        self._weight = {
            n.id: SECTION_WEIGHT if n.kind == "section" and tree.children(n.id) else 1.0
            for n in tree.nodes.values()
        }
        for node in tree.nodes.values():
            sources = [kw for kws in node.keywords.values() for kw in kws]
            sources += [text.title for text in node.texts.values()]
            for phrase in sources:
                stems = tuple(dict.fromkeys(stems_ru(phrase)))
                if stems:
                    self._phrases[node.id].append(stems)
                    for stem in stems:
                        postings[stem].add(node.id)
        total = max(len(self._phrases), 1)
        # Only phrases of several words earn the whole-phrase bonus; they are found through
        # their first word, so a message is checked against the few phrases that can match.
        self._phrases_by_stem: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for node_id, phrases in self._phrases.items():
            for phrase in set(phrases):
                if len(phrase) > 1:
                    self._phrases_by_stem[phrase[0]].append((node_id, phrase))
        self._idf = {s: math.log(1 + total / len(nodes)) for s, nodes in postings.items()}
        self._postings = {s: tuple(sorted(nodes)) for s, nodes in postings.items()}
        self._vocabulary = list(postings)
        self._resolve = lru_cache(maxsize=32768)(self._resolve_uncached)
        self.model = TopicModel.for_tree(tree, model_cache)

    def _resolve_uncached(self, stem: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary stems this query stem stands for, with a similarity in 0..1."""
        if stem in self._idf:
            return ((stem, 1.0),)
        if len(stem) < FUZZY_MIN_LENGTH:
            return ()
        found = {
            word: score / 100.0
            for word, score, _ in process.extract(
                stem, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
            )
        }
        # A typo in an ending defeats the stemmer: the longest known prefix still counts.
        for prefix in prefixes(stem, FUZZY_MIN_LENGTH):
            if prefix in self._idf:
                found.setdefault(prefix, PREFIX_SIMILARITY)
                break
        return tuple(found.items())

    def match(self, text: str, limit: int = 5) -> list[Match]:
        """The nodes that answer the text, best first: keywords and the topic model together."""
        keyword = self.keyword_scores(text)
        if self.model is None:
            ranked = sorted(keyword.items(), key=lambda item: (-item[1], item[0]))
        else:
            learned = self.model.probabilities(text) if stems_ru(text) else {}
            combined = {
                node: KEYWORD_SHARE * keyword.get(node, 0.0) + MODEL_SHARE * learned.get(node, 0.0)
                for node in set(keyword) | set(learned)
            }
            ranked = sorted(combined.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < MIN_MATCH:
            return []
        floor = max(MIN_MATCH, ranked[0][1] * RELATIVE_MIN)
        return [Match(node, round(score, 3)) for node, score in ranked[:limit] if score >= floor]

    def keyword_scores(self, text: str) -> dict[str, float]:
        """Nodes whose keywords the text contains, scored 0..1 by rarity and whole phrases."""
        query = list(dict.fromkeys(stems_ru(text)))[:MAX_QUERY_STEMS]
        seen: dict[str, float] = {}  # vocabulary stem -> best similarity
        for stem in query:
            for word, similarity in self._resolve(stem):
                seen[word] = max(similarity, seen.get(word, 0.0))
        if not seen:
            return {}

        raw: dict[str, float] = defaultdict(float)
        for word, similarity in seen.items():
            for node in self._postings[word]:
                raw[node] += self._idf[word] * similarity
        # A keyword phrase found whole says more than its words found apart.
        best: dict[str, float] = defaultdict(float)
        for stem in seen:
            for node, phrase in self._phrases_by_stem.get(stem, ()):
                if all(s in seen for s in phrase):
                    whole = sum(self._idf[s] * seen[s] for s in phrase)
                    best[node] = max(best[node], whole)
        for node in raw:
            raw[node] = (raw[node] + best[node]) * self._weight[node]

        return {node: 1 - math.exp(-score / 4) for node, score in raw.items() if score >= MIN_SCORE}
