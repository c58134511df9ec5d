"""The real `tradebot` command in a subprocess: the analyze / ingest / ask contracts and clear errors."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "news"
TRADEBOT = Path(sys.executable).with_name("tradebot")
DEAL_KEYS = {"parties", "status", "date", "terms", "people"}


@pytest.fixture(autouse=True)
def restore_logging():
    """bot.cli.main sets up logging for the process; put the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def tradebot(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRADEBOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd or Path.cwd()), "MPLBACKEND": "Agg"},
    )


def test_analyze_jsonl_prints_one_contract_object_per_file_in_order(tmp_path):
    files = [FIXTURES / "korea-deal-wire.txt", FIXTURES / "cpi-prices.txt"]
    done = tradebot("analyze", "--format", "jsonl", *map(str, files), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    objects = [json.loads(line) for line in lines]
    assert [o["source"] for o in objects] == [str(f) for f in files]
    for obj in objects:
        assert set(obj) >= {"source", "relevant", "title", "summary", "deals"}
        assert isinstance(obj["relevant"], bool) and isinstance(obj["title"], str)
        for deal in obj["deals"]:
            assert set(deal) >= DEAL_KEYS
    assert objects[0]["relevant"] is True and objects[1]["relevant"] is False
    assert {"South Korea", "United States"} <= set(objects[0]["deals"][0]["parties"])


def test_ingest_then_ask_jsonl_from_stdin_answers_each_question_with_sources(tmp_path):
    db = str(tmp_path / "cli.db")
    wire, seed = FIXTURES / "korea-deal-wire.txt", FIXTURES / "seed-kyodo-japan-us-deal.txt"
    done = tradebot("ingest", "--db", db, str(wire), str(seed), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "stored 2 of 2" in done.stderr
    again = tradebot("ingest", "--db", db, str(wire), cwd=tmp_path)
    assert "stored 0 of 1 (1 already known)" in again.stderr

    questions = [
        "What US tariff applies to Korean goods under the deal?",
        "What tariff does Brazil charge on Chinese toys?",
    ]
    done = tradebot("ask", "--db", db, "--format", "jsonl", stdin="\n".join(questions) + "\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert [a["question"] for a in answers] == questions
    for answer in answers:
        assert set(answer) == {"question", "answer", "sources"}
        for source in answer["sources"]:
            assert set(source) == {"id", "url", "title", "quote"}
    korea, brazil = answers
    assert korea["answer"] and "15" in korea["answer"]
    assert korea["sources"] and korea["sources"][0]["url"] == str(wire)
    assert brazil["answer"] is None and brazil["sources"] == []  # the sources do not say


@pytest.mark.parametrize("command", [["analyze", "--format", "jsonl"], ["ingest"]])
def test_a_missing_file_is_a_clear_error_with_exit_status_2(tmp_path, capsys, command):
    from bot.cli import main

    extra = ["--db", str(tmp_path / "x.db")] if command == ["ingest"] else []
    assert main([*command, *extra, str(tmp_path / "no-such-file.txt")]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == f"tradebot: cannot read {tmp_path / 'no-such-file.txt'}: No such file or directory"
    assert out == ""


def test_a_bad_config_is_a_clear_error_naming_the_key(tmp_path, capsys):
    from bot.cli import main

    config = tmp_path / "bad.toml"
    config.write_text("[delivery]\nmax_attempts = 0\n")
    assert main(["subscriptions", "--config", str(config), "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "delivery.max_attempts = 0" in err and "Traceback" not in err


def test_main_in_process_lists_subscriptions(tmp_path, capsys):
    from bot.cli import main

    assert main(["subscriptions", "list", "--db", str(tmp_path / "s.db")]) == 0
    assert main(["subscriptions", "remove", "42", "--db", str(tmp_path / "s.db")]) == 1
    assert "no subscription 42" in capsys.readouterr().out
