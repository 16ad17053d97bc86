"""The topic model: learned from example questions, scored exactly as scikit-learn would."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.content.index import SearchIndex
from bot.content.topic_model import MIN_QUESTIONS, TopicModel


@pytest.fixture(scope="module")
def model(tree) -> TopicModel:
    built = TopicModel.for_tree(tree)
    assert built is not None
    return built


def test_the_shipped_questions_cover_every_contract_article(tree):
    covered = {node for _, node in tree.questions}
    articles = {n for n in tree.nodes if not tree.children(n) and n != "urgent"}
    assert articles - covered == set()


def test_fast_scoring_equals_scikit_learns(model, tree):
    texts = [text for text, _ in tree.questions[::13]] + ["", "🙂", "kak poluchit patent"]
    for text in texts:
        expected = model.pipeline.predict_proba([text])[0]
        got = model.probabilities(text)
        for node, probability in zip(model.pipeline.classes_, expected, strict=True):
            assert got[node] == pytest.approx(probability, abs=1e-9)


def test_sections_are_never_answers(model, tree):
    assert not {n for n in model.nodes if tree.children(n)}


def test_without_enough_questions_the_keywords_work_alone(tree):
    few = replace(tree, questions=tree.questions[: MIN_QUESTIONS - 1])
    assert TopicModel.for_tree(few) is None
    index = SearchIndex(few)
    assert index.model is None
    assert index.match("хозяин забрал паспорт")[0].node == "trafficking/passport-taken"


def test_nonsense_matches_nothing(tree):
    index = SearchIndex(tree)
    for text in ["квантовая хромодинамика глюоны", "", "🙂🙂", "asdf qwer zxcv"]:
        assert index.match(text) == [], text
