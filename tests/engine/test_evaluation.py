"""The team-written evaluation sets (tests/data/eval*_<language>.yaml): realistic messages with
typos, transliteration and mixed words, each with the node that answers it, whether the person
is in danger now, and its language. Written independently of the content: never copy them
into content/ (scripts/bench_language.py prints the same figures).

The bars, per language: language detection at least 95%, top-3 node at least 85% (90% on the
large Russian set), urgent recall 100%, false urgent at most 3%."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.conversation import Conversation
from bot.language.evaluation import Figures, evaluate, load_cases

DATA = Path(__file__).resolve().parent.parent / "data"
SETS = sorted(DATA.glob("eval*_*.yaml"))
TOP3 = {"eval_ru": 0.90}
# Where a language is still below a bar, what it reaches now (measured on the set, never
# tuned on it): the suite holds that floor so nothing slips back, and the bar stays the aim.
# The languages issue is open while anything is listed here. Fractions of the set's messages.
# Measured on 2026-12-01, after changes tuned on our own development sets only (more
# team-written examples and cues, denied words, spoken Dari, chat Latin without soft signs):
# every set meets every bar, so nothing is listed.
SHORTFALLS: dict[str, dict[str, float]] = {}


def _bar(name: str, figure: str, bar: float) -> float:
    return SHORTFALLS.get(name, {}).get(figure, bar)


@pytest.fixture(scope="module")
def figures(conversation: Conversation) -> dict[str, Figures]:
    return {path.stem: evaluate(conversation, load_cases(path)) for path in SETS}


def test_every_language_has_a_set():
    languages = {path.stem.split("_", 1)[1] for path in SETS}
    assert languages == {"ru", "kk", "ky", "tg", "uz", "tk", "en", "fa-AF", "ps"}


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_the_set_is_large_and_well_formed(path: Path, tree):
    cases = load_cases(path)
    assert len(cases) >= 30
    assert sum(c["urgent"] for c in cases) >= 8
    for case in cases:
        assert case["node"] in tree.nodes, case
        assert case["urgent"] == (case["node"] == "urgent"), case
        assert case["language"] == path.stem.split("_", 1)[1], case


@pytest.mark.parametrize("name", [p.stem for p in SETS])
def test_language_detection_is_at_least_95_percent(figures, name: str):
    found = figures[name]
    assert found.detected / found.messages >= _bar(name, "detection", 0.95), found.misses


@pytest.mark.parametrize("name", [p.stem for p in SETS])
def test_urgent_recall_is_complete(figures, name: str):
    found = figures[name]
    recall = found.urgent_found / found.urgent
    assert recall >= _bar(name, "urgent_recall", 1.0), [m for m in found.misses if "(urgent)" in m]


@pytest.mark.parametrize("name", [p.stem for p in SETS])
def test_false_urgent_is_at_most_three_percent(figures, name: str):
    found = figures[name]
    false_urgent = found.calm_flagged / found.calm
    assert false_urgent <= _bar(name, "false_urgent", 0.03), [
        m for m in found.misses if "false" in m
    ]


@pytest.mark.parametrize("name", [p.stem for p in SETS])
def test_top3_accuracy(figures, name: str):
    found = figures[name]
    assert found.top3 / found.messages >= _bar(name, "top3", TOP3.get(name, 0.85)), found.misses


def test_shortfalls_are_real():
    # A floor at or above its bar is no shortfall: take it out (the bar then holds).
    bars = {"detection": 0.95, "urgent_recall": 1.0, "top3": 0.85}
    for name, floors in SHORTFALLS.items():
        for figure, floor in floors.items():
            if figure == "false_urgent":
                assert floor > 0.03, (name, figure)
            else:
                assert floor < bars[figure], (name, figure)


@pytest.mark.parametrize(
    "text", ["паспорт", "помогите найти работу", "забрали паспорт", "не платят зарплату"]
)
def test_ordinary_trouble_is_not_urgent(conversation: Conversation, text):
    assert conversation.triage.check(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "дигар намехоҳам зиндагӣ кунам",  # the wish first, then the verb
        "намехохам зинда бошам",  # without the Tajik letters
        "хоҳарамро ба Дубай бурданд, намегузоранд баргардад",  # not let back home
    ],
)
def test_tajik_danger_in_its_other_common_forms_is_urgent(conversation: Conversation, text):
    guess, read = conversation.read(text)
    assert conversation.is_urgent(read, guess)
