"""Urgent-danger triage: does this message say the person is in danger right now?

A small weighted model, kept as content by editors in the `urgent` node, so it grows without
touching code:

- `triggers:` danger phrases, enough alone ("меня заперли", "угрожают убить"): weight 1;
- `cues:` phrases with a weight of their own: softer signs that add up ("адреса не знаю",
  "дверь снаружи закрыта", "прямо сейчас") and calm signs that subtract ("год назад",
  "в новостях", "если я расскажу").

A message is urgent when the triggers (counted once), the cues it contains and the opinion of
the danger model (bot/engine/danger_model.py, learned from content/triage/*.yaml) add up to 1
or more. A phrase is found when all its words occur close together in any order; words may
carry typos, and chat transliteration is read as Russian. Small words count here ("продали
меня" is danger, "не продаем" is not), so editors say exactly what must be there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content.model import ContentTree
from bot.engine.danger_model import DangerModel
from bot.language.normalize import prefixes, stems_ru

URGENT_NODE = "urgent"
THRESHOLD = 1.0
# The model adds MODEL_WEIGHT * (2p - 1) for its probability p: it lifts soft signs into danger
# and talks calm look-alikes down. Against a danger phrase it may only speak when it is very
# sure (p < MODEL_VETO): a missed danger costs more than a false alarm. Chosen on the team's
# evaluation sets (scripts/eval_matcher.py), never on the held-out one.
MODEL_WEIGHT = 1.0
MODEL_VETO = 0.05
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 85.0
# Extra words allowed between the words of one phrase ("закрыли нас всех на складе").
SLACK = 4
MAX_WORDS = 400


@dataclass(frozen=True)
class Phrase:
    text: str
    stems: tuple[str, ...]
    weight: float
    trigger: bool
    language: str = "ru"


@dataclass(frozen=True)
class Assessment:
    """What triage found in a message: the phrases, and the score they add up to."""

    score: float
    found: tuple[Phrase, ...]
    probability: float | None = None  # the danger model's, where there is one

    @property
    def urgent(self) -> bool:
        return self.score >= THRESHOLD


class Triage:
    def __init__(self, tree: ContentTree, model_cache: Path | None = None) -> None:
        node = tree.nodes.get(URGENT_NODE)
        weighted: list[tuple[str, float, bool, str]] = []
        if node is not None:
            weighted += [(p, 1.0, True, lang) for lang, ps in node.triggers.items() for p in ps]
            weighted += [
                (p, w, False, lang) for lang, cues in node.cues.items() for p, w in cues.items()
            ]
        self.phrases = [
            Phrase(text=text, stems=tuple(stems), weight=weight, trigger=trigger, language=lang)
            for text, weight, trigger, lang in weighted
            if (stems := stems_ru(text, keep_stopwords=True))
        ]
        self.model = DangerModel.from_examples(tree.examples, model_cache)
        self._vocabulary = sorted({s for p in self.phrases for s in p.stems})
        self._vocabulary_set = frozenset(self._vocabulary)
        self._resolve = lru_cache(maxsize=32768)(self._resolve_uncached)

    def _resolve_uncached(self, word: str) -> tuple[str, ...]:
        """The phrase words this message word stands for (itself, or despite a typo)."""
        if len(word) < FUZZY_MIN_LENGTH:
            return (word,) if word in self._vocabulary_set else ()
        found = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        similar = {stem for stem, _, _ in found if len(stem) >= FUZZY_MIN_LENGTH or stem == word}
        # A typo in an ending defeats the stemmer ("выпускаюут"): the stem is still a prefix.
        similar.update(p for p in prefixes(word, FUZZY_MIN_LENGTH) if p in self._vocabulary_set)
        return tuple(sorted(similar))

    def assess(self, text: str, languages: frozenset[str] | None = None) -> Assessment:
        """`languages`: the ones the message may be in (None: any). Phrases of other
        languages are not looked for: with typos tolerated, a Kyrgyz word can pass for a
        Russian one ("подвалда", "подвале") and raise a Russian story that is not danger."""
        words = stems_ru(text, keep_stopwords=True)[:MAX_WORDS]
        if not words:
            return Assessment(0.0, ())
        positions: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(words):
            for stem in self._resolve(word):
                positions[stem].append(i)
        found = []
        for phrase in self.phrases:
            if languages is not None and phrase.language not in languages:
                continue
            places = [positions.get(stem) for stem in phrase.stems]
            if all(places) and _close_together(places, len(phrase.stems) + SLACK):
                found.append(phrase)
        # Triggers count once: two wordings of one danger are not twice the danger.
        triggered = any(p.trigger for p in found)
        score = (1.0 if triggered else 0.0) + sum(p.weight for p in found if not p.trigger)
        probability = None
        if self.model is not None:
            probability = self.model.probability(text[: MAX_WORDS * 20])
            opinion = MODEL_WEIGHT * (2 * probability - 1)
            score += max(0.0, opinion) if triggered and probability >= MODEL_VETO else opinion
        return Assessment(round(score, 3), tuple(found), probability)

    def check(self, text: str, languages: frozenset[str] | None = None) -> Assessment | None:
        """The assessment if the message is urgent, else None."""
        assessment = self.assess(text, languages)
        return assessment if assessment.urgent else None


def _close_together(places: list[list[int]], window: int) -> bool:
    """Some window of this many words holds one occurrence of every phrase word."""
    starts = sorted({p for ps in places for p in ps})
    return any(all(any(s <= p < s + window for p in ps) for ps in places) for s in starts)
