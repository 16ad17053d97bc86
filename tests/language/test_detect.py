"""detect() tells our languages apart by the letters only some of them use."""

from __future__ import annotations

import pytest

from bot.language.detect import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("У меня забрали паспорт, что делать?", "ru"),
        ("ЁЛКИ, ГДЕ МОЙ ПАСПОРТ", "ru"),
        ("Менің паспортымды алып қойды, не істеуім керек?", "kk"),
        ("Жұмыс берушім ақша төлемейді", "kk"),
        ("Шиносномаи маро гирифтанд, чӣ кор кунам?", "tg"),
        ("Ман ҷои кор меҷӯям", "tg"),
        ("Паспортимни олиб қўйишди, нима қилай?", "uz"),
        ("Men o'zbekman, pasportimni olib qo'yishdi", "uz"),
        ("Elchixona qayerda?", "uz"),
        ("Pasportymy aldylar, näme etmeli?", "tk"),
        ("Işim ýok, kömek gerek", "tk"),
        ("My employer took my passport, what can I do?", "en"),
        ("I need help with work", "en"),
        ("u menya zabrali pasport, chto delat", "ru"),
        ("пасспорт zabrali", "ru"),
        ("پاسپورتم را گرفتند، چه کنم؟", "fa-AF"),
        ("زما پاسپورټ یې واخیست، څه وکړم؟", "ps"),
        ("ښه ورځ", "ps"),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, language: str):
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    ["Мен Орусияда иштейм, жардам бериңиз", "Менин үйүм жок, көмөк керек"],
)
def test_kyrgyz_without_kazakh_only_letters_is_kyrgyz(text: str):
    assert detect(text) == "ky"


def test_kyrgyz_without_its_own_letters_is_read_as_russian():
    # Nothing in the letters says Kyrgyz; Russian, the base language, is the safe answer.
    assert detect("Паспортумду алып коюшту, эмне кылышым керек?") == "ru"


@pytest.mark.parametrize(
    "text", ["I have a question about my work permit", "Where can I get a quick answer?"]
)
def test_english_with_q_words_is_english(text: str):
    assert detect(text) == "en"


@pytest.mark.parametrize("text", ["", "   ", "\x00\n", "123", "!!!", "🙂🙂"])
def test_text_without_letters_is_russian(text: str):
    assert detect(text) == "ru"


def test_huge_repeated_input_is_detected():
    assert detect("Менің паспортым " * 50_000) == "kk"
    assert detect("help " * 50_000) == "en"
