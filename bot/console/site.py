"""Mounting the console on the hotline's app: its routes, static files, error pages and the
headers middleware. `create_app` calls `mount` once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from bot.console.deps import (
    BadForm,
    NotAllowed,
    PasswordChangeNeeded,
    SignInNeeded,
    keep_session,
    login_url,
)
from bot.console.middleware import ConsoleHeaders
from bot.console.pages import render, see_other
from bot.console.routes import (
    account,
    audit,
    campaign_editor,
    campaigns,
    cases,
    queue,
    signin,
    stats,
    team,
)
from bot.console.session import Sessions
from bot.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class Console:
    sessions: Sessions


def mount(app: FastAPI, settings: Settings) -> None:
    app.state.console = Console(
        sessions=Sessions(settings.master_keys, secure=settings.public_url.startswith("https:"))
    )
    for module in (signin, queue, cases, stats, audit, team, campaigns, campaign_editor, account):
        app.include_router(module.router, prefix="/console")
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_api_route("/console/{rest:path}", _not_found, methods=["GET", "POST"])
    app.add_middleware(ConsoleHeaders)
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(PasswordChangeNeeded, _password_change_needed)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(BadForm, _bad_form)
    cases.add_exception_handlers(app)


def _wants_fragment(request: Request) -> bool:
    """Requests the page's script makes: they get a status to act on, not a page."""
    return request.headers.get("x-requested-with") == "console" or request.url.path.endswith(
        "/events"
    )


async def _sign_in_needed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    if _wants_fragment(request):
        return Response("sign in again", status_code=401)
    return see_other(login_url(exc.next_url))


async def _password_change_needed(request: Request, exc: Exception) -> Response:
    if _wants_fragment(request):
        return Response("set a new password first", status_code=401)
    return see_other("/console/account")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        status=403,
        title="Not allowed",
        detail="Your account cannot open this page.",
    )


async def _bad_form(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadForm)
    if exc.status == 403 and request.url.path == "/console/login":
        keep_session(request, None)  # a fresh token with the next sign-in form
    return render(
        request,
        "error.html",
        status=exc.status,
        title="Not sent",
        detail=exc.detail,
    )


async def _not_found(request: Request, rest: str) -> Response:
    return render(
        request, "error.html", status=404, title="Not found", detail="There is no such page."
    )
