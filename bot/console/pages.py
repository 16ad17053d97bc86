"""Rendering console pages: one Jinja2 environment (autoescape on), a few filters for times,
and `render` that gives every template the signed-in account and the form token."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from bot.console.deps import current_session

TEMPLATES = Path(__file__).resolve().parent / "templates"


def waited(seconds: float | int | None) -> str:
    """A waiting time as an operator reads it at a glance: "40 s", "12 min", "2 h 05 min"."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} d"


def utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(waited=waited, utc=utc, iso=iso)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = current_session(request)
    context.setdefault("account", None)
    context.setdefault("message", None)
    context.setdefault("error", None)
    html = environment.get_template(template).render(
        csrf=session.csrf if session is not None else "", path=request.url.path, **context
    )
    return HTMLResponse(html, status_code=status)


def see_other(url: str) -> RedirectResponse:
    """Where a browser goes after a form or a missing session (303: always a GET)."""
    return RedirectResponse(url, status_code=303)
