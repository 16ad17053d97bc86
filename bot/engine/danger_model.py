"""A statistical second opinion for triage, learned from team-written examples.

Danger phrases and cues (bot/engine/triage.py) are precise but only know the wordings someone
wrote down; frightened people describe danger in endless ways. This model learns from labelled
example messages kept as content (content/triage/*.yaml: text and urgent true/false), so
editors improve it by adding examples, not code. Features: character n-grams of the text read as
Russian (robust to typos, endings and transliteration) and word stems with their pairs, weighted
by tf-idf; scikit-learn's logistic regression learns their weights at start-up (well under a
second). Scoring one message reads the fitted weights directly, which gives sklearn's exact
probability in a fraction of the time of its per-call pipeline.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from bot.language.normalize import as_russian, stems_ru

# Fewer examples than this (of either kind) teach nothing reliable: triage then uses rules only.
MIN_EXAMPLES = 20


@lru_cache(maxsize=4)
def _trained(examples: tuple[tuple[str, bool], ...]) -> DangerModel | None:
    urgent = sum(1 for _, label in examples if label)
    if min(urgent, len(examples) - urgent) < MIN_EXAMPLES:
        return None
    return DangerModel(examples)


def _stems_and_pairs(text: str) -> list[str]:
    stems = stems_ru(text, keep_stopwords=True)
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


class _Part:
    """One tf-idf feature family with its share of the regression weights."""

    def __init__(self, vectorizer: TfidfVectorizer, coefficients: Sequence[float]) -> None:
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        idf = vectorizer.idf_
        # feature -> (idf, weight), so one dictionary lookup per feature of a message
        self.features = {
            feature: (float(idf[i]), float(coefficients[i]))
            for feature, i in vectorizer.vocabulary_.items()
        }

    def score(self, text: str) -> float:
        # sublinear tf (1 + log count) times idf, L2-normalised, dotted with the weights
        counts = Counter(f for f in self.analyze(text) if f in self.features)
        total = norm = 0.0
        for feature, count in counts.items():
            idf, weight = self.features[feature]
            value = (1.0 + math.log(count)) * idf
            total += value * weight
            norm += value * value
        return total / math.sqrt(norm) if norm else 0.0


class DangerModel:
    def __init__(self, examples: Sequence[tuple[str, bool]]) -> None:
        letters = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=2,
            sublinear_tf=True,
            preprocessor=as_russian,
        )
        stems = TfidfVectorizer(analyzer=_stems_and_pairs, sublinear_tf=True)
        regression = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
        self.pipeline = make_pipeline(
            FeatureUnion([("letters", letters), ("stems", stems)]), regression
        )
        self.pipeline.fit([text for text, _ in examples], [int(u) for _, u in examples])
        weights = regression.coef_[0]
        split = len(letters.vocabulary_)
        self._parts = (_Part(letters, weights[:split]), _Part(stems, weights[split:]))
        self._intercept = float(regression.intercept_[0])

    @classmethod
    def from_examples(cls, examples: Sequence[tuple[str, bool]]) -> DangerModel | None:
        """A model, or None with too few examples. The same examples give the same model, so
        it is trained once per process however often the content is loaded."""
        return _trained(tuple(examples))

    def probability(self, text: str) -> float:
        """How likely the message is about danger now, 0..1."""
        logit = self._intercept + sum(part.score(text) for part in self._parts)
        return 1.0 / (1.0 + math.exp(-logit))
