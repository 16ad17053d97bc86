"""The audit log: who opened a case, revealed a number, exported, moved or closed a case."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.storage.models import AuditEntry, utcnow

audit_log = AuditEntry.__table__


def record(
    connection: Connection,
    operator_id: int | None,
    action: str,
    *,
    case_id: int | None = None,
    detail: str | None = None,
) -> None:
    connection.execute(
        audit_log.insert().values(
            at=utcnow(),
            operator_id=operator_id,
            action=action,
            case_id=case_id,
            detail=(detail or None) and detail[:200],
        )
    )
