"""Urgent-danger triage: does this message say the person is in danger right now?

The danger phrases are content, kept by editors in the `urgent` node (`triggers:`), so they can
be added to without touching code. A phrase fires when all of its words occur close together;
words may carry typos, and chat transliteration is read as Russian. Small words count here
("продали меня" is danger, "не продаем" is not), so editors say exactly what must be there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.content.model import ContentTree
from bot.language.normalize import prefixes, stems_ru

URGENT_NODE = "urgent"
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 85.0
# Extra words allowed between the words of one phrase ("закрыли нас всех на складе").
SLACK = 4
MAX_WORDS = 400


@dataclass(frozen=True)
class Trigger:
    phrase: str
    stems: tuple[str, ...]


class Triage:
    def __init__(self, tree: ContentTree) -> None:
        node = tree.nodes.get(URGENT_NODE)
        phrases = [p for ps in (node.triggers.values() if node else ()) for p in ps]
        self.triggers = [
            Trigger(phrase=p, stems=tuple(stems))
            for p in phrases
            if (stems := stems_ru(p, keep_stopwords=True))
        ]
        self._vocabulary = sorted({s for t in self.triggers for s in t.stems})
        self._vocabulary_set = frozenset(self._vocabulary)
        self._resolve = lru_cache(maxsize=32768)(self._resolve_uncached)

    def _resolve_uncached(self, word: str) -> tuple[str, ...]:
        """The trigger words this message word stands for (itself, or despite a typo)."""
        if len(word) < FUZZY_MIN_LENGTH:
            return (word,) if word in self._vocabulary else ()
        found = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        similar = {stem for stem, _, _ in found if len(stem) >= FUZZY_MIN_LENGTH or stem == word}
        # A typo in an ending defeats the stemmer ("выпускаюут"): the stem is still a prefix.
        similar.update(p for p in prefixes(word, FUZZY_MIN_LENGTH) if p in self._vocabulary_set)
        return tuple(sorted(similar))

    def check(self, text: str) -> Trigger | None:
        """The first danger phrase the text contains, or None."""
        positions: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(stems_ru(text, keep_stopwords=True)[:MAX_WORDS]):
            for stem in self._resolve(word):
                positions[stem].append(i)
        if not positions:
            return None
        for trigger in self.triggers:
            places = [positions.get(stem) for stem in trigger.stems]
            if all(places) and _close_together(places, len(trigger.stems) + SLACK):
                return trigger
        return None


def _close_together(places: list[list[int]], window: int) -> bool:
    """Some window of this many words holds one occurrence of every phrase word."""
    starts = sorted({p for ps in places for p in ps})
    return any(all(any(s <= p < s + window for p in ps) for ps in places) for s in starts)
