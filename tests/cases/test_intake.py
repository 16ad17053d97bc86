"""The person's side of a case, through the real switchboard and database."""

from __future__ import annotations

from bot.cases.intake import MAX_CODE_TRIES
from tests.cases.conftest import add_organisation, cases, lines, say

PHONE = "+996555123456"


async def test_asking_for_a_person_opens_one_case_routed_by_country_and_language(started):
    await add_organisation(started, "kg-line", countries=["KG"], languages=["ru", "ky"],
                           phone="+996312000000", urgent_minutes=5)  # fmt: skip
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "77", option="country:KG"))
    replies = await switchboard.receive(say("telegram", "77", "хочу поговорить с человеком"))
    [case] = await cases(started)
    assert case.organisation_id == "kg-line" and case.status == "waiting"
    assert case.country == "KG" and case.language == "ru" and not case.urgent
    code = started.vault.open(case.code_enc)
    notice = replies[-1].text
    assert code in notice and "KG-LINE" in notice and "+996312000000" in notice
    assert "/menu" in notice
    # Asking again continues the same case.
    await switchboard.receive(say("telegram", "77", "/operator"))
    assert len(await cases(started)) == 1


async def test_while_a_case_is_open_words_go_to_the_operator_and_danger_raises_it(started):
    switchboard = started.switchboard
    await switchboard.receive(say("sms", PHONE, "/operator"))
    replies = await switchboard.receive(say("sms", PHONE, "работодатель не платит третий месяц"))
    assert replies == []  # the operator answers, not the bot
    [case] = await cases(started)
    assert case.organisation_id == "hotline" and not case.urgent
    replies = await switchboard.receive(say("sms", PHONE, "нас заперли и бьют"))
    assert replies and replies[0].urgent  # the emergency numbers at once
    [case] = await cases(started)
    assert case.urgent and case.reason == "urgent"
    assert [text for _author, text in await lines(started, case.id)] == [
        "работодатель не платит третий месяц",
        "нас заперли и бьют",
    ]


async def test_a_photo_in_a_case_is_noted_for_the_operator(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "5", "/operator"))
    assert await switchboard.receive(say("telegram", "5", None, attachment="photo")) == []
    [case] = await cases(started)
    assert await lines(started, case.id) == [("person", "[photo]")]


async def test_menu_leaves_the_case_and_the_code_brings_the_person_back(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "8", "/operator"))
    [case] = await cases(started)
    code = started.vault.open(case.code_enc)
    replies = await switchboard.receive(say("telegram", "8", "/menu"))
    assert code in replies[0].text and replies[1].options  # the notice, then the menu
    replies = await switchboard.receive(say("telegram", "8", "как получить патент"))
    assert replies and replies[0].node  # the bot answers again
    [case] = await cases(started)
    assert case.person_left_at is not None and case.status == "waiting"
    replies = await switchboard.receive(say("telegram", "8", code.lower()))
    assert code in replies[0].text
    [case] = await cases(started)
    assert case.person_left_at is None
    assert await switchboard.receive(say("telegram", "8", "спасибо, жду ответа")) == []


async def test_a_code_from_a_new_number_reconnects_once_the_person_confirms(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "100", "/operator", language_hint="ky"))
    [case] = await cases(started)
    code = started.vault.open(case.code_enc)
    new_sim = "+77011234567"
    replies = await switchboard.receive(say("sms", new_sim, code, language_hint=None))
    assert code in replies[0].text and [o.data for o in replies[0].options] == [
        "case:yes",
        "case:no",
    ]
    [unchanged] = await cases(started)
    assert unchanged.contact_id == case.contact_id  # nothing moves before they confirm
    replies = await switchboard.receive(say("sms", new_sim, option="case:yes", language_hint=None))
    [moved] = await cases(started)
    assert moved.contact_id != case.contact_id and moved.channel == "sms"
    assert replies[0].language == "ky"  # the case's language, on a SIM that had none
    assert await switchboard.receive(say("sms", new_sim, "рахмат, күтөм")) == []
    authors = [author for author, _text in await lines(started, moved.id)]
    assert authors == ["hotline", "person"]


async def test_saying_no_or_an_unknown_code_changes_nothing_and_reveals_nothing(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "200", "/operator"))
    [case] = await cases(started)
    code = started.vault.open(case.code_enc)
    await switchboard.receive(say("telegram", "201", code))
    replies = await switchboard.receive(say("telegram", "201", option="case:no"))
    assert replies[1].options  # back at the menu
    [still] = await cases(started)
    assert still.contact_id == case.contact_id
    # A confirmation without a pending code (a forged button) does nothing either.
    await switchboard.receive(say("telegram", "201", option="case:yes"))
    [still] = await cases(started)
    assert still.contact_id == case.contact_id
    # A code that is no case is an ordinary message: same answer as any unmatched word.
    unknown = await switchboard.receive(say("telegram", "202", "XXX-YYY"))
    fake = "ACD-346" if code != "ACD-346" else "ACD-347"
    looks_like_one = await switchboard.receive(say("telegram", "203", fake))
    assert [r.text for r in unknown] == [r.text for r in looks_like_one]


async def test_guessing_codes_stops_working_after_a_few_tries(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "300", "/operator"))
    [case] = await cases(started)
    code = started.vault.open(case.code_enc)
    guesses = [f"AC{a}-{b}QX" for a in "DEF" for b in "3467"][:MAX_CODE_TRIES]
    for guess in (g for g in guesses if g != code):
        await switchboard.receive(say("telegram", "301", guess))
    replies = await switchboard.receive(say("telegram", "301", code))
    assert all(o.data != "case:yes" for r in replies for o in r.options)


async def test_an_urgent_message_opens_an_urgent_case_with_the_persons_words(started):
    replies = await started.switchboard.receive(say("sms", PHONE, "меня заперли помогите"))
    assert replies[0].urgent
    [case] = await cases(started)
    assert case.urgent and case.reason == "urgent" and case.topic == "emergency"
    assert await lines(started, case.id) == [("person", "меня заперли помогите")]
    assert case.deadline_at is not None


async def test_forget_closes_the_case_and_removes_every_line(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "400", "/operator"))
    await switchboard.receive(say("telegram", "400", "мой адрес улица Ленина 5"))
    await switchboard.receive(say("telegram", "400", option="forget:yes"))
    [case] = await cases(started)
    assert case.contact_id is None and case.status == "closed" and case.outcome == "erased"
    assert await lines(started, case.id) == []


async def test_on_sms_the_numbered_answer_confirms_the_reconnection(started):
    switchboard = started.switchboard
    await switchboard.receive(say("telegram", "500", "/operator"))
    [case] = await cases(started)
    code = started.vault.open(case.code_enc)
    await switchboard.receive(say("sms", PHONE, code.replace("-", " ").lower()))
    await switchboard.receive(say("sms", PHONE, "1"))
    [moved] = await cases(started)
    assert moved.channel == "sms" and moved.contact_id != case.contact_id
