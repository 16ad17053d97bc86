"""The person's side of a case, run inside the switchboard's transaction: open a case when the
engine asks for a human, pass what the person writes to the operator while the case is open,
let them leave with /menu, and reconnect them by case code from another number or channel.

Whatever changes here is committed with the message that caused it, so a case is never opened
twice for one message nor lost when the process stops right after."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases import directory, routing
from bot.cases.codes import new_code, written_code
from bot.cases.notices import Notices
from bot.content.model import ContentTree
from bot.engine.conversation import Conversation
from bot.engine.messages import Escalation, Inbound, Outcome, Reply, State
from bot.storage.crypto import Vault, case_code_key
from bot.storage.models import Case, CaseMessage, Contact, utcnow

log = logging.getLogger(__name__)
cases = Case.__table__
contacts = Contact.__table__
case_messages = CaseMessage.__table__
OPEN = ("waiting", "active")
MAX_CODE_TRIES = 5
# The topic of a case, from the section of the tree the person was in.
SECTION_TOPICS = {
    "urgent": "emergency",
    "trafficking": "trafficking",
    "work": "labour",
    "asylum": "asylum",
    "stateless": "stateless",
    "return": "return",
    "integration": "migrants",
}
ATTACHMENT_NOTE = "[{kind}]"


@dataclass
class Effects:
    """What to do once the transaction has committed: start or move timers, wake consoles."""

    deadlines: dict[int, datetime | None] = field(default_factory=dict)
    changed: bool = False


def deadline(organisation: Any, urgent: bool, at: datetime) -> datetime:
    minutes = organisation.urgent_minutes if urgent else organisation.normal_minutes
    return at + timedelta(minutes=minutes)


def add_line(
    connection: Connection,
    vault: Vault,
    case_id: int,
    author: str,
    text: str,
    at: datetime,
    operator_id: int | None = None,
) -> None:
    """One line of a case (person, operator, hotline or note), its text encrypted."""
    connection.execute(
        case_messages.insert().values(
            case_id=case_id,
            author=author,
            operator_id=operator_id,
            text_enc=vault.seal(text),
            created_at=at,
        )
    )


def topic_of(tree: ContentTree, node_id: str | None) -> str | None:
    if not node_id:
        return None
    node = tree.nodes.get(node_id)
    if node is not None and node.hotline_topics:
        return node.hotline_topics[0]
    return SECTION_TOPICS.get(node_id.split("/", 1)[0])


class Intake:
    def __init__(
        self,
        *,
        vault: Vault,
        conversation: Conversation,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.vault = vault
        self.conversation = conversation
        self.notices = Notices(conversation)
        self.clock = clock

    # -- called by the switchboard ------------------------------------------------------------

    def current(self, connection: Connection, contact_id: int) -> sa.Row | None:
        """The person's open case, if they have one."""
        return connection.execute(
            sa.select(cases)
            .where(cases.c.contact_id == contact_id, cases.c.status.in_(OPEN))
            .order_by(cases.c.id.desc())
            .limit(1)
        ).first()

    def respond(
        self,
        connection: Connection,
        contact_id: int,
        state: State,
        inbound: Inbound,
        effects: Effects,
    ) -> Outcome:
        """The answer to a message, cases included; the engine answers whatever is not for
        an operator."""
        case = self.current(connection, contact_id)
        action = self.conversation.action(state, inbound)
        if state.reconnect is not None and action in ("case:yes", "case:no"):
            return self._confirm(connection, contact_id, state, action == "case:yes", effects)
        state = replace(state, reconnect=None)
        if case is not None and case.person_left_at is None:
            if action == "home":
                self._leave(connection, case, effects)
                outcome = self.conversation.respond(state, inbound)
                note = self.notices.left(self._language(state, case), self._code(case))
                return replace(
                    outcome,
                    replies=[
                        Reply(text=note, language=self._language(state, case)),
                        *outcome.replies,
                    ],
                )
            if action is None and (inbound.text or inbound.attachment):
                return self._relay(connection, case, state, inbound, effects)
        code = written_code(inbound.text or "") if action is None else None
        if code is not None and state.code_tries < MAX_CODE_TRIES:
            state = replace(state, code_tries=state.code_tries + 1)
            found = self._offer(connection, contact_id, state, code, effects)
            if found is not None:
                return found
        outcome = self.conversation.respond(state, inbound)
        if outcome.escalation is not None and not outcome.erase:
            outcome = self._escalate(connection, contact_id, inbound, outcome, case, effects)
        return outcome

    def forget(self, connection: Connection, contact_id: int, effects: Effects) -> None:
        """The person erased their data: their cases close and lose every line; the rows stay,
        without them, for the statistics."""
        ids = [
            row.id
            for row in connection.execute(
                sa.select(cases.c.id).where(cases.c.contact_id == contact_id)
            )
        ]
        if not ids:
            return
        now = self.clock()
        connection.execute(case_messages.delete().where(case_messages.c.case_id.in_(ids)))
        connection.execute(
            cases.update()
            .where(cases.c.id.in_(ids), cases.c.status.in_(OPEN))
            .values(status="closed", outcome="erased", closed_at=now, deadline_at=None)
        )
        connection.execute(cases.update().where(cases.c.id.in_(ids)).values(updated_at=now))
        for case_id in ids:
            effects.deadlines[case_id] = None
        effects.changed = True

    # -- opening and rejoining ----------------------------------------------------------------

    def _escalate(
        self,
        connection: Connection,
        contact_id: int,
        inbound: Inbound,
        outcome: Outcome,
        case: sa.Row | None,
        effects: Effects,
    ) -> Outcome:
        escalation = outcome.escalation
        assert escalation is not None
        state = outcome.state
        now = self.clock()
        if case is not None:
            notice = self._rejoin(connection, case, state, escalation, effects, now)
        else:
            notice = self._open(connection, contact_id, inbound, state, escalation, effects, now)
        # The operator node's own text already says a person will write; ours says who and when.
        return replace(outcome, replies=[*outcome.replies, notice])

    def _open(
        self,
        connection: Connection,
        contact_id: int,
        inbound: Inbound,
        state: State,
        escalation: Escalation,
        effects: Effects,
        now: datetime,
    ) -> Reply:
        language = state.language or self.conversation.default_language
        topic = topic_of(self.conversation.tree, escalation.node)
        organisation = routing.route(
            directory.load(connection),
            country=state.country,
            topic=topic,
            language=language,
            at=now,
        )
        code = self._unused_code(connection)
        due = deadline(organisation, escalation.urgent, now)
        case_id = connection.execute(
            cases.insert().values(
                code_hash=self.vault.lookup(case_code_key(code)),
                code_enc=self.vault.seal(code),
                contact_id=contact_id,
                organisation_id=organisation.id,
                status="waiting",
                urgent=escalation.urgent,
                reason=escalation.reason,
                channel=inbound.channel,
                language=language,
                country=state.country,
                topic=topic,
                node_id=escalation.node,
                deadline_at=due,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        if escalation.text:
            self._line(connection, case_id, "person", escalation.text, now)
        effects.deadlines[case_id] = due
        effects.changed = True
        return self.notices.opened(language, organisation, code, urgent=escalation.urgent, at=now)

    def _rejoin(
        self,
        connection: Connection,
        case: sa.Row,
        state: State,
        escalation: Escalation,
        effects: Effects,
        now: datetime,
    ) -> Reply:
        """Asking for a person again while a case is open continues that case (raised to
        urgent if the person is now in danger)."""
        values: dict[str, Any] = {"person_left_at": None, "updated_at": now}
        if escalation.urgent and not case.urgent:
            values.update(urgent=True, reason="urgent")
            if case.status == "waiting":
                organisation = directory.find(connection, case.organisation_id)
                values["deadline_at"] = min(
                    deadline(organisation, True, now), case.deadline_at or now
                )
                effects.deadlines[case.id] = values["deadline_at"]
        connection.execute(cases.update().where(cases.c.id == case.id).values(**values))
        if escalation.text:
            self._line(connection, case.id, "person", escalation.text, now)
        effects.changed = True
        organisation = directory.find(connection, case.organisation_id)
        return self.notices.rejoined(
            self._language(state, case), organisation, self._code(case), now
        )

    # -- while a case is open -----------------------------------------------------------------

    def _relay(
        self,
        connection: Connection,
        case: sa.Row,
        state: State,
        inbound: Inbound,
        effects: Effects,
    ) -> Outcome:
        """The person's words go to the operator. Danger still gets its answer at once (the
        emergency numbers) and moves the case to the top of the queue."""
        now = self.clock()
        text = (inbound.text or "")[: self.conversation.max_text]
        text = text.encode("utf-8", "replace").decode("utf-8")
        if inbound.attachment:
            note = ATTACHMENT_NOTE.format(kind=inbound.attachment)
            text = f"{note} {text}".strip()
        self._line(connection, case.id, "person", text, now)
        connection.execute(cases.update().where(cases.c.id == case.id).values(updated_at=now))
        effects.changed = True
        if inbound.text and not case.urgent:
            guess, reading = self.conversation.read(inbound.text)
            if self.conversation.is_urgent(reading, guess):
                outcome = self.conversation.respond(state, inbound)
                escalation = outcome.escalation or Escalation(reason="urgent", urgent=True)
                self._rejoin(
                    connection, case, outcome.state, replace(escalation, text=None), effects, now
                )
                return replace(outcome, escalation=None)
        return Outcome(state, [])

    def _leave(self, connection: Connection, case: sa.Row, effects: Effects) -> None:
        now = self.clock()
        connection.execute(
            cases.update().where(cases.c.id == case.id).values(person_left_at=now, updated_at=now)
        )
        self._line(connection, case.id, "hotline", "The person went back to the menu.", now)
        effects.changed = True

    # -- reconnecting by code -------------------------------------------------------------------

    def _offer(
        self,
        connection: Connection,
        contact_id: int,
        state: State,
        code: str,
        effects: Effects,
    ) -> Outcome | None:
        """A message that is a case code: their own open case continues; someone else's
        (their old number) is offered to reconnect, once they confirm. An unknown code is
        an ordinary message, and says nothing about whether such a case exists."""
        found = connection.execute(
            sa.select(cases).where(
                cases.c.code_hash == self.vault.lookup(case_code_key(code)),
                cases.c.status.in_(OPEN),
            )
        ).first()
        if found is None:
            return None
        language = self._language(state, found)
        if found.contact_id == contact_id:
            escalation = Escalation(reason=found.reason)
            notice = self._rejoin(connection, found, state, escalation, effects, self.clock())
            return Outcome(state, [notice])
        ask = self.notices.ask_reconnect(language, code)
        # Remembered like any reply's options, so "1" on SMS means "yes".
        options = [[o.label, o.data] for o in ask.options]
        return Outcome(replace(state, reconnect=found.id, options=options), [ask])

    def _confirm(
        self,
        connection: Connection,
        contact_id: int,
        state: State,
        yes: bool,
        effects: Effects,
    ) -> Outcome:
        case_id, state = state.reconnect, replace(state, reconnect=None)
        found = connection.execute(
            sa.select(cases).where(cases.c.id == case_id, cases.c.status.in_(OPEN))
        ).first()
        language = state.language or (found.language if found else None)
        language = language or self.conversation.default_language
        if not yes or found is None:
            home = self.conversation.respond(state, Inbound(channel="", address="", option="home"))
            note = Reply(text=self.notices.not_reconnected(language), language=language)
            return replace(home, replies=[note, *home.replies])
        if state.language is None:  # a new SIM or app: the case's language, until they choose
            state = replace(state, language=found.language, language_from="hint")
        now = self.clock()
        channel = connection.execute(
            sa.select(contacts.c.channel).where(contacts.c.id == contact_id)
        ).scalar()
        connection.execute(
            cases.update()
            .where(cases.c.id == found.id)
            .values(contact_id=contact_id, channel=channel, person_left_at=None, updated_at=now)
        )
        self._line(
            connection,
            found.id,
            "hotline",
            f"The person reconnected from {channel} with the case code.",
            now,
        )
        effects.changed = True
        organisation = directory.find(connection, found.organisation_id)
        reply = self.notices.reconnected(language, organisation, self._code(found), now)
        return Outcome(replace(state, options=[]), [reply])

    # -- small pieces ---------------------------------------------------------------------------

    def _unused_code(self, connection: Connection) -> str:
        for _ in range(20):
            code = new_code()
            taken = connection.execute(
                sa.select(cases.c.id).where(
                    cases.c.code_hash == self.vault.lookup(case_code_key(code))
                )
            ).first()
            if taken is None:
                return code
        raise RuntimeError("no free case code after 20 tries")  # 25^6 codes: never in practice

    def _line(
        self, connection: Connection, case_id: int, author: str, text: str, at: datetime
    ) -> None:
        add_line(connection, self.vault, case_id, author, text, at)

    def _code(self, case: sa.Row) -> str:
        return self.vault.open(case.code_enc)

    def _language(self, state: State, case: sa.Row) -> str:
        return state.language or case.language or self.conversation.default_language
