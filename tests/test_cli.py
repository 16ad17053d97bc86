"""The `hotline` command as a person runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HOTLINE = str(Path(sys.executable).parent / "hotline")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return clean | {
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path}/hotline.db",
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
    }


def run(env: dict[str, str], *args: str, stdin: str = "", cwd: Path | None = None):
    return subprocess.run(
        [HOTLINE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, cwd=cwd
    )


def test_chat_answers_a_piped_question_from_the_right_node(env, tree):
    assert run(env, "db", "upgrade").returncode == 0
    result = run(env, "chat", "--lang", "ru", stdin="как получить патент\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(tree.nodes["work/permit"].texts["ru"].title)


def test_chat_walks_the_menu_by_numbers_and_keeps_the_person(env, tree):
    run(env, "db", "upgrade")
    first = run(env, "chat", "--person", "aigul", stdin="/start\n1\n")
    assert "Выберите язык" in first.stdout and "Русский" in first.stdout
    assert "В какой стране вы сейчас" in first.stdout
    # The same person again: the session continued, no language question this time.
    second = run(env, "chat", "--person", "aigul", stdin="/menu\n")
    assert "Выберите язык" not in second.stdout
    assert tree.nodes["urgent"].texts["ru"].title in second.stdout


def test_chat_survives_hostile_lines(env):
    run(env, "db", "upgrade")
    lines = [
        "",
        "\x00\x07",
        "🙂" * 50,
        "я" * 200_000,
        "/nonsense",
        "999",
        "\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
    ]
    result = run(env, "chat", "--lang", "ru", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [block for block in result.stdout.split("\n\n") if block.strip()]
    assert len(replies) >= len(lines)
    assert "Я не знаю такой команды" in result.stdout
    assert "Такого номера нет в списке" in result.stdout


def test_match_json_puts_the_passport_node_first(env):
    result = run(env, "match", "--json", "хозяин забрал паспорт")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["language"] == "ru" and answer["urgent"] is False
    assert answer["matches"][0]["node"] == "trafficking/passport-taken"
    assert len(answer["matches"]) <= 5
    scores = [m["score"] for m in answer["matches"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_match_reads_one_text_per_line(env):
    result = run(env, "match", "--json", "-", stdin="меня заперли\nкак получить патент\n\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3
    assert answers[0]["urgent"] is True
    assert answers[1]["matches"][0]["node"] == "work/permit"
    assert answers[2]["matches"] == []


def test_content_check_passes_on_the_shipped_tree(env):
    result = run(env, "content", "check")
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stdout and "work/permit" in result.stdout


def test_content_check_fails_on_a_broken_tree(env, tmp_path):
    node = tmp_path / "content" / "tree" / "urgent"
    node.mkdir(parents=True)
    (node / "node.yaml").write_text("order: [", encoding="utf-8")
    result = run(env | {"HOTLINE_CONTENT_DIR": str(tmp_path / "content")}, "content", "check")
    assert result.returncode == 1
    assert "invalid YAML" in result.stderr and "contract node is missing" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOTLINE_DATABASE_URL", "mysql://nope"),
        ("HOTLINE_PORT", "eighty"),
        ("HOTLINE_LOG_LEVEL", "LOUD"),
        ("HOTLINE_OLD_SECRET_KEYS", "not json"),
    ],
)
def test_a_bad_setting_is_named(env, name, value):
    result = run(env | {name: value}, "content", "check")
    assert result.returncode == 2
    assert name in result.stderr and "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_healthz(env):
    assert run(env, "db", "upgrade").returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [HOTLINE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A first start trains the models (var/ is new here): allow for a busy machine.
        deadline = time.monotonic() + 120
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["content"]["nodes"] >= 31 and body["content"]["problems"] == 0
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Telegram" in output  # says which channels are off
