"""Re-encrypt everything under the current key, after HOTLINE_SECRET_KEY changed and the old
key moved to HOTLINE_OLD_SECRET_KEYS. Afterwards the old key can be dropped."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage.crypto import Vault, case_code_key
from bot.storage.database import Database
from bot.storage.models import (
    Case,
    CaseMessage,
    Contact,
    Conversation,
    OutboxMessage,
    Reminder,
    Subscription,
    WebMessage,
)

# (table, encrypted columns) for every table that holds secrets.
SEALED = (
    (Contact.__table__, ("address_enc",)),
    (Conversation.__table__, ("state_enc",)),
    (OutboxMessage.__table__, ("payload_enc",)),
    (Case.__table__, ("code_enc",)),
    (CaseMessage.__table__, ("text_enc",)),
    (WebMessage.__table__, ("payload_enc",)),
    (Subscription.__table__, ("topic_enc",)),
    (Reminder.__table__, ("details_enc",)),
)


def _rotate(connection: Connection, vault: Vault) -> int:
    changed = 0
    for table, columns in SEALED:
        key = next(iter(table.primary_key.columns))
        for row in connection.execute(sa.select(key, *(table.c[c] for c in columns))).all():
            values = {c: vault.reseal(row._mapping[c]) for c in columns if row._mapping[c]}
            if table is Contact.__table__:
                # Lookups use the current key too, or the person would not be found again.
                values["address_hash"] = vault.lookup(vault.open(row.address_enc))
            if table is Case.__table__:
                values["code_hash"] = vault.lookup(case_code_key(vault.open(row.code_enc)))
            if table is Subscription.__table__:
                values["topic_hash"] = vault.lookup("topic:" + vault.open(row.topic_enc))
            if values:
                connection.execute(table.update().where(key == row[0]).values(**values))
                changed += 1
    return changed


async def rotate(database: Database, vault: Vault) -> int:
    """Returns how many rows were re-encrypted. One transaction: all or nothing."""
    return await database.run(lambda connection: _rotate(connection, vault))
