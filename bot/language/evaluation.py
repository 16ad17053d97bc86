"""How well the hotline understands each language, measured on labelled messages (the team's
sets in tests/data/eval_<language>.yaml): language detection, top-3 node accuracy, urgent
recall and false urgent. The suite asserts the bars; scripts/bench_language.py prints them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.engine.conversation import Conversation


@dataclass
class Figures:
    messages: int = 0
    detected: int = 0
    top3: int = 0
    urgent: int = 0
    urgent_found: int = 0
    calm: int = 0
    calm_flagged: int = 0
    misses: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "detection": round(self.detected / self.messages, 3),
            "top3": round(self.top3 / self.messages, 3),
            "urgent_recall": round(self.urgent_found / self.urgent, 3) if self.urgent else None,
            "false_urgent": round(self.calm_flagged / self.calm, 3) if self.calm else None,
        }


def load_cases(path: Path) -> list[dict[str, Any]]:
    """A set's cases; a case without `language` is in the file's (eval_kk.yaml: kk)."""
    language = path.stem.split("_", 1)[1]
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [{"language": language, **case} for case in cases]


def evaluate(
    conversation: Conversation,
    cases: Sequence[dict[str, Any]],
    detect: Callable[[str], str | None] | None = None,
) -> Figures:
    """`detect` defaults to the hotline's own detector; pass another to compare."""
    detect = detect or conversation.detector.detect
    figures = Figures()
    for case in cases:
        figures.messages += 1
        language = detect(case["text"])
        guess, text = conversation.read(case["text"])
        if language == case["language"]:
            figures.detected += 1
        else:
            figures.misses.append(f"language {language} for {case['language']}: {text}")
        urgent = conversation.is_urgent(text, guess)
        if case["urgent"]:
            figures.urgent += 1
            figures.urgent_found += urgent
            found = urgent
        else:
            figures.calm += 1
            figures.calm_flagged += urgent
            if urgent:
                figures.misses.append(f"false urgent: {text}")
            found = case["node"] in [m.node for m in conversation.index.match(text, 3)]
        figures.top3 += found
        if not found:
            figures.misses.append(f"not in top 3 ({case['node']}): {text}")
    return figures
