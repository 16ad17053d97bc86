"""The SMS channel whatever the gateway: pages and "+", numbered options, STOP and START,
Latin letters, and the numbers messages come from (through the generic relay)."""

from __future__ import annotations

import itertools

import pytest

from bot.channels.sms.channel import phone_address
from bot.channels.sms.segments import encoding, segments
from bot.storage.models import Contact
from tests.fakes.sms_gateway import relay_request

NUMBER = "+77011234567"
_ids = itertools.count(1)


async def say(service, text: str) -> list[str]:
    """Send one SMS as the person; returns the texts the hotline sends back."""
    before = len(service.gateway.sent)
    body, headers = relay_request(service.gateway, {"from": NUMBER, "text": text, "id": next(_ids)})
    response = await service.post("/sms/generic", body, headers)
    assert response.status_code == 204, response.text
    await service.flush()
    return [sms.text for sms in service.gateway.sent[before:]]


async def settled(service) -> None:
    """A person who chose Russian and Kazakhstan."""
    await say(service, "старт")
    await say(service, "русский")
    await say(service, "казахстан")


async def test_a_long_article_comes_in_pages_within_the_budget(sms_service):
    async with sms_service("generic", sms_segment_budget=3) as service:
        await settled(service)
        [first] = await say(service, "работодатель забрал паспорт")
        assert segments(first) <= 3
        # The one thing to do comes first.
        assert first.startswith("Никто не вправе держать ваш паспорт")
        assert first.rstrip().endswith("(ещё: +)")
        pages = [first]
        while pages[-1].rstrip().endswith("(ещё: +)"):
            [page] = await say(service, "+")
            assert segments(page) <= 3
            pages.append(page)
            assert len(pages) < 40
        assert len(pages) > 1
        # The last page carries the options, numbered, with Back as 0.
        assert " 0 Назад" in pages[-1]
        assert "1 " in pages[-1]
        # Nothing left: "+" now is an ordinary message, not an error.
        assert await say(service, "+")


async def test_a_number_opens_the_option_it_stands_for(sms_service):
    async with sms_service("generic", sms_segment_budget=10) as service:
        await settled(service)
        [menu] = await say(service, "меню")
        options = menu.rsplit("\n", 1)[-1]
        # "1 <title> 2 <title> ...": the title after "2 " is what "2" opens.
        second = options.split(" 2 ", 1)[1].split(" 3 ", 1)[0]
        [page] = await say(service, "2")
        assert second in page  # the summary leads, then the title


async def test_stop_silences_sms_until_start(sms_service):
    async with sms_service("generic") as service:
        await settled(service)
        [confirmation] = await say(service, "СТОП")
        assert "START" in confirmation
        assert await say(service, "как получить патент") == []
        assert await say(service, "/menu") == []
        replies = await say(service, "START")
        assert replies and "Главное меню" in replies[0]
        assert await say(service, "как получить патент")


@pytest.mark.parametrize("word", ["stop", "Stop", "СТОП", "стоп", "тоқта", "toʻxta", "توقف"])
async def test_stop_words_in_our_languages(sms_service, word):
    async with sms_service("generic") as service:
        await settled(service)
        assert len(await say(service, word)) == 1
        assert await say(service, "паспорт") == []
        table = Contact.__table__
        [contact] = await service.hotline.database.run(lambda c: c.execute(table.select()).all())
        assert contact.opted_out_at is not None


async def test_latin_letters_on_request(sms_service):
    async with sms_service("generic") as service:
        await settled(service)
        [done] = await say(service, "латиница")
        assert encoding(done) == "gsm7"
        [page] = await say(service, "забрали паспорт")
        assert encoding(page) == "gsm7"
        assert "pasport" in page.lower()
        [back] = await say(service, "кириллица")
        assert encoding(back) == "ucs2"


async def test_messages_from_two_numbers_are_two_people(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(
            service.gateway, {"from": "+996555000111", "text": "привет", "id": "a"}
        )
        await service.post("/sms/generic", body, headers)
        body, headers = relay_request(
            service.gateway, {"from": "00996555000222", "text": "привет", "id": "a"}
        )
        await service.post("/sms/generic", body, headers)
        await service.flush()
        assert {sms.to for sms in service.gateway.sent} == {"+996555000111", "+996555000222"}


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("+7 701 123-45-67", "+77011234567"),
        ("0077011234567", "+77011234567"),
        ("77011234567", "77011234567"),  # no "+": only the gateway knows how to route it
        ("1234", "1234"),  # a short code
        ("+1", None),
        ("", None),
        ("Beeline", None),
        ("+99" + "9" * 20, None),
        ("+0 123 456", None),
    ],
)
def test_phone_address(raw, address):
    assert phone_address(raw) == address


class CountingGateway:
    """A gateway that only counts: the rate is the SMS channel's business, not the gateway's."""

    name = "counting"

    def __init__(self) -> None:
        self.sent: list[float] = []

    async def send(self, to: str, text: str, *, ref: str) -> str | None:
        import time

        self.sent.append(time.monotonic())
        return None


async def test_the_sender_keeps_to_the_configured_rate():
    from bot.channels.sms.channel import SmsSender
    from bot.engine.messages import Reply

    gateway = CountingGateway()
    sender = SmsSender(gateway, per_second=10)  # type: ignore[arg-type]
    for n in range(25):
        await sender.send("+77011234567", Reply(text=f"{n}"), ref=str(n))
    span = gateway.sent[-1] - gateway.sent[0]
    # aiolimiter lets a first second's worth through at once, then 10 a second.
    assert span >= 1.3, span
