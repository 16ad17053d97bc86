"""Which number to give a person now: the single best line first, then the others.

The best line is in the person's country, is open at this hour, serves everyone (a consulate
serves only its own citizens), covers what the page is about (the page lists its topics most
important first), speaks the person's language, and is free.
This is the regional single hotline in practice: one number to call, chosen for this person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.content.hours import is_open, next_change
from bot.content.model import ContentTree, Hotline


@dataclass(frozen=True)
class Line:
    entry: Hotline
    open_now: bool | None  # None: hours unknown
    changes_at: datetime | None  # next opening or closing, in the line's time zone


def _rank(entry: Hotline, topics: tuple[str, ...], language: str, open_now: bool | None) -> tuple:
    covered = [topics.index(t) for t in entry.topics if t in topics]
    # A line whose own first topic is the page's matters more than one that also covers it.
    specific = min(entry.topics.index(t) for t in entry.topics if t in topics)
    closed = {True: 0, None: 1, False: 2}[open_now]
    # A consulate helps only its own citizens: never the first number, unless the page is
    # about consulates.
    narrow = int("consulate" in entry.topics and topics[:1] != ("consulate",))
    speaks = 0 if language in entry.languages else 1 if not entry.languages else 2
    paid = {True: 0, None: 1, False: 2}[entry.free]
    return (closed, narrow, min(covered), specific, speaks, paid)


def referrals(
    tree: ContentTree,
    country: str,
    topics: tuple[str, ...],
    language: str,
    at: datetime | None,
) -> list[Line]:
    """Verified lines for the country and topics, best first (without a time, open or closed
    is not known and does not count)."""
    entries = tree.hotlines_for(country, topics)
    lines = [
        Line(e, is_open(e, at), next_change(e, at)) if at else Line(e, None, None) for e in entries
    ]
    # The sort is stable: the directory's own order breaks ties.
    return sorted(lines, key=lambda line: _rank(line.entry, topics, language, line.open_now))
