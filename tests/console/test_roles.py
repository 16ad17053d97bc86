"""Who sees what: operators their organisation's cases, supervisors also its team and
statistics, admins everything."""

from __future__ import annotations

import pytest

from tests.console.conftest import Console, sign_in


@pytest.fixture
async def two_organisations(console: Console) -> dict[str, int]:
    await console.organisation("ngo-a", "Crisis Centre A")
    await console.organisation("ngo-b", "Legal Aid B")
    await console.operator("anna", "ngo-a")
    await console.operator("boris", "ngo-b")
    await console.operator("bella", "ngo-b", "supervisor")
    await console.operator("root", "hotline", "admin")
    return {
        "a": await console.case("ngo-a", text="меня заперли на стройке", urgent=True),
        "b": await console.case("ngo-b", text="нужен юрист по патенту"),
    }


async def test_operators_see_only_their_organisations_cases(console, two_organisations):
    async with console.client() as client:
        await sign_in(client, "boris")
        queue = await client.get("/console/")
        assert "нужен юрист" in queue.text and "меня заперли" not in queue.text
        assert (await client.get(f"/console/cases/{two_organisations['b']}")).status_code == 200
        foreign = await client.get(f"/console/cases/{two_organisations['a']}")
        assert foreign.status_code == 403 and "another organisation" in foreign.text
        assert "меня заперли" not in foreign.text
        assert (
            await client.get(f"/console/cases/{two_organisations['a']}/live")
        ).status_code == 403
        for page in ("/console/audit", "/console/stats", "/console/stats.csv", "/console/team"):
            assert (await client.get(page)).status_code == 403, page


async def test_an_operator_cannot_act_on_another_organisations_case(console, two_organisations):
    case_a = two_organisations["a"]
    async with console.client() as client:
        await sign_in(client, "boris")
        token_page = await client.get(f"/console/cases/{two_organisations['b']}")
        token = token_page.text.split('name="csrf" value="')[1].split('"')[0]
        for action, data in (
            ("take", {}),
            ("reply", {"text": "hello"}),
            ("note", {"text": "hm"}),
            ("reveal", {}),
            ("consent", {}),
            ("close", {"outcome": "informed"}),
        ):
            answer = await client.post(
                f"/console/cases/{case_a}/{action}", data={"csrf": token, **data}
            )
            assert answer.status_code == 403, action


async def test_supervisors_see_their_team_and_statistics_not_the_audit_log(
    console, two_organisations
):
    async with console.client() as client:
        await sign_in(client, "bella")
        team = await client.get("/console/team")
        assert team.status_code == 200
        assert "boris" in team.text and "anna" not in team.text and "root" not in team.text
        assert "Add an account" not in team.text
        stats = await client.get("/console/stats?org=ngo-a")  # asks for another organisation
        assert stats.status_code == 200 and "Legal Aid B" in stats.text
        csv = await client.get("/console/stats.csv?org=ngo-a")
        assert "total,all,<5" in csv.text
        assert (await client.get("/console/audit")).status_code == 403
        assert (await client.post("/console/team/add")).status_code == 403


async def test_admins_see_everything(console, two_organisations):
    async with console.client() as client:
        await sign_in(client, "root")
        queue = await client.get("/console/")
        assert "нужен юрист" in queue.text and "меня заперли" in queue.text
        # Urgent first.
        assert queue.text.index("меня заперли") < queue.text.index("нужен юрист")
        for case_id in two_organisations.values():
            assert (await client.get(f"/console/cases/{case_id}")).status_code == 200
        assert (await client.get("/console/audit")).status_code == 200
        team = await client.get("/console/team")
        assert all(name in team.text for name in ("anna", "boris", "bella", "root"))
