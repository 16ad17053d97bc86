"""What operators do with cases, through the real desk, database and outbox."""

from __future__ import annotations

import pytest

from bot.cases.desk import CaseGone, Forbidden, NoConsent
from bot.storage.models import AuditEntry
from tests.cases.conftest import (
    add_operator,
    add_organisation,
    cases,
    lines,
    queued_to,
    rows,
    say,
)

PHONE = "+996555123456"


@pytest.fixture
async def desk_setup(started):
    await add_organisation(started, "kg-line", countries=["KG"], languages=["ru", "ky"])
    await add_organisation(started, "kz-line", countries=["KZ"], languages=["ru", "kk"])
    kg = await add_operator(started, "aigul", "kg-line", "operator")
    kz = await add_operator(started, "dana", "kz-line", "operator")
    admin = await add_operator(started, "root", "hotline", "admin")
    switchboard = started.switchboard
    await switchboard.receive(say("sms", PHONE, option="country:KG"))
    await switchboard.receive(say("sms", PHONE, "/operator"))
    await switchboard.receive(say("sms", PHONE, "хозяин не отдаёт паспорт"))
    [case] = await cases(started)
    return started, case.id, kg, kz, admin


async def test_an_operator_takes_and_answers_and_the_answer_reaches_the_persons_channel(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    [item] = await hotline.desk.queue(kg)
    assert item.id == case_id and item.last_text_preview == "хозяин не отдаёт паспорт"
    await hotline.desk.take(kg, case_id)
    await hotline.desk.reply(kg, case_id, "Здравствуйте. В каком вы городе?")
    [case] = await cases(hotline)
    assert case.status == "active" and case.operator_id == kg.id and case.deadline_at is None
    sent = await queued_to(hotline, PHONE)
    assert any("Здравствуйте. В каком вы городе?" in text for text in sent)
    view = await hotline.desk.view(kg, case_id)
    assert [line.author for line in view.lines] == ["person", "operator"]
    assert view.masked_address == "+996 *****3456" and PHONE not in repr(view)


async def test_another_organisation_cannot_see_or_touch_the_case_but_an_admin_can(desk_setup):
    hotline, case_id, _kg, kz, admin = desk_setup
    assert await hotline.desk.queue(kz) == []
    for action in (
        hotline.desk.view(kz, case_id),
        hotline.desk.take(kz, case_id),
        hotline.desk.reply(kz, case_id, "hi"),
        hotline.desk.note(kz, case_id, "hi"),
        hotline.desk.reveal_address(kz, case_id),
        hotline.desk.close(kz, case_id, "informed"),
    ):
        with pytest.raises(Forbidden):
            await action
    assert [item.id for item in await hotline.desk.queue(admin)] == [case_id]
    assert (await hotline.desk.view(admin, case_id)).id == case_id


async def test_referral_needs_recorded_consent_and_tells_the_person(desk_setup):
    hotline, case_id, kg, kz, _admin = desk_setup
    with pytest.raises(NoConsent):
        await hotline.desk.transfer(kg, case_id, "kz-line")
    await hotline.desk.record_consent(kg, case_id)
    with pytest.raises(LookupError):
        await hotline.desk.transfer(kg, case_id, "no-such-organisation")
    await hotline.desk.transfer(kg, case_id, "kz-line", "needs help in Almaty")
    [case] = await cases(hotline)
    assert case.organisation_id == "kz-line" and case.status == "waiting"
    assert case.deadline_at is not None
    assert [item.id for item in await hotline.desk.queue(kz)] == [case_id]
    with pytest.raises(Forbidden):
        await hotline.desk.view(kg, case_id)  # it is theirs now
    assert any("KZ-LINE" in text for text in await queued_to(hotline, PHONE))
    authors = [author for author, _ in await lines(hotline, case_id)]
    assert authors == ["person", "note", "hotline", "note"]


async def test_closing_records_the_outcome_and_tells_the_person(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    with pytest.raises(ValueError):
        await hotline.desk.close(kg, case_id, "whatever")
    await hotline.desk.close(kg, case_id, "referred")
    [case] = await cases(hotline)
    assert case.status == "closed" and case.outcome == "referred"
    assert await hotline.desk.queue(kg) == []
    with pytest.raises(CaseGone):
        await hotline.desk.reply(kg, case_id, "one more thing")
    # The person is back with the bot.
    replies = await hotline.switchboard.receive(say("sms", PHONE, "как получить патент"))
    assert replies


async def test_revealing_the_number_opening_and_moving_are_audited(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    await hotline.desk.view(kg, case_id)
    assert await hotline.desk.reveal_address(kg, case_id) == PHONE
    await hotline.desk.record_consent(kg, case_id)
    await hotline.desk.transfer(kg, case_id, "kz-line")
    entries = [(e.operator_id, e.action, e.case_id) for e in await rows(hotline, AuditEntry)]
    assert entries == [
        (kg.id, "open_case", case_id),
        (kg.id, "reveal", case_id),
        (kg.id, "consent", case_id),
        (kg.id, "transfer", case_id),
    ]


async def test_bad_operator_input_is_refused_clearly(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    for text in ("", "   ", "x" * 2001):
        with pytest.raises(ValueError):
            await hotline.desk.reply(kg, case_id, text)
    with pytest.raises(CaseGone):
        await hotline.desk.view(kg, 999_999)
    with pytest.raises(ValueError):
        await hotline.desk.set_gender(kg, case_id, "unknown")
    await hotline.desk.set_gender(kg, case_id, "female")
    # A lone surrogate from a form is stored, not crashed on.
    await hotline.desk.note(kg, case_id, "note \ud800 here")
    assert (await hotline.desk.view(kg, case_id)).gender == "female"


async def test_urgent_cases_come_first_then_the_longest_waiting(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    other = "+996555000111"
    await hotline.switchboard.receive(say("sms", other, option="country:KG"))
    await hotline.switchboard.receive(say("sms", other, "меня заперли, помогите"))
    queue = await hotline.desk.queue(kg)
    assert [item.urgent for item in queue] == [True, False]
    assert queue[1].id == case_id


async def test_an_answer_to_a_person_who_erased_their_data_is_refused(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    await hotline.switchboard.receive(say("sms", PHONE, option="forget:yes"))
    with pytest.raises(CaseGone):
        await hotline.desk.reply(kg, case_id, "hello")


async def test_after_stop_on_sms_nothing_more_is_sent_until_start(desk_setup):
    hotline, case_id, kg, _kz, _admin = desk_setup
    await hotline.switchboard.receive(say("sms", PHONE, "STOP"))
    before = await queued_to(hotline, PHONE)
    view = await hotline.desk.view(kg, case_id)
    assert not view.reachable
    with pytest.raises(CaseGone):
        await hotline.desk.reply(kg, case_id, "hello")
    await hotline.desk.close(kg, case_id, "no_reply")  # closing tells them nothing either
    assert await queued_to(hotline, PHONE) == before
