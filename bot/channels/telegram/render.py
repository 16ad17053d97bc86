"""Replies as Telegram messages: texts cut under the 4096-character limit at paragraph
boundaries, options as an inline keyboard under the last part."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine.messages import Option, Reply

# https://core.telegram.org/bots/api#sendmessage: 1-4096 characters after entities parsing.
MAX_MESSAGE = 4096
# Navigation buttons short enough to share a row.
_PAIRED = {"back", "home"}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut a text into parts of at most `limit` characters: between paragraphs where possible,
    then between lines, then between sentences, and only as a last resort inside one."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    return _pack(_pieces(text, limit), "\n\n", limit)


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs, each cut further until every piece fits."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for separator, splitter in (("\n", re.compile(r"\n")), (" ", _SENTENCE_END)):
            smaller = [p for p in splitter.split(paragraph) if p.strip()]
            if all(len(p) <= limit for p in smaller):
                pieces += _pack(smaller, separator, limit)
                break
        else:
            pieces += [paragraph[i : i + limit] for i in range(0, len(paragraph), limit)]
    return pieces


def _pack(smaller: list[str], separator: str, limit: int) -> list[str]:
    """Join pieces with the separator into as few parts under the limit as they allow."""
    packed: list[str] = []
    current = ""
    for piece in smaller:
        joined = f"{current}{separator}{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
        else:
            packed.append(current)
            current = piece
    if current:
        packed.append(current)
    return packed


def shape(reply: Reply) -> list[Reply]:
    """One reply as the Telegram messages that carry it; the buttons go under the last."""
    parts = split_text(reply.text)
    if len(parts) <= 1:
        return [reply]
    last = len(parts) - 1
    return [
        replace(
            reply,
            text=part,
            options=reply.options if index == last else (),
            retract=reply.retract if index == 0 else (),
        )
        for index, part in enumerate(parts)
    ]


@lru_cache(maxsize=4096)
def keyboard(options: tuple[Option, ...]) -> InlineKeyboardMarkup | None:
    """One topic per row, so long labels stay readable; "back" and "home" share the last row.
    Remembered: the same pages bring the same buttons, and building them is not free."""
    if not options:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    navigation: list[InlineKeyboardButton] = []
    for option in options:
        button = InlineKeyboardButton(text=option.label, callback_data=option.data)
        if option.data in _PAIRED:
            navigation.append(button)
        else:
            rows.append([button])
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows)
