"""Local time: each person's country's time zone, and the next moment inside allowed hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# One zone per served country: where most people the hotline serves there live. Russia and
# Kazakhstan span several zones; Moscow and Almaty (all of Kazakhstan has been UTC+5 since
# 2024-03-01) cover most migrants who write.
COUNTRY_ZONES = {
    "RU": "Europe/Moscow",
    "KZ": "Asia/Almaty",
    "KG": "Asia/Bishkek",
    "TJ": "Asia/Dushanbe",
    "UZ": "Asia/Tashkent",
    "TM": "Asia/Ashgabat",
    "TR": "Europe/Istanbul",
    "AF": "Asia/Kabul",
}
# For a person who has not said where they are: the hotline's region, not UTC midnight.
DEFAULT_ZONE = "Asia/Almaty"


def zone_of(country: str | None) -> ZoneInfo:
    return ZoneInfo(COUNTRY_ZONES.get((country or "").upper(), DEFAULT_ZONE))


def next_allowed(now: datetime, country: str | None, start: time, end: time) -> datetime:
    """`now` if it is inside the allowed local hours, else the next start of them (UTC)."""
    zone = zone_of(country)
    local = now.astimezone(zone)
    if start <= local.time() < end:
        return now.astimezone(UTC)
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def within(now: datetime, country: str | None, start: time, end: time) -> bool:
    return next_allowed(now, country, start, end) <= now


def local_moment(day: date, at: time, country: str | None) -> datetime:
    """A wall-clock time in the person's country, in UTC."""
    return datetime.combine(day, at, tzinfo=zone_of(country)).astimezone(UTC)
