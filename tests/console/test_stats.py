"""Statistics: counts by topic, country, language, channel, outcome and gender, with small
counts never shown exactly, on the page and in the CSV."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from bot.console.stats import HIDDEN, protect
from bot.storage.models import AuditEntry
from tests.console.conftest import Console, sign_in


def test_small_counts_are_shown_as_under_five_and_cannot_be_worked_out():
    assert [(r.value, r.shown) for r in protect([("a", 12), ("b", 7), ("c", 5)])] == [
        ("a", "12"),
        ("b", "7"),
        ("c", "5"),
    ]
    # One small count: the next smallest is hidden too, or total minus the rest gives it away.
    assert [(r.value, r.shown) for r in protect([("a", 12), ("b", 3), ("c", 7)])] == [
        ("a", "12"),
        ("c", HIDDEN),
        ("b", "<5"),
    ]
    # Two small ones hide each other.
    assert [r.shown for r in protect([("a", 12), ("b", 1), ("c", 4)])] == ["12", "<5", "<5"]
    assert [r.shown for r in protect([("a", 2)])] == ["<5"]
    assert protect([]) == []


async def _cases(console: Console) -> None:
    await console.organisation("ngo-a", "Crisis Centre A")
    await console.organisation("ngo-b", "Legal Aid B")
    specs = [
        ("ngo-a", 5, dict(topic="labour", country="RU", gender="female")),
        ("ngo-a", 2, dict(topic="labour", country="RU", outcome="informed", status="closed")),
        ("ngo-a", 2, dict(topic="asylum", country="KZ", language="ky", channel="telegram")),
        ("ngo-a", 6, dict(topic="trafficking", country="KZ", gender="male")),
        ("ngo-b", 3, dict(topic="labour", country="KG")),
    ]
    for organisation, count, values in specs:
        for _ in range(count):
            await console.case(organisation, **values)


def _table(text: str) -> dict[tuple[str, str], str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["dimension", "value", "cases"]
    return {(row[0], row[1]): row[2] for row in rows[1:]}


async def test_a_supervisor_sees_their_organisation_protected(console: Console):
    await _cases(console)
    await console.operator("anna", "ngo-a", "supervisor")
    async with console.client() as client:
        await sign_in(client, "anna")
        page = await client.get("/console/stats")
        exported = await client.get("/console/stats.csv?days=365&org=ngo-b")
    assert page.status_code == 200 and "&lt;5" in page.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = _table(exported.text)
    assert table[("total", "all")] == "15"  # ngo-a only, whatever was asked
    assert table[("topic", "labour")] == "7"
    assert table[("topic", "asylum")] == "<5"
    assert table[("topic", "trafficking")] == HIDDEN
    assert table[("country", "KZ")] == "8" and table[("country", "RU")] == "7"
    assert ("country", "KG") not in table
    assert table[("language", "ky")] == "<5" and table[("language", "ru")] == HIDDEN
    assert table[("outcome", "still open")] == HIDDEN
    assert table[("outcome", "Informed: the person got the information they needed")] == "<5"
    assert table[("channel", "telegram")] == "<5" and table[("channel", "sms")] == HIDDEN
    assert table[("gender", "male")] == "6" and table[("gender", "female")] == "5"
    assert not any(key == "gender" and value == "not known" for key, value in table)
    for value in table.values():
        assert value in ("<5", HIDDEN) or int(value) >= 5
    entries = await console.run(
        lambda c: c.execute(
            sa.select(AuditEntry.__table__.c.action, AuditEntry.__table__.c.detail)
        ).all()
    )
    exports = [row.detail for row in entries if row.action == "export"]
    assert exports == ["statistics: ngo-a, last year"]


async def test_an_admin_sees_all_or_one_organisation(console: Console):
    await _cases(console)
    await console.operator("root", "hotline", "admin")
    async with console.client() as client:
        await sign_in(client, "root")
        everything = _table((await client.get("/console/stats.csv?days=0")).text)
        one = _table((await client.get("/console/stats.csv?org=ngo-b")).text)
        unknown = _table((await client.get("/console/stats.csv?org=nope&days=x")).text)
        page = await client.get("/console/stats?org=ngo-b&days=7")
    assert everything[("total", "all")] == "18" and everything[("topic", "labour")] == "10"
    assert everything[("country", "KG")] == "<5"
    assert one[("total", "all")] == "<5" and one[("topic", "labour")] == "<5"
    assert unknown == everything  # an unknown organisation is "all", a bad period the default
    assert page.status_code == 200 and 'value="ngo-b" selected' in page.text
