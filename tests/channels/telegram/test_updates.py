"""Telegram updates read as the engine's Inbound."""

from __future__ import annotations

import pytest
from aiogram.types import Update

from bot.channels.telegram.updates import (
    attachment_of,
    from_callback,
    from_message,
    our_language,
    start_payload,
)
from tests.fakes import bot_api as tg

COUNTRIES = ("RU", "KZ", "KG", "TR")


def update(body: dict, update_id: int = 7) -> Update:
    return Update.model_validate({"update_id": update_id, **body})


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        ("ru", "ru"),
        ("en-US", "en"),
        ("ky", "ky"),
        ("fa", "fa-AF"),
        ("fa-AF", "fa-AF"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_become_ours(code: str | None, ours: str | None):
    assert our_language(code) == ours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start KG", (None, "KG")),
        ("/start KG-ky", ("ky", "KG")),
        ("/start ru_TR", ("ru", "TR")),
        ("/start@hotline_bot kz", (None, None)),  # kz is neither a served code nor a language
        ("/start campaign-2026", (None, None)),
        ("/start", (None, None)),
        ("/start " + "A" * 65, (None, None)),
        ("/start <script>", (None, None)),
    ],
)
def test_start_payload_names_language_and_country(text: str, expected: tuple):
    assert start_payload(text, COUNTRIES) == expected


def test_a_text_message_carries_address_ids_and_payload_hints():
    event = update(tg.message(42, "/start KG-ky"), update_id=99)
    inbound = from_message(event.message, 99, COUNTRIES)
    assert (inbound.channel, inbound.address, inbound.text) == ("telegram", "42", "/start KG-ky")
    assert (inbound.language_hint, inbound.country_hint) == ("ky", "KG")
    assert inbound.message_id == "99" and inbound.chat_message_id is not None
    assert inbound.attachment is None


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"photo": [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]}, "photo"),
        ({"voice": {"file_id": "a", "file_unique_id": "b", "duration": 3}}, "voice"),
        ({"location": {"latitude": 41.0, "longitude": 74.0}}, "location"),
        ({"contact": {"phone_number": "+996555000000", "first_name": "A"}}, "contact"),
        (
            {
                "sticker": {
                    "file_id": "a",
                    "file_unique_id": "b",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "sticker",
        ),
    ],
)
def test_things_that_are_not_text_are_named(content: dict, kind: str):
    event = update(tg.message(42, None, **content))
    assert attachment_of(event.message) == kind
    inbound = from_message(event.message, 7, COUNTRIES)
    assert inbound.attachment == kind
    # A shared phone number is never passed on as text.
    assert inbound.text is None


def test_a_photo_caption_is_read_as_text():
    photo = [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]
    event = update(tg.message(42, None, photo=photo, caption="паспорт забрали"))
    assert from_message(event.message, 7, COUNTRIES).text == "паспорт забрали"


def test_a_button_press_is_an_option_in_the_chat_of_its_message():
    event = update(tg.button(42, "open:work"), update_id=5)
    inbound = from_callback(event.callback_query, 5)
    assert (inbound.address, inbound.option, inbound.message_id) == ("42", "open:work", "5")


def test_a_button_without_data_is_a_stale_option():
    body = tg.button(42, "x")
    del body["callback_query"]["data"]
    assert from_callback(update(body).callback_query, 5).option == "stale"
