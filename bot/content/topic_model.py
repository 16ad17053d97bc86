"""Which node a question is about, learned from team-written example questions.

Keywords (bot/content/index.py) match the words editors thought of; the model learns from
example questions kept as content (content/matching/*.yaml: text and node) plus every node's
keywords and titles, so it recognises the many other ways people ask. A linear classifier (log
loss, fitted by stochastic gradient descent: a sixth of the time of the exact solver here, for
the same accuracy) over the features of bot/language/textmodel.py, trained once for a given
content and then kept in var/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.content.model import ContentTree
from bot.language.textmodel import LinearScorer, make_features, remembered

# Below this many example questions in all, the keywords alone are better than a model.
MIN_QUESTIONS = 50


class TopicModel:
    def __init__(self, examples: Sequence[tuple[str, str]]) -> None:
        from sklearn.linear_model import SGDClassifier
        from sklearn.pipeline import make_pipeline

        features = make_features()
        # A fixed seed: the same content always gives the same model and the same answers.
        regression = SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=0
        )
        pipeline = make_pipeline(features, regression)
        pipeline.fit([text for text, _ in examples], [node for _, node in examples])
        self.nodes: list[str] = list(regression.classes_)
        self._scorer = LinearScorer(features, regression.coef_, regression.intercept_)
        # Kept only in the process that trained it (tests compare against it), never stored.
        self.pipeline: Any = pipeline

    def __getstate__(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "_scorer": self._scorer, "pipeline": None}

    @classmethod
    def for_tree(cls, tree: ContentTree, cache_dir: Path | None = None) -> TopicModel | None:
        """A model over the tree's articles, or None without enough example questions."""
        examples = _examples(tree)
        if len(tree.questions) < MIN_QUESTIONS or len({node for _, node in examples}) < 2:
            return None
        return remembered(cache_dir, "topics", examples, lambda: TopicModel(examples))

    def probabilities(self, text: str) -> dict[str, float]:
        # One-vs-rest probabilities, normalised to sum to 1, as scikit-learn computes them.
        ones = 1.0 / (1.0 + np.exp(-self._scorer.logits(text)))
        return dict(zip(self.nodes, (ones / ones.sum()).tolist(), strict=True))


def _examples(tree: ContentTree) -> list[tuple[str, str]]:
    # Articles only: a section is a menu, a question is answered by an article inside it.
    answers = {n.id for n in tree.nodes.values() if not tree.children(n.id)}
    examples = [(text, node) for text, node in tree.questions if node in answers]
    for node_id in sorted(answers):
        node = tree.nodes[node_id]
        examples += [(kw, node_id) for kws in node.keywords.values() for kw in kws]
        examples += [(text.title, node_id) for text in node.texts.values()]
    return examples
