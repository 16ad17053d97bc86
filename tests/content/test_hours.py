"""Opening hours in OpenStreetMap form, in the line's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.content.hours import hours_problem, is_open, next_change
from bot.content.model import Hotline


def line(hours: str | None, timezone: str | None = "Asia/Almaty") -> Hotline:
    return Hotline(
        id="kz-x", country="KZ", name={"ru": "Линия"}, phone="+77272584598", topics=("asylum",),
        hours=hours, timezone=timezone,
    )  # fmt: skip


# Friday 27 November 2026: 07:00 UTC is 12:00 in Almaty (UTC+5), 14:00 UTC is 19:00.
NOON = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def test_open_and_closed_are_judged_in_the_lines_time_zone():
    office = line("Mo-Fr 09:00-18:00")
    assert is_open(office, NOON) is True
    assert is_open(office, EVENING) is False
    # The same moment is still office hours further west.
    assert is_open(line("Mo-Fr 09:00-18:00", "Europe/Istanbul"), EVENING) is True


def test_next_change_is_the_closing_or_the_next_opening_in_local_time():
    office = line("Mo-Fr 09:00-18:00; Sa 10:00-14:00")
    assert next_change(office, NOON) == datetime(2026, 11, 27, 18, 0).replace(
        tzinfo=next_change(office, NOON).tzinfo
    )
    opens = next_change(office, EVENING)
    assert (opens.weekday(), opens.hour) == (5, 10)  # Saturday 10:00


def test_around_the_clock_and_unknown_hours():
    assert is_open(line("24/7", None), EVENING) is True
    assert next_change(line("24/7"), EVENING) is None
    assert is_open(line(None), EVENING) is None


@pytest.mark.parametrize(
    ("hours", "timezone", "problem"),
    [
        ("Mo-Fr 09:00-18:00", "Asia/Almaty", None),
        ("Mo-Fr 09:30-13:00,14:00-17:30", "Europe/Istanbul", None),
        ("24/7", None, None),
        ("Mo-Fr 09:00-18:00", None, "need the line's time zone"),
        ("weekdays 9 to 6", "Asia/Almaty", "not in OpenStreetMap form"),
        ("", "Asia/Almaty", "not in OpenStreetMap form"),
        ("Mo-Fr 25:00-26:00", "Asia/Almaty", "not in OpenStreetMap form"),
        ("24/7", "Mars/Olympus", "unknown time zone"),
    ],
)
def test_hours_problems(hours: str, timezone: str | None, problem: str | None):
    found = hours_problem(hours, timezone)
    assert (found is None) if problem is None else (problem in (found or ""))
    if problem is not None:
        assert is_open(line(hours, timezone), NOON) is None  # never a crash, never a guess
