"""Writing and editing campaigns in the console, through the real ASGI app over a real
database: the form, its checks in the form's words, the campaign page with the text as each
channel carries it, Send now, and what is kept (table, audit log, the running scheduler)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.campaigns import runs, written
from bot.campaigns.scheduler import job_of
from bot.storage.models import AuditEntry, CampaignDelivery, WrittenCampaign, utcnow
from tests.campaigns.helpers import subscribers
from tests.console.conftest import Console, csrf_of, post, sign_in

NEW = "/console/campaign/new"


def _future(days: int = 3) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")


def fields(**changes) -> dict:
    """A campaign as a campaign manager fills the form in."""
    values = {
        "id": "winter-safety",
        "title": "Winter safety <i>reminder</i>",
        "message_ru": "Никто не имеет права забирать ваш паспорт. Напишите нам, если забрали.",
        "message_ky": "Паспортуңузду эч ким тартып ала албайт. Алышса, бизге жазыңыз.",
        "node": "trafficking/passport-taken",
        "topic": ["safety"],
        "country": ["KG", "RU"],
        "kind": "once",
        "once": _future(),
        "zone": "Asia/Bishkek",
        "hours_from": "09:00",
        "hours_to": "20:00",
        "enabled": "on",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


async def audit_actions(console: Console) -> list[tuple[str, str | None]]:
    rows = await console.run(lambda c: c.execute(sa.select(AuditEntry.__table__)).all())
    return [(row.action, row.detail) for row in rows if row.action.startswith("campaign_")]


async def stored(console: Console, campaign_id: str):
    return await console.run(lambda c: written.get(c, campaign_id))


async def test_a_campaign_written_in_the_console_is_kept_shown_and_scheduled(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        form = await admin.get(NEW)
        assert form.status_code == 200 and 'name="message_fa-AF"' in form.text
        assert 'dir="rtl"' in form.text  # Dari and Pashto are written right to left
        done = await post(admin, NEW, NEW, **fields())
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/console/campaign/winter-safety?done=added"
        page = await admin.get(done.headers["location"])
        assert page.status_code == 200
        assert "Campaign added." in page.text
        assert "Winter safety &lt;i&gt;reminder&lt;/i&gt;" in page.text  # escaped, never markup
        assert "Никто не имеет права забирать ваш паспорт" in page.text
        assert "SMS segments (ucs2)" in page.text or "SMS segment (ucs2)" in page.text
        kyrgyz = await admin.get("/console/campaign/winter-safety?lang=ky")
        assert "Паспортуңузду эч ким" in kyrgyz.text
        dari = await admin.get("/console/campaign/winter-safety?lang=fa-AF")
        assert "no text in this language" in dari.text  # Dari readers get the Russian text
        assert "content/campaigns/winter-safety.yaml" in page.text  # offered as a file for git
        listing = await admin.get("/console/campaigns")
        assert (
            'href="/console/campaign/winter-safety"' in listing.text and "console" in listing.text
        )
    row = await stored(console, "winter-safety")
    assert row is not None and row.version == 1 and row.updated_by == "root"
    assert row.body["audience"] == {"topics": ["safety"], "countries": ["RU", "KG"]}
    assert row.body["schedule"]["once"].endswith("+06:00")  # Bishkek's wall clock, kept aware
    campaign = console.hotline.campaigns.campaigns["winter-safety"]
    assert campaign.origin == "console" and campaign.messages.keys() == {"ru", "ky"}
    scheduler = console.hotline.scheduler
    assert scheduler is not None and scheduler._scheduler is not None
    job = scheduler._scheduler.get_job(job_of("winter-safety"))
    assert job is not None and job.next_run_time == campaign.once
    assert await audit_actions(console) == [("campaign_create", "winter-safety")]


async def test_editing_keeps_versions_and_refuses_a_stale_form(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin, console.client() as colleague:
        await sign_in(admin, "root")
        await sign_in(colleague, "root")
        assert (await post(admin, NEW, NEW, **fields())).status_code == 303
        edit = "/console/campaign/winter-safety/edit"
        form = await admin.get(edit)
        assert form.status_code == 200
        assert 'value="KG" checked' in form.text and 'value="TJ" checked' not in form.text
        assert "Паспортуңузду эч ким" in form.text and 'name="version" value="1"' in form.text
        # Two people open the form; the first saves, the second's older copy is refused.
        stale = csrf_of(await colleague.get(edit))
        saved = await post(
            admin, edit, edit, **fields(id=None, version="1", message_ky=None, enabled=None)
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("done=saved")
        refused = await colleague.post(
            edit, data={"csrf": stale, **fields(id=None, version="1", title="Mine")}
        )
        assert refused.status_code == 409 and "Someone saved this campaign" in refused.text
        assert 'value="Mine"' in refused.text  # what they typed is still there
    row = await stored(console, "winter-safety")
    assert row is not None and row.version == 2 and "ky" not in row.body["message"]
    campaign = console.hotline.campaigns.campaigns["winter-safety"]
    assert campaign.version == 2 and not campaign.enabled
    scheduler = console.hotline.scheduler
    assert scheduler is not None and scheduler._scheduler is not None
    assert scheduler._scheduler.get_job(job_of("winter-safety")) is None  # switched off: no timer
    assert await audit_actions(console) == [
        ("campaign_create", "winter-safety"),
        ("campaign_edit", "winter-safety"),
    ]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": ""}, "The id: small Latin letters"),
        ({"id": "New"}, "The id: small Latin letters"),  # "new" is the form's own address
        ({"id": "../../etc"}, "The id: small Latin letters"),
        ({"id": "safe-routes"}, "The id safe-routes is taken"),  # a campaign file's id
        ({"title": ""}, "Give it a title"),
        ({"message_ru": "   "}, "Write the message in Russian"),
        ({"topic": []}, "Choose at least one topic"),
        ({"topic": ["no-such-topic"]}, "Choose at least one topic"),
        ({"node": ""}, "Link the node its facts come from"),
        ({"node": "no/such/node"}, "does not exist"),
        ({"once": ""}, "Give the date and time"),
        ({"once": "2020-01-01T10:00"}, "That time has passed"),
        ({"once": "tomorrow"}, "Give the date and time"),
        ({"zone": "../../etc/passwd"}, "Choose the time zone from the list"),
        ({"kind": "cron", "cron": ""}, "Write the cron schedule"),
        ({"kind": "cron", "cron": "* * * * *"}, "fires more than once a day"),
        ({"kind": "cron", "cron": "not a cron"}, "schedule.cron or timezone"),
        ({"hours_from": "20:00", "hours_to": "09:00"}, "allowed hours must end after they start"),
        ({"hours_from": "9"}, "the start must be a time"),
        ({"message_ky": "ж" * 1001}, "message.ky must be 1 to 1000 characters"),
        ({"title": "t" * 500}, "title"),
        ({"node": "", "sources": "not-a-url A title"}, "Source line 1"),
        ({"node": "", "sources": "https://example.org"}, "Source line 1"),
    ],
)
async def test_problems_are_said_and_nothing_typed_is_lost(
    console: Console, changes: dict, problem: str
):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        refused = await post(admin, NEW, NEW, **fields(**changes))
    assert refused.status_code == 422, refused.text[:300]
    assert "Not saved yet" in refused.text and problem in refused.text
    assert "Никто не имеет права" in refused.text or "message_ru" in changes
    assert await console.run(lambda c: c.execute(sa.select(WrittenCampaign.__table__)).all()) == []
    assert "winter-safety" not in console.hotline.campaigns.campaigns


async def test_sources_instead_of_a_node_and_a_repeating_schedule(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        done = await post(
            admin,
            NEW,
            NEW,
            **fields(
                node="",
                sources="https://www.unhcr.org/ UNHCR\n\nhttps://www.iom.int/ IOM",
                kind="cron",
                cron="0 10 1 * *",
                channel=["sms", "web", "cli"],  # only real audiences are kept
                language=["ky", "xx"],
            ),
        )
        assert done.status_code == 303, done.text
    row = await stored(console, "winter-safety")
    assert row is not None
    assert row.body["sources"] == [
        {"title": "UNHCR", "url": "https://www.unhcr.org/"},
        {"title": "IOM", "url": "https://www.iom.int/"},
    ]
    assert row.body["schedule"] == {"timezone": "Asia/Bishkek", "cron": "0 10 1 * *"}
    assert row.body["audience"]["channels"] == ["sms"]
    assert row.body["audience"]["languages"] == ["ky"]
    campaign = console.hotline.campaigns.campaigns["winter-safety"]
    assert campaign.cron == "0 10 1 * *" and campaign.node is None


async def test_campaign_files_are_shown_not_edited(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        page = await admin.get("/console/campaign/safe-routes")
        assert page.status_code == 200 and "content/campaigns/safe-routes.yaml" in page.text
        assert "/console/campaign/safe-routes/edit" not in page.text
        edit = await admin.get("/console/campaign/safe-routes/edit")
        assert edit.status_code == 409 and "change it in git" in edit.text
        token = csrf_of(page)
        posted = await admin.post(
            "/console/campaign/safe-routes/edit", data={"csrf": token, **fields(id=None)}
        )
        assert posted.status_code == 409
        nowhere = await admin.post(
            "/console/campaign/nothing/edit", data={"csrf": token, **fields(id=None)}
        )
        assert nowhere.status_code == 404
        for path in (
            "/console/campaign/nothing",
            "/console/campaign/%00",
            "/console/campaign/x/edit",
        ):
            assert (await admin.get(path)).status_code == 404, path
    assert await stored(console, "safe-routes") is None


async def test_send_now_starts_one_run_and_a_second_press_does_not(console: Console):
    hotline = console.hotline
    await subscribers(hotline, ["7001", "7002", "7003"], languages=("ky", "ru"), country="KG")
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        assert (
            await post(admin, NEW, NEW, **fields(hours_from="00:00", hours_to="24:00"))
        ).status_code == 303
        page = "/console/campaign/winter-safety"
        sent = await post(admin, page, page + "/send")
        assert sent.status_code == 303 and sent.headers["location"].endswith("done=sent")
        again = await post(admin, page, page + "/send")
        assert again.status_code == 409 and "under way" in again.text
    found = await console.run(lambda c: runs.overview(c, campaign_id="winter-safety"))
    assert len(found) == 1
    await hotline.deliveries.plan_due()
    count = await console.run(
        lambda c: c.execute(sa.select(sa.func.count()).select_from(CampaignDelivery.__table__))
    )
    assert count.scalar() == 3
    assert await audit_actions(console) == [
        ("campaign_create", "winter-safety"),
        ("campaign_send", "winter-safety"),
    ]


async def test_a_switched_off_campaign_is_not_sent(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        assert (await post(admin, NEW, NEW, **fields(enabled=None))).status_code == 303
        page = "/console/campaign/winter-safety"
        refused = await post(admin, page, page + "/send")
        assert refused.status_code == 409 and "switched off" in refused.text
    assert await console.run(lambda c: runs.overview(c, campaign_id="winter-safety")) == []


async def test_only_campaign_managers_write_campaigns(console: Console):
    await console.operator("root", "hotline", "admin")
    dana = await console.operator("dana", "hotline")
    async with console.client() as operator:
        await sign_in(operator, "dana")
        for path in (NEW, "/console/campaign/safe-routes", "/console/campaign/safe-routes/edit"):
            assert (await operator.get(path)).status_code == 403, path
        token = csrf_of(await operator.get("/console/"))
        for path in (NEW, "/console/campaign/safe-routes/send"):
            refused = await operator.post(path, data={"csrf": token, **fields()})
            assert refused.status_code == 403, path
        await console.run(
            lambda c: c.execute(
                sa.text("UPDATE operator SET campaigns = :on WHERE id = :id"),
                {"on": True, "id": dana},
            )
        )
        assert (await post(operator, NEW, NEW, **fields())).status_code == 303
    assert await audit_actions(console) == [("campaign_create", "winter-safety")]


async def test_hostile_posts(console: Console):
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        token = csrf_of(await admin.get(NEW))
        expired = await admin.post(NEW, data={"csrf": "nope", **fields()})
        assert expired.status_code == 403
        many = await admin.post(
            NEW,
            content="&".join([f"csrf={token}"] + [f"topic=t{i}" for i in range(300)]),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert many.status_code == 400
        huge = await admin.post(NEW, data={"csrf": token, **fields(message_ru="ы" * 70_000)})
        assert huge.status_code == 413
        wrong = await admin.post(NEW, files={"x": b"1"}, data={"csrf": token})
        assert wrong.status_code == 415
        latin1 = await admin.post(
            NEW,
            content=f"csrf={token}&id=x&title=%E9%E9".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert (
            latin1.status_code == 422
        )  # bad bytes are replaced, and the form says what is missing
        repeated = await post(admin, NEW, NEW, **fields(title=["First", "Second"]))
        assert repeated.status_code == 303
    row = await stored(console, "winter-safety")
    assert row is not None and row.body["title"] == "First"


async def test_a_campaign_saved_by_another_process_is_picked_up(console: Console):
    """Another worker's console saved it: the delivery loop finds it rather than cancelling
    the run, and the scheduler's sweep sets its timer (apart from the scheduler's own job of
    the same name)."""
    hotline = console.hotline
    await subscribers(hotline, ["7101", "7102"], country="KG")
    account = await console.operator("root", "hotline", "admin")
    body = {
        "title": "Elsewhere",
        "message": {"ru": "Новость"},
        "node": "trafficking/passport-taken",
        "audience": {"topics": ["safety"]},
        "schedule": {"once": (utcnow() + timedelta(days=2)).isoformat(), "timezone": "UTC"},
        "hours": "00:00-24:00",
    }
    await console.run(lambda c: written.add(c, campaign_id="reminders", body=body, by=account))
    assert "reminders" not in hotline.campaigns.campaigns
    await hotline.deliveries.start("reminders", utcnow() - timedelta(minutes=1))
    await hotline.deliveries.plan_due()
    found = await console.run(lambda c: runs.overview(c, campaign_id="reminders"))
    assert [item.status for item in found] == ["sending"] and found[0].total == 2
    scheduler = hotline.scheduler
    assert scheduler is not None and scheduler._scheduler is not None
    await console.run(
        lambda c: written.change(c, campaign_id="reminders", body=body, by=account, version=1)
    )
    await scheduler._catch_up()
    assert scheduler._scheduler.get_job(job_of("reminders")) is not None
    assert scheduler._scheduler.get_job("reminders") is not None  # its namesake job stays
    assert hotline.campaigns.campaigns["reminders"].version == 2
