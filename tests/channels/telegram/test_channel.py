"""Conversations end to end: the real aiogram client in long-polling mode, the engine, the
outbox and the Telegram sender, against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa

from bot.app import Hotline
from bot.storage.models import ChatMessage, Contact, OutboxMessage
from tests.channels.telegram.conftest import until
from tests.fakes import bot_api as tg
from tests.fakes.bot_api import BotApiServer


async def rows(hotline: Hotline, table: sa.Table, *where: sa.ColumnElement[bool]) -> list:
    return await hotline.database.run(
        lambda connection: connection.execute(sa.select(table).where(*where)).all()
    )


async def test_start_pickers_and_menu_with_buttons(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(501, "/start"))
    await until(lambda: len(api.texts_to(501)) == 1)
    picker = api.sent[-1].reply_markup
    assert {"text": "Русский", "callback_data": "language:ru"} in sum(picker["inline_keyboard"], [])
    api.push(tg.button(501, "language:ru"))
    await until(lambda: len(api.texts_to(501)) == 2)
    assert "В какой стране" in api.texts_to(501)[-1]
    api.push(tg.button(501, "country:KG"))
    await until(lambda: len(api.texts_to(501)) == 3)
    assert api.texts_to(501)[-1].startswith("Главное меню")
    # Every press was acknowledged, so no spinner stays on a button.
    assert len(api.answered_callbacks) == 2
    # The command menu exists by default and in each interface language.
    assert {"", "ru", "en"} <= set(api.commands)
    assert [c["command"] for c in api.commands["ru"]] == [
        "start",
        "menu",
        "language",
        "country",
        "help",
        "operator",
        "stop",
        "forget",
    ]
    assert api.commands["ru"][1]["description"] == "Главное меню"


async def test_a_deep_link_sets_language_and_country(polling: Hotline, bot_api: BotApiServer):
    bot_api.api.push(tg.message(502, "/start KG-ru"))
    await until(lambda: len(bot_api.api.texts_to(502)) == 1)
    assert bot_api.api.texts_to(502)[0].startswith("Главное меню")


async def test_free_text_gets_an_article_with_numbers_and_next_steps(
    polling: Hotline, bot_api: BotApiServer
):
    api = bot_api.api
    api.push(tg.message(503, "/start KG-ru"))
    api.push(tg.message(503, "работодатель забрал паспорт и не отдаёт"))
    await until(lambda: len(api.texts_to(503)) >= 2)
    article = api.sent[-1]
    assert "паспорт" in article.text.lower() and "102" in article.text
    data = [b["callback_data"] for row in article.reply_markup["inline_keyboard"] for b in row]
    assert "open:hotlines/operator" in data and "home" in data


async def test_a_repeated_update_is_answered_once(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    update = api.push(tg.message(504, "/start KG-ru"))
    await until(lambda: len(api.texts_to(504)) == 1)
    api.push(update)  # Telegram delivers the same update_id again
    api.push(tg.message(504, "/help"))
    await until(lambda: len(api.texts_to(504)) == 2)
    assert "команды" in api.texts_to(504)[-1].lower() or "/menu" in api.texts_to(504)[-1]


async def test_photos_voice_and_stickers_get_a_kind_answer(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(505, "/start KG-ru"))
    photo = [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]
    api.push(tg.message(505, None, photo=photo))
    api.push(tg.message(505, None, voice={"file_id": "a", "file_unique_id": "b", "duration": 2}))
    await until(lambda: len(api.texts_to(505)) == 3)
    photo_answer, voice_answer = api.texts_to(505)[1:]
    assert "только текст" in photo_answer
    assert "голосовые" in voice_answer


async def test_a_shared_phone_number_is_not_kept(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    contact = {"phone_number": "+996555123456", "first_name": "A", "user_id": 506}
    api.push(tg.message(506, None, contact=contact))
    await until(lambda: len(api.texts_to(506)) == 1)
    assert "не сохранили" in api.texts_to(506)[0] or "not kept" in api.texts_to(506)[0]
    url = polling.settings.database_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        assert b"555123456" not in await asyncio.to_thread(path.read_bytes)


async def test_group_chats_are_told_to_write_in_private(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(-100500, "/start", chat_type="supergroup", user_id=507))
    await until(lambda: len(api.texts_to(-100500)) == 1)
    assert "личн" in api.texts_to(-100500)[0]
    # Nothing is kept about a group or the person who wrote there.
    assert await rows(polling, Contact.__table__) == []


async def test_an_old_button_gets_a_polite_answer(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(508, "/start KG-ru"))
    api.push(tg.button(508, "open:no/such/node"))
    api.push(tg.button(508, "x" * 64))
    await until(lambda: len(api.texts_to(508)) == 3)
    assert all("устарела" in text for text in api.texts_to(508)[1:])
    assert len(api.answered_callbacks) == 2


async def test_forget_erases_the_person_and_deletes_the_chat(
    polling: Hotline, bot_api: BotApiServer
):
    api = bot_api.api
    api.push(tg.message(509, "/start KG-ru"))
    api.push(tg.message(509, "паспорт забрали"))
    api.push(tg.message(509, "/forget"))
    await until(lambda: len(api.texts_to(509)) == 3)
    api.push(tg.button(509, "forget:yes"))
    await until(lambda: len(api.texts_to(509)) == 4)
    shown = [s for s in api.sent if s.chat_id == 509 and not s.deleted]
    assert len(shown) == 1 and "удален" in shown[0].text.lower()
    deleted = {i for m, p in api.calls if m == "deleteMessages" for i in p["message_ids"]}
    # The bot's three messages and the person's three messages.
    assert len(deleted) == 6
    assert await rows(polling, Contact.__table__) == []
    assert await rows(polling, ChatMessage.__table__) == []


async def test_a_blocked_chat_gets_nothing_more(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(510, "/start KG-ru"))
    await until(lambda: len(api.texts_to(510)) == 1)
    api.blocked.add(510)
    api.push(tg.message(510, "/help"))
    outbox = OutboxMessage.__table__
    for _ in range(500):
        if await rows(polling, outbox, outbox.c.status == "failed"):
            break
        await asyncio.sleep(0.01)
    contact = (await rows(polling, Contact.__table__))[0]
    assert contact.unreachable_at is not None
    # Telegram also says so with a my_chat_member update; unblocking makes the chat reachable.
    api.blocked.discard(510)
    api.push(tg.blocked(510, again=True))
    api.push(tg.message(510, "/menu"))
    await until(lambda: len(api.texts_to(510)) == 2)
    assert (await rows(polling, Contact.__table__))[0].unreachable_at is None
    api.push(tg.blocked(510))
    api.push(tg.message(-1, "/start", chat_type="group", user_id=1))  # a marker after it
    await until(lambda: len(api.texts_to(-1)) == 1)
    assert (await rows(polling, Contact.__table__))[0].unreachable_at is not None


async def test_a_429_storm_delays_but_loses_and_doubles_nothing(
    polling: Hotline, bot_api: BotApiServer
):
    api = bot_api.api
    api.fail_next.extend([429, 429, 500, 429])
    chats = range(600, 606)
    for chat in chats:
        api.push(tg.message(chat, "/start KG-ru"))
    await until(lambda: all(len(api.texts_to(c)) == 1 for c in chats), within=20)
    await asyncio.sleep(0.3)
    assert all(len(api.texts_to(c)) == 1 for c in chats)
    assert api.too_many >= 3


async def test_a_huge_message_gets_an_answer(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(511, "/start KG-ru"))
    api.push(tg.message(511, "паспорт " * 2000))
    await until(lambda: len(api.texts_to(511)) == 2)
    assert all(len(text) <= 4096 for text in api.texts_to(511))


async def test_in_a_group_only_commands_get_the_notice(polling: Hotline, bot_api: BotApiServer):
    api = bot_api.api
    api.push(tg.message(-100600, "привет всем", chat_type="group", user_id=601))
    api.push(tg.message(-100600, "/help", chat_type="group", user_id=601))
    await until(lambda: len(api.texts_to(-100600)) == 1)
    await asyncio.sleep(0.2)
    assert len(api.texts_to(-100600)) == 1


async def test_a_conversation_in_another_interface_language(
    polling: Hotline, bot_api: BotApiServer
):
    api = bot_api.api
    api.push(tg.message(512, "/start KG-en"))
    await until(lambda: len(api.texts_to(512)) == 1)
    assert api.texts_to(512)[0].startswith("Main menu")
    api.push(tg.button(512, "open:urgent"))
    # The urgent page, then the case it opened: who will answer, and the case code.
    await until(lambda: len(api.texts_to(512)) == 3)
    urgent, notice = api.sent[-2:]
    assert "Your case code" in notice.text
    assert "Call first:\n102 " in urgent.text
    labels = [b["text"] for row in urgent.reply_markup["inline_keyboard"] for b in row]
    assert "Talk to a person now" in labels and "Main menu" in labels
    assert "Start again" in [c["description"] for c in api.commands["en"]]
