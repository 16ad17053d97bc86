"""The case page: the conversation, and what operators do with it, including what a hostile
or careless form does."""

from __future__ import annotations

import sqlalchemy as sa

from bot.cases.desk import MAX_REPLY
from bot.storage.models import AuditEntry, Case, CaseMessage, OutboxMessage
from tests.console.conftest import Console, csrf_of, sign_in

audit_log = AuditEntry.__table__
cases = Case.__table__


async def _audit(console: Console) -> list[tuple[str, int | None]]:
    rows = await console.run(
        lambda c: c.execute(
            sa.select(audit_log.c.action, audit_log.c.case_id).order_by(audit_log.c.id)
        ).all()
    )
    return [(row.action, row.case_id) for row in rows if row.action != "sign_in"]


async def _case_row(console: Console, case_id: int):
    return await console.run(
        lambda c: c.execute(sa.select(cases).where(cases.c.id == case_id)).one()
    )


async def test_opening_revealing_and_the_live_refresh(console: Console):
    await console.operator("aigul", "hotline")
    case_id = await console.case("hotline", address="+996555123456")
    async with console.client() as client:
        await sign_in(client, "aigul")
        page = await client.get(f"/console/cases/{case_id}")
        assert page.status_code == 200
        assert "+996 *****3456" in page.text and "555123456" not in page.text
        assert "хочу поговорить с человеком" in page.text
        assert "Greeting: I am here" in page.text  # canned answers in the case's language
        live = await client.get(f"/console/cases/{case_id}/live")
        assert live.status_code == 200 and "хочу поговорить" in live.text
        revealed = await client.post(
            f"/console/cases/{case_id}/reveal", data={"csrf": csrf_of(page)}
        )
        assert revealed.status_code == 200 and "+996555123456" in revealed.text
        assert (await client.get(f"/console/cases/{case_id}/reveal")).status_code in (404, 405)
    # The live refresh is not another opening; the reveal is recorded.
    assert await _audit(console) == [
        ("open_case", case_id),
        ("reveal", case_id),
        ("open_case", case_id),
    ]


async def test_take_reply_note_consent_transfer_close(console: Console):
    await console.organisation("ngo-b", "Legal Aid B")
    await console.operator("aigul", "hotline")
    case_id = await console.case("hotline")
    page_url = f"/console/cases/{case_id}"
    async with console.client() as client:
        await sign_in(client, "aigul")
        token = csrf_of(await client.get(page_url))

        async def act(action: str, **data: str):
            return await client.post(f"{page_url}/{action}", data={"csrf": token, **data})

        taken = await act("take")
        assert taken.status_code == 303 and taken.headers["location"] == page_url + "?done=take"
        assert (await _case_row(console, case_id)).status == "active"
        assert (await act("reply", text="  Здравствуйте, я оператор.  ")).status_code == 303
        assert (await act("note", text="Сказал, что в Бишкеке")).status_code == 303
        refused = await act("transfer", organisation="ngo-b")
        assert refused.headers["location"] == page_url + "?problem=consent"
        shown = await client.get(refused.headers["location"])
        assert "Record the person&#39;s consent" in shown.text
        assert (await act("consent")).status_code == 303
        assert (await act("gender", gender="female")).status_code == 303
        moved = await act("transfer", organisation="ngo-b", note="Needs a lawyer")
        assert moved.headers["location"] == page_url + "?done=transfer"
        row = await _case_row(console, case_id)
        assert row.organisation_id == "ngo-b" and row.gender == "female"
        # Now the case belongs to another organisation: this operator no longer sees it.
        assert (await client.get(page_url)).status_code == 403
    outbox = await console.run(
        lambda c: c.execute(sa.select(sa.func.count()).select_from(OutboxMessage.__table__))
    )
    assert outbox.scalar_one() == 2  # the reply and the notice of the referral
    lines = await console.run(
        lambda c: (
            c.execute(
                sa.select(CaseMessage.__table__.c.author).order_by(CaseMessage.__table__.c.id)
            )
            .scalars()
            .all()
        )
    )
    assert lines == ["person", "operator", "note", "note", "hotline", "note"]


async def test_closing_needs_a_known_outcome(console: Console):
    await console.operator("aigul", "hotline")
    case_id = await console.case("hotline")
    page_url = f"/console/cases/{case_id}"
    async with console.client() as client:
        await sign_in(client, "aigul")
        token = csrf_of(await client.get(page_url))
        for outcome in ("", "fixed it", "informed'; DROP TABLE help_case; --", "x" * 10_000):
            answer = await client.post(
                f"{page_url}/close", data={"csrf": token, "outcome": outcome}
            )
            assert answer.headers["location"] == page_url + "?problem=outcome"
        closed = await client.post(f"{page_url}/close", data={"csrf": token, "outcome": "informed"})
        assert closed.status_code == 303 and closed.headers["location"] == "/console/?done=close"
        row = await _case_row(console, case_id)
        assert row.status == "closed" and row.outcome == "informed"
        again = await client.post(f"{page_url}/reply", data={"csrf": token, "text": "hello?"})
        assert again.headers["location"] == page_url + "?problem=closed"
        page = await client.get(page_url)
        assert page.status_code == 200 and "Send" not in page.text


async def test_empty_huge_and_odd_replies(console: Console):
    await console.organisation("ngo-b")
    await console.operator("aigul", "hotline")
    case_id = await console.case("hotline")
    page_url = f"/console/cases/{case_id}"
    async with console.client() as client:
        await sign_in(client, "aigul")
        token = csrf_of(await client.get(page_url))
        for text, problem in (("", "empty"), ("   \n ", "empty"), ("я" * (MAX_REPLY + 1), "long")):
            answer = await client.post(f"{page_url}/reply", data={"csrf": token, "text": text})
            assert answer.headers["location"] == f"{page_url}?problem={problem}"
        shown = await client.get(f"{page_url}?problem=long")
        assert f"at most {MAX_REPLY} characters" in shown.text
        made_up = await client.get(f"{page_url}?problem=<b>hi</b>&done=<script>")
        assert made_up.status_code == 200 and "<b>hi" not in made_up.text
        hostile = "<script>alert(1)</script>\x00\u202e"
        answer = await client.post(f"{page_url}/reply", data={"csrf": token, "text": hostile})
        assert answer.status_code == 303
        page = await client.get(page_url)
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
        # A referral to an organisation that does not exist, or to the case's own.
        await client.post(f"{page_url}/consent", data={"csrf": token})
        for organisation in ("nope", "", "hotline", "x" * 500):
            answer = await client.post(
                f"{page_url}/transfer", data={"csrf": token, "organisation": organisation}
            )
            assert answer.headers["location"] == page_url + "?problem=organisation", organisation
        bad_gender = await client.post(f"{page_url}/gender", data={"csrf": token, "gender": "x"})
        assert bad_gender.headers["location"] == page_url + "?problem=gender"
        unknown = await client.post(f"{page_url}/explode", data={"csrf": token})
        assert unknown.status_code == 404


async def test_case_ids_that_are_no_case(console: Console):
    await console.operator("aigul", "hotline")
    async with console.client() as client:
        await sign_in(client, "aigul")
        token = csrf_of(await client.get("/console/"))
        for case_id in ("999", "abc", "-1", "1.5", "99999999999999999999999", "%00", "1;2"):
            page = await client.get(f"/console/cases/{case_id}")
            assert page.status_code == 404, case_id
            action = await client.post(f"/console/cases/{case_id}/take", data={"csrf": token})
            assert action.status_code == 404, case_id


async def test_the_queue_shows_waiting_times_and_urgent_first(console: Console):
    from datetime import timedelta

    await console.operator("aigul", "hotline")
    await console.case("hotline", text="вопрос про патент", age=timedelta(hours=2, minutes=5))
    await console.case(
        "hotline", text="меня бьют", urgent=True, age=timedelta(minutes=10, seconds=5)
    )
    async with console.client() as client:
        await sign_in(client, "aigul")
        queue = await client.get("/console/")
        fragment = await client.get("/console/queue")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    for text in (queue.text, fragment.text):
        assert text.index("меня бьют") < text.index("вопрос про патент")
        assert "2 h 05 min" in text and "10 min" in text
