"""Which of our languages a short message is in.

General-purpose detectors know Kyrgyz, Tajik, Uzbek and Turkmen poorly and guess badly on the
few words people send. This one is built for our nine languages from our own content: every
translation, summary, keyword and example message is a sample of its language. A multinomial
naive Bayes over letter n-grams (one to four letters, inside words) and whole words, so the
letters only some languages have (ә ң ө ү ӣ ҷ ў ä ň ş ý ټ ښ) weigh as much as frequent words
and endings. Samples are also learned the ways people type them: Russian in Latin letters
("pasport zabrali"), Kazakh, Kyrgyz, Tajik and Turkmen without their special letters.

Trained with scikit-learn once per content and kept in var/ as plain arrays, so a warm start
scores without importing scikit-learn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from anyascii import anyascii

from bot.content.model import ContentTree
from bot.language import uzbek
from bot.language.normalize import fold, normalize
from bot.language.textmodel import remembered

ARABIC_SCRIPT = ("fa-AF", "ps")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCES = re.compile(r"(?<=[.!?؟…:;])\s+|\n+")
# Below these a message says too little to change anyone's language.
MIN_WORDS = 2
CONFIDENT = 0.9
# Naive Bayes adds up evidence as if every n-gram were independent, which makes its raw
# probabilities absurdly sure; dividing the log-likelihoods by the square root of the number
# of features gives probabilities whose 0.9 means something (checked on the evaluation sets).
SHARPNESS = 0.5


# Languages this likely are kept as candidates (triage looks for their danger phrases).
CANDIDATE = 0.05


@dataclass(frozen=True)
class Guess:
    language: str
    probability: float
    words: int
    # Every language at least CANDIDATE likely, the best first.
    candidates: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        """Sure enough to act on: enough words, and a clear winner."""
        return self.words >= MIN_WORDS and self.probability >= CONFIDENT


def features(text: str) -> list[str]:
    """Letter n-grams (1-4) of each word padded with spaces, and the words themselves."""
    grams: list[str] = []
    for word in _LETTERS.findall(normalize(text)):
        grams.append(f"w:{word}")
        padded = f" {word} "
        for n in (1, 2, 3, 4):
            if len(padded) < n:
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class LanguageDetector:
    def __init__(self, samples: Sequence[tuple[str, str]]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.naive_bayes import MultinomialNB

        self.languages: list[str] = []
        self._columns: dict[str, int] = {}
        if len({language for _, language in samples}) < 2:
            return  # nothing to tell apart (a tree without translations, or none at all)
        vectorizer = CountVectorizer(analyzer=features, min_df=2)
        counts = vectorizer.fit_transform([text for text, _ in samples])
        # Russian has far more samples than the rest: every language starts equal.
        model = MultinomialNB(alpha=0.05, fit_prior=False)
        model.fit(counts, [language for _, language in samples])
        self.languages = list(model.classes_)
        self._columns = dict(vectorizer.vocabulary_)
        self._log_probability = np.ascontiguousarray(model.feature_log_prob_.T)
        self._arabic = np.array([lang in ARABIC_SCRIPT for lang in self.languages])

    @classmethod
    def for_tree(cls, tree: ContentTree, cache_dir: Path | None = None) -> LanguageDetector:
        samples = sorted(set(_samples(tree)))
        return remembered(cache_dir, "languages", samples, lambda: cls(samples))

    def guess(self, text: str) -> Guess | None:
        """The most likely language, or None for a text with no letters."""
        found = Counter(features(text))
        known = [(self._columns[f], n) for f, n in found.items() if f in self._columns]
        words = len(_LETTERS.findall(text))
        if not known:
            return None
        columns = np.fromiter((c for c, _ in known), dtype=np.intp, count=len(known))
        counts = np.fromiter((n for _, n in known), dtype=float, count=len(known))
        scores = counts @ self._log_probability[columns]
        scores *= counts.sum() ** -SHARPNESS
        # Arabic letters can only be Dari or Pashto; Latin letters can be any language (Dari
        # and Pashto too, typed in Latin "finglish").
        if _ARABIC.search(text):
            scores = np.where(self._arabic, scores, -np.inf)
        best = int(np.argmax(scores))
        shifted = np.exp(scores - scores[best])
        probabilities = shifted / shifted.sum()
        order = np.argsort(-probabilities)
        candidates = tuple(self.languages[i] for i in order if probabilities[i] >= CANDIDATE)
        return Guess(self.languages[best], float(probabilities[best]), words, candidates)

    def detect(self, text: str, default: str = "ru") -> str:
        guess = self.guess(text)
        return guess.language if guess else default

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _samples(tree: ContentTree) -> Iterable[tuple[str, str]]:
    """Short texts in each language, as people would type them."""
    plain: list[tuple[str, str]] = list(tree.written)
    for node in tree.nodes.values():
        for language, text in node.texts.items():
            plain.append((text.title, language))
            for part in (text.body, *text.by_country.values()):
                plain += [(s, language) for s in _SENTENCES.split(part) if _LETTERS.search(s)]
        for language, summary in node.summaries.items():
            plain.append((summary, language))
        for source in (node.keywords, node.triggers):
            for language, phrases in source.items():
                plain += [(phrase, language) for phrase in phrases]
    for text, language in plain:
        yield text, language
        if language == "ru":
            # Russian typed on a Latin keyboard is still Russian.
            yield anyascii(text).lower(), "ru"
        elif language == "uz":
            # Uzbek in the other script too: many people still type Cyrillic.
            yield (
                (uzbek.to_latin(text) if uzbek.has_cyrillic(text) else uzbek.to_cyrillic(text)),
                "uz",
            )
        elif language in ("kk", "ky", "tg", "tk"):
            # Without the special letters, and (but Turkmen) in Latin chat spelling.
            bare = fold(normalize(text))
            yield bare, language
            if language != "tk":
                yield anyascii(bare), language
