"""Key rotation: after it, the old key can go and every person is still found and readable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.app import build
from bot.campaigns.delivery import topic_hash
from bot.campaigns.reminders import opened
from bot.engine.messages import Inbound
from bot.storage.crypto import UnreadableSecret, Vault, case_code_key
from bot.storage.models import Case, CaseMessage, Reminder, Subscription
from bot.storage.rotation import rotate


def message(text: str) -> Inbound:
    return Inbound(channel="sms", address="+996555123456", text=text, language_hint="ru")


async def test_rotation_keeps_people_and_their_sessions(settings):
    before = build(settings)
    await before.switchboard.receive(message("/start"))
    await before.switchboard.receive(message("нас закрыли на складе"))
    await before.close()

    rotated = settings.model_copy(
        update={"secret_key": "a-new-key", "old_secret_keys": [settings.secret_key]}
    )
    during = build(rotated)
    assert await rotate(during.database, during.vault) >= 3
    await during.close()

    only_new = build(settings.model_copy(update={"secret_key": "a-new-key"}))
    try:
        replies = await only_new.switchboard.receive(message("/operator"))
        # Same person (found by the new lookup hash), same open case, nothing new.
        cases = await only_new.database.run(
            lambda connection: connection.execute(sa.select(Case.__table__)).all()
        )
        assert len(cases) == 1 and cases[0].urgent
        lines = await only_new.database.run(
            lambda connection: connection.execute(sa.select(CaseMessage.__table__)).all()
        )
        assert only_new.vault.open(lines[0].text_enc) == "нас закрыли на складе"
        assert replies[0].node == "hotlines/operator"
        with pytest.raises(UnreadableSecret):
            Vault([settings.secret_key.encode()]).open(lines[0].text_enc)
        # The case code is found again under the new key.
        code = only_new.vault.open(cases[0].code_enc)
        assert cases[0].code_hash == only_new.vault.lookup(case_code_key(code))
    finally:
        await only_new.close()


async def test_rotation_keeps_subscriptions_and_reminders(settings):
    before = build(settings)
    await before.switchboard.receive(message("/start"))
    await before.switchboard.receive(
        Inbound(channel="sms", address="+996555123456", option="sub:safety")
    )
    await before.switchboard.receive(message("мой патент оплачен до 15.01.2027"))
    await before.close()

    rotated = settings.model_copy(
        update={"secret_key": "a-new-key", "old_secret_keys": [settings.secret_key]}
    )
    during = build(rotated)
    await rotate(during.database, during.vault)
    await during.close()

    only_new = build(settings.model_copy(update={"secret_key": "a-new-key"}))
    try:
        [subscription] = await only_new.database.run(
            lambda c: c.execute(sa.select(Subscription.__table__)).all()
        )
        # Found by a campaign's audience under the new key, and readable with it alone.
        assert subscription.topic_hash == topic_hash(only_new.vault, "safety")
        assert only_new.vault.open(subscription.topic_enc) == "safety"
        [reminder] = await only_new.database.run(
            lambda c: c.execute(sa.select(Reminder.__table__)).all()
        )
        assert opened(only_new.vault, reminder.details_enc)[0] == "patent"
        with pytest.raises(UnreadableSecret):
            Vault([settings.secret_key.encode()]).open(reminder.details_enc)
    finally:
        await only_new.close()
