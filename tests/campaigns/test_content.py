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
    good = "message: {ru: Текст}\naudience: {topics: [safety]}\nschedule: {cron: '0 10 * * *'}\n"
    files = {
        "no-russian": "title: t\nmessage: {en: Text}\naudience: {topics: [safety]}\n"
        "schedule: {cron: '0 10 * * *'}\n",
        "bad-topic": "title: t\nmessage: {ru: Т}\naudience: {topics: [nope]}\n"
        "schedule: {cron: '0 10 * * *'}\n",
        "bad-node": f"title: t\nnode: no/such/node\n{good}",
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
