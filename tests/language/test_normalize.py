"""What people type becomes comparable tokens: case, ё, control characters, translit, stems."""

from __future__ import annotations

import pytest

from bot.language.normalize import (
    dari_written,
    latin_to_cyrillic,
    normalize,
    prefixes,
    stems_ru,
    typed_in_latin,
)


def test_normalize_lowers_case_and_reads_yo_as_ye():
    assert normalize("ЁЛКА Паспорт") == "елка паспорт"


def test_normalize_composes_and_folds_compatibility_forms():
    # е + combining diaeresis is ё, then е; fullwidth and ligature letters become plain ones.
    assert normalize("е\u0308лка") == "елка"
    assert normalize("ＰＡＳＳ ﬁle") == "pass file"


def test_normalize_turns_control_characters_into_single_spaces():
    assert normalize("  паспорт\x00забрали\t\r\n\x1b\u200bвчера  ") == "паспорт забрали вчера"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\n\t", "\u200b\u200b"])
def test_normalize_of_nothing_is_empty(text: str):
    assert normalize(text) == ""


def test_normalize_survives_lone_surrogates_and_huge_input():
    assert normalize("a\ud800b") == "a b"
    assert normalize("Я" * 1_000_000) == "я" * 1_000_000


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("pasport zabrali", "паспорт забрали"),
        ("ishchu rabotu", "ищу работу"),
        ("ischu", "ищу"),
        ("zhena", "жена"),
        ("khorosho", "хорошо"),
        ("xorosho", "хорошо"),
        ("chto", "что"),
        ("shkola", "школа"),
        ("tsena", "цена"),
        ("yazyk", "язык"),
        ("yurist", "юрист"),
        ("vy", "вы"),
        ("moy", "мой"),
        ("dayte", "дайте"),
        ("rabotayu", "работаю"),
    ],
)
def test_latin_to_cyrillic_reads_chat_transliteration(latin: str, cyrillic: str):
    assert latin_to_cyrillic(latin) == cyrillic


def test_latin_to_cyrillic_leaves_cyrillic_digits_and_punctuation_alone():
    assert latin_to_cyrillic("паспорт zabrali, 2 goda!") == "паспорт забрали, 2 года!"
    assert latin_to_cyrillic("мой паспорт у них") == "мой паспорт у них"
    assert latin_to_cyrillic("") == ""


def test_double_y_ending_reads_as_yi():
    assert latin_to_cyrillic("novyy vremennyy") == "новый временный"


def test_stems_drop_stopwords_and_forms():
    assert stems_ru("У меня ЗАБРАЛИ паспорт") == ["забра", "паспорт"]
    assert stems_ru("паспорта") == stems_ru("паспорту") == ["паспорт"]


def test_stems_keep_stopwords_when_asked():
    assert stems_ru("У меня забрали паспорт", keep_stopwords=True) == [
        "у",
        "мен",
        "забра",
        "паспорт",
    ]


def test_stems_read_transliteration_as_russian():
    assert stems_ru("u menya zabrali pasport") == stems_ru("У меня забрали паспорт")


def test_stems_read_latin_j_both_as_short_i_and_as_zh():
    assert stems_ru("muj") == stems_ru("муй") + stems_ru("муж")
    assert stems_ru("derjat")[-1:] == stems_ru("держат")


def test_stems_of_nothing_or_only_stopwords_are_empty():
    assert stems_ru("") == []
    assert stems_ru("и в на, у меня!") == []
    assert stems_ru("112 ...") == []


def test_stems_of_repeated_input_keep_every_word():
    assert stems_ru("паспорт " * 10_000) == ["паспорт"] * 10_000


def test_prefixes_are_proper_and_longest_first():
    assert prefixes("паспорт", 4) == ["паспор", "паспо", "пасп"]
    assert prefixes("паспорт", 7) == []
    assert prefixes("", 1) == []


def test_invisible_format_marks_do_not_split_words():
    assert normalize("пас\u00adпорт за\u200bбрали") == "паспорт забрали"


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ګولۍ مې وخوړې", "گولی می وخوری"),  # Pashto on a Persian keyboard
        ("زما ځای", "زما زای"),
        ("مرا ميكشند", "مرا میکشند"),  # Arabic yeh and kaf
        ("مرا می‌کُشند", "مرا میکشند"),  # zero-width non-joiner, vowel mark
        ("کمـــک", "کمک"),  # tatweel
    ],
)
def test_arabic_script_variants_read_the_same(typed: str, written: str):
    assert stems_ru(typed, keep_stopwords=True) == stems_ru(written, keep_stopwords=True)


def test_readings_follow_the_stems_one_for_one():
    from bot.language.normalize import readings_ru

    for text in ["", "moj pasport zabrali", "ман бо бародарам", "qamab qo'yishdi", "مرا بند کردند"]:
        assert len(readings_ru(text)) == len(stems_ru(text, keep_stopwords=True))
    assert readings_ru("ман боюсь") == ["ман", "боюсь"]


@pytest.mark.parametrize(
    ("spoken", "written"),
    [("کردن", ("کردند",)), ("میکشن", ("میکشند",)), ("کده", ("کرده",)), ("ره", ("را",))],
)
def test_spoken_dari_is_read_as_written(spoken: str, written: tuple[str, ...]):
    assert dari_written(spoken) == written


def test_most_words_have_no_spoken_reading():
    assert dari_written("من") == ()
    assert dari_written("заперли") == ()


def test_typed_in_latin_follows_the_readings():
    assert typed_in_latin("меня zaperli") == [False, True]
    assert typed_in_latin("moj") == [True, True]  # read both as мой and мож
