"""The kinds of date a person can be reminded of, with the page that says what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Kind:
    id: str
    node: str  # the page that says what to do
    label: str  # marked for translation
    reminder: str  # the reminder's text, with {date} and {days}; marked for translation
    words: re.Pattern[str]  # how people name it when they write the date themselves


KINDS = {
    "patent": Kind(
        "patent",
        "work/permit",
        N_("Patent paid until"),
        N_(
            "Reminder: your patent is paid until {date}. Days left: {days}. Pay for the next "
            "month before then, or the patent becomes invalid."
        ),
        re.compile(r"патент|patent", re.IGNORECASE),
    ),  # fmt: skip
    "registration": Kind(
        "registration",
        "work/registration",
        N_("Registration ends"),
        N_("Reminder: your registration ends on {date}. Days left: {days}. Extend it before then."),
        re.compile(r"регистрац|registration|ro.yxat|тіркел|каттоо", re.IGNORECASE),
    ),  # fmt: skip
}
MAX_REMINDERS = 10
DEFAULT_DAYS_BEFORE = (7, 1)
