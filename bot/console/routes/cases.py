"""A case: the conversation, who the person is as far as the case needs (language, country,
a masked number), and what an operator does with it: take, answer, note, record consent,
refer, close. Every action posts a form and comes back to the page (post, redirect, get)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from bot.cases import desk as desk_module
from bot.cases.canned import canned_answers
from bot.cases.desk import OUTCOMES, CaseGone, Forbidden, NoConsent
from bot.cases.views import GENDERS
from bot.console.accounts import Account
from bot.console.deps import HotlineDep, PostedForm, SignedIn
from bot.console.pages import render, see_other

router = APIRouter()
MAX_CASE_ID = 2**31 - 1  # beyond every integer column; a bigger "id" is simply not a case
# What went wrong with an action, by the key the page is sent back with (never free text).
PROBLEMS = {
    "empty": "Write something first.",
    "long": "That is too long: at most {limit} characters.",
    "closed": "The case is closed.",
    "erased": "The person erased their data: nothing can reach them now.",
    "consent": "Record the person's consent before referring the case.",
    "organisation": "Choose another active organisation.",
    "outcome": "Choose an outcome from the list.",
    "gender": "Choose one of the listed answers.",
}
DONE = {
    "take": "You have the case.",
    "reply": "Sent. It is on its way to the person.",
    "note": "Note added.",
    "consent": "Consent recorded.",
    "transfer": "Case referred.",
    "close": "Case closed.",
    "gender": "Saved.",
}


def add_exception_handlers(app: FastAPI) -> None:
    async def forbidden(request: Request, exc: Exception) -> Response:
        return render(
            request,
            "error.html",
            status=403,
            title="Not allowed",
            detail="This case belongs to another organisation.",
        )

    app.add_exception_handler(Forbidden, forbidden)


def _case_page(case_id: int) -> str:
    return f"/console/cases/{case_id}"


def _back(case_id: int, *, done: str | None = None, problem: str | None = None) -> Response:
    url = _case_page(case_id)
    if problem:
        url += f"?problem={problem}"
    elif done:
        url += f"?done={done}"
    return see_other(url)


def _not_a_case(request: Request) -> Response:
    return render(
        request, "error.html", status=404, title="Not found", detail="There is no such case."
    )


def _gone_key(exc: CaseGone) -> str:
    return "erased" if "erased" in str(exc) else "closed"


async def _render_case(
    request: Request,
    account: Account,
    hotline,
    case_id: int,
    *,
    revealed: str | None = None,
) -> Response:
    if case_id > MAX_CASE_ID:
        return _not_a_case(request)
    try:
        case = await hotline.desk.view(account.actor, case_id)
    except CaseGone:
        return _not_a_case(request)
    organisations = [
        row
        for row in await hotline.desk.organisations()
        if row.active and row.id != case.organisation_id
    ]
    problem = request.query_params.get("problem", "")
    done = request.query_params.get("done", "")
    return render(
        request,
        "case.html",
        account=account,
        case=case,
        revealed=revealed,
        organisations=organisations,
        outcomes=OUTCOMES,
        genders=GENDERS,
        canned=canned_answers(hotline.settings.content_dir, case.language),
        max_reply=desk_module.MAX_REPLY,
        max_note=desk_module.MAX_NOTE,
        error=PROBLEMS.get(problem, "").format(limit=desk_module.MAX_REPLY) or None,
        message=DONE.get(done),
    )


@router.get("/cases/{case_id:int}")
async def case_page(
    request: Request, account: SignedIn, hotline: HotlineDep, case_id: int
) -> Response:
    return await _render_case(request, account, hotline, case_id)


@router.get("/cases/{case_id:int}/live")
async def case_live(
    request: Request, account: SignedIn, hotline: HotlineDep, case_id: int
) -> Response:
    if case_id > MAX_CASE_ID:
        return _not_a_case(request)
    try:
        case = await hotline.desk.view(account.actor, case_id, audited=False)
    except CaseGone:
        return _not_a_case(request)
    return render(request, "_case_live.html", account=account, case=case)


@router.post("/cases/{case_id:int}/reveal")
async def reveal(
    request: Request, account: SignedIn, hotline: HotlineDep, form: PostedForm, case_id: int
) -> Response:
    if case_id > MAX_CASE_ID:
        return _not_a_case(request)
    try:
        address = await hotline.desk.reveal_address(account.actor, case_id)
    except CaseGone as exc:
        if "no such case" in str(exc):
            return _not_a_case(request)
        return _back(case_id, problem="erased")
    # Shown on this answer only: the number is never in a link, a cookie or the browser's history.
    return await _render_case(request, account, hotline, case_id, revealed=address)


def _text(form: dict[str, str], limit: int) -> tuple[str, str | None]:
    text = form.get("text", "").strip()
    if not text:
        return text, "empty"
    if len(text) > limit:
        return text, "long"
    return text, None


@router.post("/cases/{case_id:int}/{action:str}")
async def act(
    request: Request,
    account: SignedIn,
    hotline: HotlineDep,
    form: PostedForm,
    case_id: int,
    action: str,
) -> Response:
    if case_id > MAX_CASE_ID or action not in DONE:
        return _not_a_case(request)
    desk = hotline.desk
    actor = account.actor
    try:
        if action == "take":
            await desk.take(actor, case_id)
        elif action in ("reply", "note"):
            limit = desk_module.MAX_REPLY if action == "reply" else desk_module.MAX_NOTE
            text, problem = _text(form, limit)
            if problem:
                return _back(case_id, problem=problem)
            await (desk.reply if action == "reply" else desk.note)(actor, case_id, text)
        elif action == "consent":
            await desk.record_consent(actor, case_id)
        elif action == "transfer":
            await desk.transfer(
                actor,
                case_id,
                form.get("organisation", "")[:64],
                form.get("note", "")[: desk_module.MAX_NOTE],
            )
        elif action == "close":
            if form.get("outcome", "") not in {key for key, _label in OUTCOMES}:
                return _back(case_id, problem="outcome")
            await desk.close(actor, case_id, form["outcome"])
        elif action == "gender":
            gender = form.get("gender", "") or None
            if gender is not None and gender not in GENDERS:
                return _back(case_id, problem="gender")
            await desk.set_gender(actor, case_id, gender)
    except CaseGone as exc:
        if "no such case" in str(exc):
            return _not_a_case(request)
        return _back(case_id, problem=_gone_key(exc))
    except NoConsent:
        return _back(case_id, problem="consent")
    except LookupError:
        return _back(case_id, problem="organisation")
    if action == "close":
        return see_other("/console/?done=close")
    return _back(case_id, done=action)
