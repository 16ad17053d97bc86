from __future__ import annotations

from bot.content.model import ContentTree, Node, Text
from bot.engine.triage import Triage


def triage_with(*triggers: str, cues: dict[str, float] | None = None) -> Triage:
    node = Node(
        id="urgent",
        texts={"ru": Text("Опасность", "Звоните.")},
        triggers={"ru": triggers},
        cues={"ru": cues or {}},
    )
    return Triage(ContentTree(nodes={"urgent": node}, hotlines=[]))


def test_phrase_words_must_be_close_together():
    triage = triage_with("нас закрыли")
    assert triage.check("нас закрыли на складе")
    assert triage.check("закрыли нас всех на складе")
    assert not triage.check("нас позвали на работу, а через месяц магазин закрыли")


def test_small_words_count():
    triage = triage_with("продали меня")
    assert triage.check("меня продали в рабство")
    assert not triage.check("нерусским не продаем")


def test_typos_and_transliteration_are_read():
    triage = triage_with("не выпускают")
    assert triage.check("ne vypuskayut s zavoda")
    assert triage.check("не выпускаюут")


def test_no_phrases_means_nothing_is_urgent():
    empty = Triage(ContentTree(nodes={}, hotlines=[]))
    assert empty.check("меня заперли") is None
    assert empty.assess("меня заперли").score == 0


def test_soft_cues_add_up_to_urgent():
    triage = triage_with(cues={"адреса не знаю": 0.5, "дверь снаружи": 0.5, "сейчас": 0.2})
    assert triage.assess("дверь снаружи закрыта").score == 0.5
    assert not triage.check("дверь снаружи закрыта")
    found = triage.check("дверь снаружи закрыта, адреса не знаю")
    assert found is not None and found.score == 1.0
    assert {p.text for p in found.found} == {"адреса не знаю", "дверь снаружи"}


def test_calm_cues_outweigh_a_danger_phrase_told_in_the_past():
    triage = triage_with("избили", cues={"год назад": -0.6, "сейчас": 0.3, "опять": 0.3})
    assert not triage.check("год назад меня избили, где получить справку")
    assert triage.check("год назад избили и сейчас опять")


def test_triggers_count_once():
    triage = triage_with("избили", "меня избили", cues={"раньше": -0.5})
    assert triage.assess("меня избили").score == 1.0
    assert not triage.check("раньше меня избили")
