"""Statistics and their CSV export: supervisors see their organisation, admins all or one."""

from __future__ import annotations

import csv
import io
import re

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.cases.audit import record
from bot.console import accounts
from bot.console.accounts import Account
from bot.console.deps import HotlineDep, Supervisor
from bot.console.pages import render
from bot.console.stats import PERIODS, Statistics, csv_rows, statistics

router = APIRouter()
DEFAULT_DAYS = 30


def _choice(account: Account, org: str, days: str, known: list[str]) -> tuple[str | None, int]:
    period = int(days) if days.isdigit() and int(days) in PERIODS else DEFAULT_DAYS
    if not account.is_admin:
        return account.organisation_id, period
    return (org if org in known else None), period


async def _statistics(
    hotline, account: Account, org: str, days: str
) -> tuple[Statistics, str | None, int, list[str]]:
    def work(connection: Connection):
        known = accounts.organisation_ids(connection)
        organisation_id, period = _choice(account, org, days, known)
        return (
            statistics(connection, organisation_id=organisation_id, days=period),
            organisation_id,
            period,
            known,
        )

    return await hotline.database.run(work)


@router.get("/stats")
async def stats_page(
    request: Request, account: Supervisor, hotline: HotlineDep, org: str = "", days: str = ""
) -> Response:
    stats, organisation_id, period, known = await _statistics(hotline, account, org, days)
    return render(
        request,
        "stats.html",
        account=account,
        stats=stats,
        organisation_id=organisation_id,
        organisations=known,
        days=period,
        periods=PERIODS,
    )


@router.get("/stats.csv")
async def stats_csv(
    request: Request, account: Supervisor, hotline: HotlineDep, org: str = "", days: str = ""
) -> Response:
    stats, organisation_id, period, _known = await _statistics(hotline, account, org, days)
    await hotline.database.run(
        lambda connection: record(
            connection,
            account.id,
            "export",
            detail=f"statistics: {organisation_id or 'all organisations'}, {PERIODS[period]}",
        )
    )
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(stats))
    label = re.sub(r"[^A-Za-z0-9_-]", "_", organisation_id or "all")[:64]
    name = f"hotline-stats-{label}-{period or 'all'}d.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
