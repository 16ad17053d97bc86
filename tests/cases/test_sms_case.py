"""An operator's answer to a person on SMS: paged within the segment budget like every answer,
in Latin letters if the person asked for them, and sent through the gateway."""

from __future__ import annotations

from bot.cases import directory
from bot.channels.sms.segments import segments
from tests.cases.conftest import add_operator, say
from tests.channels.sms.conftest import gateway_server, sms_service, sms_settings  # noqa: F401

PHONE = "+996700123456"


async def test_a_long_answer_reaches_the_phone_in_pages_within_the_budget(sms_service):  # noqa: F811
    async with sms_service("generic", sms_segment_budget=3) as service:
        hotline = service.hotline
        await hotline.database.run(lambda c: directory.sync(c, hotline.tree, ""))
        operator = await add_operator(hotline, "olga", "hotline", "operator")
        await hotline.switchboard.receive(say("sms", PHONE, "/operator"))
        await hotline.switchboard.receive(say("sms", PHONE, "латиница"))
        await service.flush()
        service.gateway.sent.clear()
        [item] = await hotline.desk.queue(operator)
        answer = " ".join(["Ваш работодатель обязан выплатить зарплату."] * 30)
        await hotline.desk.reply(operator, item.id, answer)
        await service.flush()
        [first] = [sms.text for sms in service.gateway.sent]
        assert first.rstrip().endswith("+)")  # one page, and "+" for the next
        pages = [first]
        for _ in range(10):  # the person asks for the rest, a page at a time
            replies = await hotline.switchboard.receive(say("sms", PHONE, "+"))
            if not replies:
                break
            pages.append(replies[0].text)
        assert len(pages) > 2 and all(segments(page) <= 3 for page in pages)
        assert all(page.isascii() for page in pages)  # Latin letters, as the person asked
        # Once the answer is read, "+" is words for the operator again.
        [case] = await hotline.desk.queue(operator)
        assert case.last_text_preview == "+"
