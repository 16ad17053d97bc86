"""Text features and a fast linear scorer shared by the learned models (danger, topics).

Features: character n-grams of the text read as Russian (robust to typos, endings and chat
transliteration) and word stems with their pairs, each family tf-idf weighted with sublinear tf
and L2-normalised, as scikit-learn's TfidfVectorizer does. scikit-learn fits the weights; at
run time `LinearScorer` reads them directly, which gives sklearn's exact numbers for one message
in a fraction of the time of its per-call pipeline (which validates its input on every call).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from bot.language.normalize import as_russian, stems_ru


def stems_and_pairs(text: str) -> list[str]:
    stems = stems_ru(text, keep_stopwords=True)
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def make_features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "letters",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    preprocessor=as_russian,
                ),
            ),
            ("stems", TfidfVectorizer(analyzer=stems_and_pairs, sublinear_tf=True)),
        ]
    )


class _Family:
    """One fitted feature family: its analyzer, and feature -> (column, idf)."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        self.offset = offset
        self.columns: dict[str, int] = dict(vectorizer.vocabulary_)


class LinearScorer:
    """The logits of a fitted linear model for one text, one per class (one for binary)."""

    def __init__(self, features: FeatureUnion, coefficients: np.ndarray, intercepts: np.ndarray):
        self._coefficients = np.ascontiguousarray(coefficients.T)  # column-major by feature
        self._intercepts = intercepts.astype(float)
        self._families = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            self._families.append(_Family(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)

    def logits(self, text: str) -> np.ndarray:
        result = self._intercepts.copy()
        for family in self._families:
            known = [
                (column, count)
                for feature, count in Counter(family.analyze(text)).items()
                if (column := family.columns.get(feature)) is not None
            ]
            if not known:
                continue
            columns = np.fromiter((c for c, _ in known), dtype=np.intp, count=len(known))
            counts = np.fromiter((n for _, n in known), dtype=float, count=len(known))
            weights = (1.0 + np.log(counts)) * family.idf[columns]
            weights /= math.sqrt(float(weights @ weights))
            result += weights @ self._coefficients[columns + family.offset]
        return result
