from __future__ import annotations

from bot.content.model import ContentTree, Node, Text
from bot.engine.triage import Triage


def triage_with(*phrases: str) -> Triage:
    node = Node(id="urgent", texts={"ru": Text("Опасность", "Звоните.")},
                triggers={"ru": phrases})
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


def test_no_triggers_means_nothing_is_urgent():
    empty = Triage(ContentTree(nodes={}, hotlines=[]))
    assert empty.check("меня заперли") is None
