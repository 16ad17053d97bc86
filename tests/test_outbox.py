"""The outbox over a real database: leases, retries, give-ups, unreachable addresses."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.engine.messages import Inbound, Reply
from bot.outbox import LEASE, MAX_ATTEMPTS, SendError
from bot.storage.models import ChatMessage, Contact, OutboxMessage, utcnow

outbox = OutboxMessage.__table__


class Channel:
    """A sender that fails as told, then succeeds."""

    channel = "sms"

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, address: str, reply: Reply, *, ref: str = "") -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, reply))


async def queue_one(hotline, address: str = "+77010000001") -> None:
    """One reply in the outbox: a page opened (one that opens no case, which adds a notice)."""
    await hotline.switchboard.receive(
        Inbound(channel="sms", address=address, option="open:work", language_hint="ru")
    )


async def make_due(hotline) -> None:
    """Move every waiting message's time into the past, as if time had passed."""
    await hotline.database.run(
        lambda connection: connection.execute(
            outbox.update().values(not_before=utcnow() - timedelta(1))
        )
    )


async def statuses(hotline) -> list[tuple[str, int]]:
    rows = await hotline.database.run(
        lambda connection: connection.execute(
            sa.select(outbox.c.status, outbox.c.attempts).order_by(outbox.c.id)
        ).all()
    )
    return [tuple(r) for r in rows]


async def test_a_retryable_failure_waits_then_is_sent(hotline):
    await queue_one(hotline)
    channel = Channel(SendError("gateway 503", retryable=True))
    assert await hotline.outbox.dispatch_once(channel) == 1
    assert await statuses(hotline) == [("queued", 1)]
    assert await hotline.outbox.dispatch_once(channel) == 0  # backing off
    await make_due(hotline)
    assert await hotline.outbox.dispatch_once(channel) == 1
    assert await statuses(hotline) == [("sent", 2)] and len(channel.sent) == 1


async def test_retry_after_is_honoured(hotline):
    await queue_one(hotline)
    await hotline.outbox.dispatch_once(Channel(SendError("429", retryable=True, retry_after=30)))
    not_before = await hotline.database.run(
        lambda connection: connection.execute(sa.select(outbox.c.not_before)).scalar_one()
    )
    wait = (not_before - utcnow()).total_seconds()
    assert 25 < wait <= 30


async def test_a_permanent_failure_is_recorded_and_not_retried(hotline):
    await queue_one(hotline)
    await hotline.outbox.dispatch_once(Channel(SendError("bad request", retryable=False)))
    await make_due(hotline)
    assert await hotline.outbox.dispatch_once(Channel()) == 0
    assert await statuses(hotline) == [("failed", 1)]


async def test_gives_up_after_max_attempts(hotline):
    await queue_one(hotline)
    failures = [SendError("timeout", retryable=True) for _ in range(MAX_ATTEMPTS + 2)]
    channel = Channel(*failures)
    for _ in range(MAX_ATTEMPTS + 2):
        await make_due(hotline)
        await hotline.outbox.dispatch_once(channel)
    assert await statuses(hotline) == [("failed", MAX_ATTEMPTS)]


async def test_unreachable_address_is_marked_on_the_contact(hotline):
    await queue_one(hotline)
    await hotline.outbox.dispatch_once(
        Channel(SendError("blocked by the user", retryable=False, unreachable=True))
    )
    marked = await hotline.database.run(
        lambda connection: connection.execute(
            sa.select(Contact.__table__.c.unreachable_at)
        ).scalar_one()
    )
    assert marked is not None


async def test_a_crashed_sender_leaves_the_message_for_after_the_lease(hotline):
    await queue_one(hotline)
    claimed = await hotline.outbox.claim("sms")  # ... and the process dies here
    assert len(claimed) == 1
    assert await hotline.outbox.claim("sms") == []  # nobody else takes it while leased
    await hotline.database.run(
        lambda connection: connection.execute(
            outbox.update().values(not_before=utcnow() - timedelta(seconds=1))
        )
    )
    channel = Channel()
    assert await hotline.outbox.dispatch_once(channel) == 1
    assert channel.sent[0][1] == claimed[0].reply
    assert timedelta(seconds=30) <= LEASE


async def test_a_sender_bug_does_not_lose_the_message(hotline):
    await queue_one(hotline)
    await hotline.outbox.dispatch_once(Channel(RuntimeError("bug")))
    assert await statuses(hotline) == [("queued", 1)]


async def test_other_channels_messages_are_left_alone(hotline):
    await queue_one(hotline)
    telegram = Channel()
    telegram.channel = "telegram"
    assert await hotline.outbox.dispatch_once(telegram) == 0


async def test_the_sender_loop_sends_when_woken_and_survives_a_failing_sender(hotline):
    class Flaky(Channel):
        async def send(self, address: str, reply: Reply, *, ref: str = "") -> None:
            if not self.sent and not getattr(self, "failed", False):
                self.failed = True
                raise RuntimeError("first call breaks")
            await super().send(address, reply)

    sender = Flaky()
    loop = asyncio.create_task(hotline.outbox.run(sender, idle=0.05))
    try:
        await queue_one(hotline)
        await make_due(hotline)  # the failed attempt waits a backoff; skip it
        for _ in range(100):
            if sender.sent:
                break
            await make_due(hotline)
            await asyncio.sleep(0.02)
        assert len(sender.sent) == 1
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


async def test_nothing_more_goes_to_an_unreachable_person_until_they_write(hotline):
    await queue_one(hotline)
    await queue_one(hotline)
    channel = Channel(SendError("blocked by the user", retryable=False, unreachable=True))
    assert await hotline.outbox.dispatch_once(channel) == 2
    await make_due(hotline)
    assert await hotline.outbox.dispatch_once(channel) == 0
    assert channel.sent == []
    assert [s for s, _ in await statuses(hotline)] == ["failed", "failed"]
    await queue_one(hotline)  # they write again: reachable, and answered
    assert await hotline.outbox.dispatch_once(channel) == 1
    assert len(channel.sent) == 1


async def test_one_address_keeps_its_order_while_others_go_on(hotline):
    await queue_one(hotline, "+77010000001")
    await queue_one(hotline, "+77010000001")
    await queue_one(hotline, "+77010000002")

    class FirstAddressFailsOnce(Channel):
        async def send(self, address: str, reply: Reply, *, ref: str = "") -> None:
            if address.endswith("1") and not self.failures:
                self.failures.append(True)
                raise SendError("gateway 503", retryable=True)
            self.sent.append((address, reply))

    channel = FirstAddressFailsOnce()
    assert await hotline.outbox.dispatch_once(channel) == 3
    # The second message to the first address waits for the first; the other address is served.
    assert [a for a, _ in channel.sent] == ["+77010000002"]
    assert [s for s, _ in await statuses(hotline)] == ["queued", "queued", "sent"]
    await make_due(hotline)
    assert await hotline.outbox.dispatch_once(channel) == 2
    assert [a for a, _ in channel.sent] == ["+77010000002", "+77010000001", "+77010000001"]


async def test_being_throttled_is_not_an_attempt(hotline):
    await queue_one(hotline)
    for _ in range(MAX_ATTEMPTS + 2):
        await hotline.outbox.dispatch_once(Channel(SendError("429", retryable=True, retry_after=1)))
        await make_due(hotline)
    assert await statuses(hotline) == [("queued", 0)]


async def test_deliveries_are_recorded_with_their_chat_message_ids(hotline):
    for n in range(5):
        await queue_one(hotline, f"+7701000000{n}")

    class Numbered(Channel):
        async def send(self, address: str, reply: Reply, *, ref: str = "") -> str:
            self.sent.append((address, reply))
            return str(len(self.sent))

    channel = Numbered()
    channel.parallel = 5
    assert await hotline.outbox.dispatch_once(channel) == 5
    assert [s for s, _ in await statuses(hotline)] == ["sent"] * 5
    refs = await hotline.database.run(
        lambda connection: (
            connection.execute(sa.select(ChatMessage.__table__.c.message_ref)).scalars().all()
        )
    )
    assert sorted(refs) == ["1", "2", "3", "4", "5"]


async def test_a_sender_told_to_stop_as_it_is_woken_stops(hotline):
    # Shutdown can cancel the sender in the same moment a reply wakes it; it must stop then,
    # not go on sending (asyncio.wait_for on Python 3.11 swallowed such a cancel).
    sending = asyncio.create_task(hotline.outbox.run(Channel(), idle=60))
    await asyncio.sleep(0.05)  # idle, waiting to be woken
    hotline.outbox.wake("sms")
    sending.cancel()
    done, _ = await asyncio.wait([sending], timeout=5)
    assert done, "the sender went on after it was cancelled"
    assert sending.cancelled()


async def test_while_a_sender_runs_replies_go_straight_to_it_already_claimed(hotline):
    channel = Channel()
    sending = asyncio.create_task(hotline.outbox.run(channel, idle=60))
    await asyncio.sleep(0)  # the loop has started: the channel is being sent on
    await queue_one(hotline)
    # The channel has the message before its row is marked sent: wait for both.
    for _ in range(200):
        if channel.sent and await statuses(hotline) == [("sent", 1)]:
            break
        await asyncio.sleep(0.01)
    assert len(channel.sent) == 1  # sent at once, not after the idle minute
    assert await statuses(hotline) == [("sent", 1)]

    # Stopped mid-send (the process died): the message stays claimed; a restart releases it.
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending

    class Hangs(Channel):
        async def send(self, address: str, reply: Reply, *, ref: str = "") -> None:
            await asyncio.Event().wait()

    dying = asyncio.create_task(hotline.outbox.run(Hangs(), idle=60))
    await asyncio.sleep(0)
    await queue_one(hotline)
    for _ in range(200):  # until the hanging sender has claimed it
        if [s for s, _ in await statuses(hotline)] == ["sent", "sending"]:
            break
        await asyncio.sleep(0.01)
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying
    assert [s for s, _ in await statuses(hotline)] == ["sent", "sending"]
    assert await hotline.outbox.dispatch_once(channel) == 0  # under its lease
    assert await hotline.outbox.release_claims() == 1
    assert await hotline.outbox.dispatch_once(channel) == 1
    assert len(channel.sent) == 2


async def test_a_reply_delivered_after_the_person_erased_themselves_is_recorded_safely(hotline):
    await queue_one(hotline)
    await queue_one(hotline, "+77010000009")
    claimed = await hotline.outbox.claim("sms")
    erased = claimed[0].contact_id
    await hotline.database.run(
        lambda connection: connection.execute(
            Contact.__table__.delete().where(Contact.__table__.c.id == erased)
        )
    )
    for message in claimed:
        await hotline.outbox.mark_sent(message, "77")
    refs = await hotline.database.run(
        lambda connection: (
            connection.execute(sa.select(ChatMessage.__table__.c.contact_id)).scalars().all()
        )
    )
    assert refs == [claimed[1].contact_id]
