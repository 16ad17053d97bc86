"""`hotline campaign list | preview | send` as a person runs them: a real process, real files."""

from __future__ import annotations

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
