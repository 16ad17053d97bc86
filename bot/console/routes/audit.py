"""The audit log, for admins: who opened a case, revealed a number, exported, signed in."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.console.deps import Admin, HotlineDep
from bot.console.pages import render
from bot.storage.models import AuditEntry, Operator

router = APIRouter()
audit_log = AuditEntry.__table__
operators = Operator.__table__
PAGE = 100


def entries(connection: Connection, *, before: int | None, action: str | None) -> list[sa.Row]:
    query = (
        sa.select(audit_log, operators.c.name.label("operator_name"))
        .join_from(audit_log, operators, audit_log.c.operator_id == operators.c.id, isouter=True)
        .order_by(audit_log.c.id.desc())
        .limit(PAGE)
    )
    if before is not None:
        query = query.where(audit_log.c.id < before)
    if action:
        query = query.where(audit_log.c.action == action)
    return list(connection.execute(query))


def actions(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)
        ).scalars()
    )


@router.get("/audit")
async def audit_page(
    request: Request, account: Admin, hotline: HotlineDep, before: str = "", action: str = ""
) -> Response:
    cursor = int(before) if before.isdigit() and len(before) < 12 else None
    action = action[:32]
    rows, known = await hotline.database.run(
        lambda connection: (
            entries(connection, before=cursor, action=action or None),
            actions(connection),
        )
    )
    older = rows[-1].id if len(rows) == PAGE else None
    return render(
        request,
        "audit.html",
        account=account,
        rows=rows,
        actions=known,
        action=action,
        older=older,
    )
