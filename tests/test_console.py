"""`tradebot run` with no configuration at all: the embedded sample site on loopback, the real poller,
the console channel on a piped stdin. Stops cleanly on `quit` and on SIGTERM."""

from __future__ import annotations

import io
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter, render_text
from bot.models import Reply, SourceRef

TRADEBOT = Path(sys.executable).with_name("tradebot")


class Bot:
    """The bot in a subprocess, with its stdout read line by line in a thread."""

    def __init__(self, home: Path) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "MPLBACKEND": "Agg",
        }
        self.proc = subprocess.Popen(
            [str(TRADEBOT), "run"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=home,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> list[str]:
        """Lines up to and including the first one containing `text`."""
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got
        stderr = self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
        raise AssertionError(f"never saw {text!r}; got {self.seen[-20:]!r}; stderr {stderr[-2000:]!r}")

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return code, self.proc.stderr.read() if self.proc.stderr else ""


@pytest.fixture
def bot(tmp_path):
    running = Bot(tmp_path)
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def test_run_shows_a_sample_story_answers_help_and_quits_cleanly(bot):
    bot.wait_for("tradebot is running")
    story = bot.wait_for("NEW DEAL STORY")
    story += bot.wait_for("http://127.0.0.1:")  # the story's own link, on the loopback sample site
    assert any("tariff" in line.lower() for line in story)
    bot.type("help")
    listing = bot.wait_for("this list")
    assert any(line.strip().startswith("subscribe") for line in listing)
    assert any(line.strip().startswith("ask <question>") for line in listing)
    bot.type("quit")
    code, stderr = bot.finish()
    assert code == 0, stderr
    assert "Traceback" not in stderr


def test_sigterm_stops_it_cleanly(bot):
    bot.wait_for("NEW DEAL STORY")
    bot.proc.send_signal(signal.SIGTERM)
    code, stderr = bot.finish()
    assert code == 0, stderr
    assert "Traceback" not in stderr


async def test_a_reply_is_printed_as_plain_text_with_its_sources():
    out = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO(""), stdout=out, interactive=False)
    reply = Reply(
        text="US tariff on cars from Japan: 15%",
        kind="answer",
        sources=(SourceRef("7", "https://n.example/a", "Tokyo deal", "cars at 15%"),),
    )
    assert render_text(reply) == (
        'US tariff on cars from Japan: 15%\n  source: Tokyo deal <https://n.example/a> — "cars at 15%"'
    )
    message_id = await console.send("console", Reply(text="A story", kind="story"), key="tb-1-story:1")
    assert message_id == "console-1" and "NEW DEAL STORY" in out.getvalue()
