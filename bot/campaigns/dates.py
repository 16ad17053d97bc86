"""Dates as people write them: 15.01.2027, 15/01/27, 2027-01-15."""

from __future__ import annotations

import re
from datetime import date

_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def find_date(text: str) -> date | None:
    """The first date in a text, or None (also for an impossible one such as 31.02.2027)."""
    if found := _YEAR_FIRST.search(text):
        year, month, day = (int(g) for g in found.groups())
    elif found := _DAY_FIRST.search(text):
        day, month, year = (int(g) for g in found.groups())
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
