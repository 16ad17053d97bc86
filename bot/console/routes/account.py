"""The signed-in operator's own account: a new password (first of all, when it was given to
them by someone else)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.cases.audit import record
from bot.console import accounts, passwords, throttle
from bot.console.deps import HotlineDep, PostedForm, SignedIn, current_session, keep_session
from bot.console.pages import render, see_other

router = APIRouter()


@router.get("/account")
async def account_page(request: Request, account: SignedIn, changed: int = 0) -> Response:
    return render(
        request,
        "account.html",
        account=account,
        message="Your password is changed." if changed else None,
    )


@router.post("/account")
async def change_password(
    request: Request, account: SignedIn, hotline: HotlineDep, form: PostedForm
) -> Response:
    current = form.get("current", "")[: passwords.MAX_LENGTH]
    new = form.get("new", "")
    repeat = form.get("repeat", "")
    address = request.client.host if request.client else "unknown"
    keys = throttle.Keys.of(hotline.vault, account.name, address)

    def stored(connection: Connection) -> tuple[str | None, bool]:
        row = accounts.by_name(connection, account.name)
        return (row.password_hash if row else None), throttle.blocked(connection, keys)

    stored_hash, blocked = await hotline.database.run(stored)
    error = None
    if blocked:
        error = "Too many failed attempts. Wait 15 minutes, then try again."
    elif not await asyncio.to_thread(passwords.verify, stored_hash, current):
        await hotline.database.run(lambda connection: throttle.failed(connection, keys))
        error = "Your current password is not right."
    elif new != repeat:
        error = "The two new passwords are not the same."
    elif new == current:
        error = "Choose a password different from the current one."
    else:
        error = passwords.password_problem(new)
    if error:
        return render(request, "account.html", status=400, account=account, error=error)
    new_hash = await asyncio.to_thread(passwords.hash_password, new)

    def change(connection: Connection) -> int:
        epoch = accounts.set_password(connection, account.id, new_hash)
        record(connection, account.id, "password_change")
        return epoch

    epoch = await hotline.database.run(change)
    session = current_session(request)
    assert session is not None  # SignedIn found one
    # This browser stays signed in; every other session of the account ends.
    keep_session(request, session.signed_in(account.id, epoch))
    return see_other(
        "/console/account?changed=1" if not account.must_change_password else "/console/"
    )
