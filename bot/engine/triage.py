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

How the parts weigh against each other:

- the model's opinion is 2p-1, weighted more when it leans to danger, so that a model sure
  of danger (p of about 0.9) is enough alone: people describe danger in words no list holds;
- against a trigger the model may only speak when it is very sure of calm and the message
  says more than the phrase, unless the message also holds a calm sign (a cue of CALM_SIGN or
  less: "год назад", "in the news"): then the trigger may tell of the past or of someone
  else, and the model is heard in full;
- a Russian word right after не is denied, unless the phrase says не too; one word read by
  two one-word cues of the same sign counts once; chat Latin may drop soft signs and spoken
  Dari its written endings, and a typo keeps the word's first letter;
- a word the curated texts use is taken as spelled right: it stands for a phrase word only if
  they differ in the ending, not inside (Tajik мекунанд "they do" is not мекушанд "they kill");
- Russian phrases are looked for in other languages' messages too (people mix in Russian),
  but a word of the message's language is not taken for a Russian one (Tajik бо "with" is not
  Russian боюсь, though they stem alike);
- spellings of one phrase that read the same (Uzbek oʻ, o', o; Pashto letters written with
  Persian ones) count once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content.model import ContentTree
from bot.engine.danger_model import DangerModel
from bot.language.normalize import (
    dari_written,
    prefixes,
    readings_ru,
    stems_ru,
    typed_in_latin,
)

URGENT_NODE = "urgent"
THRESHOLD = 1.0
# The model adds MODEL_WEIGHT * (2p - 1) for its probability p: it lifts soft signs into danger
# and talks calm look-alikes down. Against a danger phrase it may only speak when it is very
# sure (p < MODEL_VETO): a missed danger costs more than a false alarm. Chosen on the team's
# evaluation sets (scripts/eval_matcher.py), never on the held-out one.
MODEL_WEIGHT = 1.0
MODEL_VETO = 0.05
# ... and only when the message says more than the phrase: a look-alike is a danger phrase in
# a calm story, while a bare phrase ("хочу повеситься") leaves the model nothing but the
# phrase's own letters to judge by, and it had learned infinitives from calm questions.
VETO_CONTEXT = 3
# When the model leans to danger it is heard with more weight, enough on its own from p = 0.9:
# frightened people describe danger in words no phrase list holds. Chosen on the team's own
# development messages, never on tests/data.
MODEL_WEIGHT_DANGER = 1.25
# A calm sign (a cue of this weight or lower: "год назад", "if", "in the news") beside a
# danger phrase says the phrase may tell of the past or of others: then the model is heard in
# full, even against the phrase.
CALM_SIGN = -0.2
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 85.0
# Extra words allowed between the words of one phrase ("закрыли нас всех на складе").
SLACK = 4
MAX_WORDS = 400
NEGATION = "не"
_NO_SIGNS = str.maketrans("", "", "ьъ")


@dataclass(frozen=True)
class Phrase:
    text: str
    stems: tuple[str, ...]
    weight: float
    trigger: bool
    language: str = "ru"
    # For each word of a Russian phrase: whether it is reflexive (-ся, -сь), which the stem
    # drops: повеситься "hang oneself" and повесить "hang (a shelf)" stem alike.
    reflexive: tuple[bool, ...] = ()


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
        # Spellings of one phrase that read the same ("qamab qo'yishdi", "qamab qoyishdi";
        # Pashto ې written ی) are one phrase: a cue must not count once per spelling. A
        # trigger outweighs a cue; of two cues, the stronger one (either way) stays.
        unique: dict[tuple[str, tuple[str, ...]], Phrase] = {}
        for text, weight, trigger, lang in weighted:
            stems = tuple(stems_ru(text, keep_stopwords=True))
            if not stems:
                continue
            reflexive = (
                tuple(word.endswith(("ся", "сь")) for word in readings_ru(text))
                if lang == "ru"
                else ()
            )
            phrase = Phrase(
                text=text,
                stems=stems,
                weight=weight,
                trigger=trigger,
                language=lang,
                reflexive=reflexive if any(reflexive) else (),
            )
            kept = unique.get((lang, stems))
            if kept is None or (trigger, abs(weight)) > (kept.trigger, abs(kept.weight)):
                unique[(lang, stems)] = phrase
        self.phrases = list(unique.values())
        self.model = DangerModel.from_examples(training_examples(tree), model_cache)
        self._vocabulary = sorted({s for p in self.phrases for s in p.stems})
        self._vocabulary_set = frozenset(self._vocabulary)
        # Chat Latin has no soft or hard sign ("ubyut" for убьют, "bet" for бьет): a Latin
        # word may stand for a phrase word that differs only by them.
        self._signless: dict[str, list[str]] = defaultdict(list)
        for stem in self._vocabulary:
            if (bare := stem.translate(_NO_SIGNS)) != stem:
                self._signless[bare].append(stem)
        self._known = _known_words(tree)
        self._words_of = _words_by_language(tree)
        self._resolve = lru_cache(maxsize=32768)(self._resolve_uncached)

    def _resolve_uncached(self, word: str) -> tuple[str, ...]:
        """The phrase words this message word stands for (itself, or despite a typo)."""
        # Colloquial Dari spells words as they sound (کردن for کردند, کده for کرده): their
        # written forms are the same word, whatever its length.
        spoken = {w for w in dari_written(word) if w in self._vocabulary_set}
        if len(word) < FUZZY_MIN_LENGTH:
            return tuple(sorted(spoken | ({word} & self._vocabulary_set)))
        found = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        # A typo seldom touches the first letter, and a word with another first letter is
        # mostly another word (English "picking" is not "kicking").
        similar = {
            stem
            for stem, _, _ in found
            if stem == word or (len(stem) >= FUZZY_MIN_LENGTH and stem[0] == word[0])
        }
        similar |= spoken
        if word in self._known:
            # A word of the curated texts is spelled right: a letter changed inside it makes
            # another word (Tajik мекунанд "they do" is not мекушанд "they kill", Kyrgyz
            # кармап "holding" is not камап "locking in"). Only its ending may differ.
            similar = {s for s in similar if s.startswith(word) or word.startswith(s)}
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
        latin = typed_in_latin(text)[:MAX_WORDS]
        for i, word in enumerate(words):
            for stem in self._resolve(word):
                positions[stem].append(i)
            for stem in self._signless.get(word, ()) if latin[i] else ():
                positions[stem].append(i)
        russian = positions
        others = (languages or frozenset()) - {"ru"}
        if "ru" in (languages or ()) and others:
            # Russian phrases in a message that may be in another language: a word of that
            # language is not a Russian word, even when its letters pass for one (Tajik бо
            # "with" stems as Russian боюсь, Kazakh мен "I" as меня).
            foreign = self._foreign(readings_ru(text)[:MAX_WORDS], others)
            if foreign:
                russian = _without(positions, foreign)
        # A Russian word right after не is denied ("не бьют, но унижают", "нерусским не
        # продаем"): it counts only for phrases that say не themselves ("не выпускают").
        negated = {i + 1 for i, word in enumerate(words) if word == NEGATION}
        # A reflexive phrase word needs a reflexive message word: хочу повесить полку is not
        # повеситься, потерял паспорт на вокзале is not потерялся на вокзале.
        reflexive = {i for i, word in enumerate(readings_ru(text)[:MAX_WORDS]) if _reflexive(word)}
        affirmed = _without(russian, negated) if negated else russian
        found = []
        single: dict[Phrase, frozenset[int]] = {}  # one-word cues and where they are
        for phrase in self.phrases:
            if languages is not None and phrase.language not in languages:
                continue
            if phrase.language == "ru":
                where = russian if NEGATION in phrase.stems else affirmed
            else:
                where = positions
            places = [where.get(stem) for stem in phrase.stems]
            if phrase.reflexive:
                places = [
                    [i for i in found_at if i in reflexive] if found_at and needs else found_at
                    for found_at, needs in zip(places, phrase.reflexive, strict=True)
                ]
            if all(places) and _close_together(places, len(phrase.stems) + SLACK):
                found.append(phrase)
                if len(places) == 1:
                    single[phrase] = frozenset(places[0] or ())
        # Triggers count once: two wordings of one danger are not twice the danger.
        triggered = any(p.trigger for p in found)
        counted = [p for p in found if not p.trigger and p not in _read_twice(single)]
        score = (1.0 if triggered else 0.0) + sum(p.weight for p in counted)
        probability = None
        if self.model is not None:
            probability = self.model.probability(text[: MAX_WORDS * 20])
            weight = MODEL_WEIGHT_DANGER if probability > 0.5 else MODEL_WEIGHT
            opinion = weight * (2 * probability - 1)
            calm = any(not p.trigger and p.weight <= CALM_SIGN for p in found)
            sure = probability < MODEL_VETO and _has_context(words, found)
            protected = triggered and not sure and not calm
            score += max(0.0, opinion) if protected else opinion
        return Assessment(round(score, 3), tuple(found), probability)

    def _foreign(self, readings: list[str], languages: frozenset[str]) -> set[int]:
        """Places of the words that belong to one of these languages and not to Russian."""
        russian = self._words_of.get("ru", frozenset())
        theirs = [self._words_of.get(language, frozenset()) for language in languages]
        return {
            i
            for i, word in enumerate(readings)
            if word not in russian and any(word in words for words in theirs)
        }

    def check(self, text: str, languages: frozenset[str] | None = None) -> Assessment | None:
        """The assessment if the message is urgent, else None."""
        assessment = self.assess(text, languages)
        return assessment if assessment.urgent else None


# The model learns calm from the questions of these nodes only: the others (trafficking,
# asylum, discrimination, return and its psychosocial help, the hotlines) are calm by label
# but often tell of danger ("паспорт забрали и не отдают").
PLAIN_NODES = (
    "about", "work", "stateless", "integration/education", "integration/health",
    "integration/housing", "return/documents", "return/livelihood", "return/health",
)  # fmt: skip


def training_examples(tree: ContentTree) -> list[tuple[str, bool]]:
    """What the danger model learns from: the labelled triage examples, and the example
    questions of content/matching: danger when they belong to the urgent node, calm when they
    belong to a plain node. Those are the ordinary questions people ask ("телефон", "вы не
    сдадите меня?"); without them the model, having seen mostly danger and its look-alikes,
    was sure of danger in plain questions it had never seen."""
    questions = [
        (text, node == URGENT_NODE)
        for text, node in tree.questions
        if node == URGENT_NODE or node.startswith(PLAIN_NODES)
    ]
    return list(tree.examples) + questions


def _known_words(tree: ContentTree) -> frozenset[str]:
    """Stems of the words of the curated texts (titles, bodies, summaries), every language."""
    known: set[str] = set()
    for node in tree.nodes.values():
        for text in node.texts.values():
            for part in (text.title, text.body, *text.by_country.values()):
                known.update(stems_ru(part, keep_stopwords=True))
        for summary in node.summaries.values():
            known.update(stems_ru(summary, keep_stopwords=True))
    return frozenset(known)


def _words_by_language(tree: ContentTree) -> dict[str, frozenset[str]]:
    """The words (unstemmed, read as Russian reads them) of each language's curated texts,
    summaries and keywords: what a word of that language looks like."""
    found: dict[str, set[str]] = defaultdict(set)
    for node in tree.nodes.values():
        for language, text in node.texts.items():
            for part in (text.title, text.body, *text.by_country.values()):
                found[language].update(readings_ru(part))
        for language, summary in node.summaries.items():
            found[language].update(readings_ru(summary))
        for language, keywords in node.keywords.items():
            for keyword in keywords:
                found[language].update(readings_ru(keyword))
    return {language: frozenset(words) for language, words in found.items()}


# Reflexive endings as people type them: -ся, -сь, and in haste or chat Latin -са, -ца,
# -ця, -с (poteryalsa, povesitsa, закрылас). A phrase, written with care, marks a word
# reflexive only by -ся or -сь, so уксус or секс in a phrase still meet уксусом, сексом.
_REFLEXIVE_ENDINGS = ("ся", "сь", "са", "ца", "ця", "с")


def _reflexive(word: str) -> bool:
    """Whether a Russian word (as read) ends like a reflexive verb."""
    return len(word) > 3 and word.endswith(_REFLEXIVE_ENDINGS)


def _without(positions: dict[str, list[int]], dropped: set[int]) -> dict[str, list[int]]:
    """The word positions, without the dropped places."""
    return {
        stem: kept
        for stem, places in positions.items()
        if (kept := [i for i in places if i not in dropped])
    }


def _read_twice(single: dict[Phrase, frozenset[int]]) -> set[Phrase]:
    """One-word cues found only in words a stronger one-word cue of the same sign already
    read: two spellings of one word (заставляют, заставили, both read in заставляли) are
    one sign, as spellings that stem alike are."""
    seen: dict[bool, set[int]] = {True: set(), False: set()}
    twice = set()
    for phrase, places in sorted(single.items(), key=lambda item: -abs(item[0].weight)):
        if phrase.trigger:
            continue
        danger = phrase.weight > 0
        if places <= seen[danger]:
            twice.add(phrase)
        seen[danger] |= places
    return twice


def _has_context(words: list[str], found: list[Phrase]) -> bool:
    """Whether the message has VETO_CONTEXT words or more beside its longest trigger."""
    longest = max((len(p.stems) for p in found if p.trigger), default=0)
    return len(words) - longest >= VETO_CONTEXT


def _close_together(places: list[list[int]], window: int) -> bool:
    """Some window of this many words holds one occurrence of every phrase word."""
    starts = sorted({p for ps in places for p in ps})
    return any(all(any(s <= p < s + window for p in ps) for ps in places) for s in starts)
