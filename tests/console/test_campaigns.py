"""The Campaigns page through the real ASGI app: each run's progress with a bar, pause, resume
and cancel as posted forms (CSRF checked, audited), for admins and accounts allowed to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.campaigns import runs
from bot.storage.models import AuditEntry
from tests.campaigns.helpers import campaign, subscribers
from tests.console.conftest import Console, csrf_of, post, sign_in

AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


async def a_run(console: Console, people: int = 4) -> int:
    hotline = console.hotline
    hotline.campaigns.campaigns["test-news"] = campaign(title="Test <b>news</b>")
    await subscribers(hotline, [str(8000 + i) for i in range(people)])
    run_id = await hotline.deliveries.start("test-news", AT)
    await hotline.deliveries.plan_due()
    return run_id


async def state(console: Console, run_id: int) -> str:
    found = await console.run(lambda c: runs.progress(c, run_id=run_id))
    assert found is not None
    return found.state


async def test_an_admin_sees_progress_and_pauses_resumes_cancels(console: Console):
    run_id = await a_run(console)
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        page = await admin.get("/console/campaigns")
        assert page.status_code == 200
        assert 'href="/console/campaigns" aria-current="page"' in page.text
        assert '<progress value="0" max="4"' in page.text and "0% of 4" in page.text
        assert "Test &lt;b&gt;news&lt;/b&gt;" in page.text  # escaped, never markup
        for action, after in (("pause", "paused"), ("resume", "sending"), ("cancel", "cancelled")):
            done = await post(admin, "/console/campaigns", f"/console/campaigns/{run_id}/{action}")
            assert done.status_code == 303 and done.headers["location"].endswith(f"done={action}")
            assert await state(console, run_id) == after
        shown = await admin.get("/console/campaigns?done=cancel")
        assert "Run cancelled." in shown.text and "100% of 4" in shown.text
        assert f"/console/campaigns/{run_id}/pause" not in shown.text  # an ended run: no buttons
        again = await post(admin, "/console/campaigns", f"/console/campaigns/{run_id}/resume")
        assert again.status_code == 409 and "cannot be resumed" in again.text
    audit = await console.run(lambda c: c.execute(sa.select(AuditEntry.__table__)).all())
    actions = [entry.action for entry in audit if entry.action.startswith("campaign_")]
    assert actions == ["campaign_pause", "campaign_resume", "campaign_cancel"]


async def test_operators_need_an_admin_to_allow_them(console: Console):
    run_id = await a_run(console)
    dana = await console.operator("dana", "hotline")
    await console.operator("sam", "hotline", "supervisor")
    await console.operator("root", "hotline", "admin")
    async with console.client() as client:
        await sign_in(client, "dana")
        assert (await client.get("/console/campaigns")).status_code == 403
        assert "/console/campaigns" not in (await client.get("/console/account")).text
        token = csrf_of(await client.get("/console/account"))
        held = await client.post(f"/console/campaigns/{run_id}/pause", data={"csrf": token})
        assert held.status_code == 403 and await state(console, run_id) == "sending"
    async with console.client() as client:
        await sign_in(client, "sam")  # a supervisor sees the team, but cannot allow anyone
        token = csrf_of(await client.get("/console/team"))
        refused = await client.post(f"/console/team/{dana}/campaigns-on", data={"csrf": token})
        assert refused.status_code == 403
    async with console.client() as admin:
        await sign_in(admin, "root")
        allowed = await post(admin, "/console/team", f"/console/team/{dana}/campaigns-on")
        assert allowed.status_code == 303
        assert f"/console/team/{dana}/campaigns-off" in (await admin.get("/console/team")).text
    async with console.client() as client:
        await sign_in(client, "dana")
        page = await client.get("/console/campaigns")
        assert page.status_code == 200 and 'href="/console/campaigns"' in page.text
        done = await post(client, "/console/campaigns", f"/console/campaigns/{run_id}/pause")
        assert done.status_code == 303 and await state(console, run_id) == "paused"
    async with console.client() as admin:
        await sign_in(admin, "root")
        await post(admin, "/console/team", f"/console/team/{dana}/campaigns-off")
    async with console.client() as client:
        await sign_in(client, "dana")
        assert (await client.get("/console/campaigns")).status_code == 403


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/console/campaigns/{run}/pause", {}, 403),  # no token
        ("/console/campaigns/{run}/pause", {"csrf": "forged"}, 403),
        ("/console/campaigns/{run}/delete", None, 404),
        ("/console/campaigns/{run}/PAUSE", None, 404),
        ("/console/campaigns/{run}/pause%00", None, 404),
        ("/console/campaigns/99999999999999/pause", None, 404),
        ("/console/campaigns/0/pause", None, 404),
        ("/console/campaigns/-1/pause", None, 404),
        ("/console/campaigns/abc/pause", None, 404),
        ("/console/campaigns/4242/pause", None, 409),  # no such run
        ("/console/campaigns/{run}/pause", {"padding": "x" * 70_000}, 413),
    ],
)
async def test_hostile_forms_change_nothing(console: Console, path, data, status):
    run_id = await a_run(console, people=1)
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        token = csrf_of(await admin.get("/console/campaigns"))
        form = {"csrf": token} if data is None else data
        if "padding" in form:
            form = {"csrf": token, **form}
        answer = await admin.post(path.format(run=run_id), data=form)
        assert answer.status_code == status, answer.text[:300]
        assert await state(console, run_id) == "sending"


async def test_a_form_sent_as_json_is_refused(console: Console):
    run_id = await a_run(console, people=1)
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        token = csrf_of(await admin.get("/console/campaigns"))
        answer = await admin.post(f"/console/campaigns/{run_id}/cancel", json={"csrf": token})
        assert answer.status_code == 415 and await state(console, run_id) == "sending"


async def test_signed_out_people_are_sent_to_sign_in(console: Console):
    run_id = await a_run(console, people=1)
    async with console.client() as stranger:
        page = await stranger.get("/console/campaigns")
        assert page.status_code == 303 and "/console/login" in page.headers["location"]
        answer = await stranger.post(f"/console/campaigns/{run_id}/cancel", data={"csrf": "x"})
        assert answer.status_code in (303, 403) and await state(console, run_id) == "sending"
