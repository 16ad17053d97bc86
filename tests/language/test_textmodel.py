"""Features and the model cache shared by the learned models."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.engine.danger_model import DangerModel
from bot.language.normalize import as_russian
from bot.language.textmodel import cached, letter_ngrams

TEXTS = ["", "а", "ok", "pasport zabrali", "нас  закрыли\tна складе!!", "я" * 7, "🙂 ребенок один"]


@pytest.mark.parametrize("text", TEXTS)
def test_letter_ngrams_are_scikit_learns_word_bounded_ngrams(text: str):
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=as_russian)
    assert letter_ngrams(text) == reference.build_analyzer()(text)


def test_the_cache_trains_once_and_then_reads(tmp_path: Path):
    calls = []

    def train() -> list[int]:
        calls.append(1)
        return [1, 2, 3]

    assert cached(tmp_path, "thing", {"a": 1}, train) == [1, 2, 3]
    assert cached(tmp_path, "thing", {"a": 1}, train) == [1, 2, 3]
    assert len(calls) == 1
    # Other data trains anew, and the stale file goes.
    assert cached(tmp_path, "thing", {"a": 2}, train) == [1, 2, 3]
    assert len(calls) == 2 and len(list(tmp_path.glob("thing-*.pickle"))) == 1


def test_a_damaged_cache_file_is_retrained(tmp_path: Path):
    cached(tmp_path, "thing", "data", lambda: "model")
    (path,) = tmp_path.glob("thing-*.pickle")
    path.write_bytes(b"\x80not a pickle")
    assert cached(tmp_path, "thing", "data", lambda: "fresh") == "fresh"


def test_a_cached_model_scores_like_the_trained_one(tmp_path: Path, tree):
    examples = tree.examples[::3]
    trained = cached(None, "danger", examples, lambda: DangerModel(examples))
    cached(tmp_path, "danger", examples, lambda: trained)
    loaded = cached(tmp_path, "danger", examples, lambda: pytest.fail("trained again"))
    assert loaded.pipeline is None  # weights only: no scikit-learn objects in the file
    for text in ["нас держат на ферме", "как получить патент", ""]:
        assert loaded.probability(text) == trained.probability(text)


def test_whole_words_keep_their_endings():
    from bot.language.textmodel import words_and_pairs

    assert words_and_pairs("камап коюшту") == ["камап", "коюшту", "камап коюшту"]
    assert words_and_pairs("") == []
