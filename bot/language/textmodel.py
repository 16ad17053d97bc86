"""Text features and a fast linear scorer shared by the learned models (danger, topics).

Feature families: character n-grams (2 to 5 letters, inside words padded with a space) of
the text read as Russian, robust to typos, endings and chat transliteration; word stems with
their pairs; and (danger model only) the unstemmed words with their pairs. Each family is
tf-idf weighted with sublinear tf and L2-normalised, as scikit-learn's TfidfVectorizer does;
scikit-learn fits the weights.

`LinearScorer` holds only plain data (vocabularies, idf, weights), so a trained model can be
kept in a file and scored without importing scikit-learn at all, and it scores one message in a
fraction of the time of sklearn's pipeline, with the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bot.language.normalize import STOPWORDS_RU, as_russian, readings_ru, stem_ru

T = TypeVar("T")
log = logging.getLogger(__name__)
# Bump when features or models change meaning, so cached models are trained again.
MODEL_FORMAT = "5"


def letter_ngrams(text: str, shortest: int = 2, longest: int = 5) -> list[str]:
    """Character n-grams of each word of the text read as Russian, words padded with spaces."""
    grams: list[str] = []
    for word in as_russian(text).split():
        padded = f" {word} "
        for n in range(shortest, longest + 1):
            if len(padded) <= n:  # a short word counts once, whole
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def stems_and_pairs(text: str) -> list[str]:
    """Russian stems and their pairs; Russian small words stay whole, or the stemmer makes
    one feature of Russian меня "me", Kazakh мен "I" and Kyrgyz менен "with"."""
    stems = [w if w in STOPWORDS_RU else stem_ru(w) for w in readings_ru(text)]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def words_and_pairs(text: str) -> list[str]:
    """The words as written (folded, Latin read as Cyrillic) and their pairs, unstemmed: the
    Russian stemmer cuts Kyrgyz, Tajik or Pashto words at random places, and in those
    languages the ending often carries the meaning (Kyrgyz камап коюшту "they locked in",
    коюшат "they lock")."""
    words = readings_ru(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


FAMILIES: dict[str, Callable[[str], list[str]]] = {
    "letters": letter_ngrams,
    "stems": stems_and_pairs,
    "words": words_and_pairs,
}


def make_features(families: tuple[str, ...] = ("letters", "stems")) -> Any:
    """An unfitted scikit-learn FeatureUnion of the families (imported only to train)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = {"letters": 2}
    return FeatureUnion(
        [
            (
                name,
                TfidfVectorizer(analyzer=FAMILIES[name], min_df=min_df.get(name, 1),
                                sublinear_tf=True),
            )
            for name in families
        ]
    )  # fmt: skip


class LinearScorer:
    """The logits of a fitted linear model for one text, one per class (one for binary)."""

    def __init__(self, features: Any, coefficients: np.ndarray, intercepts: np.ndarray) -> None:
        self._coefficients = np.ascontiguousarray(coefficients.T)  # one row per feature
        self._intercepts = np.asarray(intercepts, dtype=float)
        # (family name, feature -> column, idf per column, first column of the family)
        self._families: list[tuple[str, dict[str, int], np.ndarray, int]] = []
        offset = 0
        for name, vectorizer in features.transformer_list:
            vocabulary = dict(vectorizer.vocabulary_)
            self._families.append(
                (name, vocabulary, np.asarray(vectorizer.idf_, dtype=float), offset)
            )
            offset += len(vocabulary)

    def logits(self, text: str) -> np.ndarray:
        result = self._intercepts.copy()
        for name, columns, idf, offset in self._families:
            known = [
                (column, count)
                for feature, count in Counter(FAMILIES[name](text)).items()
                if (column := columns.get(feature)) is not None
            ]
            if not known:
                continue
            found = np.fromiter((c for c, _ in known), dtype=np.intp, count=len(known))
            counts = np.fromiter((n for _, n in known), dtype=float, count=len(known))
            weights = (1.0 + np.log(counts)) * idf[found]
            weights /= math.sqrt(float(weights @ weights))
            result += weights @ self._coefficients[found + offset]
        return result


_MEMORY: dict[tuple[str, str], Any] = {}
_MEMORY_SIZE = 8


def remembered(cache_dir: Path | None, kind: str, data: Any, train: Callable[[], T]) -> T:
    """Like `cached`, and once per process for the same data whatever the folder (tests and
    a reloading service build the hotline many times over the same content)."""
    key = (kind, hashlib.sha256(pickle.dumps(data)).hexdigest())
    if key not in _MEMORY:
        if len(_MEMORY) >= _MEMORY_SIZE:
            _MEMORY.pop(next(iter(_MEMORY)))
        _MEMORY[key] = cached(cache_dir, kind, data, train)
    return _MEMORY[key]


def cached(cache_dir: Path | None, kind: str, data: Any, train: Callable[[], T]) -> T:
    """`train()`, or its result from an earlier run with the same data, kept in cache_dir.

    The file is ours (the service's private var folder), written atomically, and named by a
    hash of the training data and MODEL_FORMAT, so changed content trains a new model.
    """
    if cache_dir is None:
        return train()
    digest = hashlib.sha256(
        json.dumps([MODEL_FORMAT, data], ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:24]
    path = cache_dir / f"{kind}-{digest}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by this service, in its own folder
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a damaged cache file is retrained, not fatal
        log.warning("model cache %s unreadable; training again", path.name)
    model = train()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        for stale in cache_dir.glob(f"{kind}-*.pickle"):  # models of earlier content
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        log.warning("could not keep the trained model in %s", cache_dir)
    return model
