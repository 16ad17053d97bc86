"""Slows down password guessing: failed sign-ins are counted in the login_attempt table, so
every worker process sees them, by keyed hash of the account name and of the client address
(neither is stored readable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage.crypto import Vault
from bot.storage.models import LoginAttempt, utcnow

attempts = LoginAttempt.__table__

WINDOW = timedelta(minutes=15)
PER_NAME = 5  # failures for one account name within WINDOW
PER_ADDRESS = 20  # failures from one address, whatever the names (offices share addresses)


@dataclass(frozen=True)
class Keys:
    name: str
    address: str

    @classmethod
    def of(cls, vault: Vault, name: str, address: str) -> Keys:
        return cls(
            name=vault.lookup("login-name:" + name.strip().casefold()),
            address=vault.lookup("login-address:" + address),
        )


def blocked(connection: Connection, keys: Keys) -> bool:
    """Whether this name or address failed too often lately."""
    since = utcnow() - WINDOW
    counts = dict(
        connection.execute(
            sa.select(attempts.c.key_hash, sa.func.count())
            .where(attempts.c.key_hash.in_([keys.name, keys.address]), attempts.c.at >= since)
            .group_by(attempts.c.key_hash)
        ).all()
    )
    return counts.get(keys.name, 0) >= PER_NAME or counts.get(keys.address, 0) >= PER_ADDRESS


def failed(connection: Connection, keys: Keys) -> None:
    now = utcnow()
    connection.execute(attempts.delete().where(attempts.c.at < now - WINDOW))
    connection.execute(
        attempts.insert(),
        [{"key_hash": keys.name, "at": now}, {"key_hash": keys.address, "at": now}],
    )


def succeeded(connection: Connection, keys: Keys) -> None:
    """The account's own count starts again; the address keeps its count."""
    connection.execute(attempts.delete().where(attempts.c.key_hash == keys.name))
