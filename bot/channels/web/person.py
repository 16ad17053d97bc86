"""Who is writing: a random token in an HttpOnly cookie, and nothing else. The token is the
person's address on the channel (sealed at rest like a phone number): whoever holds the cookie
is the person, so it never goes into a page, a URL or a log line."""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "hotline_chat"
PATH = "/chat"
# A week, renewed on every visit: long enough for an operator's late answer to find the
# person again, short enough that a forgotten shared phone lets go. /forget erases it sooner.
KEPT_FOR = 7 * 24 * 3600
# What secrets.token_urlsafe(24) makes; anything else is not a token we gave out.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_of(request: Request) -> str | None:
    """The person's token, or None when the cookie is missing or malformed (a new person)."""
    value = request.cookies.get(COOKIE, "")
    return value if _TOKEN.fullmatch(value) else None


def keep(response: Response, token: str, *, secure: bool) -> None:
    """Give the browser the token to send back. Lax: a form on another site posting here
    arrives without it, as a stranger, and reads nothing."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=KEPT_FOR,
        path=PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )
