"""The danger model: learned from content examples, scored exactly as scikit-learn would."""

from __future__ import annotations

import pytest

from bot.engine.danger_model import MIN_EXAMPLES, DangerModel


@pytest.fixture(scope="module")
def model(tree) -> DangerModel:
    built = DangerModel.from_examples(tree.examples)
    assert built is not None
    return built


def test_the_shipped_examples_are_enough_and_balanced(tree):
    urgent = sum(1 for _, label in tree.examples if label)
    assert urgent >= 300 and len(tree.examples) - urgent >= 300


def test_fast_scoring_equals_scikit_learns(model, tree):
    texts = [text for text, _ in tree.examples[::7]] + ["", "🙂", "pasport zabrali", "я" * 5000]
    for text in texts:
        expected = model.pipeline.predict_proba([text])[0][1]
        assert model.probability(text) == pytest.approx(expected, abs=1e-9)


def test_it_tells_danger_from_calm_look_alikes(model):
    assert model.probability("нас держат в подвале, дверь снаружи закрыта, адреса не знаю") > 0.8
    assert model.probability("как получить патент в москве") < 0.2


def test_too_few_examples_mean_no_model():
    few = [("меня заперли", True)] * (MIN_EXAMPLES - 1) + [("как патент", False)] * 100
    assert DangerModel.from_examples(few) is None
    assert DangerModel.from_examples([]) is None
