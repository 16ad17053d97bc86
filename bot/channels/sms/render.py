"""Replies as SMS: the summary first, the text cut at sentence boundaries into pages of at
most a few segments, and options as numbered lines ("1 Права 2 Работа 0 Назад")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from anyascii import anyascii

from bot.channels.sms.segments import encoding, segments
from bot.engine.messages import Option, Reply

DEFAULT_BUDGET = 3
_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+|\n+")
# Languages still readable in Latin letters; Dari and Pashto are not, so they stay as written.
LATIN_READABLE = frozenset({"ru", "kk", "ky", "tg", "uz", "tk", "en"})


@dataclass(frozen=True)
class Pages:
    """A reply as SMS pages; the person asks for the next one with the "more" word."""

    pages: tuple[str, ...]

    @property
    def segments(self) -> int:
        return sum(segments(page) for page in self.pages)


def numbered(reply: Reply, back_label: str | None = None) -> str:
    """Options on one line, numbered from 1; "back" is 0, as the engine reads numbers."""
    items = []
    number = 0
    for option in reply.options:
        if option.data == "back":
            items.append(f"0 {back_label or option.label}")
            continue
        number += 1
        items.append(f"{number} {option.label}")
    return " ".join(items)


def render(reply: Reply, *, more: str, budget: int = DEFAULT_BUDGET) -> Pages:
    """Pages of at most `budget` segments each. `more` is the note that closes every page but
    the last (for example "+ ещё"); the options close the last page."""
    body = reply.text
    if reply.summary and reply.summary in body:
        # The summary leads: a person who reads only the first SMS gets the one thing to do.
        body = body.replace(reply.summary, "", 1)
        body = f"{reply.summary}\n{body}"
    sentences = [s.strip() for s in _SENTENCE_END.split(body) if s.strip()]
    options = numbered(reply)
    pages: list[str] = []
    current = ""
    for sentence in sentences:
        for piece in _fit(sentence, more, budget):
            candidate = f"{current} {piece}" if current else piece
            if segments(f"{candidate}\n{more}") <= budget:
                current = candidate
            else:
                pages.append(f"{current}\n{more}")
                current = piece
    last = f"{current}\n{options}" if current and options else current or options
    if segments(last) > budget:
        if current:
            pages.append(f"{current}\n{more}")
        # Many options in Cyrillic can outgrow a page themselves: cut between them.
        *middle, last = _fit(options, more, budget) if options else [""]
        pages += [f"{piece}\n{more}" for piece in middle]
    if last:
        pages.append(last)
    return Pages(tuple(pages))


def _fit(sentence: str, more: str, budget: int) -> list[str]:
    """A sentence too long for a page, cut between words (letters only if it must)."""
    if segments(f"{sentence}\n{more}") <= budget:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for word in sentence.split():
        candidate = f"{current} {word}" if current else word
        if segments(f"{candidate}\n{more}") <= budget:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while segments(f"{word}\n{more}") > budget:  # one enormous "word"
            cut = len(word) // 2
            while cut > 1 and segments(f"{word[:cut]}\n{more}") > budget:
                cut //= 2
            pieces.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        pieces.append(current)
    return pieces


def latin(reply: Reply) -> Reply:
    """The reply in GSM-7 letters (Cyrillic transliterated), for a person who asked for Latin
    letters: a GSM-7 SMS holds 160 characters instead of 70."""
    if reply.language not in LATIN_READABLE:
        return reply
    return replace(
        reply,
        text=_gsm7(reply.text),
        summary=_gsm7(reply.summary) if reply.summary else reply.summary,
        options=tuple(Option(_gsm7(o.label), o.data) for o in reply.options),
    )


def _gsm7(text: str) -> str:
    return "".join(_letter(ch) for ch in text)


@lru_cache(maxsize=4096)
def _letter(ch: str) -> str:
    if encoding(ch) == "gsm7":
        return ch
    # anyascii spells Cyrillic the usual way (ж zh, ш sh, қ q) and ʻ as a backquote, which
    # GSM-7 lacks; whatever is left outside GSM-7 becomes an apostrophe.
    spelled = anyascii(ch).replace("`", "'")
    return spelled if encoding(spelled) == "gsm7" else "'"
