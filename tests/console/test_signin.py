"""Signing in and out, sessions, the guessing brake, CSRF: through the real app."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher

from bot.app import create_app
from bot.console.passwords import needs_rehash, verify
from bot.console.session import COOKIE, IDLE
from bot.console.throttle import PER_NAME
from bot.storage.models import AuditEntry, LoginAttempt, Operator
from tests.console.conftest import PASSWORD, Console, csrf_of, post, sign_in


async def test_a_page_without_a_session_goes_to_sign_in_and_back(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        response = await client.get("/console/stats?days=7")
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login?next=/console/stats%3Fdays%3D7"
        for path in ("/console/", "/console/audit", "/console/cases/1", "/console/account"):
            assert (await client.get(path)).status_code == 303
        answer = await sign_in(client, "aigul", next="/console/cases/1")
        assert answer.status_code == 303 and answer.headers["location"] == "/console/cases/1"


async def test_next_never_leads_to_another_site(console: Console):
    await console.operator("aigul", "hotline")
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"):
        async with console.client() as client:
            answer = await sign_in(client, "aigul", next=hostile)
            assert answer.headers["location"] == "/console/", hostile


async def test_good_password_signs_in_with_a_strict_cookie(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        answer = await sign_in(client, "Aigul ")  # names are not case-sensitive
        assert answer.status_code == 303 and answer.headers["location"] == "/console/"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(COOKIE + "=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
        assert "Secure" not in cookie  # plain http here: the browser would drop a Secure cookie
        queue = await client.get("/console/")
        assert queue.status_code == 200 and "aigul" in queue.text
        assert queue.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in queue.headers["content-security-policy"]
    last = await console.run(
        lambda c: c.execute(sa.select(Operator.__table__.c.last_login_at)).scalar()
    )
    assert last is not None


async def test_the_cookie_is_secure_behind_https(settings, hotline):
    app = create_app(settings.model_copy(update={"public_url": "https://hotline.example"}), hotline)
    async with app.router.lifespan_context(app):
        console = Console(app=app, hotline=hotline)
        await console.operator("aigul", "hotline")
        async with console.client() as client:
            answer = await sign_in(client, "aigul")
    assert "Secure" in answer.headers["set-cookie"]


async def test_wrong_password_and_unknown_name_get_the_same_answer(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        wrong = await sign_in(client, "aigul", "not the password")
        unknown = await sign_in(client, "nobody", "not the password")
        assert (await client.get("/console/")).status_code == 303
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong name or password." in answer.text


async def test_the_name_is_shown_back_escaped(console: Console):
    async with console.client() as client:
        answer = await sign_in(client, "<script>alert(1)</script>", "x" * 20)
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text


async def test_too_many_failures_are_refused_for_a_while(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        for _ in range(PER_NAME):
            assert (await sign_in(client, "aigul", "guess guess")).status_code == 401
        blocked = await sign_in(client, "aigul", PASSWORD)  # even the right one, for now
        assert blocked.status_code == 429
        assert "Too many failed attempts" in blocked.text
    # Counted in the database, by keyed hash: every worker process sees it; no name is stored.
    rows = await console.run(lambda c: c.execute(sa.select(LoginAttempt.__table__)).all())
    assert len(rows) == 2 * PER_NAME
    assert all("aigul" not in row.key_hash for row in rows)
    app = create_app(console.hotline.settings, console.hotline)  # another process's view
    other_console = Console(app=app, hotline=console.hotline)
    async with app.router.lifespan_context(app), other_console.client() as other:
        assert (await sign_in(other, "aigul", PASSWORD)).status_code == 429
    # Other accounts are not locked out by one account's attackers.
    await console.operator("bakyt", "hotline")
    async with console.client() as client:
        assert (await sign_in(client, "bakyt")).status_code == 303


async def test_a_switched_off_account_cannot_sign_in(console: Console):
    operator_id = await console.operator("aigul", "hotline")
    await console.run(
        lambda c: c.execute(
            Operator.__table__.update()
            .where(Operator.__table__.c.id == operator_id)
            .values(active=False)
        )
    )
    async with console.client() as client:
        answer = await sign_in(client, "aigul")
        assert answer.status_code == 403 and "switched off" in answer.text
        assert (await client.get("/console/")).status_code == 303


def _flipped(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


async def test_posts_without_or_with_a_wrong_token_are_refused(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        page = await client.get("/console/login")
        token = csrf_of(page)
        no_token = await client.post("/console/login", data={"name": "aigul", "password": PASSWORD})
        assert no_token.status_code == 403
        wrong = await client.post(
            "/console/login", data={"csrf": _flipped(token), "name": "aigul", "password": PASSWORD}
        )
        assert wrong.status_code == 403
        await sign_in(client, "aigul")
        account = await client.get("/console/account")
        assert account.status_code == 200
        for data in ({}, {"csrf": ""}, {"csrf": token}):  # the token from before sign-in is void
            answer = await client.post("/console/logout", data=data)
            assert answer.status_code == 403, data
        # A JSON body, or anything but a form, is not a form.
        assert (await client.post("/console/logout", json={"csrf": "x"})).status_code == 415
        assert (await client.get("/console/")).status_code == 200  # still signed in


async def test_a_forged_or_tampered_cookie_is_no_session(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        await sign_in(client, "aigul")
        real = client.cookies[COOKIE]
    for forged in (
        "x",
        real[:-2] + ("AA" if not real.endswith("AA") else "BB"),
        real.replace(real.split(".")[0], "WzEsMiwzXQ"),
        "a" * 5000,
    ):
        async with console.client() as client:
            client.cookies.set(COOKIE, forged, domain="console.test", path="/console")
            assert (await client.get("/console/")).status_code == 303


async def test_signing_out_ends_the_session_even_for_a_copied_cookie(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        await sign_in(client, "aigul")
        copied = client.cookies[COOKIE]
        answer = await post(client, "/console/", "/console/logout")
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
        assert (await client.get("/console/")).status_code == 303
    async with console.client() as thief:
        thief.cookies.set(COOKIE, copied, domain="console.test", path="/console")
        assert (await thief.get("/console/")).status_code == 303
    actions = await console.run(
        lambda c: c.execute(sa.select(AuditEntry.__table__.c.action)).scalars().all()
    )
    assert actions == ["sign_in", "sign_out"]


async def test_a_given_password_must_be_changed_first(console: Console):
    await console.operator("aigul", "hotline", password="given-by-admin", must_change=True)
    async with console.client() as client:
        answer = await sign_in(client, "aigul", "given-by-admin")
        assert answer.headers["location"] == "/console/account"
        for path in ("/console/", "/console/cases/1", "/console/stats"):
            blocked = await client.get(path)
            assert blocked.status_code == 303 and blocked.headers["location"] == "/console/account"
        form = {"current": "given-by-admin"}
        for new, repeat, problem in (
            ("short", "short", "at least 10 characters"),
            ("long enough one", "long enough two", "not the same"),
            ("given-by-admin", "given-by-admin", "different from the current"),
        ):
            refused = await post(
                client, "/console/account", "/console/account", **form, new=new, repeat=repeat
            )
            assert refused.status_code == 400 and problem in refused.text
        wrong_current = await post(
            client,
            "/console/account",
            "/console/account",
            current="guess guess",
            new="my own password",
            repeat="my own password",
        )
        assert wrong_current.status_code == 400 and "current password is not right" in (
            wrong_current.text
        )
        done = await post(
            client,
            "/console/account",
            "/console/account",
            **form,
            new="my own password",
            repeat="my own password",
        )
        assert done.status_code == 303 and done.headers["location"] == "/console/"
        assert (await client.get("/console/")).status_code == 200
    async with console.client() as client:
        assert (await sign_in(client, "aigul", "given-by-admin")).status_code == 401
        assert (await sign_in(client, "aigul", "my own password")).status_code == 303


async def test_a_password_change_ends_the_other_sessions(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as laptop, console.client() as phone:
        await sign_in(laptop, "aigul")
        await sign_in(phone, "aigul")
        assert (await phone.get("/console/")).status_code == 200
        changed = await post(
            laptop,
            "/console/account",
            "/console/account",
            current=PASSWORD,
            new="a brand new password",
            repeat="a brand new password",
        )
        assert changed.status_code == 303
        assert (await laptop.get("/console/")).status_code == 200  # this one stays
        assert (await phone.get("/console/")).status_code == 303  # the other one ended


async def test_oversized_and_odd_forms_are_clean_4xx(console: Console):
    async with console.client() as client:
        page = await client.get("/console/login")
        token = csrf_of(page)
        huge = await client.post(
            "/console/login", data={"csrf": token, "name": "a", "password": "x" * 100_000}
        )
        assert huge.status_code == 413
        fields = "&".join(f"f{i}=1" for i in range(500))
        many = await client.post(
            "/console/login",
            content=f"csrf={token}&{fields}",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert many.status_code == 400
        binary = await client.post(
            "/console/login",
            content=b"csrf=" + token.encode() + b"&name=\xff\xfe&password=\x00\x80",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert binary.status_code == 401
        assert (await client.get("/console/no/such/page")).status_code == 404


async def test_a_session_unused_for_too_long_ends(console: Console, monkeypatch):
    import itsdangerous.timed

    await console.operator("aigul", "hotline")
    async with console.client() as client:
        await sign_in(client, "aigul")
        assert (await client.get("/console/")).status_code == 200  # signed again now
        later = itsdangerous.timed.time.time() + IDLE + 60
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
        assert (await client.get("/console/")).status_code == 303


async def test_a_weaker_stored_hash_is_made_stronger_at_sign_in(console: Console):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    operator_id = await console.operator("aigul", "hotline")
    table = Operator.__table__
    await console.run(
        lambda c: c.execute(
            table.update().where(table.c.id == operator_id).values(password_hash=weak)
        )
    )
    async with console.client() as client:
        assert (await sign_in(client, "aigul")).status_code == 303
    stored = await console.run(lambda c: c.execute(sa.select(table.c.password_hash)).scalar_one())
    assert stored != weak and not needs_rehash(stored) and verify(stored, PASSWORD)
