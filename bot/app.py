"""Composition root: builds the hotline (storage, content, engine, outbox, HTTP) from Settings."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

import bot.channels.sms.gateways  # noqa: F401 - registers the SMS gateways
from bot.campaigns import written
from bot.campaigns.content import Campaigns, load_campaigns
from bot.campaigns.delivery import Deliveries
from bot.campaigns.reminders import Reminders
from bot.campaigns.scheduler import CampaignScheduler
from bot.cases import directory
from bot.cases.desk import Desk
from bot.cases.sla import Timers
from bot.channels.sms.channel import SmsChannel
from bot.channels.telegram.channel import WEBHOOK_PATH, TelegramChannel
from bot.channels.telegram.webhook import webhook_route
from bot.channels.web.channel import WebChannel
from bot.channels.web.routes import web_routes
from bot.console.site import mount as mount_console
from bot.content.loader import load_tree
from bot.content.model import ContentTree
from bot.engine.conversation import Conversation
from bot.engine.switchboard import Switchboard
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox
from bot.settings import Settings
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.migrate import is_current
from bot.web import problem

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY = 3600  # seconds


@dataclass
class Hotline:
    """Everything one process needs, built once and passed down."""

    settings: Settings
    database: Database
    vault: Vault
    tree: ContentTree
    conversation: Conversation
    outbox: Outbox
    switchboard: Switchboard
    catalogs: Catalogs
    desk: Desk
    timers: Timers
    campaigns: Campaigns
    deliveries: Deliveries
    reminders: Reminders
    telegram: TelegramChannel | None = None
    sms: SmsChannel | None = None
    web: WebChannel | None = None
    scheduler: CampaignScheduler | None = None

    schema_current: bool = False
    _housekeeping: asyncio.Task[None] | None = None

    async def check_schema(self) -> bool:
        """Whether migrations are applied; checked until true, then remembered."""
        if not self.schema_current:
            self.schema_current = await is_current(self.database)
        return self.schema_current

    async def start_channels(self) -> None:
        """Start what runs in the background: channels and their senders, housekeeping."""
        settings = self.settings
        if self.database.dialect == "sqlite" and await self.check_schema():
            # One process owns an SQLite database: what it was sending when it stopped is
            # sent again now rather than when the claim would have run out.
            released = await self.outbox.release_claims()
            if released:
                log.info("%d messages interrupted by the last stop will be sent again", released)
        if self.telegram is None:
            log.info("Telegram is off: set HOTLINE_TELEGRAM_TOKEN to turn it on")
        elif settings.telegram_mode == "polling":
            self.telegram.start_polling()
            log.info("Telegram is on (long polling)")
        else:
            self.telegram.start_webhook(
                settings.public_url + WEBHOOK_PATH,
                settings.telegram_webhook_secret.get_secret_value(),
            )
            log.info("Telegram is on (webhook)")
        if self.sms is None:
            log.info("SMS is off: set HOTLINE_SMS_GATEWAY to turn it on")
        else:
            self.sms.start()
            log.info("SMS is on (%s gateway)", settings.sms_gateway)
        if self.web is not None:
            self.web.start()
            log.info("The web chat is on at /chat")
        if await self.check_schema():
            await self.database.run(
                lambda connection: directory.sync(
                    connection, self.tree, self.settings.organisation_name
                )
            )
            await self.reload_campaigns()
            waiting = await self.timers.start()
            if waiting:
                log.info("%d waiting cases: their timers are set again", waiting)
            if settings.campaigns_on:
                self.scheduler = CampaignScheduler(
                    campaigns=self.campaigns,
                    deliveries=self.deliveries,
                    reminders=self.reminders,
                    written=self._read_written,
                )
                await self.scheduler.start()
        self._housekeeping = asyncio.create_task(self._keep_house(), name="housekeeping")

    async def _read_written(self) -> set[str]:
        return await self.database.run(
            lambda connection: written.refresh(connection, self.campaigns, self.tree)
        )

    async def reload_campaigns(self) -> set[str]:
        """Read the console's campaigns again and set their timers; the ids that changed."""
        changed = await self._read_written()
        if changed and self.scheduler is not None:
            await self.scheduler.replan(changed)
        return changed

    async def _keep_house(self) -> None:
        while True:
            try:
                await self.switchboard.prune()
                if self.web is not None:
                    await self.web.prune()
            except Exception:  # the database may be away for a while: try again next round
                log.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_EVERY)

    async def stop_channels(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        self.timers.stop()
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        if self.telegram is not None:
            await self.telegram.close()
        if self.sms is not None:
            await self.sms.close()
        if self.web is not None:
            await self.web.close()

    async def close(self) -> None:
        await self.stop_channels()
        await self.database.close()


def build(settings: Settings) -> Hotline:
    database = Database(settings.database_url)
    vault = Vault(settings.master_keys)
    tree = load_tree(settings.content_dir)
    for path, trouble in tree.problems:
        log.error("content problem: %s: %s", path, trouble)
    catalogs = Catalogs(settings.locales_dir)
    campaigns = load_campaigns(settings.content_dir, tree)
    for path, trouble in campaigns.problems:
        log.error("campaign problem: %s: %s", path, trouble)
    conversation = Conversation(
        tree,
        catalogs,
        default_language=settings.default_language,
        max_text=settings.max_text_length,
        model_cache=settings.var_dir / "models",
        topics=campaigns.topics,
        reminder_days=tuple(settings.reminder_days),
    )
    # The content, index and models live as long as the process: keep the garbage collector
    # from walking their hundreds of thousands of objects on every full collection.
    gc.collect()
    gc.freeze()
    outbox = Outbox(database=database, vault=vault)
    switchboard = Switchboard(
        database=database, vault=vault, conversation=conversation, outbox=outbox
    )
    desk = Desk(switchboard=switchboard)
    telegram = None
    if token := settings.telegram_token.get_secret_value():
        telegram = TelegramChannel(
            token=token,
            api_base=settings.telegram_api_base,
            switchboard=switchboard,
            outbox=outbox,
            catalogs=catalogs,
            countries=tuple(tree.countries),
            default_language=settings.default_language,
            per_second=settings.telegram_max_per_second,
        )
    sms = None
    if settings.sms_gateway:
        sms = SmsChannel.from_settings(
            settings, switchboard=switchboard, outbox=outbox, catalogs=catalogs
        )
    deliveries = Deliveries(
        database=database,
        vault=vault,
        outbox=outbox,
        campaigns=campaigns,
        tree=tree,
        catalogs=catalogs,
        rates={
            "telegram": settings.telegram_max_per_second,
            "sms": settings.sms_max_per_second,
        },
    )
    reminders = Reminders(
        database=database,
        vault=vault,
        outbox=outbox,
        tree=tree,
        catalogs=catalogs,
        days_before=settings.reminder_days,
    )
    return Hotline(
        settings=settings,
        campaigns=campaigns,
        deliveries=deliveries,
        reminders=reminders,
        database=database,
        vault=vault,
        tree=tree,
        conversation=conversation,
        outbox=outbox,
        switchboard=switchboard,
        catalogs=catalogs,
        desk=desk,
        timers=Timers(desk),
        telegram=telegram,
        sms=sms,
        web=WebChannel(
            database=database,
            vault=vault,
            switchboard=switchboard,
            outbox=outbox,
            catalogs=catalogs,
            max_text=settings.max_text_length,
            default_language=settings.default_language,
            secure_cookie=settings.public_url.startswith("https"),
        ),
    )


def create_app(settings: Settings, hotline: Hotline | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = hotline or build(settings)
        app.state.hotline = built
        if not await built.check_schema():
            log.error("the database schema is not current: run `hotline db upgrade`")
        log.info("hotline started: %d content nodes", len(built.tree.nodes))
        await built.start_channels()
        yield
        if hotline is None:
            await built.close()
        else:  # the caller's hotline: stop what started here, keep the rest open for it
            await built.stop_channels()

    app = FastAPI(
        title="Migrant information hotline", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    if settings.telegram_token.get_secret_value() and settings.telegram_mode == "webhook":
        app.router.routes.append(
            webhook_route(
                lambda request: (
                    getattr(request.app.state, "hotline", None)
                    and request.app.state.hotline.telegram
                ),
                settings.telegram_webhook_secret.get_secret_value(),
            )
        )

    if settings.sms_gateway:
        app.router.routes.extend(sms_routes(settings.sms_gateway))
    app.router.routes.extend(web_routes(_web_channel))

    mount_console(app, settings)

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        built: Hotline = request.app.state.hotline
        database_ok = await built.database.ping() and await built.check_schema()
        content: dict[str, Any] = {
            "nodes": len(built.tree.nodes),
            "hotlines": len(built.tree.hotlines),
            "problems": len(built.tree.problems),
        }
        healthy = database_ok and bool(built.tree.nodes)
        body = {
            "status": "ok" if healthy else "degraded",
            "database": "ok" if database_ok else "unavailable or not migrated",
            "content": content,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app


def sms_routes(gateway: str) -> list[Route]:
    """The gateway's endpoints, served by the running SMS channel (built at start-up)."""

    async def receive(request: Request) -> Response:
        built: Hotline | None = getattr(request.app.state, "hotline", None)
        if built is None or built.sms is None:
            return problem(503, "the SMS channel is starting")
        return await built.sms.receive(request)

    base = f"/sms/{gateway}"
    return [
        Route(base, receive, methods=["GET", "POST"]),
        Route(f"{base}/report", receive, methods=["GET", "POST"]),
    ]


def _web_channel(request: Request) -> WebChannel | None:
    built: Hotline | None = getattr(request.app.state, "hotline", None)
    return built.web if built is not None else None
