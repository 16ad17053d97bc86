"""Campaigns written in the console, as data: kept in the file's shape, checked by the files'
rules, brought into the running service beside the files (a file of the same id wins), and
seen by `hotline campaign list | preview | send` as well."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.campaigns import written
from bot.campaigns.content import Campaigns, load_campaigns
from bot.storage.database import Database
from bot.storage.models import utcnow
from tests.conftest import CONTENT, LOCALES
from tests.test_cli import env, run  # noqa: F401 - the fixture


def body(**changes) -> dict:
    values = {
        "title": "Winter",
        "message": {"ru": "Паспорт — ваш.", "tg": "Шиноснома аз они шумост."},
        "node": "trafficking/passport-taken",
        "audience": {"topics": ["safety"]},
        "schedule": {"once": (utcnow() + timedelta(days=9)).isoformat(), "timezone": "UTC"},
    }
    return values | changes


@pytest.fixture
def campaigns(tree) -> Campaigns:
    return load_campaigns(CONTENT, tree)


async def test_refresh_adds_changes_and_drops_written_campaigns(database_url, tree, campaigns):
    database = Database(database_url)
    try:
        await database.run(lambda c: written.add(c, campaign_id="winter", body=body(), by=None))
        assert await database.run(lambda c: written.refresh(c, campaigns, tree)) == {"winter"}
        assert campaigns.campaigns["winter"].origin == "console"
        # Nothing changed: nothing to set again.
        assert await database.run(lambda c: written.refresh(c, campaigns, tree)) == set()
        with pytest.raises(written.Taken):
            await database.run(lambda c: written.add(c, campaign_id="winter", body=body(), by=None))
        new = body(title="Winter, again")
        version = await database.run(
            lambda c: written.change(c, campaign_id="winter", body=new, by=None, version=1)
        )
        assert version == 2
        with pytest.raises(written.ChangedMeanwhile):
            await database.run(
                lambda c: written.change(c, campaign_id="winter", body=new, by=None, version=1)
            )
        assert await database.run(lambda c: written.refresh(c, campaigns, tree)) == {"winter"}
        assert campaigns.campaigns["winter"].title == "Winter, again"
        # The tree lost its node since: the campaign is left out, not sent without a source.
        broken = body(node="gone/away")
        await database.run(
            lambda c: written.change(c, campaign_id="winter", body=broken, by=None, version=2)
        )
        assert await database.run(lambda c: written.refresh(c, campaigns, tree)) == {"winter"}
        assert "winter" not in campaigns.campaigns
        assert "safe-routes" in campaigns.campaigns  # the files stay
    finally:
        await database.close()


async def test_a_file_of_the_same_id_wins(database_url, tree, campaigns):
    database = Database(database_url)
    try:
        await database.run(
            lambda c: written.add(c, campaign_id="safe-routes", body=body(title="Mine"), by=None)
        )
        assert await database.run(lambda c: written.refresh(c, campaigns, tree)) == set()
        assert campaigns.campaigns["safe-routes"].origin == "file"
        assert campaigns.campaigns["safe-routes"].title != "Mine"
    finally:
        await database.close()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "text",
        {"title": "x"},
        body(schedule={"cron": "0 10 * * *", "timezone": "Mars/Base"}),
    ],
)
def test_hostile_bodies_are_refused_with_the_files_words(raw, tree, campaigns):
    with pytest.raises(ValueError) as refused:
        written.check("odd", raw, campaigns, tree)
    assert str(refused.value)


def test_the_commands_see_written_campaigns(env):  # noqa: F811
    env = env | {"HOTLINE_CONTENT_DIR": str(CONTENT), "HOTLINE_LOCALES_DIR": str(LOCALES)}
    assert run(env, "db", "upgrade").returncode == 0

    async def add() -> None:
        database = Database(env["HOTLINE_DATABASE_URL"])
        try:
            await database.run(lambda c: written.add(c, campaign_id="winter", body=body(), by=None))
        finally:
            await database.close()

    asyncio.run(add())
    listed = run(env, "campaign", "list")
    assert listed.returncode == 0, listed.stderr
    assert "winter [console]: once" in listed.stdout
    assert "safe-routes: cron" in listed.stdout
    shown = run(env, "campaign", "preview", "winter", "--lang", "tg")
    assert shown.returncode == 0 and "Шиноснома аз они шумост." in shown.stdout
    sent = run(env, "campaign", "send", "winter")
    assert sent.returncode == 0 and "queued" in sent.stdout, sent.stderr
