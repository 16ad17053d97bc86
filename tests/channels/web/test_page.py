"""The page's script in a real headless Chromium: a person writes and sees the answer, an
operator's reply arrives by itself, an option button answers, a reload keeps the conversation,
and Dari runs right to left."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

from bot.channels.web.person import COOKIE

playwright = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian: chromium)")
PERSON = "хочу поговорить с человеком"


@pytest.fixture
async def chromium() -> AsyncIterator[object]:
    async with playwright.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        await browser.close()


async def open_page(chromium, web_chat, locale: str):
    page = await chromium.new_page(locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    await page.goto(web_chat.base + "/chat")
    return page, errors


async def test_a_conversation_in_the_page(web_chat, chromium):
    expect = playwright.expect
    you = web_chat.hotline.catalogs.get("ru").gettext("You")
    page, errors = await open_page(chromium, web_chat, "ru-RU")
    hotline = page.locator("li.message.hotline")
    await page.fill("#text", PERSON)
    await page.press("#text", "Enter")
    await expect(page.locator("li.person")).to_have_text(f"{you}: {PERSON}")
    await expect(hotline.filter(has_text="Оператор напишет вам сюда")).to_have_count(1)
    await expect(page.locator("li.person.sent")).to_have_count(1)

    # The operator answers: it appears without the person doing anything.
    token = next(c["value"] for c in await page.context.cookies() if c["name"] == COOKIE)
    await web_chat.operator_writes(token, "Здравствуйте! Я оператор, слушаю вас.")
    await expect(hotline.last).to_contain_text("Я оператор, слушаю вас.", timeout=1000)

    # An option is a button; what it sends is its data, what the page shows is its label.
    await page.locator("li.hotline button", has_text="Главное меню").last.click()
    await expect(page.locator("li.person").last).to_have_text(f"{you}: Главное меню")
    menu = web_chat.hotline.catalogs.get("ru").gettext(
        "Main menu. Choose a topic, or write your question in your own words."
    )
    await expect(hotline.last).to_contain_text(menu)
    shown = await hotline.all_inner_texts()

    # A reload shows the same conversation, the person's words where they were.
    await page.reload()
    await expect(hotline).to_have_count(len(shown))
    assert await hotline.all_inner_texts() == shown
    assert await page.locator("li.person").all_text_contents() == [
        f"{you}: {PERSON}",
        f"{you}: Главное меню",
    ]
    assert errors == []


async def test_dari_runs_right_to_left(web_chat, chromium):
    expect = playwright.expect
    page, errors = await open_page(chromium, web_chat, "fa-AF")
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.locator("li.welcome button").click()
    reply = page.locator("li.message.hotline:not(.welcome)")
    await expect(reply).to_have_count(1)
    assert await reply.get_attribute("dir") == "rtl"
    assert await reply.get_attribute("lang") == "fa-AF"
    assert errors == []
