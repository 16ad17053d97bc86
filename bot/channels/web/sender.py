"""The outbox's sender for the web chat: a reply is delivered once it is kept in web_message
(the page reads it from there), and any page waiting in this process is woken at once."""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import SQLAlchemyError

from bot.channels.web import CHANNEL, store
from bot.channels.web.doorbell import Doorbell
from bot.channels.web.render import message
from bot.engine.messages import Reply
from bot.outbox import SendError
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import utcnow

log = logging.getLogger(__name__)


class WebSender:
    channel = CHANNEL
    # Each send is one short transaction; a few people's replies may be written side by side.
    parallel = 4

    def __init__(self, *, database: Database, vault: Vault, doorbell: Doorbell) -> None:
        self.database = database
        self.vault = vault
        self.doorbell = doorbell

    async def send(self, address: str, reply: Reply, *, ref: str = "") -> str | None:
        key = self.vault.lookup(address)
        sealed = self.vault.seal(json.dumps(reply.to_json(), ensure_ascii=False))
        try:
            kept = await self.database.run(
                lambda connection: store.keep(connection, address_hash=key, payload_enc=sealed)
            )
        except SQLAlchemyError as error:  # the database is away: the outbox tries again
            raise SendError(f"database: {type(error).__name__}", retryable=True) from None
        if kept is None:
            # The person erased their data and this is the confirmation: it is kept nowhere,
            # but a page open now shows it (and clears what it showed before).
            log.info("web chat message for a person no longer known", extra={"outbox_id": ref})
            self.doorbell.ring(key, message(reply, message_id=None, at=utcnow(), erased=True))
        else:
            self.doorbell.ring(key)
        # The page's copy goes with the contact (ON DELETE CASCADE): nothing to keep for /forget.
        return None
