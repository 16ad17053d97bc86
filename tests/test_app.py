"""The HTTP application built from settings, as `hotline serve` runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bot.app import create_app
from bot.settings import Settings


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its start-up and shut-down run, as uvicorn runs them."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline") as client:
            yield client


async def test_healthz_reports_database_and_content(settings: Settings):
    async with client_for(settings) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "ok", "content": body["content"]}
    assert body["content"]["nodes"] >= 31 and body["content"]["problems"] == 0


async def test_healthz_is_degraded_before_migrations(settings: Settings, tmp_path: Path):
    fresh = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/empty.db"})
    async with client_for(fresh) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable or not migrated"


async def test_healthz_is_degraded_without_content(settings: Settings, tmp_path: Path):
    empty = settings.model_copy(update={"content_dir": tmp_path / "nothing"})
    async with client_for(empty) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["content"]["nodes"] == 0


async def test_unknown_paths_and_methods_are_clean_4xx(settings: Settings):
    async with client_for(settings) as client:
        assert (await client.get("/no/such/page")).status_code == 404
        assert (await client.post("/healthz", content=b"\xff" * 1000)).status_code == 405
