"""The first start of a new hotline: with no console account yet, `hotline serve` makes an
admin with a one-time password and prints it once, to the terminal, never to the log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases import directory
from bot.console import accounts, passwords
from bot.storage.database import Database
from bot.storage.migrate import is_current

ADMIN = "admin"


async def first_admin(
    database: Database, *, sign_in_url: str, say: Callable[[str], None], terminal: bool
) -> bool:
    """Make the first admin if there is no account at all; True if it was made now. `say`
    writes to the person who started the service."""
    if not await is_current(database):
        return False  # start-up says to run `hotline db upgrade`; accounts can wait for it
    if await database.run(accounts.count):
        return False
    password = passwords.one_time_password()
    password_hash = await asyncio.to_thread(passwords.hash_password, password)

    def make(connection: Connection) -> str | None:
        if accounts.count(connection):  # another process was quicker
            return None
        organisation = directory.fallback(connection)
        accounts.add(
            connection,
            name=ADMIN,
            organisation_id=organisation.id,
            role="admin",
            password_hash=password_hash,
            must_change_password=True,
        )
        return organisation.id

    try:
        organisation_id = await database.run(make)
    except (sa.exc.IntegrityError, accounts.AccountProblem):
        return False  # made by a second process at the same moment
    if organisation_id is None:
        return False
    lines = [
        "",
        "A console account was made for this new hotline (shown only this once):",
        f"    name:      {ADMIN}",
        f"    password:  {password}",
        f"Sign in at {sign_in_url} and choose your own password.",
        "Add operators on the console's Team page, or with",
        f"    hotline user add NAME --org {organisation_id} --role operator",
    ]
    if not terminal:
        lines += [
            "This was not written to a terminal: if it went to a log, make your own admin",
            "instead (the command asks for the password), then switch this one off:",
            f"    hotline user add NAME --org {organisation_id} --role admin",
            f"    hotline user disable {ADMIN}",
        ]
    say("\n".join(lines) + "\n")
    return True
