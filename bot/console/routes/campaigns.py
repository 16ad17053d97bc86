"""Campaigns: the campaigns there are (files, and those written in the console), each run's
progress (waiting, queued, sent, failed, blocked, skipped) with a progress bar, and pause,
resume or cancel as posted forms. For admins and for accounts an admin allowed to run
campaigns; every action is in the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.campaigns import runs
from bot.cases.audit import record
from bot.console.accounts import Account
from bot.console.deps import CampaignManager, HotlineDep, PostedForm
from bot.console.pages import render, see_other
from bot.storage.models import utcnow

router = APIRouter()
PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}
MAX_RUN_ID = 2**31 - 1


async def _page(
    request: Request,
    account: Account,
    hotline: HotlineDep,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
) -> Response:
    items = await hotline.database.run(lambda connection: runs.overview(connection, limit=50))
    titles = {key: campaign.title for key, campaign in hotline.campaigns.campaigns.items()}
    return render(
        request,
        "campaigns.html",
        status=status,
        account=account,
        items=items,
        titles=titles,
        definitions=sorted(hotline.campaigns.campaigns.values(), key=lambda c: c.id),
        message=message,
        error=error,
    )


@router.get("/campaigns")
async def campaigns_page(
    request: Request, account: CampaignManager, hotline: HotlineDep, done: str = ""
) -> Response:
    message = f"Run {PAST[done]}." if done in PAST else None
    return await _page(request, account, hotline, message=message)


@router.post("/campaigns/{run_id:int}/{action:str}")
async def campaign_action(
    request: Request,
    account: CampaignManager,
    hotline: HotlineDep,
    form: PostedForm,
    run_id: int,
    action: str,
) -> Response:
    if action not in runs.ACTIONS or not 0 < run_id <= MAX_RUN_ID:
        return await _page(request, account, hotline, status=404, error="No such action.")

    def work(connection: Connection) -> bool:
        done = runs.act(connection, run_id=run_id, action=action, at=utcnow())
        if done:
            record(connection, account.id, f"campaign_{action}", detail=f"run {run_id}")
        return done

    if not await hotline.database.run(work):
        return await _page(
            request,
            account,
            hotline,
            status=409,
            error=f"Run {run_id} cannot be {PAST[action]} now: there is no such run, it has "
            "ended, or it is in that state already.",
        )
    return see_other(f"/console/campaigns?done={action}")
