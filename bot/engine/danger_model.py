"""A statistical second opinion for triage, learned from team-written examples.

Danger phrases and cues (bot/engine/triage.py) are precise but only know the wordings someone
wrote down; frightened people describe danger in endless ways. This model learns from labelled
example messages kept as content (content/triage/*.yaml: text and urgent true/false), so
editors improve it by adding examples, not code. A logistic regression over the features of
bot/language/textmodel.py (letters, stems, and whole words, which keep the endings that carry
meaning in Turkic and Iranian languages), trained once for a given set of examples and then
kept in var/. What it learns from: bot/engine/triage.py training_examples().
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.language.textmodel import LinearScorer, make_features, remembered

# Fewer examples than this (of either kind) teach nothing reliable: triage then uses rules only.
MIN_EXAMPLES = 20


class DangerModel:
    def __init__(self, examples: Sequence[tuple[str, bool]]) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        features = make_features(("letters", "stems", "words"))
        regression = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
        pipeline = make_pipeline(features, regression)
        pipeline.fit([text for text, _ in examples], [int(u) for _, u in examples])
        self._scorer = LinearScorer(features, regression.coef_, regression.intercept_)
        # Kept only in the process that trained it (tests compare against it), never stored.
        self.pipeline: Any = pipeline

    def __getstate__(self) -> dict[str, Any]:
        return {"_scorer": self._scorer, "pipeline": None}

    @classmethod
    def from_examples(
        cls, examples: Sequence[tuple[str, bool]], cache_dir: Path | None = None
    ) -> DangerModel | None:
        """A model, or None with too few examples. The same examples give the same model, so
        it is trained once per process (and, with a cache folder, once per content)."""
        urgent = sum(1 for _, label in examples if label)
        if min(urgent, len(examples) - urgent) < MIN_EXAMPLES:
            return None
        return remembered(cache_dir, "danger", list(examples), lambda: DangerModel(examples))

    def probability(self, text: str) -> float:
        """How likely the message is about danger now, 0..1."""
        return 1.0 / (1.0 + math.exp(-float(self._scorer.logits(text)[0])))
