"""Which organisation takes a new case: one that covers the person's country, topic and
language and is open now; otherwise the regional fallback, which takes everything."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from opening_hours import ParserError

from bot.content.hours import schedule


def is_open(organisation: Any, at: datetime) -> bool:
    """Whether its operators work at `at`; no hours means they say they always do. Unreadable
    hours (the console and CLI refuse them) count as closed rather than as a guess."""
    if not organisation.hours or organisation.hours == "24/7":
        return True
    try:
        hours = schedule(organisation.hours, organisation.timezone)
    except (ParserError, SyntaxError, ValueError, LookupError):
        return False
    return hours.is_open(hours_time(at, organisation.timezone))


def opens_at(organisation: Any, at: datetime) -> datetime | None:
    """When it next opens (in its own time zone), if it is closed now."""
    if is_open(organisation, at):
        return None
    try:
        return schedule(organisation.hours, organisation.timezone).next_change(
            hours_time(at, organisation.timezone)
        )
    except (ParserError, SyntaxError, ValueError, LookupError):
        return None


def hours_time(at: datetime, timezone: str | None) -> datetime:
    return at.astimezone(ZoneInfo(timezone)) if timezone else at.replace(tzinfo=None)


def covers(organisation: Any, country: str | None, topic: str | None, language: str | None) -> bool:
    """Empty lists cover everything; an unknown country, topic or language is covered only by
    an organisation that takes them all."""
    for wanted, offered in (
        (country, organisation.countries),
        (topic, organisation.topics),
        (language, organisation.languages),
    ):
        if offered and wanted not in offered:
            return False
    return True


def route(
    organisations: Iterable[Any],
    *,
    country: str | None,
    topic: str | None,
    language: str | None,
    at: datetime,
    exclude: str | None = None,
) -> Any:
    """The organisation for a case. Among those that cover it and are open, the narrowest
    (a national hotline for this country before a regional one); the fallback last."""
    candidates = [o for o in organisations if o.active and o.id != exclude]
    fitting = [
        o
        for o in candidates
        if not o.fallback and covers(o, country, topic, language) and is_open(o, at)
    ]
    if fitting:
        return min(fitting, key=lambda o: (_breadth(o), o.id))
    fallbacks = [o for o in candidates if o.fallback]
    if not fallbacks:
        raise LookupError("no fallback organisation: run the service once to create it")
    return fallbacks[0]


def _breadth(organisation: Any) -> tuple[int, int, int]:
    """How much it covers: an empty list (everything) counts as the most."""
    many = 10_000
    return (
        len(organisation.countries) or many,
        len(organisation.topics) or many,
        len(organisation.languages) or many,
    )
