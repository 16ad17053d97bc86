"""A reply as the page shows it: text, option buttons, and which way its language runs."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from babel import UnknownLocaleError

from bot.engine.messages import Reply
from bot.language.catalogs import babel_locale


@cache
def direction(language: str) -> str:
    """Right to left for Dari and Pashto; otherwise "auto", so that a line in another script
    (an operator quoting a name) still runs the right way."""
    try:
        return "rtl" if babel_locale(language).text_direction == "rtl" else "auto"
    except (ValueError, UnknownLocaleError):
        return "auto"


def message(
    reply: Reply, *, message_id: int | None, at: datetime, erased: bool = False
) -> dict[str, Any]:
    """The JSON the page gets for one message. `erased`: the person's data is gone, and the
    page clears the conversation before showing this one (which has no id: it is not kept)."""
    if at.tzinfo is None:  # SQLite gives back naive UTC
        at = at.replace(tzinfo=UTC)
    return {
        "id": message_id,
        "text": reply.text,
        "options": [{"label": option.label, "data": option.data} for option in reply.options],
        "language": reply.language,
        "dir": direction(reply.language),
        "urgent": reply.urgent,
        "at": at.isoformat(timespec="seconds"),
        "erased": erased,
    }
