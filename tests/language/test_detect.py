"""The language detector tells our nine languages apart in short messages, in either script
and without the special letters, and says when it is not sure."""

from __future__ import annotations

import pytest

from bot.content.loader import LANGUAGES
from bot.content.model import ContentTree, Node, Text
from bot.engine.conversation import Conversation
from bot.language.detect import LanguageDetector, features


@pytest.fixture(scope="module")
def detector(conversation: Conversation) -> LanguageDetector:
    return conversation.detector


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("У меня забрали паспорт, что делать?", "ru"),
        ("ЁЛКИ, ГДЕ МОЙ ПАСПОРТ", "ru"),
        ("u menya zabrali pasport, chto delat", "ru"),
        ("пасспорт zabrali", "ru"),
        ("Менің паспортымды алып қойды, не істеуім керек?", "kk"),
        ("Жұмыс берушім ақша төлемейді", "kk"),
        ("Мен Орусияда иштейм, жардам бериңиз", "ky"),
        ("Менин үйүм жок, көмөк керек", "ky"),
        ("паспортумду алып коюшту эмне кылам", "ky"),  # without ң ө ү
        ("Шиносномаи маро гирифтанд, чӣ кор кунам?", "tg"),
        ("Ман ҷои кор меҷӯям", "tg"),
        ("Паспортимни олиб қўйишди, нима қилай?", "uz"),
        ("Men o'zbekman, pasportimni olib qo'yishdi", "uz"),
        ("pasportimni olib qoyishdi", "uz"),
        ("Pasportymy aldylar, näme etmeli?", "tk"),
        ("ishim yok komek gerek", "tk"),
        ("My employer took my passport, what can I do?", "en"),
        ("پاسپورتم را گرفتند، چه کنم؟", "fa-AF"),
        ("زما پاسپورټ یې واخیست، څه وکړم؟", "ps"),
    ],
)
def test_detects_the_language_of_a_message(detector, text: str, language: str):
    guess = detector.guess(text)
    assert guess is not None and guess.language == language


def test_one_word_is_never_enough_to_act_on(detector):
    guess = detector.guess("паспорт")
    assert guess is not None and not guess.confident


def test_a_clear_sentence_is_confident(detector):
    guess = detector.guess("паспортумду алып коюшту, эмне кылышым керек")
    assert guess is not None and guess.confident and guess.language == "ky"


@pytest.mark.parametrize("text", ["", "   ", "\x00\n", "123", "!!!", "🙂🙂"])
def test_text_without_letters_has_no_language(detector, text: str):
    assert detector.guess(text) is None
    assert detector.detect(text) == "ru"


def test_huge_repeated_input_is_detected(detector):
    assert detector.detect("Менің паспортым " * 50_000) == "kk"
    assert detector.detect("help me please " * 50_000) == "en"


def test_arabic_script_is_only_dari_or_pashto(detector):
    assert detector.detect("سلام") in ("fa-AF", "ps")
    assert detector.detect("privet brat, kak dela, gde rabotaesh") == "ru"


def test_features_are_letters_and_words():
    grams = features("Ой, БАЙ")
    assert "w:ой" in grams and " ой " in grams and "w:бай" in grams and "б" in grams


def test_a_detector_learns_only_from_the_content_it_is_given():
    texts = {
        "ru": "Работодатель забрал паспорт. Что делать дальше",
        "tk": "Iş beriji pasportymy aldy. Näme etmeli indi",
    }
    nodes = {
        f"n{i}": Node(id=f"n{i}", texts={lang: Text(title=lang, body=body * 2)})
        for i, (lang, body) in enumerate(texts.items())
    }
    detector = LanguageDetector.for_tree(ContentTree(nodes=nodes, hotlines=[]))
    assert set(detector.languages) <= set(LANGUAGES)
    assert detector.detect("pasportymy aldy") == "tk"
    assert detector.detect("забрал паспорт") == "ru"


def test_a_tree_in_one_language_or_none_detects_nothing():
    for nodes in ({}, {"a": Node(id="a", texts={"ru": Text("А", "Текст про паспорт.")})}):
        detector = LanguageDetector.for_tree(ContentTree(nodes=nodes, hotlines=[]))
        assert detector.guess("паспорт забрали") is None
        assert detector.detect("паспорт забрали", default="ru") == "ru"
