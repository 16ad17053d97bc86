"""Campaigns and topics as content: the shipped ones load; each mistake is named, none fatal."""

from __future__ import annotations

from pathlib import Path

from bot.campaigns.content import load_campaigns
from tests.conftest import CONTENT


def test_the_shipped_campaigns_and_topics_load_without_problems(tree):
    found = load_campaigns(CONTENT, tree)
    assert found.problems == []
    assert {"work-russia", "safety"} <= set(found.topics)
    patent = found.campaigns["patent-renewal-2027"]
    assert patent.message("ky")[0] == "ky" and patent.message("tg")[0] == "ru"
    assert found.topics["safety"].name("tk") == found.topics["safety"].names["ru"]


def test_each_mistake_is_a_problem_of_its_file(tmp_path: Path, tree):
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "topics.yaml").write_text("- id: safety\n  name: {ru: Безопасность}\n")
    good = (
        "message: {ru: Текст}\naudience: {topics: [safety]}\nschedule: {cron: '0 10 * * *'}\n"
        "sources: [{title: A law, url: 'https://example.org/law'}]\n"
    )
    files = {
        "no-russian": "title: t\nmessage: {en: Text}\naudience: {topics: [safety]}\n"
        "schedule: {cron: '0 10 * * *'}\n",
        "bad-topic": "title: t\nmessage: {ru: Т}\naudience: {topics: [nope]}\n"
        "schedule: {cron: '0 10 * * *'}\n",
        "bad-node": f"title: t\nnode: no/such/node\n{good}",
        "no-source": "title: t\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
        "schedule: {cron: '0 10 * * *'}\n",
        "both-schedules": "title: t\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
        "schedule: {cron: '0 10 * * *', once: 2027-01-01T10:00:00Z}\n",
        "naive-time": "title: t\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
        "schedule: {once: 2027-01-01T10:00:00}\n",
        "bad-cron": "title: t\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
        "schedule: {cron: 'every day'}\n",
        "bad-hours": f"title: t\nhours: '20:00-09:00'\n{good}",
        "unknown-field": f"title: t\ncolour: red\n{good}",
        "fine": f"title: t\naudience_note: x\n{good}".replace("audience_note: x\n", ""),
    }
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    found = load_campaigns(tmp_path, tree)
    assert set(found.campaigns) == {"fine"}
    problems = {Path(path).stem: problem for path, problem in found.problems}
    assert set(problems) == set(files) - {"fine"}
    assert "Russian" in problems["no-russian"] and "nope" in problems["bad-topic"]
    assert "does not exist" in problems["bad-node"] and "exactly one" in problems["both-schedules"]
    assert "time zone" in problems["naive-time"] and "cron" in problems["bad-cron"]
    assert "end after" in problems["bad-hours"] and "colour" in problems["unknown-field"]
    assert "sources" in problems["no-source"]


HOSTILE = {
    "python-tag": "!!python/object/apply:os.system ['echo owned']\n",
    "not-a-mapping": "- a\n- b\n",
    "empty": "",
    "aliases": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ntitle: t\nmessage: {ru: [*c, *c, *c]}\n",
    "too-long": "title: t\nnode: work/permit\nmessage: {ru: '" + "я" * 5000 + "'}\n"
    "audience: {topics: [safety]}\nschedule: {cron: '0 10 * * *'}\n",
    "script-url": "title: t\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
    "schedule: {cron: '0 10 * * *'}\nsources: [{title: x, url: 'javascript:alert(1)'}]\n",
    "huge-cron": "title: t\nnode: work/permit\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
    "schedule: {cron: '" + "*/1," * 2000 + "* * * * *'}\n",
    "bad-zone": "title: t\nnode: work/permit\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
    "schedule: {cron: '0 10 * * *', timezone: '../../etc/passwd'}\n",
    "far-year": "title: t\nnode: work/permit\nmessage: {ru: Т}\naudience: {topics: [safety]}\n"
    "schedule: {once: '99999-01-01T10:00:00Z'}\n",
    "bad-hours-text": "title: t\nnode: work/permit\nmessage: {ru: Т}\n"
    "audience: {topics: [safety]}\nschedule: {cron: '0 10 * * *'}\nhours: '25:00-26:00'\n",
}


def test_hostile_campaign_files_are_problems_never_crashes(tmp_path: Path, tree):
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "topics.yaml").write_text("- id: safety\n  name: {ru: Безопасность}\n")
    for name, text in HOSTILE.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (folder / "not-utf8.yaml").write_bytes(b"title: \xff\xfe\x00\x00")
    (folder / "Кампания.yaml").write_text("title: t\n", encoding="utf-8")
    (folder / "topics-bad.yaml").write_text("title: [", encoding="utf-8")
    found = load_campaigns(tmp_path, tree)
    assert found.campaigns == {}
    problems = {Path(path).stem for path, _ in found.problems}
    assert problems == set(HOSTILE) | {"not-utf8", "Кампания", "topics-bad"}
