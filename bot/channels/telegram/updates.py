"""Telegram updates as the engine's `Inbound`: what a person wrote, pressed or sent."""

from __future__ import annotations

import re

from aiogram.types import CallbackQuery, Message

from bot.content.loader import LANGUAGES
from bot.engine.messages import Inbound

CHANNEL = "telegram"
# Deep-link payloads (t.me/bot?start=KG-ky) are at most 64 of A-Z a-z 0-9 _ -.
_PAYLOAD = re.compile(r"^/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*$")
# Telegram's language_code is IETF; ours are ISO 639-1 with fa-AF for Dari.
_TELEGRAM_LANGUAGES = {"fa": "fa-AF", "prs": "fa-AF"}


def our_language(code: str | None) -> str | None:
    """A Telegram or payload language code as one of ours, or None."""
    if not code:
        return None
    code = code.replace("_", "-")
    if code in LANGUAGES:
        return code
    base = code.split("-")[0].lower()
    base = _TELEGRAM_LANGUAGES.get(base, base)
    return base if base in LANGUAGES else None


def start_payload(text: str, countries: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Language and country named in a /start deep-link payload ("KG", "ky", "KG-ky")."""
    found = _PAYLOAD.match(text)
    if not found:
        return None, None
    language = country = None
    for token in re.split(r"[-_]", found.group(1)):
        if token.isupper() and token in countries:
            country = token
        elif (ours := our_language(token)) is not None:
            language = ours
    return language, country


def attachment_of(message: Message) -> str | None:
    """What a message carries besides text, named for the engine (photo, voice, contact...)."""
    if message.text is not None:
        return None
    kind = str(message.content_type)
    return kind.rsplit(".", 1)[-1].lower()


def from_message(message: Message, update_id: int, countries: tuple[str, ...]) -> Inbound:
    text = message.text if message.text is not None else message.caption
    language = country = None
    if text:
        language, country = start_payload(text, countries)
    return Inbound(
        channel=CHANNEL,
        address=str(message.chat.id),
        text=text,
        language_hint=language,
        country_hint=country,
        message_id=str(update_id),
        attachment=attachment_of(message),
        chat_message_id=str(message.message_id),
    )


def from_callback(callback: CallbackQuery, update_id: int) -> Inbound:
    # In a private chat the chat id is the user's id, also when the message is too old to see.
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    return Inbound(
        channel=CHANNEL,
        address=str(chat_id),
        option=callback.data or "stale",
        message_id=str(update_id),
    )
