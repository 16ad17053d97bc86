"""The team-written Russian evaluation set (tests/data/eval_ru.yaml): realistic messages with
typos, transliteration and mixed words, each with the node that answers it and whether the
person is in danger now. The figures are the issue's bar; `scripts/bench_engine.py` prints
them too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.engine.conversation import Conversation

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval_ru.yaml"


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return yaml.safe_load(EVAL.read_text(encoding="utf-8"))


def test_the_set_is_large_and_well_formed(cases, tree):
    assert len(cases) >= 100
    for case in cases:
        assert case["node"] in tree.nodes, case
        assert case["urgent"] == (case["node"] == "urgent"), case


def test_urgent_recall_is_complete(cases, conversation: Conversation):
    missed = [c["text"] for c in cases if c["urgent"] and not conversation.triage.check(c["text"])]
    assert missed == []


def test_false_urgent_is_at_most_three_percent(cases, conversation: Conversation):
    calm = [c["text"] for c in cases if not c["urgent"]]
    flagged = [t for t in calm if conversation.triage.check(t)]
    assert len(flagged) / len(calm) <= 0.03, flagged


def test_top3_accuracy_is_at_least_90_percent(cases, conversation: Conversation):
    hits, misses = 0, []
    for case in cases:
        if case["urgent"]:
            found = conversation.triage.check(case["text"]) is not None
        else:
            found = case["node"] in [m.node for m in conversation.index.match(case["text"], 3)]
        hits += found
        if not found:
            misses.append((case["node"], case["text"]))
    assert hits / len(cases) >= 0.90, misses


@pytest.mark.parametrize(
    "text", ["паспорт", "помогите найти работу", "забрали паспорт", "не платят зарплату"]
)
def test_ordinary_trouble_is_not_urgent(conversation: Conversation, text):
    assert conversation.triage.check(text) is None
