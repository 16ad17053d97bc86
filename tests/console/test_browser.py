"""The whole hotline in a real headless Chromium: a person writes on Telegram (the stand-in Bot
API server) and in the web chat, operators of two organisations work in the console served by
a real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.app import Hotline, build, create_app
from bot.console import accounts
from bot.console.passwords import hash_password
from bot.settings import Settings
from bot.storage.models import Organisation, utcnow
from tests.channels.telegram.conftest import until
from tests.fakes.bot_api import BotApi, BotApiServer, button, message

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "a long test password"
PERSON = 700_004_242

pytestmark = pytest.mark.skipif(
    not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
)


@dataclass
class Service:
    hotline: Hotline
    bot_api: BotApi
    base: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    async with BotApiServer(BotApi()) as bot_api:
        configured = settings.model_copy(
            update={
                "telegram_token": settings.telegram_token.__class__(bot_api.api.token),
                "telegram_api_base": bot_api.base,
            }
        )
        hotline = build(configured)
        await organisations(hotline)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(configured, hotline),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="on",
            )
        )
        serving = asyncio.create_task(server.serve())
        try:
            await until(lambda: server.started, within=30)
            yield Service(hotline, bot_api.api, f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            await serving
            await hotline.close()


async def organisations(hotline: Hotline) -> None:
    """Two partner organisations, each with an operator; an operator of the fallback too."""
    password_hash = hash_password(PASSWORD)

    def work(connection) -> None:
        from bot.cases import directory

        directory.sync(connection, hotline.tree, "")
        for id, country in (("kg-line", "KG"), ("kz-line", "KZ")):
            connection.execute(
                Organisation.__table__.insert().values(
                    id=id,
                    name=f"{country} partner",
                    countries=[country],
                    topics=[],
                    languages=["ru"],
                    created_at=utcnow(),
                )
            )
        for name, organisation in (("aigul", "kg-line"), ("dana", "kz-line"), ("olga", "hotline")):
            accounts.add(
                connection,
                name=name,
                organisation_id=organisation,
                role="operator",
                password_hash=password_hash,
                must_change_password=False,
            )

    await hotline.database.run(work)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


async def sign_in(browser: Browser, base: str, name: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base}/console/")
    assert "/console/login" in page.url  # no session: sent to sign in
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console/")
    return page


async def test_an_urgent_telegram_case_is_taken_answered_referred_and_closed(service, browser):
    base = service.base
    aigul = await sign_in(browser, base, "aigul")
    await expect(aigul.locator("main")).to_contain_text("No open cases")

    # A person in Kyrgyzstan writes on Telegram; triage finds danger.
    service.bot_api.push(button(PERSON, "country:KG"))
    service.bot_api.push(message(PERSON, "меня заперли на складе, помогите"))
    row = aigul.locator("table.queue tr.urgent")
    await expect(row).to_have_count(1, timeout=10_000)  # no reload: the queue is live
    await expect(row).to_contain_text("urgent")
    await expect(row).to_contain_text("меня заперли на складе")
    await until(lambda: any("KG partner" in t for t in service.bot_api.texts_to(PERSON)))

    await row.locator("a").click()
    await aigul.wait_for_url(re.compile(r".*/console/cases/\d+$"))
    case_url = aigul.url
    await expect(aigul.locator("main")).to_contain_text("меня заперли на складе")
    await expect(aigul.locator("main")).not_to_contain_text(str(PERSON))  # masked

    # Another organisation's operator cannot open it.
    dana = await sign_in(browser, base, "dana")
    response = await dana.goto(case_url)
    assert response is not None and response.status == 403

    await aigul.click("text=Take the case")
    await aigul.fill("textarea[name=text] >> nth=0", "Мы вас слышим. Вы можете выйти на улицу?")
    await aigul.click("form[action$='/reply'] button[type=submit]")
    await until(
        lambda: any("Мы вас слышим" in t for t in service.bot_api.texts_to(PERSON)), within=10
    )

    # The person answers: it shows in the case page by itself.
    service.bot_api.push(message(PERSON, "дверь закрыта снаружи, я в Бишкеке"))
    await expect(aigul.locator("#live")).to_contain_text("я в Бишкеке", timeout=10_000)

    # Referral: only once consent is recorded.
    await expect(aigul.locator("form[action$='/transfer'] button")).to_be_disabled()
    await aigul.click("text=The person agreed to a referral")
    await aigul.select_option("select[name=organisation]", "kz-line")
    await aigul.click("form[action$='/transfer'] button[type=submit]")
    await until(lambda: any("KZ partner" in t for t in service.bot_api.texts_to(PERSON)))
    response = await aigul.goto(case_url)
    assert response is not None and response.status == 403  # theirs now

    response = await dana.goto(case_url)
    assert response is not None and response.status == 200
    await expect(dana.locator("main")).to_contain_text("я в Бишкеке")
    await dana.select_option("select[name=outcome]", "referred")
    await dana.click("form[action$='/close'] button[type=submit]")
    await until(lambda: any("закрыт" in t for t in service.bot_api.texts_to(PERSON)), within=10)
    await dana.goto(f"{base}/console/")
    await expect(dana.locator("main")).to_contain_text("No open cases")


async def test_a_web_chat_request_reaches_a_signed_in_operator_within_a_second(service, browser):
    """The issue's "done when": after `make run`, a person in the web chat asks for a person."""
    base = service.base
    olga = await sign_in(browser, base, "olga")
    chat = await (await browser.new_context(locale="ru-RU")).new_page()
    await chat.goto(f"{base}/chat")
    await chat.fill("textarea, input[type=text]", "хочу поговорить с человеком")
    started = time.monotonic()
    await chat.keyboard.press("Enter")
    row = olga.locator("table.queue tbody tr")
    await expect(row).to_have_count(1, timeout=1_000)
    took = time.monotonic() - started
    await expect(chat.locator("body")).to_contain_text("Код вашего обращения")

    await row.locator("a").click()
    await olga.wait_for_url(re.compile(r".*/console/cases/\d+$"))
    await olga.fill("textarea[name=text] >> nth=0", "Здравствуйте, я оператор. Чем помочь?")
    await olga.click("form[action$='/reply'] button[type=submit]")
    await expect(chat.locator("body")).to_contain_text("Чем помочь?", timeout=5_000)
    print(f"web chat to the operator's queue: {took * 1000:.0f} ms")


async def test_a_campaign_written_in_the_console_reaches_telegram_once_each(service, browser):
    """A campaign manager writes a campaign in the form, checks it as each channel carries
    it, sends it, and watches the run's progress; every subscriber gets it once, in their
    language, with the button to its node."""
    from datetime import timedelta

    from tests.campaigns.helpers import subscribers

    base = service.base
    hotline = service.hotline
    chats = [800_000_101, 800_000_102, 800_000_103]
    await subscribers(hotline, [str(c) for c in chats], languages=("ky", "ru", "ky"))
    password_hash = hash_password(PASSWORD)
    await hotline.database.run(
        lambda c: accounts.add(
            c,
            name="root",
            organisation_id="hotline",
            role="admin",
            password_hash=password_hash,
            must_change_password=False,
        )
    )
    page = await sign_in(browser, base, "root")
    await page.click("nav >> text=Campaigns")
    await page.click("text=New campaign")
    await page.fill("input[name=id]", "winter-safety")
    await page.fill("input[name=title]", "Winter safety")
    await page.fill("textarea[name=message_ru]", "Никто не имеет права забирать ваш паспорт.")
    await page.fill("textarea[name=message_ky]", "Паспортуңузду эч ким тартып ала албайт.")
    await page.select_option("select[name=node]", "trafficking/passport-taken")
    await page.check("input[name=topic][value=safety]")
    later = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    await page.fill("input[name=once]", later)
    await page.fill("input[name=hours_from]", "00:00")
    await page.fill("input[name=hours_to]", "23:59")
    await page.click("text=Add campaign")
    await page.wait_for_url(re.compile(r".*/console/campaign/winter-safety\?done=added$"))
    await expect(page.locator("main")).to_contain_text("Campaign added.")
    telegram = page.locator("section.channel-preview[aria-label=telegram]")
    await expect(telegram).to_contain_text("Никто не имеет права")
    await expect(page.locator("section.channel-preview[aria-label=sms]")).to_contain_text(
        "SMS segment"
    )

    await page.click("text=Send now")
    await page.wait_for_url(re.compile(r".*done=sent$"))
    await until(lambda: all(service.bot_api.texts_to(c) for c in chats), within=20)
    await asyncio.sleep(0.5)  # anything sent twice would have arrived by now
    assert service.bot_api.texts_to(chats[0]) == ["Паспортуңузду эч ким тартып ала албайт."]
    assert service.bot_api.texts_to(chats[1]) == ["Никто не имеет права забирать ваш паспорт."]
    assert len(service.bot_api.texts_to(chats[2])) == 1
    buttons = [s.reply_markup for s in service.bot_api.sent if s.chat_id == chats[1]]
    assert "open:trafficking/passport-taken" in str(buttons)

    async def settled() -> bool:
        await page.goto(f"{base}/console/campaigns")
        return "100% of 3" in await page.locator("table.campaigns").inner_text()

    for _ in range(50):
        if await settled():
            break
        await asyncio.sleep(0.2)
    await expect(page.locator("table.campaigns tbody tr").first).to_contain_text("done")
    await expect(page.locator("table.campaigns progress").first).to_have_attribute("value", "3")

    # Edit it: the form comes back with what was saved; the new text is what the page shows.
    await page.click("table.campaign-list >> text=Winter safety")
    await page.click("text=Edit")
    await expect(page.locator("textarea[name=message_ky]")).to_have_value(
        "Паспортуңузду эч ким тартып ала албайт."
    )
    await page.fill("textarea[name=message_ru]", "Паспорт — ваш. Никто не вправе его забирать.")
    await page.click("button:text('Save')")
    await page.wait_for_url(re.compile(r".*done=saved$"))
    await expect(page.locator("section.channel-preview[aria-label=telegram]")).to_contain_text(
        "Паспорт — ваш."
    )
    await expect(page.locator("main")).to_contain_text("version 2")
