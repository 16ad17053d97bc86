"""The switchboard over a real database: repeats dropped, sessions kept across restarts,
escalations and replies committed together, nothing readable at rest."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from bot.app import build
from bot.engine.messages import Inbound
from bot.logs import ContextFormatter
from bot.settings import Settings
from bot.storage.database import sqlite_path
from bot.storage.models import (
    Case,
    CaseMessage,
    Contact,
    Conversation,
    OutboxMessage,
    Reminder,
    Subscription,
)

PHONE = "+996700123456"


def inbound(
    text: str | None = None,
    option: str | None = None,
    message_id: str | None = None,
    address: str = PHONE,
) -> Inbound:
    return Inbound(
        channel="sms",
        address=address,
        text=text,
        option=option,
        message_id=message_id,
        language_hint="ru",
    )


async def rows(hotline, table) -> list:
    return await hotline.database.run(
        lambda connection: connection.execute(sa.select(table.__table__)).all()
    )


async def test_a_repeated_message_id_is_answered_once(hotline):
    first = await hotline.switchboard.receive(inbound("как получить патент", message_id="m1"))
    again = await hotline.switchboard.receive(inbound("как получить патент", message_id="m1"))
    assert first and again == []
    assert len(await rows(hotline, OutboxMessage)) == len(first)
    # The same id from another person is another message.
    other = await hotline.switchboard.receive(
        inbound("как получить патент", message_id="m1", address="+996700000001")
    )
    assert other


async def test_the_session_survives_a_restart(settings: Settings, hotline):
    await hotline.switchboard.receive(inbound("/start"))
    await hotline.switchboard.receive(inbound(option="country:KG"))
    await hotline.switchboard.receive(inbound(option="open:work"))
    await hotline.close()

    restarted = build(settings)
    try:
        replies = await restarted.switchboard.receive(inbound("0"))  # "back" from work
        assert "Главное меню" in replies[0].text
        replies = await restarted.switchboard.receive(inbound(option="open:urgent"))
        kyrgyz = [h.phone for h in restarted.tree.hotlines_for("KG", ("emergency",))]
        assert kyrgyz and all(phone in replies[0].text for phone in kyrgyz)
        contact = (await rows(restarted, Contact))[0]
        assert contact.language == "ru" and contact.country == "KG"
    finally:
        await restarted.close()


async def test_danger_written_into_an_open_case_raises_it_to_urgent(hotline):
    await hotline.switchboard.receive(inbound("/operator"))
    replies = await hotline.switchboard.receive(inbound("нас закрыли на складе и не выпускают"))
    assert replies and replies[0].urgent  # the emergency numbers come at once all the same
    cases = await rows(hotline, Case)
    assert len(cases) == 1
    case = cases[0]
    assert case.urgent and case.reason == "urgent" and case.status == "waiting"
    lines = [hotline.vault.open(line.text_enc) for line in await rows(hotline, CaseMessage)]
    assert lines == ["нас закрыли на складе и не выпускают"]


async def test_nothing_personal_is_stored_in_clear(settings: Settings, hotline):
    secret = "хозяин забрал паспорт на улице Ленина"
    await hotline.switchboard.receive(inbound("/operator"))
    await hotline.switchboard.receive(inbound(secret, message_id="x1"))
    await hotline.switchboard.receive(inbound(option="open:hotlines/operator"))
    contact = (await rows(hotline, Contact))[0]
    assert PHONE not in contact.address_hash
    assert hotline.vault.open(contact.address_enc) == PHONE
    needles = (PHONE, secret, "passport-taken", "Ленина")
    for table in (Contact, Conversation, Case, CaseMessage, OutboxMessage):
        for row in await rows(hotline, table):
            assert not any(n in repr(tuple(row)) for n in needles), row
    path = sqlite_path(settings.database_url)
    if path is not None:  # and not in the file, WAL included
        await hotline.close()
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for needle in needles:
            assert needle.encode() not in raw


async def test_replies_wait_in_the_outbox_until_sent(hotline):
    replies = await hotline.switchboard.receive(inbound("как получить патент"))
    queued = await rows(hotline, OutboxMessage)
    assert [r.status for r in queued] == ["queued"] * len(replies)

    class Recorder:
        channel = "sms"
        sent: list = []

        async def send(self, address, reply, *, ref=""):
            self.sent.append((address, reply))

    sender = Recorder()
    assert await hotline.outbox.dispatch_once(sender) == len(replies)
    assert [address for address, _ in sender.sent] == [PHONE] * len(replies)
    assert sender.sent[0][1] == replies[0]
    sent = await rows(hotline, OutboxMessage)
    assert {r.status for r in sent} == {"sent"} and {r.payload_enc for r in sent} == {b""}


async def test_forget_erases_the_person_and_still_confirms(hotline):
    await hotline.switchboard.receive(inbound("/operator"))
    await hotline.switchboard.receive(inbound("/forget"))
    replies = await hotline.switchboard.receive(inbound(option="forget:yes"))
    assert "удалено" in replies[0].text
    assert await rows(hotline, Contact) == []
    assert await rows(hotline, Conversation) == []
    # The case stays for the statistics, closed, without the person and without a word of theirs.
    [case] = await rows(hotline, Case)
    assert case.contact_id is None and case.status == "closed" and case.outcome == "erased"
    assert await rows(hotline, CaseMessage) == []
    outbox = await rows(hotline, OutboxMessage)
    assert len(outbox) == 1 and outbox[0].contact_id is None  # only the confirmation is left
    # Writing again starts afresh.
    replies = await hotline.switchboard.receive(inbound("/start"))
    assert replies and len(await rows(hotline, Contact)) == 1


async def test_a_lone_surrogate_in_an_urgent_message_is_stored_not_crashed(hotline):
    replies = await hotline.switchboard.receive(inbound("меня заперли \ud800 помогите"))
    assert replies[0].urgent
    line = (await rows(hotline, CaseMessage))[0]
    assert hotline.vault.open(line.text_enc).startswith("меня заперли")


async def test_logs_carry_a_pseudonym_never_the_address_or_the_text(hotline, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "нас закрыли на складе улица Ленина 5"
    await hotline.switchboard.receive(inbound(secret, message_id="m-log"))
    await hotline.switchboard.receive(inbound(secret, message_id="m-log"))  # a repeat
    await hotline.switchboard.receive(inbound("/forget"))
    formatter = ContextFormatter("%(levelname)s %(name)s: %(message)s")
    lines = [formatter.format(record) for record in caplog.records]
    assert any("person=" in line for line in lines)
    for line in lines:
        assert PHONE not in line and "Ленина" not in line and "складе" not in line


async def test_a_date_written_into_an_open_case_goes_to_the_operator(hotline):
    await hotline.switchboard.receive(inbound("/operator"))
    said = "мой патент оплачен до 15.01.2027, а работодатель не платит"
    replies = await hotline.switchboard.receive(inbound(said))
    assert replies == []  # relayed, not answered by the bot
    assert await rows(hotline, Reminder) == []
    lines = [hotline.vault.open(line.text_enc) for line in await rows(hotline, CaseMessage)]
    assert lines == [said]
    # Asked for by the bot, a date is an answer to the bot, case or not.
    await hotline.switchboard.receive(inbound(option="remind:patent"))
    await hotline.switchboard.receive(inbound("15.01.2027"))
    assert len(await rows(hotline, Reminder)) == 1


async def test_danger_with_a_date_opens_an_urgent_case_not_a_reminder(hotline):
    await hotline.switchboard.receive(inbound(option="remind:patent"))
    replies = await hotline.switchboard.receive(
        inbound("меня заперли на складе, патент до 15.01.2027")
    )
    assert replies[0].urgent
    assert await rows(hotline, Reminder) == []
    [case] = await rows(hotline, Case)
    assert case.urgent


async def test_subscriptions_and_reminders_go_with_the_person_who_forgets(hotline):
    await hotline.switchboard.receive(inbound(option="sub:safety"))
    await hotline.switchboard.receive(inbound("мой патент оплачен до 15.01.2027"))
    assert len(await rows(hotline, Subscription)) == 1
    assert len(await rows(hotline, Reminder)) == 1
    await hotline.switchboard.receive(inbound("/forget"))
    await hotline.switchboard.receive(inbound(option="forget:yes"))
    assert await rows(hotline, Subscription) == []
    assert await rows(hotline, Reminder) == []
