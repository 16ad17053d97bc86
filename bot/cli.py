"""The `hotline` command."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from collections.abc import Iterator

import click
from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot.engine.messages import Inbound, Reply
from bot.settings import Settings


def _settings() -> Settings:
    """Settings, or a message naming the variable that is wrong and exit code 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "HOTLINE_" + "_".join(str(p) for p in error["loc"]).upper()
            click.echo(f"setting {name}: {error['msg']}", err=True)
    except SettingsError as exc:  # a value that is not even valid JSON, for list settings
        field = str(exc).partition('field "')[2].partition('"')[0]
        click.echo(f"setting HOTLINE_{field.upper()}: {exc} (expected JSON)", err=True)
    raise SystemExit(2)


@click.group()
def main() -> None:
    """Migrant information hotline."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (HOTLINE_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (HOTLINE_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Run the hotline: HTTP, channels, senders."""
    import uvicorn

    from bot import logs
    from bot.app import create_app

    settings = _settings()
    logs.configure(settings.log_level)
    _first_admin(settings, host or settings.host, port or settings.port)
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,  # access lines would carry chat ids in paths
    )


class TerminalSender:
    """Prints replies: the outbox's sender for `hotline chat`."""

    channel = "cli"

    async def send(self, address: str, reply: Reply, *, ref: str = "") -> None:
        click.echo(reply.text)
        number = 0  # numbered as the engine reads numbers: "back" is 0, the rest from 1
        for option in reply.options:
            if option.data == "back":
                click.echo(f"  0. {option.label}")
                continue
            number += 1
            click.echo(f"  {number}. {option.label}")
        click.echo("")


def _lines() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")


@main.command()
@click.option("--lang", default=None, help="Your language (ru, ky, ...); skips the picker.")
@click.option("--country", default=None, help="Country you are in (KZ, RU, ...).")
@click.option(
    "--person",
    default=None,
    help="Talk as this person again (the session is kept); default: a new person.",
)
def chat(lang: str | None, country: str | None, person: str | None) -> None:
    """Talk to the bot in the terminal. Choose options by number."""
    from bot.app import build
    from bot.storage.migrate import upgrade_async

    settings = _settings()

    async def run() -> None:
        hotline = build(settings)
        if not await hotline.check_schema():
            # The terminal chat is for trying things out: bring a local database up to date.
            await upgrade_async(settings.database_url)
        sender = TerminalSender()
        address = person or f"terminal-{secrets.token_hex(4)}"
        try:
            for line in _lines():
                await hotline.switchboard.receive(
                    Inbound(
                        channel="cli",
                        address=address,
                        text=line,
                        language_hint=lang,
                        country_hint=country,
                        message_id=None,
                    )
                )
                while await hotline.outbox.dispatch_once(sender):
                    pass
        finally:
            await hotline.close()

    asyncio.run(run())


@main.command()
@click.option("--lang", default=None, help="Language of the texts (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per text.")
@click.argument("text")
def match(lang: str | None, as_json: bool, text: str) -> None:
    """Which nodes a text reaches. TEXT '-' reads one text per line from standard input."""
    from bot.content.loader import load_tree
    from bot.engine.conversation import Conversation
    from bot.language.catalogs import Catalogs

    settings = _settings()
    conversation = Conversation(
        load_tree(settings.content_dir),
        Catalogs(settings.locales_dir),
        model_cache=settings.var_dir / "models",
    )
    texts = (line.rstrip("\n") for line in sys.stdin) if text == "-" else iter([text])
    for item in texts:
        guess, reading = conversation.read(item)
        matches = conversation.index.match(reading, limit=5)
        result = {
            "language": lang or (guess.language if guess else conversation.default_language),
            "urgent": conversation.is_urgent(reading, guess),
            "matches": [{"node": m.node, "score": m.score} for m in matches],
        }
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            flag = "URGENT " if result["urgent"] else ""
            found = ", ".join(f"{m.node} ({m.score:.2f})" for m in matches) or "no match"
            click.echo(f"{flag}[{result['language']}] {found}")


@main.group()
def content() -> None:
    """The content tree."""


@content.command("check")
def content_check() -> None:
    """Validate the content tree; exits 1 on errors. Prints coverage and freshness tables."""
    from bot.campaigns.content import load_campaigns
    from bot.content.check import check, coverage_table, freshness_table
    from bot.content.loader import load_tree

    settings = _settings()
    tree = load_tree(settings.content_dir)
    report = check(tree)
    for path, problem in load_campaigns(settings.content_dir, tree).problems:
        report.errors.append(f"{path}: {problem}")
    click.echo(coverage_table(tree))
    click.echo("")
    click.echo(freshness_table(tree))
    click.echo("")
    for note in report.notes:
        click.echo(f"note: {note}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(tree.nodes)} nodes, {len(tree.hotlines)} directory entries: "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    raise SystemExit(0 if report.ok else 1)


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations up to the newest."""
    from bot.storage.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    click.echo("database is up to date")


@main.group()
def keys() -> None:
    """Encryption keys."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt all stored data under HOTLINE_SECRET_KEY.

    Set the new key in HOTLINE_SECRET_KEY and the old one in HOTLINE_OLD_SECRET_KEYS (a JSON
    list), run this, then remove the old key.
    """
    from bot.storage.crypto import Vault
    from bot.storage.database import Database
    from bot.storage.rotation import rotate

    settings = _settings()

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            return await rotate(database, Vault(settings.master_keys))
        finally:
            await database.close()

    click.echo(f"re-encrypted {asyncio.run(run())} rows under the current key")


def _first_admin(settings: Settings, host: str, port: int) -> None:
    """On a database without accounts, make an admin and tell the terminal its password."""
    from bot.console.first_run import first_admin
    from bot.storage.database import Database

    base = settings.public_url or f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            await first_admin(
                database,
                sign_in_url=f"{base}/console/login",
                say=lambda text: click.echo(text, err=True),
                terminal=sys.stderr.isatty(),
            )
        finally:
            await database.close()

    asyncio.run(run())


def _database_run(settings: Settings, work):
    """Run one unit of work against the database and close it."""
    from bot.storage.database import Database

    async def run():
        database = Database(settings.database_url)
        try:
            return await database.run(work)
        finally:
            await database.close()

    return asyncio.run(run())


def _new_password() -> str:
    """A password from standard input: asked twice on a terminal, one line otherwise."""
    from bot.console.passwords import password_problem

    if sys.stdin.isatty():
        password = click.prompt(
            "Password (at least 10 characters)", hide_input=True, confirmation_prompt=True
        )
    else:
        raw = sys.stdin.buffer.readline(4096)
        try:
            password = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise click.ClickException("the password is not valid UTF-8 text") from None
    if trouble := password_problem(password):
        raise click.ClickException(trouble)
    return password


@main.group()
def user() -> None:
    """Console accounts."""


@user.command("add")
@click.argument("name")
@click.option("--org", "organisation", required=True, help="The organisation's id.")
@click.option("--role", type=click.Choice(["operator", "supervisor", "admin"]), default="operator")
@click.option(
    "--temporary", is_flag=True, help="They must choose their own password at first sign-in."
)
def user_add(name: str, organisation: str, role: str, temporary: bool) -> None:
    """Add an account; the password is read from standard input."""
    from bot.console import accounts
    from bot.console.passwords import hash_password

    settings = _settings()
    if trouble := accounts.name_problem(accounts.normal_name(name)):
        raise click.ClickException(trouble)
    password_hash = hash_password(_new_password())
    try:
        _database_run(
            settings,
            lambda connection: accounts.add(
                connection,
                name=name,
                organisation_id=organisation,
                role=role,
                password_hash=password_hash,
                must_change_password=temporary,
            ),
        )
    except accounts.AccountProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account {accounts.normal_name(name)} added ({role}, {organisation})")


@user.command("list")
def user_list() -> None:
    """All accounts."""
    from bot.console import accounts

    rows = _database_run(_settings(), accounts.listing)
    for row in rows:
        state = "active" if row.active else "off"
        last = row.last_login_at.strftime("%Y-%m-%d %H:%M") if row.last_login_at else "never"
        click.echo(f"{row.name:<24} {row.role:<10} {row.organisation_id:<20} {state:<6} {last}")
    if not rows:
        click.echo("no accounts yet: `hotline serve` makes the first admin")


@user.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Switch an account off; its sessions end at once."""
    from bot.console import accounts

    def work(connection) -> bool:
        row = accounts.by_name(connection, name)
        return row is not None and accounts.set_active(connection, row.id, False)

    if not _database_run(_settings(), work):
        raise click.ClickException(f"there is no account {accounts.normal_name(name)!r}")
    click.echo(f"account {accounts.normal_name(name)} switched off")


@user.command("campaigns")
@click.argument("name")
@click.argument("allowed", type=click.Choice(["on", "off"]))
def user_campaigns(name: str, allowed: str) -> None:
    """Let an account run campaigns in the console (admins always can), or no longer."""
    from bot.console import accounts

    def work(connection) -> bool:
        row = accounts.by_name(connection, name)
        return row is not None and accounts.set_campaigns(connection, row.id, allowed == "on")

    if not _database_run(_settings(), work):
        raise click.ClickException(f"there is no account {accounts.normal_name(name)!r}")
    click.echo(f"account {accounts.normal_name(name)}: campaigns {allowed}")


@user.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """Give an account a new password (from standard input), to be changed at next sign-in."""
    from bot.console import accounts
    from bot.console.passwords import hash_password

    password_hash = hash_password(_new_password())

    def work(connection) -> bool:
        row = accounts.by_name(connection, name)
        if row is None:
            return False
        accounts.set_password(connection, row.id, password_hash, must_change=True)
        return True

    if not _database_run(_settings(), work):
        raise click.ClickException(f"there is no account {accounts.normal_name(name)!r}")
    click.echo(f"new password set for {accounts.normal_name(name)}; they choose their own next")


@main.group()
def org() -> None:
    """Organisations that take cases."""


@org.command("list")
def org_list() -> None:
    """All organisations."""
    from bot.console import organisations

    rows = _database_run(_settings(), organisations.listing)
    for row in rows:
        marks = [m for m, on in (("fallback", row.fallback), ("off", not row.active)) if on]
        covers = "/".join(
            ",".join(values) or "all" for values in (row.countries, row.topics, row.languages)
        )
        click.echo(f"{row.id:<20} {row.name[:40]:<40} {covers} {' '.join(marks)}".rstrip())
    if not rows:
        click.echo("no organisations yet: `hotline serve` makes the regional one")


@org.command("add")
@click.argument("organisation_id", metavar="ID")
@click.option("--name", required=True, help="The name operators and people see.")
@click.option("--countries", help="Countries it covers, such as KZ,KG (default: all).")
@click.option("--topics", help="Topics it covers, such as labour,asylum (default: all).")
@click.option("--languages", help="Languages its operators speak, such as ru,ky (default: all).")
@click.option("--hours", help='Opening hours, OpenStreetMap style: "Mo-Fr 09:00-18:00".')
@click.option("--timezone", help="Time zone of the hours, such as Asia/Bishkek.")
@click.option("--phone", help="Its public phone number, international form (+996...).")
@click.option("--urgent-minutes", type=int, default=10, show_default=True)
@click.option("--normal-minutes", type=int, default=120, show_default=True)
def org_add(organisation_id: str, **options) -> None:
    """Add an organisation whose operators take cases."""
    from bot.console import organisations

    settings = _settings()
    try:
        new = organisations.checked(id=organisation_id, **options)
        _database_run(settings, lambda connection: organisations.add(connection, new))
    except organisations.OrganisationProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"organisation {new.id} added")


@main.group()
def campaign() -> None:
    """Information campaigns (content/campaigns/*.yaml and those written in the console)."""


def _campaigns(settings: Settings):  # type: ignore[no-untyped-def]
    """The campaign files and those written in the console (from the database)."""
    from bot.campaigns import written
    from bot.campaigns.content import load_campaigns
    from bot.content.loader import load_tree
    from bot.storage.database import Database
    from bot.storage.migrate import is_current

    tree = load_tree(settings.content_dir)
    found = load_campaigns(settings.content_dir, tree)
    for path, problem in found.problems:
        click.echo(f"error: {path}: {problem}", err=True)

    async def read() -> None:
        database = Database(settings.database_url)
        try:
            if not await is_current(database):
                click.echo(
                    "note: the database schema is not current (`hotline db upgrade`): "
                    "campaigns written in the console are left out",
                    err=True,
                )
                return
            await database.run(lambda c: written.refresh(c, found, tree))
        finally:
            await database.close()

    asyncio.run(read())
    return tree, found


@campaign.command("list")
def campaign_list() -> None:
    """Every campaign: id, schedule, audience, languages."""
    settings = _settings()
    _tree, found = _campaigns(settings)
    for item in found.campaigns.values():
        when = f"once {item.once:%Y-%m-%d %H:%M} UTC" if item.once else f"cron {item.cron!r}"
        audience = item.audience
        parts = [f"topics={','.join(audience.topics)}"]
        for name in ("countries", "languages", "channels"):
            if values := getattr(audience, name):
                parts.append(f"{name}={','.join(values)}")
        state = "" if item.enabled else " (disabled)"
        if item.origin != "file":
            state += " [console]"
        click.echo(
            f"{item.id}{state}: {when}, {item.start:%H:%M}-{item.end:%H:%M} local, "
            f"{' '.join(parts)}, languages {','.join(item.messages)}"
        )


@campaign.command("preview")
@click.argument("campaign_id")
@click.option("--lang", default="ru", help="Language of the person reading it.")
def campaign_preview(campaign_id: str, lang: str) -> None:
    """The campaign as each channel would deliver it to a person reading LANG."""
    from bot.campaigns.render import preview
    from bot.language.catalogs import Catalogs

    settings = _settings()
    tree, found = _campaigns(settings)
    item = found.campaigns.get(campaign_id)
    if item is None:
        click.echo(f"no campaign {campaign_id!r}", err=True)
        raise SystemExit(1)
    for shown in preview(item, lang, tree=tree, catalogs=Catalogs(settings.locales_dir)):
        note = f" (in {shown.language}: no {lang} text)" if shown.language != lang else ""
        click.echo(f"== {shown.channel}{note}")
        for part in shown.parts:
            click.echo(part)
        for button in shown.buttons:
            click.echo(f"  [{button}]")
        if shown.segments is not None:
            click.echo(f"-- {shown.segments} SMS segments ({shown.encoding})")
        click.echo("")


@campaign.command("send")
@click.argument("campaign_id")
@click.option("--at", "at", default=None, help="When (ISO 8601 with a zone); default now.")
def campaign_send(campaign_id: str, at: str | None) -> None:
    """Start a campaign occurrence; the running service delivers it (within allowed hours)."""
    from datetime import UTC, datetime

    from bot.app import build

    settings = _settings()
    tree, found = _campaigns(settings)
    if campaign_id not in found.campaigns:
        click.echo(f"no campaign {campaign_id!r}", err=True)
        raise SystemExit(1)
    when = datetime.now(UTC)
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            click.echo("--at must be ISO 8601, e.g. 2027-01-10T09:00:00+03:00", err=True)
            raise SystemExit(2) from None
        if when.tzinfo is None:
            click.echo("--at needs a time zone, e.g. +03:00 or Z", err=True)
            raise SystemExit(2)

    async def run() -> tuple[int, bool]:
        hotline = build(settings)
        try:
            if not await hotline.check_schema():
                click.echo("the database schema is not current: run `hotline db upgrade`", err=True)
                raise SystemExit(1)
            existed = await hotline.deliveries.exists(campaign_id, when)
            return await hotline.deliveries.start(campaign_id, when), existed
        finally:
            await hotline.close()

    run_id, existed = asyncio.run(run())
    if existed:
        click.echo(f"run {run_id} for this occurrence exists already: nobody gets it twice")
    else:
        click.echo(f"run {run_id} queued for {when.isoformat()}; `hotline serve` delivers it")


def _on_runs(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Run one unit of work over the database, once the schema is current."""
    from bot.storage.database import Database
    from bot.storage.migrate import is_current

    async def run():  # type: ignore[no-untyped-def]
        database = Database(settings.database_url)
        try:
            if not await is_current(database):
                click.echo("the database schema is not current: run `hotline db upgrade`", err=True)
                raise SystemExit(1)
            return await database.run(work)
        finally:
            await database.close()

    return asyncio.run(run())


@campaign.command("runs")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def campaign_runs(limit: int) -> None:
    """The newest campaign runs and how far each has got."""
    from bot.campaigns import runs

    for item in _on_runs(_settings(), lambda c: runs.overview(c, limit=limit)):
        click.echo(
            f"run {item.run_id} {item.campaign_id} {item.occurrence:%Y-%m-%d %H:%M} UTC "
            f"{item.state}: {item.percent}% of {item.total} (waiting {item.waiting}, queued "
            f"{item.queued}, sent {item.sent}, failed {item.failed}, blocked {item.blocked}, "
            f"skipped {item.skipped})"
        )


def _run_action(action: str, run_id: int) -> None:
    from datetime import UTC, datetime

    from bot.campaigns import runs

    done = _on_runs(
        _settings(),
        lambda c: runs.act(c, run_id=run_id, action=action, at=datetime.now(UTC)),
    )
    if not done:
        click.echo(f"run {run_id}: nothing to {action} (no such run, or it cannot be)", err=True)
        raise SystemExit(1)
    click.echo(f"run {run_id}: {action} done")


# Run ids are database integers: anything else is refused before the database is opened.
RUN_ID = click.IntRange(1, 2**31 - 1)


@campaign.command("pause")
@click.argument("run_id", type=RUN_ID)
def campaign_pause(run_id: int) -> None:
    """Hold a run: nothing more of it is queued until it is resumed."""
    _run_action("pause", run_id)


@campaign.command("resume")
@click.argument("run_id", type=RUN_ID)
def campaign_resume(run_id: int) -> None:
    """Go on with a held run."""
    _run_action("resume", run_id)


@campaign.command("cancel")
@click.argument("run_id", type=RUN_ID)
def campaign_cancel(run_id: int) -> None:
    """End a run: nobody else gets it; what waits in the outbox is taken back."""
    _run_action("cancel", run_id)
