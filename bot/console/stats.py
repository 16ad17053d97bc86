"""Case statistics for supervisors and admins: counts by topic, country, language, channel,
outcome, and gender where the person chose to give it.

Small counts could point at a person ("the one Turkmen asylum case this week"): a count under
`SMALL` is shown as "<5". When a table has exactly one such count, the next smallest is hidden
too, or the small one could be worked out by subtracting the others from the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases.views import OUTCOMES
from bot.storage.models import Case, utcnow

cases = Case.__table__

SMALL = 5
HIDDEN = "hidden"
PERIODS = {
    7: "last 7 days",
    30: "last 30 days",
    90: "last 90 days",
    365: "last year",
    0: "all time",
}
DIMENSIONS = (
    ("topic", "Topic"),
    ("country", "Country"),
    ("language", "Language"),
    ("channel", "Channel"),
    ("outcome", "Outcome"),
    ("gender", "Gender (where given)"),
)
_OUTCOME_LABELS = dict(OUTCOMES)


@dataclass(frozen=True)
class Row:
    value: str
    shown: str  # the count as it may be shown: "12", "<5" or "hidden"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class Statistics:
    total: str
    tables: list[Table]
    since: datetime | None


def small(count: int) -> str:
    return f"<{SMALL}" if 0 < count < SMALL else str(count)


def protect(counts: list[tuple[str, int]]) -> list[Row]:
    """The counts as they may be shown, largest first."""
    ordered = sorted(counts, key=lambda item: (-item[1], item[0]))
    shown = {value: small(count) for value, count in ordered}
    suppressed = [value for value, count in ordered if 0 < count < SMALL]
    if len(suppressed) == 1:
        others = [(count, value) for value, count in ordered if count >= SMALL]
        if others:
            shown[min(others)[1]] = HIDDEN
    return [Row(value, shown[value]) for value, _count in ordered]


def _label(key: str, value: str | None) -> str:
    if key == "outcome":
        return _OUTCOME_LABELS.get(value, value) if value else "still open"
    return value or "not known"


def statistics(connection: Connection, *, organisation_id: str | None, days: int) -> Statistics:
    """Counts of the cases opened in the last `days` (0: all), of one organisation or all."""
    where = []
    since = None
    if organisation_id is not None:
        where.append(cases.c.organisation_id == organisation_id)
    if days:
        since = utcnow() - timedelta(days=days)
        where.append(cases.c.created_at >= since)
    total = connection.execute(
        sa.select(sa.func.count()).select_from(cases).where(*where)
    ).scalar_one()
    tables = []
    for key, title in DIMENSIONS:
        column = cases.c[key]
        query = sa.select(column, sa.func.count()).where(*where).group_by(column)
        if key == "gender":
            query = query.where(column.is_not(None))
        counts: dict[str, int] = {}
        for value, count in connection.execute(query):
            label = _label(key, value)
            counts[label] = counts.get(label, 0) + count
        tables.append(Table(key, title, protect(list(counts.items()))))
    return Statistics(total=small(total), tables=tables, since=since)


def csv_rows(stats: Statistics) -> list[list[str]]:
    rows = [["dimension", "value", "cases"], ["total", "all", stats.total]]
    for table in stats.tables:
        rows.extend([table.key, _cell(row.value), row.shown] for row in table.rows)
    return rows


def _cell(value: str) -> str:
    """A value a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
