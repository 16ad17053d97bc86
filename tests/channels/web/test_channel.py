"""The web chat through the real app on loopback: the page, the engine's answers in the
person's language, options, replies the outbox sends later, people kept apart, repeats."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import sqlalchemy as sa

from bot.channels.web.person import COOKIE
from bot.storage.models import Contact, WebMessage, utcnow
from tests.channels.web.conftest import Stream, serving

PERSON = "хочу поговорить с человеком"
KYRGYZ = "паспортумду кожоюн алып коюптур, эмне кылсам болот"


async def test_the_page_loads_and_gives_the_person_a_cookie(web_chat):
    browser = web_chat.browser()
    response = await browser.open()
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert '<html lang="ru" dir="ltr">' in html
    assert 'role="log"' in html and 'dir="auto"' in html and "<label" in html
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # served over http here
    assert "Path=/chat" in cookie
    token = browser.token
    assert token and len(token) == 32
    # Script and style are this origin's own files, and served.
    for asset in ("chat.js", "chat.css"):
        assert f"/chat/static/{asset}?v=" in html
        served = await browser.client.get(f"/chat/static/{asset}")
        assert served.status_code == 200 and len(served.content) > 500
    # A return visit keeps the person.
    await browser.open()
    assert browser.token == token


async def test_the_cookie_is_secure_behind_https(settings):
    secure = settings.model_copy(update={"public_url": "https://hotline.example.org"})
    async with serving(secure) as chat:
        response = await chat.browser().client.get("/chat")
    assert "; secure" in response.headers["set-cookie"].lower()


async def test_the_page_speaks_the_browsers_language(web_chat):
    dari = await web_chat.browser(**{"accept-language": "fa-IR,fa;q=0.9"}).open()
    assert '<html lang="fa-AF" dir="rtl">' in dari.text
    kyrgyz = await web_chat.browser(**{"accept-language": "ky-KG, ru;q=0.5"}).open()
    assert '<html lang="ky" dir="ltr">' in kyrgyz.text


async def test_asking_for_a_person_is_answered_and_recorded(web_chat):
    browser = web_chat.browser()
    await browser.open()
    await browser.say(PERSON)
    replies = await browser.replies()
    assert replies[0]["language"] == "ru" and replies[0]["dir"] == "auto"
    assert any("Оператор напишет вам сюда" in reply["text"] for reply in replies)
    assert all(isinstance(reply["id"], int) and not reply["erased"] for reply in replies)
    # The person is a contact of the web channel, found by the token's keyed hash only.
    hotline = web_chat.hotline
    contacts = Contact.__table__
    [row] = await hotline.database.run(lambda c: c.execute(sa.select(contacts)).all())
    assert row.channel == "web" and row.address_hash == hotline.vault.lookup(browser.token)
    assert browser.token.encode() not in row.address_enc
    assert hotline.vault.open(row.address_enc) == browser.token


async def test_the_answer_comes_in_the_language_the_person_writes(web_chat):
    browser = web_chat.browser()
    await browser.say(KYRGYZ)
    replies = await browser.replies()
    assert replies[0]["language"] == "ky"


async def test_the_browsers_language_is_a_hint_for_the_first_answer(web_chat):
    browser = web_chat.browser(**{"accept-language": "fa-AF"})
    await browser.say(option="start")
    [first, *_] = await browser.replies()
    assert first["language"] == "fa-AF" and first["dir"] == "rtl"


async def test_options_are_buttons_whose_data_goes_back(web_chat):
    browser = web_chat.browser()
    await browser.say(option="start")
    replies = await browser.replies()
    options = [option for reply in replies for option in reply["options"]]
    assert options and all(set(option) == {"label", "data"} for option in options)
    russian = next(option for option in options if option["data"] == "language:ru")
    await browser.say(option=russian["data"])
    after = await browser.replies(after=replies[-1]["id"])
    assert after[0]["language"] == "ru"


async def test_an_operators_later_reply_reaches_the_open_stream_within_a_second(web_chat):
    browser = web_chat.browser()
    await browser.open()
    await browser.say(PERSON)
    replies = await browser.replies()
    async with browser.stream(after=replies[-1]["id"]) as stream:
        await stream.quiet(0.3)  # nothing new yet: what the page has is not sent again
        started = time.monotonic()
        await web_chat.operator_writes(browser.token, "Здравствуйте, я оператор. Чем помочь?")
        message = await stream.next(within=1.0)
        assert time.monotonic() - started < 1.0
        assert message["text"] == "Здравствуйте, я оператор. Чем помочь?"
        assert message["id"] > replies[-1]["id"]
    # A reload shows the whole conversation, the operator's reply last.
    history = await browser.messages()
    assert [m["id"] for m in history] == [*(r["id"] for r in replies), message["id"]]


async def test_the_stream_catches_up_from_where_the_page_stopped(web_chat):
    browser = web_chat.browser()
    await browser.say(PERSON)
    replies = await browser.replies()
    assert len(replies) >= 2  # the answer, and the notice of the case opened
    async with browser.stream(after=0) as stream:
        for reply in replies:
            assert (await stream.next())["id"] == reply["id"]
        await stream.quiet(0.3)
    # EventSource reconnecting says where it stopped; that wins over the address's `after`.
    headers = {"last-event-id": str(replies[0]["id"])}
    async with browser.client.stream(
        "GET", "/chat/api/stream", params={"after": 0}, headers=headers
    ) as response:
        stream = Stream(response)
        for reply in replies[1:]:
            assert (await stream.next())["id"] == reply["id"]
        await stream.quiet(0.3)
        await stream.close()


async def test_a_long_poll_returns_as_soon_as_a_reply_is_sent(web_chat):
    browser = web_chat.browser()
    await browser.say(PERSON)
    replies = await browser.replies()
    waiting = asyncio.ensure_future(browser.messages(after=replies[-1]["id"], wait=20))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    started = time.monotonic()
    await web_chat.operator_writes(browser.token, "Я здесь.")
    [message] = await asyncio.wait_for(waiting, 1.0)
    assert message["text"] == "Я здесь." and time.monotonic() - started < 1.0


async def test_people_never_see_each_others_messages(web_chat):
    first, second = web_chat.browser(), web_chat.browser()
    await first.say(PERSON)
    first_replies = await first.replies()
    assert await second.messages() == []
    await second.open()
    assert second.token != first.token
    assert await second.messages() == [] and await second.messages(after=0) == []
    async with second.stream() as stream:
        await web_chat.operator_writes(first.token, "Только для первого")
        await stream.quiet(0.5)
    assert (await first.messages(after=first_replies[-1]["id"]))[0]["text"] == (
        "Только для первого"
    )
    # A cookie we never gave out is a stranger: nothing of anyone's, and a token of its own.
    for forged in (first.token[:-1] + "!", first.token + "x", "", "%" + first.token[1:]):
        response = await web_chat.browser().client.get(
            "/chat/api/messages", params={"after": 0}, headers={"cookie": f"{COOKIE}={forged}"}
        )
        assert response.json() == {"messages": []}, forged
        issued = response.cookies.get(COOKIE)
        assert issued and issued not in (first.token, second.token)
    # A token of the right shape that nobody has is a new person with nothing yet.
    assert await web_chat.browser("A" * 32).messages() == []
    # The cookie itself, in another browser, is the person (it is all there is to them).
    assert await web_chat.browser(first.token).messages() == await first.messages()


async def test_a_message_sent_again_with_its_id_is_taken_once(web_chat):
    browser = web_chat.browser()
    message_id = await browser.say(PERSON)
    replies = await browser.replies()
    await browser.say(PERSON, id=message_id)  # the page retrying after a lost answer
    await asyncio.sleep(0.5)
    assert await browser.messages(after=replies[-1]["id"]) == []
    # The same id from another person is their own message, not a repeat.
    other = web_chat.browser()
    await other.say(PERSON, id=message_id)
    assert await other.replies()


async def test_old_messages_are_pruned_after_a_day(web_chat):
    browser = web_chat.browser()
    await browser.say(PERSON)
    replies = await browser.replies()
    hotline = web_chat.hotline
    table = WebMessage.__table__
    first = replies[0]["id"]
    a_day_ago = utcnow() - timedelta(hours=25)
    await hotline.database.run(
        lambda c: c.execute(table.update().where(table.c.id == first).values(created_at=a_day_ago))
    )
    assert [m["id"] for m in await browser.messages()] == [r["id"] for r in replies[1:]]
    assert await hotline.web.prune() == 1
    assert await hotline.web.prune() == 0
