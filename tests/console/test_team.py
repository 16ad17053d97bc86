"""Accounts from the console: admins add them (a one-time password, shown once) and switch
them off (their sessions end at once)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from bot.storage.models import AuditEntry
from tests.console.conftest import Console, csrf_of, post, sign_in


async def test_an_admin_adds_an_account_that_must_choose_its_password(console: Console):
    await console.organisation("ngo-a")
    await console.operator("root", "hotline", "admin")
    async with console.client() as admin:
        await sign_in(admin, "root")
        added = await post(
            admin, "/console/team", "/console/team/add", name="Dana", organisation="ngo-a",
            role="operator",
        )  # fmt: skip
        assert added.status_code == 200
        password = re.search(r'<code class="secret">([^<]+)</code>', added.text).group(1)
        assert "dana" in added.text
        again = await admin.get("/console/team")
        assert password not in again.text  # shown once only
        for name, organisation, role, problem in (
            ("dana", "ngo-a", "operator", "is taken"),
            ("new one", "ngo-a", "operator", "no spaces"),
            ("x" * 65, "ngo-a", "operator", "1 to 64"),
            ("eve", "ngo-zzz", "operator", "no organisation"),
            ("eve", "ngo-a", "god", "role must be one of"),
        ):
            refused = await post(
                admin, "/console/team", "/console/team/add", name=name,
                organisation=organisation, role=role,
            )  # fmt: skip
            assert refused.status_code == 400 and problem in refused.text, name
    async with console.client() as dana:
        first = await sign_in(dana, "dana", password)
        assert first.headers["location"] == "/console/account"


async def test_switching_an_account_off_ends_its_session(console: Console):
    operator_id = await console.operator("dana", "hotline")
    root_id = await console.operator("root", "hotline", "admin")
    async with console.client() as admin, console.client() as dana:
        await sign_in(admin, "root")
        await sign_in(dana, "dana")
        assert (await dana.get("/console/")).status_code == 200
        token = csrf_of(await admin.get("/console/team"))
        off = await admin.post(f"/console/team/{operator_id}/disable", data={"csrf": token})
        assert off.status_code == 303
        assert (await dana.get("/console/")).status_code == 303
        assert (await sign_in(dana, "dana")).status_code == 403
        myself = await admin.post(f"/console/team/{root_id}/disable", data={"csrf": token})
        assert myself.status_code == 400
        nobody = await admin.post("/console/team/4242/disable", data={"csrf": token})
        assert nobody.status_code == 404
        odd = await admin.post(f"/console/team/{operator_id}/delete", data={"csrf": token})
        assert odd.status_code == 403
        on = await admin.post(f"/console/team/{operator_id}/enable", data={"csrf": token})
        assert on.status_code == 303
        assert (await sign_in(dana, "dana")).status_code == 303
    actions = await console.run(
        lambda c: c.execute(sa.select(AuditEntry.__table__.c.action)).scalars().all()
    )
    assert "account_disable" in actions and "account_enable" in actions
