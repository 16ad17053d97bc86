"""Uzbek in both scripts: the official letter correspondence, both ways."""

from __future__ import annotations

import pytest

from bot.language import uzbek
from bot.language.normalize import stems_ru


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("паспортимни олиб қўйишди", "pasportimni olib qoʻyishdi"),
        ("ғазна", "gʻazna"),
        ("шаҳар", "shahar"),
        ("чой", "choy"),
        ("ёрдам", "yordam"),
        ("Ўзбекистон", "oʻzbekiston"),
        ("маъно", "maʼno"),
    ],
)
def test_cyrillic_and_latin_correspond(cyrillic: str, latin: str):
    assert uzbek.to_latin(cyrillic) == latin
    assert uzbek.to_cyrillic(latin) == cyrillic.lower()


@pytest.mark.parametrize("typed", ["qo'yishdi", "qo`yishdi", "qoʻyishdi", "қўйишди"])
def test_every_way_of_typing_oʻ_reads_the_same(typed: str):
    assert stems_ru(typed) == stems_ru("qoʻyishdi")


def test_other_text_is_left_alone():
    assert uzbek.to_latin("ok 123 🙂") == "ok 123 🙂"
    assert not uzbek.has_cyrillic("pasport")
    assert uzbek.has_cyrillic("паспорт")
