"""`hotline campaign list | preview | send` as a person runs them: a real process, real files."""

from __future__ import annotations

import pytest

from tests.conftest import CONTENT, LOCALES
from tests.test_cli import env, run  # noqa: F401 - the fixture


def test_list_preview_and_send_once(env):  # noqa: F811
    env = env | {"HOTLINE_CONTENT_DIR": str(CONTENT), "HOTLINE_LOCALES_DIR": str(LOCALES)}
    listed = run(env, "campaign", "list")
    assert listed.returncode == 0, listed.stderr
    assert "patent-renewal-2027: once 2027-01-10 06:00 UTC" in listed.stdout
    assert "safe-routes: cron '0 10 1 * *'" in listed.stdout

    shown = run(env, "campaign", "preview", "patent-renewal-2027", "--lang", "ky")
    assert shown.returncode == 0, shown.stderr
    telegram, sms = shown.stdout.split("== sms")
    assert "Россияда патент" in telegram and "[Иштөөгө уруксат жана патент]" in telegram
    assert "SMS segments (ucs2)" in sms
    fallback = run(env, "campaign", "preview", "safe-routes", "--lang", "tg")
    assert "(in ru: no tg text)" in fallback.stdout

    assert run(env, "db", "upgrade").returncode == 0
    at = "2027-01-01T10:00:00+05:00"
    first = run(env, "campaign", "send", "safe-routes", "--at", at)
    assert first.returncode == 0 and "queued" in first.stdout, first.stderr
    again = run(env, "campaign", "send", "safe-routes", "--at", at)
    assert "exists already" in again.stdout
    assert run(env, "campaign", "send", "nothing-here").returncode == 1
    assert run(env, "campaign", "send", "safe-routes", "--at", "tomorrow").returncode == 2


def test_runs_pause_resume_cancel(env):  # noqa: F811
    env = env | {"HOTLINE_CONTENT_DIR": str(CONTENT), "HOTLINE_LOCALES_DIR": str(LOCALES)}
    assert run(env, "db", "upgrade").returncode == 0
    sent = run(env, "campaign", "send", "safe-routes", "--at", "2027-01-01T10:00:00+05:00")
    run_id = sent.stdout.split()[1]
    listed = run(env, "campaign", "runs")
    assert listed.returncode == 0, listed.stderr
    assert f"run {run_id} safe-routes 2027-01-01 05:00 UTC planning: 0% of 0" in listed.stdout
    assert run(env, "campaign", "pause", run_id).returncode == 0
    assert "paused" in run(env, "campaign", "runs").stdout
    assert run(env, "campaign", "pause", run_id).returncode == 1  # held already
    assert run(env, "campaign", "resume", run_id).returncode == 0
    assert run(env, "campaign", "cancel", run_id).returncode == 0
    assert "cancelled" in run(env, "campaign", "runs").stdout
    assert run(env, "campaign", "resume", run_id).returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ("pause", "0"),
        ("pause", "-1"),
        ("pause", "abc"),
        ("cancel", "1; DROP TABLE campaign_run"),
        ("resume", "99999999999999999999"),
        ("cancel", "１"),  # full-width digit
        ("runs", "--limit", "0"),
        ("runs", "--limit", "100000"),
        ("preview", "safe-routes", "--lang", "../../etc/passwd"),
        ("preview", "../../etc/passwd"),
        ("send", "safe-routes", "--at", "2027-01-01T10:00:00"),  # no zone
        ("send", "safe-routes", "--at", "9" * 5000),
        ("send", "\x1b[31mred"),
    ],
)
def test_hostile_arguments_are_refused_plainly(env, args):  # noqa: F811
    env = env | {"HOTLINE_CONTENT_DIR": str(CONTENT), "HOTLINE_LOCALES_DIR": str(LOCALES)}
    done = run(env, "campaign", *args)
    assert "Traceback" not in done.stderr
    if args[:2] != ("preview", "safe-routes"):  # an unknown language falls back to Russian
        assert done.returncode in (1, 2), done.stdout
