"""Bad requests to the web chat: each gets a clear 4xx and a log line without the person's
token or words, and the chat keeps working for everyone."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.web.routes import MAX_BODY

ID = "abcdefgh12345678"
JSON = {"content-type": "application/json"}
SECRET_WORDS = "тайна-которой-нет-в-логах"


@dataclass(frozen=True)
class Case:
    label: str
    request: dict[str, Any]  # keyword arguments of httpx's request()
    status: int
    detail: str = ""
    method: str = "POST"
    path: str = "/chat/api/messages"
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


async def _chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 4096 + 1):
        yield b" " * 4096


CASES = [
    Case("empty body", {"content": b""}, 400, "not JSON"),
    Case("not JSON", {"content": b"hello"}, 400, "not JSON"),
    Case("JSON, but not an object", {"content": b'["text"]'}, 400, "object"),
    Case("null", {"content": b"null"}, 400, "object"),
    Case(
        "invalid UTF-8",
        {"content": b'{"id": "' + ID.encode() + b'", "text": "\xff"}'},
        400,
        "UTF-8",
    ),  # fmt: skip
    Case("UTF-16", {"content": f'{{"id": "{ID}", "text": "hi"}}'.encode("utf-16")}, 400, "UTF-8"),
    Case("nested too deep", {"content": b"[" * 60_000}, 400, "not JSON"),
    Case("no id", {"json": {"text": "hi"}}, 400, "id"),
    Case("id too short", {"json": {"id": "abc", "text": "hi"}}, 400, "id"),
    Case("id with odd characters", {"json": {"id": "../../etc/passwd", "text": "hi"}}, 400, "id"),
    Case("id a number", {"json": {"id": 1234567890, "text": "hi"}}, 400, "id"),
    Case("neither text nor option", {"json": {"id": ID}}, 400, "either"),
    Case(
        "both text and option", {"json": {"id": ID, "text": "a", "option": "home"}}, 400, "either"
    ),  # fmt: skip
    Case("text a number", {"json": {"id": ID, "text": 5}}, 400, "string"),
    Case("text a list", {"json": {"id": ID, "text": ["a"]}}, 400, "string"),
    Case("text an object", {"json": {"id": ID, "text": {"a": 1}}}, 400, "string"),
    Case("empty text", {"json": {"id": ID, "text": ""}}, 400, "empty"),
    Case("blank text", {"json": {"id": ID, "text": " \n\t "}}, 400, "empty"),
    Case("option a number", {"json": {"id": ID, "option": 3}}, 400, "option"),
    Case("empty option", {"json": {"id": ID, "option": ""}}, 400, "option"),
    Case(
        "option over 64 bytes", {"json": {"id": ID, "option": "open:" + "x" * 60}}, 400, "option"
    ),  # fmt: skip
    Case(
        "option a lone surrogate",
        {"content": f'{{"id": "{ID}", "option": "\\ud800"}}'.encode()},
        400,
        "option",
    ),  # fmt: skip
    Case("body over 64 KB", {"content": b" " * (MAX_BODY + 1)}, 413, "too large"),
    Case("body over 64 KB, no length given", {"content": _chunks(MAX_BODY)}, 413, "too large"),
    Case(
        "form post",
        {"content": b"text=hi"},
        415,
        "application/json",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),  # fmt: skip
    Case("no content type", {"content": b"{}"}, 415, "application/json", headers={}),
    Case("PUT", {"json": {"id": ID, "text": "hi"}}, 405, method="PUT"),
    Case("after not a number", {"params": {"after": "abc"}}, 400, "after", method="GET"),
    Case("after negative", {"params": {"after": "-1"}}, 400, "after", method="GET"),
    Case("after too long", {"params": {"after": "9" * 30}}, 400, "after", method="GET"),
    Case("after in other digits", {"params": {"after": "١٢"}}, 400, "after", method="GET"),
    Case("wait not a number", {"params": {"wait": "1e9"}}, 400, "wait", method="GET"),
    Case(
        "stream after not a number",
        {"params": {"after": "x"}},
        400,
        "after",
        method="GET",
        path="/chat/api/stream",
    ),  # fmt: skip
]


async def test_bad_requests_get_a_clear_4xx_and_nothing_leaks(web_chat, caplog):
    browser = web_chat.browser()
    await browser.open()
    caplog.set_level(logging.INFO)
    for case in CASES:
        # A body made by a generator is used up once: make the case's request fresh.
        request = dict(case.request)
        if case.label.endswith("no length given"):
            request["content"] = _chunks(MAX_BODY)
        response = await browser.client.request(
            case.method, case.path, headers=case.headers, **request
        )
        assert response.status_code == case.status, (case.label, response.text)
        if case.detail:
            assert case.detail in response.json()["detail"], (case.label, response.text)
    # Last-Event-ID is checked like `after`.
    response = await browser.client.get(
        "/chat/api/stream", headers={"last-event-id": "not-a-number"}
    )
    assert response.status_code == 400
    # The chat still works, and the logs never carried the token or what was written.
    await browser.say(SECRET_WORDS + " хочу поговорить с человеком")
    assert await browser.replies()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert browser.token not in logged and SECRET_WORDS not in logged
    assert "web chat message refused" in logged


@pytest.mark.parametrize("text", ["\ud800 паспорт забрали", "а" * 9_000])
async def test_odd_but_valid_text_is_answered(web_chat, text):
    """Lone surrogates are replaced; text over max_text_length is cut, not refused."""
    browser = web_chat.browser()
    await browser.say(text)
    replies = await browser.replies()
    assert replies and all(reply["text"] for reply in replies)


async def test_a_flood_from_one_cookie_is_slowed_and_nobody_else_is(web_chat):
    flooder, other = web_chat.browser(), web_chat.browser()
    await flooder.open()
    for _ in range(20):
        await flooder.say(option="home")
    response = await flooder.post({"id": "one-too-many", "option": "home"})
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 60
    await other.say(option="home")


async def test_too_many_open_streams_for_one_person_are_refused(web_chat):
    browser = web_chat.browser()
    await browser.open()
    streams = [browser.stream() for _ in range(5)]
    for stream in streams:
        await stream.__aenter__()
    try:
        response = await browser.client.get("/chat/api/stream")
        assert response.status_code == 429
        # Another person's stream is not counted against them.
        async with web_chat.browser().stream():
            pass
    finally:
        for stream in streams:
            await stream.__aexit__(None, None, None)
