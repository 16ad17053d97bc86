"""One campaign: its page (schedule, audience, the text as each channel carries it, its runs,
Send now), and writing or editing a campaign in the console. Campaign files are shown, never
edited here: they are reviewed in git. For admins and accounts allowed to run campaigns;
every save and send is in the audit log."""

from __future__ import annotations

from datetime import datetime

import yaml
from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.campaigns import runs, written
from bot.campaigns.content import CAMPAIGN_ID, Campaign
from bot.campaigns.render import preview
from bot.cases.audit import record
from bot.console.accounts import Account
from bot.console.campaign_form import (
    CAMPAIGN_CHANNELS,
    ZONES,
    CampaignForm,
    from_body,
    from_fields,
    language_name,
    to_body,
)
from bot.console.deps import CampaignManager, HotlineDep, PostedFields, PostedForm
from bot.console.pages import render, see_other
from bot.content.loader import LANGUAGES
from bot.storage.models import utcnow

router = APIRouter()


def _known(hotline: HotlineDep, campaign_id: str) -> Campaign | None:
    if not CAMPAIGN_ID.match(campaign_id):
        return None
    return hotline.campaigns.campaigns.get(campaign_id)


def _form_page(
    request: Request,
    account: Account,
    hotline: HotlineDep,
    form: CampaignForm,
    *,
    new: bool,
    problems: list[str] | None = None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    tree = hotline.tree
    nodes = sorted(
        (node_id, found[1].title)
        for node_id, node in tree.nodes.items()
        if (found := node.text("ru")) is not None
    )
    return render(
        request,
        "campaign_form.html",
        status=status,
        account=account,
        form=form,
        new=new,
        problems=problems or [],
        error=error,
        languages=[(code, language_name(code)) for code in LANGUAGES],
        topics=[(topic.id, topic.name("en")) for topic in hotline.campaigns.topics.values()],
        countries=list(tree.countries),
        channels=CAMPAIGN_CHANNELS,
        zones=ZONES,
        nodes=nodes,
    )


@router.get("/campaign/new")
async def new_campaign(request: Request, account: CampaignManager, hotline: HotlineDep) -> Response:
    return _form_page(request, account, hotline, CampaignForm(), new=True)


@router.post("/campaign/new")
async def add_campaign(
    request: Request, account: CampaignManager, hotline: HotlineDep, fields: PostedFields
) -> Response:
    return await _save(request, account, hotline, fields, campaign_id=None)


@router.get("/campaign/{campaign_id}/edit")
async def edit_campaign(
    request: Request, account: CampaignManager, hotline: HotlineDep, campaign_id: str
) -> Response:
    stored = None
    if CAMPAIGN_ID.match(campaign_id):
        stored = await hotline.database.run(lambda c: written.get(c, campaign_id))
    if stored is None or _is_file(hotline, campaign_id):
        return _not_here(request, account, campaign_id, hotline)
    form = from_body(campaign_id, stored.body, stored.version)
    return _form_page(request, account, hotline, form, new=False)


@router.post("/campaign/{campaign_id}/edit")
async def save_campaign(
    request: Request,
    account: CampaignManager,
    hotline: HotlineDep,
    fields: PostedFields,
    campaign_id: str,
) -> Response:
    if not CAMPAIGN_ID.match(campaign_id) or _is_file(hotline, campaign_id):
        return _not_here(request, account, campaign_id, hotline)
    if await hotline.database.run(lambda c: written.get(c, campaign_id)) is None:
        return _not_here(request, account, campaign_id, hotline)
    return await _save(request, account, hotline, fields, campaign_id=campaign_id)


def _is_file(hotline: HotlineDep, campaign_id: str) -> bool:
    present = hotline.campaigns.campaigns.get(campaign_id)
    return present is not None and present.origin != written.ORIGIN


def _not_here(
    request: Request, account: Account, campaign_id: str, hotline: HotlineDep
) -> Response:
    if _is_file(hotline, campaign_id):
        detail = (
            f"Campaign {campaign_id} is the file content/campaigns/{campaign_id}.yaml: change "
            "it in git, where it is reviewed."
        )
        return render(
            request, "error.html", status=409, account=account, title="A file", detail=detail
        )
    return render(
        request,
        "error.html",
        status=404,
        account=account,
        title="Not found",
        detail="There is no such campaign.",
    )


async def _save(
    request: Request,
    account: Account,
    hotline: HotlineDep,
    fields: list[tuple[str, str]],
    *,
    campaign_id: str | None,
) -> Response:
    new = campaign_id is None
    form = from_fields(
        fields, topics=tuple(hotline.campaigns.topics), countries=tuple(hotline.tree.countries)
    )
    if not new:
        form.id = campaign_id or ""
    body, problems = to_body(form)
    problems = _plain_checks(form, hotline, new=new) + problems
    previous = hotline.campaigns.campaigns.get(form.id)
    if not problems:
        try:
            campaign = written.check(form.id, body, hotline.campaigns, hotline.tree)
        except ValueError as exc:
            problems = [f"{part.strip()}." for part in str(exc).split("; ")]
        else:
            moved = new or previous is None or previous.once != campaign.once
            if campaign.once is not None and moved and campaign.once <= utcnow():
                problems.append(
                    "That time has passed. Choose a later one, or save it and press Send now."
                )
    if problems:
        return _form_page(request, account, hotline, form, new=new, problems=problems, status=422)

    def work(connection: Connection) -> str | None:
        try:
            if new:
                written.add(connection, campaign_id=form.id, body=body, by=account.id)
            else:
                written.change(
                    connection,
                    campaign_id=form.id,
                    body=body,
                    by=account.id,
                    version=form.version,
                )
        except written.Taken:
            return "taken"
        except written.ChangedMeanwhile:
            return "changed"
        action = "campaign_create" if new else "campaign_edit"
        record(connection, account.id, action, detail=form.id)
        return None

    trouble = await hotline.database.run(work)
    if trouble == "taken":
        problems = [f"The id {form.id} is taken: choose another."]
        return _form_page(request, account, hotline, form, new=new, problems=problems, status=409)
    if trouble == "changed":
        error = (
            "Someone saved this campaign after you opened it. Your version is below and was "
            "not saved: open the campaign again in another tab, compare, and save once more."
        )
        return _form_page(request, account, hotline, form, new=new, error=error, status=409)
    await hotline.reload_campaigns()
    return see_other(f"/console/campaign/{form.id}?done={'added' if new else 'saved'}")


def _plain_checks(form: CampaignForm, hotline: HotlineDep, *, new: bool) -> list[str]:
    """The problems people make most, said in the form's words (the campaign checks say the
    rest in the files' words)."""
    problems: list[str] = []
    if new:
        if not CAMPAIGN_ID.match(form.id) or form.id in written.RESERVED:
            problems.append(
                "The id: small Latin letters, digits and -, up to 48, e.g. winter-safety-2027."
            )
        elif form.id in hotline.campaigns.campaigns:
            problems.append(f"The id {form.id} is taken: choose another.")
    if not form.title:
        problems.append("Give it a title (only the console shows it).")
    if "ru" not in form.messages:
        problems.append("Write the message in Russian: everyone else falls back to it.")
    if not form.topics:
        problems.append("Choose at least one topic: only its subscribers get the campaign.")
    if not form.node and not form.sources.strip():
        problems.append(
            "Link the node its facts come from, or give the sources: no fact without a source."
        )
    return problems


@router.get("/campaign/{campaign_id}")
async def campaign_page(
    request: Request,
    account: CampaignManager,
    hotline: HotlineDep,
    campaign_id: str,
    lang: str = "ru",
    done: str = "",
) -> Response:
    campaign = _known(hotline, campaign_id)
    if campaign is None:
        return _not_here(request, account, campaign_id, hotline)
    return await _campaign_page(request, account, hotline, campaign, lang=lang, done=done)


async def _campaign_page(
    request: Request,
    account: Account,
    hotline: HotlineDep,
    campaign: Campaign,
    *,
    lang: str = "ru",
    done: str = "",
    status: int = 200,
    error: str | None = None,
) -> Response:
    language = lang if lang in LANGUAGES else "ru"

    def read(connection: Connection) -> tuple[list[runs.Progress], written.Written | None]:
        found = runs.overview(connection, limit=20, campaign_id=campaign.id)
        return found, written.get(connection, campaign.id)

    items, stored = await hotline.database.run(read)
    shown = preview(campaign, language, tree=hotline.tree, catalogs=hotline.catalogs)
    as_file = None
    if campaign.origin == written.ORIGIN and stored is not None:
        as_file = yaml.safe_dump(stored.body, allow_unicode=True, sort_keys=False, width=90)
    messages = {
        "added": "Campaign added.",
        "saved": "Campaign saved.",
        "sent": "Run started: it goes out within each person's allowed hours.",
    }
    return render(
        request,
        "campaign.html",
        status=status,
        account=account,
        campaign=campaign,
        stored=stored,
        items=items,
        shown=shown,
        language=language,
        languages=[(code, language_name(code)) for code in LANGUAGES],
        topics={topic.id: topic.name("en") for topic in hotline.campaigns.topics.values()},
        next_at=_next(campaign),
        as_file=as_file,
        message=messages.get(done),
        error=error,
    )


def _next(campaign: Campaign) -> datetime | None:
    now = utcnow()
    if not campaign.enabled:
        return None
    if campaign.once is not None:
        return campaign.once if campaign.once > now else None
    trigger = campaign.trigger()
    return trigger.get_next_fire_time(None, now) if trigger is not None else None


@router.post("/campaign/{campaign_id}/send")
async def send_campaign(
    request: Request,
    account: CampaignManager,
    hotline: HotlineDep,
    form: PostedForm,
    campaign_id: str,
) -> Response:
    campaign = _known(hotline, campaign_id)
    if campaign is None:
        return _not_here(request, account, campaign_id, hotline)
    # One occurrence a minute, and none while another run is under way: a second click, or
    # a colleague pressing the same button, never sends the message twice.
    at = utcnow().replace(second=0, microsecond=0)

    def work(connection: Connection) -> str | None:
        if runs.running(connection, campaign.id) is not None:
            return "A run of this campaign is under way: let it finish, or cancel it, first."
        if runs.at(connection, campaign.id, at) is not None:
            return "A run of this campaign started this minute already."
        record(connection, account.id, "campaign_send", detail=campaign.id)
        return None

    error = (
        "This campaign is switched off: switch it on first."
        if not campaign.enabled
        else await hotline.database.run(work)
    )
    if error is not None:
        return await _campaign_page(request, account, hotline, campaign, status=409, error=error)
    await hotline.deliveries.start(campaign.id, at)
    return see_other(f"/console/campaign/{campaign.id}?done=sent")
