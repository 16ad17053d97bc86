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


def test_a_denied_word_is_no_danger_word():
    triage = triage_with("бьют", "не выпускают", cues={"продали": 0.4})
    assert triage.check("нас бьют")
    assert not triage.check("менты не бьют, но унижают")
    assert triage.assess("сказали нерусским не продаем").score == 0
    assert triage.check("не выпускают со склада")


def test_chat_latin_without_soft_signs_is_read():
    triage = triage_with("убьют", "бьет жену")
    assert triage.check("menya ubyut")
    assert triage.check("sosed bet zhenu")
    assert not triage.check("убют")  # in Cyrillic the sign is on the keyboard


def test_a_reflexive_phrase_word_needs_a_reflexive_word():
    triage = triage_with("повеситься", "потерялся на вокзале", "бьют")
    assert triage.check("хочу повеситься")
    assert triage.check("хочу повесица")  # typed in haste
    assert triage.check("povesitsya")
    assert triage.check("ребенок потерялся на вокзале")
    assert triage.check("poteryalsa na vokzale")
    assert not triage.check("хочу повесить полку")
    assert not triage.check("потерял паспорт на вокзале")
    assert triage.check("нас бьют")  # a phrase word that is not reflexive is read as before
    # A phrase word that only looks reflexive in haste (-с, -са) is no reflexive word.
    assert triage_with("насильно секс").check("насильно принуждают к сексу")


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


def test_one_word_read_by_two_cues_counts_once():
    triage = triage_with(cues={"заставляют": 0.4, "заставили": 0.35, "сауна": 0.3})
    assert triage.assess("заставляли").score == 0.4
    assert triage.assess("сауна, заставляли").score == 0.7


class SureModel:
    """A stand-in danger model that always gives the same probability."""

    def __init__(self, probability: float) -> None:
        self.p = probability

    def probability(self, text: str) -> float:
        return self.p


def triage_in(language: str, texts: dict[str, str], triggers=(), cues=None) -> Triage:
    """A triage whose urgent node has phrases in one language and curated texts in others."""
    node = Node(
        id="urgent",
        texts={lang: Text("Title", body) for lang, body in texts.items()},
        triggers={language: tuple(triggers)},
        cues={language: cues or {}},
    )
    return Triage(ContentTree(nodes={"urgent": node}, hotlines=[]))


def test_a_word_of_the_texts_is_no_typo_of_a_danger_word():
    # Tajik мекунанд "they do" is one letter from мекушанд "they kill": a word the curated
    # texts use is spelled right, so it is not read as the other one; unknown typos still are.
    triage = triage_in("tg", {"tg": "Онҳо кор мекунанд."}, triggers=["маро мекушанд"])
    tajik = frozenset({"tg"})
    assert triage.check("маро мекушанд", tajik)
    assert triage.check("маро мекушаннд", tajik)
    assert not triage.check("маро кор мекунанд", tajik)


def test_a_known_word_may_still_differ_in_its_ending():
    triage = triage_in("ru", {"ru": "Если вас заперли, звоните."}, triggers=["заперли нас"])
    assert triage.check("нас заперлии")
    assert triage.check("заперли нас на складе")


def test_a_typo_keeps_the_first_letter():
    triage = triage_in("en", {}, triggers=["kicking me"])
    english = frozenset({"en"})
    assert triage.check("he is kickinng me", english)
    assert not triage.check("they are picking me up at noon", english)


def test_spoken_dari_meets_written_phrases():
    triage = triage_in("fa-AF", {}, triggers=["مرا لت کردند"])
    dari = frozenset({"fa-AF"})
    assert triage.check("مرا لت کردن", dari)
    assert not triage.check("مرا لت", dari)


def test_russian_phrases_are_not_read_into_words_of_the_other_language():
    # Tajik бо "with" stems like Russian боюсь; in a Tajik message it is a Tajik word.
    triage = triage_in("ru", {"ru": "Позвоните.", "tg": "Бо мо занг занед."},
                       cues={"боюсь": 1.0})  # fmt: skip
    both = frozenset({"tg", "ru"})
    assert triage.check("боюсь", frozenset({"ru"}))
    assert triage.check("ман боюсь", both)
    assert not triage.check("ман бо бародарам омадам", both)


def test_spellings_of_one_cue_count_once():
    triage = triage_in("uz", {}, cues={"qamab qo'yishdi": 0.6, "qamab qoyishdi": 0.6})
    assert triage.assess("qamab qo'yishdi").score == 0.6


def test_a_trigger_outweighs_a_cue_of_the_same_words():
    triage = triage_with("меня заперли", cues={"меня заперли": 0.3})
    assert triage.check("меня заперли")


def test_the_model_may_not_talk_down_a_danger_phrase_unless_it_is_very_sure():
    triage = triage_with("меня избили")
    triage.model = SureModel(0.2)
    assert triage.check("меня избили")
    triage.model = SureModel(0.01)
    assert not triage.check("в кино меня избили, такой сюжет")


def test_the_model_may_not_talk_down_a_bare_danger_phrase():
    triage = triage_with("повеситься")
    triage.model = SureModel(0.01)
    assert triage.check("хочу повеситься")


def test_a_calm_sign_beside_a_danger_phrase_lets_the_model_speak():
    triage = triage_with("меня избили", cues={"год назад": -0.3})
    triage.model = SureModel(0.2)
    assert not triage.check("год назад меня избили, нужна справка")
    triage.model = SureModel(0.7)
    assert triage.check("год назад приехал, а сейчас меня избили")


def test_a_sure_model_is_enough_on_its_own():
    triage = triage_with("меня заперли")
    triage.model = SureModel(0.95)
    assert triage.check("нас везут куда-то ночью, телефоны отобрали")
    triage.model = SureModel(0.8)
    assert not triage.check("нас везут куда-то ночью, телефоны отобрали")


def test_the_model_learns_calm_from_plain_questions_only():
    from bot.engine.triage import training_examples

    tree = ContentTree(
        nodes={},
        hotlines=[],
        examples=[("меня заперли", True)],
        questions=[
            ("как продлить патент", "work/permit"),
            ("помогите меня заперли", "urgent"),
            ("паспорт забрали и не отдают", "trafficking/passport-taken"),
        ],
    )
    assert training_examples(tree) == [
        ("меня заперли", True),
        ("как продлить патент", False),
        ("помогите меня заперли", True),
    ]
