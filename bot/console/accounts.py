"""Console accounts: data functions over the operator table, for the CLI and the Team page.
Passwords arrive here already hashed (hashing is slow: it stays outside transactions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases.views import Actor
from bot.storage.models import Operator, Organisation, utcnow

operators = Operator.__table__
organisations = Organisation.__table__

ROLES = ("operator", "supervisor", "admin")
# Letters (any script), digits and . _ @ -: something a person can type and read back.
_NAME = re.compile(r"[\w.@-]{1,64}")


class AccountProblem(ValueError):
    """Why an account cannot be added or changed, in words for the person who tried."""


@dataclass(frozen=True)
class Account:
    """A signed-in operator as the console sees them."""

    id: int
    name: str
    organisation_id: str
    organisation_name: str
    role: str
    epoch: int
    must_change_password: bool
    campaigns: bool = False  # an admin let the account run campaigns

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        """Supervisors and admins: they see statistics and a team."""
        return self.role in ("supervisor", "admin")

    @property
    def runs_campaigns(self) -> bool:
        """Admins, and accounts an admin allowed: the Campaigns page."""
        return self.is_admin or self.campaigns

    @property
    def actor(self) -> Actor:
        """The account as the cases desk knows it."""
        return Actor(
            id=self.id, name=self.name, organisation_id=self.organisation_id, role=self.role
        )


def normal_name(name: str) -> str:
    """Names are kept and compared in lower case: "Aigul" and "aigul" are one account."""
    return name.strip().lower()


def name_problem(name: str) -> str | None:
    if not _NAME.fullmatch(name):
        return "A name has 1 to 64 letters, digits or . _ @ - (no spaces)."
    return None


def _with_organisation() -> sa.Select:
    return sa.select(operators, organisations.c.name.label("organisation_name")).join_from(
        operators, organisations, operators.c.organisation_id == organisations.c.id
    )


def account(connection: Connection, operator_id: int) -> Account | None:
    """The active account with this id, or None."""
    row = connection.execute(
        _with_organisation().where(operators.c.id == operator_id, operators.c.active.is_(True))
    ).first()
    return _account(row) if row is not None else None


def _account(row: sa.Row) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name or row.organisation_id,
        role=row.role,
        epoch=row.password_epoch,
        must_change_password=row.must_change_password,
        campaigns=row.campaigns,
    )


def by_name(connection: Connection, name: str) -> sa.Row | None:
    """The account row (active or not) with this name."""
    return connection.execute(
        sa.select(operators).where(operators.c.name == normal_name(name))
    ).first()


def listing(connection: Connection, *, organisation_id: str | None = None) -> list[sa.Row]:
    query = _with_organisation().order_by(operators.c.organisation_id, operators.c.name)
    if organisation_id is not None:
        query = query.where(operators.c.organisation_id == organisation_id)
    return list(connection.execute(query))


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(operators)).scalar_one()


def organisation_ids(connection: Connection) -> list[str]:
    return list(
        connection.execute(sa.select(organisations.c.id).order_by(organisations.c.id)).scalars()
    )


def add(
    connection: Connection,
    *,
    name: str,
    organisation_id: str,
    role: str,
    password_hash: str,
    must_change_password: bool,
) -> int:
    """A new account; raises AccountProblem for a bad name or role, an unknown organisation
    or a name already taken."""
    name = normal_name(name)
    if trouble := name_problem(name):
        raise AccountProblem(trouble)
    if role not in ROLES:
        raise AccountProblem(f"The role must be one of {', '.join(ROLES)}.")
    known = organisation_ids(connection)
    if organisation_id not in known:
        raise AccountProblem(
            f"There is no organisation {organisation_id!r}. Organisations: "
            + (", ".join(known) or "none yet (run `hotline serve` once, or `hotline org add`)")
            + "."
        )
    if by_name(connection, name) is not None:
        raise AccountProblem(f"The name {name!r} is taken.")
    return connection.execute(
        operators.insert().values(
            name=name,
            organisation_id=organisation_id,
            role=role,
            password_hash=password_hash,
            password_epoch=0,
            must_change_password=must_change_password,
            active=True,
            created_at=utcnow(),
        )
    ).inserted_primary_key[0]


def set_active(connection: Connection, operator_id: int, active: bool) -> bool:
    """Switch an account off (its sessions end at once) or on again; False if none."""
    changed = connection.execute(
        operators.update()
        .where(operators.c.id == operator_id)
        .values(active=active, password_epoch=operators.c.password_epoch + 1)
    ).rowcount
    return bool(changed)


def set_password(
    connection: Connection, operator_id: int, password_hash: str, *, must_change: bool = False
) -> int:
    """A new password: every session made before it ends. The new epoch."""
    connection.execute(
        operators.update()
        .where(operators.c.id == operator_id)
        .values(
            password_hash=password_hash,
            password_epoch=operators.c.password_epoch + 1,
            must_change_password=must_change,
        )
    )
    return connection.execute(
        sa.select(operators.c.password_epoch).where(operators.c.id == operator_id)
    ).scalar_one()


def set_campaigns(connection: Connection, operator_id: int, allowed: bool) -> bool:
    """Let the account run campaigns, or no longer; False if there is no such account."""
    return bool(
        connection.execute(
            operators.update().where(operators.c.id == operator_id).values(campaigns=allowed)
        ).rowcount
    )


def end_sessions(connection: Connection, operator_id: int) -> None:
    """Sign the account out everywhere (cookies of an older epoch are refused)."""
    connection.execute(
        operators.update()
        .where(operators.c.id == operator_id)
        .values(password_epoch=operators.c.password_epoch + 1)
    )
