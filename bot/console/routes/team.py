"""Accounts: supervisors see their organisation's operators; admins see everyone, add
accounts (with a one-time password) and switch them off or on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.cases.audit import record
from bot.console import accounts, passwords
from bot.console.accounts import Account, AccountProblem
from bot.console.deps import Admin, HotlineDep, NotAllowed, PostedForm, Supervisor
from bot.console.pages import render, see_other

router = APIRouter()


async def _team_page(
    request: Request,
    account: Account,
    hotline,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    one_time: tuple[str, str] | None = None,
) -> Response:
    scope = None if account.is_admin else account.organisation_id

    def work(connection: Connection):
        return accounts.listing(connection, organisation_id=scope), accounts.organisation_ids(
            connection
        )

    rows, organisations = await hotline.database.run(work)
    return render(
        request,
        "team.html",
        status=status,
        account=account,
        rows=rows,
        organisations=organisations,
        roles=accounts.ROLES,
        message=message,
        error=error,
        one_time=one_time,
    )


@router.get("/team")
async def team_page(request: Request, account: Supervisor, hotline: HotlineDep) -> Response:
    return await _team_page(request, account, hotline)


@router.post("/team/add")
async def add_account(
    request: Request, account: Admin, hotline: HotlineDep, form: PostedForm
) -> Response:
    name = accounts.normal_name(form.get("name", ""))
    password = passwords.one_time_password()
    password_hash = await asyncio.to_thread(passwords.hash_password, password)

    def add(connection: Connection) -> None:
        accounts.add(
            connection,
            name=name,
            organisation_id=form.get("organisation", ""),
            role=form.get("role", ""),
            password_hash=password_hash,
            must_change_password=True,
        )
        record(
            connection,
            account.id,
            "account_add",
            detail=f"{name} ({form.get('role', '')}, {form.get('organisation', '')})",
        )

    try:
        await hotline.database.run(add)
    except AccountProblem as exc:
        return await _team_page(request, account, hotline, status=400, error=str(exc))
    return await _team_page(request, account, hotline, one_time=(name, password))


@router.post("/team/{operator_id:int}/{change:str}")
async def switch_account(
    request: Request,
    account: Admin,
    hotline: HotlineDep,
    form: PostedForm,
    operator_id: int,
    change: str,
) -> Response:
    if change in ("campaigns-on", "campaigns-off") and operator_id <= 2**31:
        return await _allow_campaigns(account, hotline, operator_id, change == "campaigns-on")
    if change not in ("disable", "enable") or operator_id > 2**31:
        raise NotAllowed()
    if operator_id == account.id:
        return await _team_page(
            request, account, hotline, status=400, error="You cannot switch off your own account."
        )

    def switch(connection: Connection) -> bool:
        found = accounts.set_active(connection, operator_id, change == "enable")
        if found:
            record(connection, account.id, f"account_{change}", detail=f"operator {operator_id}")
        return found

    if not await hotline.database.run(switch):
        return await _team_page(request, account, hotline, status=404, error="No such account.")
    return see_other("/console/team")


async def _allow_campaigns(account: Account, hotline, operator_id: int, allowed: bool) -> Response:
    """Let an account run campaigns (the Campaigns page), or no longer."""

    def change(connection: Connection) -> bool:
        found = accounts.set_campaigns(connection, operator_id, allowed)
        if found:
            action = "campaigns_allow" if allowed else "campaigns_disallow"
            record(connection, account.id, action, detail=f"operator {operator_id}")
        return found

    if not await hotline.database.run(change):
        raise NotAllowed()
    return see_other("/console/team")
