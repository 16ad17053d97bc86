"""Opening hours of directory entries, written as OpenStreetMap `opening_hours` ("24/7",
"Mo-Fr 09:00-18:00; Sa 10:00-14:00") in the line's own time zone."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opening_hours import OpeningHours, ParserError

from bot.content.model import Hotline


@cache
def schedule(hours: str, timezone: str | None) -> OpeningHours:
    """The parsed hours; raises ParserError (the checker reports it first)."""
    if timezone:
        return OpeningHours(hours, timezone=ZoneInfo(timezone))
    return OpeningHours(hours)


def hours_problem(hours: str, timezone: str | None) -> str | None:
    """Why hours cannot be used, or None."""
    try:
        schedule(hours, timezone)
    except ZoneInfoNotFoundError:
        return f"unknown time zone {timezone}"
    except (ParserError, SyntaxError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        return f"opening hours {hours!r} are not in OpenStreetMap form ({first_line})"
    if hours != "24/7" and not timezone:
        return "opening hours need the line's time zone (timezone:)"
    return None


def is_open(entry: Hotline, at: datetime) -> bool | None:
    """Whether the line answers at `at` (aware); None when its hours are not known."""
    if entry.hours is None or hours_problem(entry.hours, entry.timezone):
        return None
    return schedule(entry.hours, entry.timezone).is_open(_local(at, entry.timezone))


def next_change(entry: Hotline, at: datetime) -> datetime | None:
    """When the line next opens or closes, in its own time zone; None if never or unknown."""
    if entry.hours is None or entry.hours == "24/7" or hours_problem(entry.hours, entry.timezone):
        return None
    return schedule(entry.hours, entry.timezone).next_change(_local(at, entry.timezone))


def _local(at: datetime, timezone: str | None) -> datetime:
    """The moment in the line's zone (the library reads zones by their IANA key)."""
    if timezone is None:
        return at.replace(tzinfo=None)
    return at.astimezone(ZoneInfo(timezone))
