"""Signing in: password check, the guessing brake, a stronger hash when the parameters grew,
and the audit line."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from bot.cases.audit import record
from bot.console import accounts, passwords, throttle
from bot.console.accounts import Account, operators
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import utcnow


class Outcome(enum.Enum):
    SIGNED_IN = "signed in"
    WRONG = "wrong name or password"
    TOO_MANY = "too many attempts"
    DISABLED = "account disabled"


@dataclass(frozen=True)
class SignIn:
    outcome: Outcome
    account: Account | None = None


async def sign_in(
    database: Database, vault: Vault, *, name: str, password: str, address: str
) -> SignIn:
    name = accounts.normal_name(name)[:64]
    password = password[: passwords.MAX_LENGTH]
    keys = throttle.Keys.of(vault, name, address)

    def look(connection: Connection):
        if throttle.blocked(connection, keys):
            return None, True
        return accounts.by_name(connection, name), False

    row, blocked = await database.run(look)
    if blocked:
        return SignIn(Outcome.TOO_MANY)
    stored = row.password_hash if row is not None else None
    # Argon2 runs in C without the GIL: in a thread it does not stall the event loop.
    good = await asyncio.to_thread(passwords.verify, stored, password)
    if not good or row is None:
        await database.run(lambda connection: throttle.failed(connection, keys))
        return SignIn(Outcome.WRONG)
    if not row.active:
        return SignIn(Outcome.DISABLED)
    new_hash = None
    if passwords.needs_rehash(row.password_hash):
        new_hash = await asyncio.to_thread(passwords.hash_password, password)

    def admit(connection: Connection) -> Account | None:
        throttle.succeeded(connection, keys)
        values: dict = {"last_login_at": utcnow()}
        if new_hash is not None:
            values["password_hash"] = new_hash
        connection.execute(operators.update().where(operators.c.id == row.id).values(**values))
        record(connection, row.id, "sign_in")
        return accounts.account(connection, row.id)

    signed = await database.run(admit)
    if signed is None:  # switched off between the two steps
        return SignIn(Outcome.DISABLED)
    return SignIn(Outcome.SIGNED_IN, signed)
