"""Personal reminders over a real database: written by the switchboard, due at 10:00 in the
person's country 7 and 1 days before, queued in their language with the page to read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from bot.campaigns.reminders import Reminders, next_reminder
from bot.engine.messages import Inbound
from bot.storage.models import OutboxMessage, Reminder

reminders = Reminder.__table__
outbox = OutboxMessage.__table__


def test_next_reminder_is_10_local_time_7_then_1_days_before():
    day = date(2027, 1, 15)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    first = next_reminder(day, "KG", (7, 1), start)
    assert first == datetime(2027, 1, 8, 4, 0, tzinfo=UTC)  # 10:00 in Bishkek (UTC+6)
    assert next_reminder(day, "RU", (7, 1), start) == datetime(2027, 1, 8, 7, 0, tzinfo=UTC)
    assert next_reminder(day, "KG", (7, 1), first) == datetime(2027, 1, 14, 4, 0, tzinfo=UTC)
    assert next_reminder(day, "KG", (7, 1), datetime(2027, 1, 14, 4, 0, tzinfo=UTC)) is None


def sweeper(hotline, now: list[datetime]) -> Reminders:
    return Reminders(
        database=hotline.database,
        vault=hotline.vault,
        outbox=hotline.outbox,
        tree=hotline.tree,
        catalogs=hotline.catalogs,
        days_before=(7, 1),
        clock=lambda: now[0],
    )


async def queued_texts(hotline) -> list[str]:
    messages = await hotline.outbox.claim("telegram", 100)
    return [m.reply.text for m in messages]


async def test_a_reminder_fires_at_the_right_local_time_twice_then_never(hotline):
    for text in ("/start", "/start"):
        await hotline.switchboard.receive(
            Inbound(channel="telegram", address="77", text=text, language_hint="en",
                    country_hint="KG")
        )  # fmt: skip
    await hotline.switchboard.receive(
        Inbound(channel="telegram", address="77", text="my patent is paid until 15.01.2027")
    )
    await queued_texts(hotline)  # the conversation's own replies
    now = [datetime(2027, 1, 8, 3, 59, tzinfo=UTC)]
    sweep = sweeper(hotline, now)
    assert await sweep.sweep() == 0
    now[0] = datetime(2027, 1, 8, 4, 0, tzinfo=UTC)
    assert await sweep.sweep() == 1
    assert await sweep.sweep() == 0  # never twice
    (text,) = await queued_texts(hotline)
    assert "15.01.2027" in text and "7" in text and "patent" in text
    now[0] = datetime(2027, 1, 14, 4, 0, tzinfo=UTC)
    assert await sweep.sweep() == 1
    (text,) = await queued_texts(hotline)
    assert "Days left: 1" in text
    now[0] = datetime(2027, 1, 20, tzinfo=UTC)
    assert await sweep.sweep() == 0


async def test_reminders_are_sealed_and_deleted_with_the_person(hotline):
    await hotline.switchboard.receive(
        Inbound(channel="telegram", address="78", text="патент до 15.01.2027",
                language_hint="ru")
    )  # fmt: skip
    rows = await hotline.database.run(lambda c: c.execute(sa.select(reminders)).all())
    assert len(rows) == 1 and b"2027" not in rows[0].details_enc
    await hotline.switchboard.receive(
        Inbound(channel="telegram", address="78", option="rdel:patent:2027-01-15")
    )
    assert await hotline.database.run(lambda c: c.execute(sa.select(reminders)).all()) == []


async def test_discreet_and_stopped_people_are_not_reminded(hotline):
    for address, word in (("81", "/discreet"), ("82", "/stop")):
        await hotline.switchboard.receive(
            Inbound(channel="telegram", address=address, text="patent until 15.01.2027",
                    language_hint="en")
        )  # fmt: skip
        await hotline.switchboard.receive(Inbound(channel="telegram", address=address, text=word))
    now = [datetime(2027, 1, 8, 12, 0, tzinfo=UTC)]
    assert await sweeper(hotline, now).sweep() == 0
