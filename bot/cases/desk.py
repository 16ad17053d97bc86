"""What operators do with cases: see the queue, open a case, take it, answer, note, refer it on
(with the person's consent), close it; and what happens when nobody takes one in time.

Every method checks that the operator may see the case (their organisation's, or any for an
admin) and writes the audit log in the same transaction as the change it records. Messages to
the person go through the outbox on the person's own channel, like every other message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases import audit, directory
from bot.cases.changes import Changes
from bot.cases.intake import OPEN, Effects, add_line, deadline
from bot.cases.notices import Notices
from bot.cases.views import (
    GENDERS,
    OUTCOME_KEYS,
    OUTCOMES,
    Actor,
    CaseView,
    Line,
    QueueItem,
    mask,
    preview,
)
from bot.engine.conversation import SILENT_AFTER_STOP
from bot.engine.messages import Reply
from bot.engine.switchboard import Switchboard
from bot.storage.models import Case, CaseMessage, Contact, Operator, utcnow

__all__ = ["OUTCOMES", "Actor", "CaseGone", "Desk", "Forbidden", "NoConsent"]

log = logging.getLogger(__name__)
cases = Case.__table__
case_messages = CaseMessage.__table__
contacts = Contact.__table__
operators = Operator.__table__
organisations = directory.organisations
MAX_REPLY = 2000
# How the console names the fallback organisation when the deployment gave it no name.
FALLBACK_NAME = "Hotline operators (fallback)"
MAX_NOTE = 4000


class Forbidden(Exception):
    """The operator may not see this case."""


class CaseGone(Exception):
    """The case is closed, does not exist, or the person erased their data."""


class NoConsent(Exception):
    """A referral needs the person's recorded consent first."""


class Desk:
    def __init__(
        self,
        *,
        switchboard: Switchboard,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.switchboard = switchboard
        self.database = switchboard.database
        self.vault = switchboard.vault
        self.outbox = switchboard.outbox
        self.notices = Notices(switchboard.conversation)
        self.clock = clock
        self.changes = Changes()
        # Told of new deadlines (the timers); set by the composition root.
        self.on_deadlines: Callable[[dict[int, datetime | None]], None] = lambda _d: None
        switchboard.case_listeners.append(self._heard)

    def _heard(self, effects: Effects) -> None:
        if effects.deadlines:
            self.on_deadlines(effects.deadlines)
        self.changes.bump()

    # -- reading --------------------------------------------------------------------------------

    async def queue(self, actor: Actor) -> list[QueueItem]:
        """Open cases the operator may see: urgent first, then the longest waiting."""
        now = self.clock()

        def work(connection: Connection) -> list[QueueItem]:
            query = (
                sa.select(
                    cases,
                    organisations.c.name.label("organisation_name"),
                    operators.c.name.label("operator_name"),
                )
                .join(organisations, organisations.c.id == cases.c.organisation_id)
                .outerjoin(operators, operators.c.id == cases.c.operator_id)
                .where(cases.c.status.in_(OPEN))
                .order_by(cases.c.urgent.desc(), cases.c.created_at, cases.c.id)
            )
            if not actor.is_admin:
                query = query.where(cases.c.organisation_id == actor.organisation_id)
            rows = connection.execute(query).all()
            last = self._last_person_lines(connection, [r.id for r in rows])
            return [
                QueueItem(
                    id=r.id,
                    code=self.vault.open(r.code_enc),
                    urgent=r.urgent,
                    status=r.status,
                    reason=r.reason,
                    language=r.language,
                    country=r.country,
                    topic=r.topic,
                    channel=r.channel,
                    created_at=_aware(r.created_at),
                    waiting_seconds=max(0, int((now - _aware(r.created_at)).total_seconds())),
                    operator_name=r.operator_name,
                    organisation_name=r.organisation_name or FALLBACK_NAME,
                    person_left=r.person_left_at is not None,
                    last_text_preview=preview(last.get(r.id, "")),
                )
                for r in rows
            ]

        return await self.database.run(work)

    def _last_person_lines(self, connection: Connection, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        newest = (
            sa.select(sa.func.max(case_messages.c.id))
            .where(case_messages.c.case_id.in_(ids), case_messages.c.author == "person")
            .group_by(case_messages.c.case_id)
        )
        rows = connection.execute(
            sa.select(case_messages.c.case_id, case_messages.c.text_enc).where(
                case_messages.c.id.in_(newest)
            )
        )
        return {row.case_id: self.vault.open(row.text_enc) for row in rows}

    async def view(self, actor: Actor, case_id: int, *, audited: bool = True) -> CaseView:
        """The whole case; opening it is written to the audit log. A page refreshing a case
        its operator already opened reads it with `audited=False`."""

        def work(connection: Connection) -> CaseView:
            case = self._visible(connection, actor, case_id)
            if audited:
                audit.record(connection, actor.id, "open_case", case_id=case_id)
            return self._view(connection, case)

        return await self.database.run(work)

    def _view(self, connection: Connection, case: sa.Row) -> CaseView:
        lines = connection.execute(
            sa.select(case_messages, operators.c.name.label("operator_name"))
            .outerjoin(operators, operators.c.id == case_messages.c.operator_id)
            .where(case_messages.c.case_id == case.id)
            .order_by(case_messages.c.id)
        ).all()
        person = self._person(connection, case)
        organisation = directory.find(connection, case.organisation_id)
        operator_name = None
        if case.operator_id is not None:
            operator_name = connection.execute(
                sa.select(operators.c.name).where(operators.c.id == case.operator_id)
            ).scalar()
        return CaseView(
            id=case.id,
            code=self.vault.open(case.code_enc),
            organisation_id=case.organisation_id,
            organisation_name=organisation.name or FALLBACK_NAME,
            operator_id=case.operator_id,
            operator_name=operator_name,
            status=case.status,
            urgent=case.urgent,
            reason=case.reason,
            channel=case.channel,
            language=case.language,
            country=case.country,
            topic=case.topic,
            gender=case.gender,
            referral_consent_at=_aware(case.referral_consent_at),
            outcome=case.outcome,
            created_at=_aware(case.created_at),
            taken_at=_aware(case.taken_at),
            closed_at=_aware(case.closed_at),
            deadline_at=_aware(case.deadline_at),
            person_left_at=_aware(case.person_left_at),
            masked_address=mask(case.channel, person[1] if person else None),
            reachable=bool(person and person[2] is None),
            lines=[
                Line(
                    author=line.author,
                    operator_name=line.operator_name,
                    text=self.vault.open(line.text_enc),
                    at=_aware(line.created_at),
                )
                for line in lines
            ],
        )

    async def organisations(self) -> list[sa.Row]:
        return await self.database.run(directory.load)

    # -- acting ---------------------------------------------------------------------------------

    async def take(self, actor: Actor, case_id: int) -> None:
        """The operator takes the case: the timer stops, the queue shows who has it."""

        def work(connection: Connection) -> None:
            case = self._open_case(connection, actor, case_id)
            now = self.clock()
            connection.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(
                    status="active",
                    operator_id=actor.id,
                    taken_at=case.taken_at or now,
                    deadline_at=None,
                    updated_at=now,
                )
            )
            audit.record(connection, actor.id, "take", case_id=case_id)

        await self.database.run(work)
        self._changed({case_id: None})

    async def reply(self, actor: Actor, case_id: int, text: str) -> None:
        """An answer to the person, on their own channel; taking the case if nobody has."""
        text = _clean(text, MAX_REPLY)
        handed: list[Any] = []
        channel = ""

        def work(connection: Connection) -> None:
            nonlocal channel
            case = self._open_case(connection, actor, case_id)
            person = self._person(connection, case)
            if person is None:
                raise CaseGone("the person erased their data")
            contact_id, address, unreachable, channel = person
            if unreachable is not None:
                raise CaseGone(
                    "the person cannot be reached on this channel (blocked the bot, an invalid "
                    "number, or STOP on SMS)"
                )
            now = self.clock()
            organisation = directory.find(connection, case.organisation_id)
            language = case.language or "ru"
            reply = self.notices.from_operator(language, organisation, text)
            self._line(connection, case.id, "operator", text, now, actor.id)
            values: dict[str, Any] = {"updated_at": now}
            if case.status == "waiting":
                values.update(status="active", operator_id=actor.id, taken_at=now, deadline_at=None)
            connection.execute(cases.update().where(cases.c.id == case.id).values(**values))
            handed.extend(
                self._send(connection, contact_id, channel, address, [reply], unreachable)
            )

        await self.database.run(work)
        self._deliver(channel, handed)
        self._changed({case_id: None})

    async def note(self, actor: Actor, case_id: int, text: str) -> None:
        text = _clean(text, MAX_NOTE)

        def work(connection: Connection) -> None:
            case = self._visible(connection, actor, case_id)
            self._line(connection, case.id, "note", text, self.clock(), actor.id)
            connection.execute(
                cases.update().where(cases.c.id == case.id).values(updated_at=self.clock())
            )

        await self.database.run(work)
        self._changed({})

    async def record_consent(self, actor: Actor, case_id: int) -> None:
        def work(connection: Connection) -> None:
            case = self._open_case(connection, actor, case_id)
            now = self.clock()
            connection.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(referral_consent_at=now, updated_at=now)
            )
            self._line(
                connection, case.id, "note", "The person agreed to a referral.", now, actor.id
            )
            audit.record(connection, actor.id, "consent", case_id=case_id)

        await self.database.run(work)
        self._changed({})

    async def transfer(
        self, actor: Actor, case_id: int, organisation_id: str, note: str = ""
    ) -> None:
        """Refer the case to another organisation. Only with the person's recorded consent;
        what goes with it is the case itself (language, country, topic, the conversation), never
        the person's number, which the other organisation's operators see masked like ours."""
        note = note.strip()[:MAX_NOTE]
        handed: list[Any] = []
        channel = ""
        due: datetime | None = None

        def work(connection: Connection) -> None:
            nonlocal channel, due
            case = self._open_case(connection, actor, case_id)
            if case.referral_consent_at is None:
                raise NoConsent("record the person's consent before referring the case")
            target = connection.execute(
                sa.select(organisations).where(
                    organisations.c.id == organisation_id, organisations.c.active.is_(True)
                )
            ).first()
            if target is None or target.id == case.organisation_id:
                raise LookupError("choose another active organisation")
            now = self.clock()
            due = deadline(target, case.urgent, now)
            connection.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(
                    organisation_id=target.id,
                    status="waiting",
                    operator_id=None,
                    taken_at=None,
                    deadline_at=due,
                    updated_at=now,
                )
            )
            text = f"Referred to {target.name} by {actor.name}."
            self._line(connection, case.id, "hotline", text, now, actor.id)
            if note:
                self._line(connection, case.id, "note", note, now, actor.id)
            audit.record(connection, actor.id, "transfer", case_id=case_id, detail=target.id)
            person = self._person(connection, case)
            if person is not None:
                contact_id, address, unreachable, channel = person
                reply = self.notices.transferred(case.language or "ru", target, now)
                handed.extend(
                    self._send(connection, contact_id, channel, address, [reply], unreachable)
                )

        await self.database.run(work)
        self._deliver(channel, handed)
        self._changed({case_id: due})

    async def close(self, actor: Actor, case_id: int, outcome: str) -> None:
        if outcome not in OUTCOME_KEYS:
            raise ValueError(f"unknown outcome {outcome!r}")
        handed: list[Any] = []
        channel = ""

        def work(connection: Connection) -> None:
            nonlocal channel
            case = self._open_case(connection, actor, case_id)
            now = self.clock()
            connection.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(
                    status="closed",
                    outcome=outcome,
                    closed_at=now,
                    deadline_at=None,
                    operator_id=case.operator_id or actor.id,
                    updated_at=now,
                )
            )
            audit.record(connection, actor.id, "close", case_id=case_id, detail=outcome)
            person = self._person(connection, case)
            if person is not None and case.person_left_at is None:
                contact_id, address, unreachable, channel = person
                organisation = directory.find(connection, case.organisation_id)
                reply = self.notices.closed(case.language or "ru", organisation)
                handed.extend(
                    self._send(connection, contact_id, channel, address, [reply], unreachable)
                )

        await self.database.run(work)
        self._deliver(channel, handed)
        self._changed({case_id: None})

    async def set_gender(self, actor: Actor, case_id: int, gender: str | None) -> None:
        if gender is not None and gender not in GENDERS:
            raise ValueError(f"unknown gender {gender!r}")

        def work(connection: Connection) -> None:
            case = self._visible(connection, actor, case_id)
            connection.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(gender=gender, updated_at=self.clock())
            )

        await self.database.run(work)

    async def reveal_address(self, actor: Actor, case_id: int) -> str:
        """The person's full number or chat id; every reveal is in the audit log."""

        def work(connection: Connection) -> str:
            case = self._visible(connection, actor, case_id)
            person = self._person(connection, case)
            if person is None:
                raise CaseGone("the person erased their data")
            audit.record(connection, actor.id, "reveal", case_id=case_id)
            return person[1]

        return await self.database.run(work)

    # -- timers ---------------------------------------------------------------------------------

    async def time_out(self, case_id: int) -> bool:
        """Nobody took the case in time: the person gets numbers to call now, and the case goes
        to the fallback organisation. Safe to run twice or from two processes: only a waiting
        case past its deadline moves, and the UPDATE says so."""
        handed: list[Any] = []
        channel = ""
        moved: dict[int, datetime | None] = {}

        def work(connection: Connection) -> bool:
            nonlocal channel
            now = self.clock()
            case = connection.execute(sa.select(cases).where(cases.c.id == case_id)).first()
            if case is None or case.status != "waiting" or case.deadline_at is None:
                return False
            if _aware(case.deadline_at) > now:
                return False
            fallback = directory.fallback(connection)
            at_fallback = case.organisation_id == fallback.id
            values: dict[str, Any] = {"fallback_at": now, "updated_at": now, "deadline_at": None}
            if not at_fallback:
                values.update(organisation_id=fallback.id)
            result = connection.execute(
                cases.update()
                .where(
                    cases.c.id == case_id,
                    cases.c.status == "waiting",
                    cases.c.deadline_at == case.deadline_at,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            where = "the fallback organisation" if not at_fallback else "nobody new"
            text = f"Not taken in time; passed to {where}."
            self._line(connection, case.id, "hotline", text, now)
            audit.record(connection, None, "time_out", case_id=case_id, detail=case.organisation_id)
            person = self._person(connection, case)
            if person is not None and case.fallback_at is None:
                contact_id, address, unreachable, channel = person
                reply = self.notices.timed_out(case.language or "ru", fallback, case.country, now)
                handed.extend(
                    self._send(connection, contact_id, channel, address, [reply], unreachable)
                )
            moved[case_id] = None
            return True

        done = await self.database.run(work)
        self._deliver(channel, handed)
        if done:
            log.info("a case was not taken in time and went to the fallback organisation")
            self.changes.bump()
        return done

    async def deadlines(self) -> dict[int, datetime]:
        """Waiting cases and their deadlines, to set the timers again after a restart."""

        def work(connection: Connection) -> dict[int, datetime]:
            rows = connection.execute(
                sa.select(cases.c.id, cases.c.deadline_at).where(
                    cases.c.status == "waiting", cases.c.deadline_at.is_not(None)
                )
            )
            return {row.id: _aware(row.deadline_at) for row in rows}

        return await self.database.run(work)

    # -- small pieces ---------------------------------------------------------------------------

    def _changed(self, deadlines: dict[int, datetime | None]) -> None:
        if deadlines:
            self.on_deadlines(deadlines)
        self.changes.bump()

    def _visible(self, connection: Connection, actor: Actor, case_id: int) -> sa.Row:
        case = connection.execute(sa.select(cases).where(cases.c.id == case_id)).first()
        if case is None:
            raise CaseGone("no such case")
        if not actor.is_admin and case.organisation_id != actor.organisation_id:
            raise Forbidden("this case belongs to another organisation")
        return case

    def _open_case(self, connection: Connection, actor: Actor, case_id: int) -> sa.Row:
        case = self._visible(connection, actor, case_id)
        if case.status == "closed":
            raise CaseGone("the case is closed")
        return case

    def _person(self, connection: Connection, case: sa.Row) -> tuple[int, str, Any, str] | None:
        """(contact id, address, unreachable since, channel), or None once erased. STOP on
        SMS counts as unreachable: nothing more may be sent until the person writes START."""
        if case.contact_id is None:
            return None
        row = connection.execute(
            sa.select(
                contacts.c.id,
                contacts.c.address_enc,
                contacts.c.unreachable_at,
                contacts.c.opted_out_at,
                contacts.c.channel,
            ).where(contacts.c.id == case.contact_id)
        ).first()
        if row is None:
            return None
        unreachable = row.unreachable_at
        if unreachable is None and row.channel in SILENT_AFTER_STOP:
            unreachable = row.opted_out_at
        return row.id, self.vault.open(row.address_enc), unreachable, row.channel

    def _send(
        self,
        connection: Connection,
        contact_id: int,
        channel: str,
        address: str,
        replies: list[Reply],
        unreachable: Any = None,
    ) -> list[Any]:
        if unreachable is not None:  # a notice the person cannot get, or asked not to
            return []
        return self.outbox.enqueue(
            connection,
            contact_id=contact_id,
            channel=channel,
            address=address,
            replies=self._shaped(connection, contact_id, channel, replies),
        )

    def _shaped(
        self, connection: Connection, contact_id: int, channel: str, replies: list[Reply]
    ) -> list[Reply]:
        """Cut to the channel's size. On SMS, paged like the bot's answers: the first page
        goes now (in Latin letters if the person asked for them), the rest waits in their
        session for "+"."""
        pager = self.switchboard.pagers.get(channel)
        if pager is None:
            return self.switchboard.shape(channel, replies)
        state = self.switchboard.load_state(connection, contact_id)
        sent: list[Reply] = []
        waiting: list[str] = []
        for reply in replies:
            first, *rest = pager.pages(reply, latin_letters=state.latin) or [""]
            sent.append(Reply(text=first, language=reply.language))
            waiting += rest
        self.switchboard.save_state(connection, contact_id, replace(state, pages=waiting))
        return sent

    def _line(
        self,
        connection: Connection,
        case_id: int,
        author: str,
        text: str,
        at: datetime,
        operator_id: int | None = None,
    ) -> None:
        add_line(connection, self.vault, case_id, author, text, at, operator_id)

    def _deliver(self, channel: str, handed: list[Any]) -> None:
        """After the commit: hand what was queued to this process's sender, and wake it."""
        if channel:
            self.outbox.hand_over(channel, handed)
            self.outbox.wake(channel)


def _clean(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError("the text is empty")
    if len(text) > limit:
        raise ValueError(f"the text is over {limit} characters")
    return text.encode("utf-8", "replace").decode("utf-8")


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
