"""Which language the hotline answers in: the person's choice first, then what they write,
then the channel's hint; a switch is offered once, and a page in another language says so."""

from __future__ import annotations

from bot.engine.conversation import OPERATOR_NODE, Conversation
from bot.engine.messages import Inbound, Outcome, State

KYRGYZ = "паспортумду кожоюн алып коюптур, эмне кылсам болот"
RUSSIAN = "работодатель забрал паспорт что делать"


def say(conversation: Conversation, state: State, text: str | None = None, **fields) -> Outcome:
    inbound = Inbound(channel="cli", address="a", text=text, **fields)
    return conversation.respond(state, inbound)


def test_a_new_person_is_answered_in_the_language_they_write(conversation):
    outcome = say(conversation, State(), KYRGYZ)
    assert outcome.state.language == "ky"
    assert outcome.state.language_from == "text"
    assert outcome.replies[0].language == "ky"
    # No language picker: what they wrote already said it.
    assert not any(o.data.startswith("language:") for r in outcome.replies for o in r.options)


def test_what_a_person_writes_outranks_the_channels_hint(conversation):
    outcome = say(conversation, State(), KYRGYZ, language_hint="ru")
    assert outcome.state.language == "ky"


def test_a_chosen_language_is_kept_and_a_switch_offered_once(conversation):
    state = State(language="ru", language_from="chosen", started=True)
    first = say(conversation, state, KYRGYZ)
    assert first.state.language == "ru"
    offer = first.replies[-1]
    assert offer.language == "ky"
    assert [o.data for o in offer.options] == ["language:ky", "keep-language"]
    assert first.state.offered == ["ky"]
    # Asked once: the next Kyrgyz message is answered without asking again.
    again = say(conversation, first.state, KYRGYZ)
    assert all(o.data != "language:ky" for r in again.replies for o in r.options)
    accepted = say(conversation, first.state, option="language:ky")
    assert (accepted.state.language, accepted.state.language_from) == ("ky", "chosen")


def test_one_word_never_switches_the_language(conversation):
    state = State(language="ky", language_from="text", started=True)
    outcome = say(conversation, state, "паспорт")
    assert outcome.state.language == "ky" and outcome.state.offered == []


def test_keeping_the_language_makes_it_a_choice(conversation):
    state = State(language="ru", language_from="text", started=True, offered=["ky"])
    kept = say(conversation, state, option="keep-language")
    assert kept.state.language == "ru" and kept.state.language_from == "chosen"


def test_writing_russian_to_a_russian_speaker_changes_nothing(conversation):
    state = State(language="ru", language_from="chosen", started=True)
    outcome = say(conversation, state, RUSSIAN)
    assert outcome.state.offered == [] and len(outcome.replies) == 1


def test_a_page_in_another_language_says_so_and_offers_a_person(conversation, tree):
    # Dari has the safety core only: work/permit falls back to Russian.
    assert "fa-AF" not in tree.nodes["work/permit"].texts
    state = State(language="fa-AF", language_from="chosen", started=True)
    outcome = say(conversation, state, option="open:work/permit")
    reply = outcome.replies[0]
    assert reply.language == "ru"
    notice = conversation.gettext("fa-AF")(
        "This page is not in your language yet, so here it is in {language}. "
        "You can also ask for a person who speaks your language."
    )
    assert notice.split("{language}")[0] in reply.text
    assert reply.options[0].data == f"open:{OPERATOR_NODE}"
    # The safety core is there in Dari: no notice.
    urgent = say(conversation, state, option="open:trafficking/passport-taken").replies[0]
    assert urgent.language == "fa-AF"
    assert notice.split("{language}")[0] not in urgent.text


def test_uzbek_in_cyrillic_reaches_the_same_page_as_in_latin(conversation):
    latin = say(conversation, State(), "ish haqimni bermayapti, 3 oy ishladim").replies[0].node
    cyrillic = say(conversation, State(), "иш ҳақимни бермаяпти, 3 ой ишладим").replies[0].node
    assert latin == cyrillic == "trafficking/unpaid-wages"


def test_numbers_in_right_to_left_text_stay_left_to_right(conversation):
    state = State(language="ps", language_from="chosen", country="TR", started=True)
    reply = say(conversation, state, option="open:urgent").replies[0]
    assert reply.language == "ps"
    assert "\u2066112\u2069" in reply.text
    russian = say(
        conversation, State(language="ru", country="TR", started=True), option="open:urgent"
    )
    assert "\u2066" not in russian.replies[0].text and "112" in russian.replies[0].text


def test_erase_is_understood_in_our_languages(conversation):
    state = State(language="kk", started=True)
    for word in ("өшіру", "o'chir", "ўчир", "öçür", "پاک کړه"):
        outcome = say(conversation, state, word)
        assert [o.data for o in outcome.replies[0].options][0] == "forget:yes", word
        assert not outcome.erase  # asked first, never done at once


SAME_QUESTION = {
    "ru": "работодатель забрал мой паспорт и не отдает",
    "kk": "жұмыс беруші паспортымды алып қойды, бермейді",
    "ky": "иш берүүчү паспортумду алып алды, бербей жатат",
    "tg": "корфармо шиносномаамро гирифт ва намедиҳад",
    "uz": "ish beruvchi pasportimni olib qoʻydi, bermayapti",
    "tk": "iş beriji pasportymy aldy, yzyna bermeýär",
    "en": "my employer took my passport and does not give it back",
    "fa-AF": "کارفرما پاسپورتم را گرفته و پس نمی‌دهد",
    "ps": "کارګمارونکي زما پاسپورټ اخیستی او بېرته یې نه راکوي",
}


def test_the_same_question_in_every_language_reaches_the_same_page(conversation):
    for language, text in SAME_QUESTION.items():
        guess, reading = conversation.read(text)
        assert guess is not None and guess.language == language, (language, guess)
        nodes = [m.node for m in conversation.index.match(reading, 3)]
        assert "trafficking/passport-taken" in nodes, (language, nodes)
