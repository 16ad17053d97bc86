"""What console pages depend on, as named `Annotated` aliases: the hotline, the console's own
parts, the signed-in operator (by role), and a posted form whose CSRF token was checked."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Request

from bot.console import accounts
from bot.console.accounts import Account
from bot.console.session import Session

if TYPE_CHECKING:
    from bot.app import Hotline
    from bot.console.site import Console

FORM_LIMIT = 64 * 1024  # bytes: a 4000-character reply in any script fits with room to spare
FORM_FIELDS = 50
# The campaign form: a message per language and a box per topic, country, language, channel.
LONG_FORM_FIELDS = 200
_UNREAD = object()


class SignInNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class PasswordChangeNeeded(Exception):
    """The account must set its own password before anything else."""


class NotAllowed(Exception):
    """The operator's role or organisation does not reach this page or case."""


class BadForm(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail


def _hotline(request: Request) -> Hotline:
    return request.app.state.hotline


def _console(request: Request) -> Console:
    return request.app.state.console


HotlineDep = Annotated["Hotline", Depends(_hotline)]
ConsoleDep = Annotated["Console", Depends(_console)]


def current_session(request: Request) -> Session | None:
    """The request's session (read once per request)."""
    session = getattr(request.state, "console_session", _UNREAD)
    if session is _UNREAD:
        session = request.app.state.console.sessions.read(request)
        request.state.console_session = session
    return session


def keep_session(request: Request, session: Session | None) -> None:
    """The session the answer stores (or ends, with None): see middleware.py."""
    request.state.console_session = session
    request.state.console_cookie = request.app.state.console.sessions.cookie(session)


async def _signed_in(request: Request) -> Account:
    session = current_session(request)
    account = None
    if session is not None and session.operator_id is not None:
        account = await request.app.state.hotline.database.run(
            lambda connection: accounts.account(connection, session.operator_id)
        )
    if account is None or session is None or account.epoch != session.epoch:
        if session is not None and session.operator_id is not None:
            keep_session(request, None)
        raise SignInNeeded(_here(request))
    keep_session(request, session)  # signed again: the idle clock starts over
    if account.must_change_password and request.url.path != "/console/account":
        raise PasswordChangeNeeded()
    return account


async def _supervisor(account: Annotated[Account, Depends(_signed_in)]) -> Account:
    if not account.is_supervisor:
        raise NotAllowed()
    return account


async def _admin(account: Annotated[Account, Depends(_signed_in)]) -> Account:
    if not account.is_admin:
        raise NotAllowed()
    return account


async def _campaign_manager(account: Annotated[Account, Depends(_signed_in)]) -> Account:
    if not account.runs_campaigns:
        raise NotAllowed()
    return account


SignedIn = Annotated[Account, Depends(_signed_in)]
Supervisor = Annotated[Account, Depends(_supervisor)]
Admin = Annotated[Account, Depends(_admin)]
CampaignManager = Annotated[Account, Depends(_campaign_manager)]


def _here(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


def safe_next(value: str | None) -> str:
    """Where to go after signing in: only a console path on this site, never another site."""
    if (
        value
        and value.startswith("/console")
        and not value.startswith("//")
        and "\\" not in value
        and all(ch.isprintable() and not ch.isspace() for ch in value)
        and len(value) <= 500
    ):
        return value
    return "/console/"


def login_url(next_url: str) -> str:
    return "/console/login?next=" + quote(safe_next(next_url), safe="/")


async def _posted_pairs(request: Request, fields: int) -> list[tuple[str, str]]:
    """The posted fields in order (a name may repeat), once the CSRF token matched the
    session's."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind != "application/x-www-form-urlencoded":
        raise BadForm(415, "Send the form as the page does.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > FORM_LIMIT:
        raise BadForm(413, "That is too long.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise BadForm(413, "That is too long.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=fields
        )
    except ValueError as exc:
        raise BadForm(400, "The form has too many fields.") from exc
    pairs = [(key, value.replace("\x00", "")) for key, value in pairs]
    session = current_session(request)
    token = next((value for key, value in pairs if key == "csrf"), "") or request.headers.get(
        "x-csrf-token", ""
    )
    if session is None or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise BadForm(403, "The form has expired. Go back, reload the page and try again.")
    return pairs


async def _posted_form(request: Request) -> dict[str, str]:
    """The posted fields (the first of each name), once the CSRF token matched."""
    form: dict[str, str] = {}
    for key, value in await _posted_pairs(request, FORM_FIELDS):
        form.setdefault(key, value)
    return form


async def _posted_fields(request: Request) -> list[tuple[str, str]]:
    """A longer form whose names repeat (checkboxes): every field, in order."""
    return await _posted_pairs(request, LONG_FORM_FIELDS)


PostedForm = Annotated[dict[str, str], Depends(_posted_form)]
PostedFields = Annotated[list[tuple[str, str]], Depends(_posted_fields)]
