"""The console through the real ASGI app (start-up and shut-down run, as uvicorn runs them),
over a real database; accounts, organisations and cases made with the same data functions
the service uses."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from bot.app import Hotline, create_app
from bot.cases.codes import new_code
from bot.console import accounts
from bot.console.passwords import hash_password
from bot.settings import Settings
from bot.storage.crypto import case_code_key
from bot.storage.models import Case, CaseMessage, Contact, Organisation, utcnow

BASE = "http://console.test"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    app: FastAPI
    hotline: Hotline

    def client(self) -> httpx.AsyncClient:
        """A browser of its own: its own cookies."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE)

    async def run(self, work):
        return await self.hotline.database.run(work)

    async def organisation(self, id: str, name: str | None = None) -> str:
        await self.run(
            lambda c: c.execute(
                Organisation.__table__.insert().values(
                    id=id,
                    name=name or id.upper(),
                    countries=[],
                    topics=[],
                    languages=[],
                    created_at=utcnow(),
                )
            )
        )
        return id

    async def operator(
        self,
        name: str,
        organisation: str,
        role: str = "operator",
        *,
        password: str = PASSWORD,
        must_change: bool = False,
    ) -> int:
        password_hash = hash_password(password)
        return await self.run(
            lambda c: accounts.add(
                c,
                name=name,
                organisation_id=organisation,
                role=role,
                password_hash=password_hash,
                must_change_password=must_change,
            )
        )

    async def case(
        self,
        organisation: str,
        *,
        urgent: bool = False,
        text: str = "хочу поговорить с человеком",
        address: str = "+996555123456",
        channel: str = "sms",
        age: timedelta = timedelta(minutes=3),
        **values,
    ) -> int:
        vault = self.hotline.vault
        code = new_code()
        now = utcnow()

        def work(c) -> int:
            contact = c.execute(
                Contact.__table__.insert().values(
                    channel=channel,
                    address_hash=vault.lookup(f"{channel}:{address}:{code}"),
                    address_enc=vault.seal(address),
                    language="ru",
                    created_at=now,
                )
            ).inserted_primary_key[0]
            row = {
                "code_hash": vault.lookup(case_code_key(code)),
                "code_enc": vault.seal(code),
                "contact_id": contact,
                "organisation_id": organisation,
                "status": "waiting",
                "urgent": urgent,
                "reason": "urgent" if urgent else "operator",
                "channel": channel,
                "language": "ru",
                "created_at": now - age,
                "updated_at": now,
            }
            case_id = c.execute(
                Case.__table__.insert().values(**(row | values))
            ).inserted_primary_key[0]
            c.execute(
                CaseMessage.__table__.insert().values(
                    case_id=case_id, author="person", text_enc=vault.seal(text), created_at=now
                )
            )
            return case_id

        case_id = await self.run(work)
        self.hotline.desk.changes.bump()
        return case_id


def csrf_of(response: httpx.Response) -> str:
    found = _CSRF.search(response.text)
    assert found, response.text[:500]
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, name: str, password: str = PASSWORD, next: str = ""
) -> httpx.Response:
    page = await client.get("/console/login", params={"next": next} if next else None)
    return await client.post(
        "/console/login",
        data={"csrf": csrf_of(page), "name": name, "password": password, "next": next},
    )


async def post(client: httpx.AsyncClient, page: str, action: str, **data) -> httpx.Response:
    """Submit a form as the browser would: with the token from the page it is on."""
    token = csrf_of(await client.get(page))
    return await client.post(action, data={"csrf": token, **data})


@pytest.fixture
async def console(settings: Settings, hotline: Hotline) -> AsyncIterator[Console]:
    app = create_app(settings, hotline)
    async with app.router.lifespan_context(app):
        yield Console(app=app, hotline=hotline)
