"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.cases.audit import record
from bot.console import accounts
from bot.console.auth import Outcome, sign_in
from bot.console.deps import (
    HotlineDep,
    PostedForm,
    SignedIn,
    current_session,
    keep_session,
    safe_next,
)
from bot.console.pages import render, see_other
from bot.console.session import Session
from bot.console.throttle import WINDOW

router = APIRouter()


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    session = current_session(request)
    if session is None:
        session = Session.anonymous()
        keep_session(request, session)
    return render(request, "login.html", next=safe_next(next), name="")


@router.post("/login")
async def login(request: Request, hotline: HotlineDep, form: PostedForm) -> Response:
    name = form.get("name", "")
    next_url = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    result = await sign_in(
        hotline.database,
        hotline.vault,
        name=name,
        password=form.get("password", ""),
        address=address,
    )
    if result.outcome is Outcome.SIGNED_IN:
        assert result.account is not None
        session = current_session(request) or Session.anonymous()
        keep_session(request, session.signed_in(result.account.id, result.account.epoch))
        if result.account.must_change_password:
            return see_other("/console/account")
        return see_other(next_url)
    status, error = {
        Outcome.WRONG: (401, "Wrong name or password."),
        Outcome.DISABLED: (403, "This account is switched off. Ask your administrator."),
        Outcome.TOO_MANY: (
            429,
            "Too many failed attempts. Wait "
            f"{int(WINDOW.total_seconds() // 60)} minutes, then try again.",
        ),
    }[result.outcome]
    return render(request, "login.html", status=status, error=error, next=next_url, name=name[:64])


@router.post("/logout")
async def logout(
    request: Request, account: SignedIn, hotline: HotlineDep, form: PostedForm
) -> Response:
    def leave(connection) -> None:
        # Signing out ends the account's sessions everywhere: a copied cookie stops working.
        accounts.end_sessions(connection, account.id)
        record(connection, account.id, "sign_out")

    await hotline.database.run(leave)
    keep_session(request, None)
    return see_other("/console/login")
