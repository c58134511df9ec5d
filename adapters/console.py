"""The console channel: deal stories printed as they arrive, chat commands typed at a prompt.

Needs no account. It goes through the same platform-neutral command layer as Discord and Slack:
a typed line becomes a Command, the core answers with a Reply, and the Reply is printed as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import TextIO

from bot.api import CoreAPI
from bot.commands import parse_line
from bot.config import Secrets, Settings
from bot.models import Command, Context, Reply

CHANNEL = "console"
PROMPT = "tradebot> "


def render_text(reply: Reply) -> str:
    """Plain-text rendering: the reply's text, then its sources."""
    lines = [reply.text.rstrip()]
    shown = {reply.url} if reply.url else set()
    for ref in reply.sources:
        if ref.url in shown or (reply.kind == "story" and ref is reply.sources[0]):
            continue
        shown.add(ref.url)
        quote = f' — "{ref.quote}"' if ref.quote else ""
        lines.append(f"  source: {ref.title} <{ref.url}>{quote}")
    if reply.image is not None:
        lines.append(f"  [chart {reply.image.filename}: {len(reply.image.data)} bytes, not shown in a terminal]")
    return "\n".join(lines)


class ConsoleAdapter:
    platform = "console"

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, *, interactive: bool = True) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = interactive
        self.context = Context(platform="console", workspace="local", channel=CHANNEL, user="you",
                               user_name="you", is_dm=True, can_manage_channel=True, can_manage_feeds=True)
        self._reader: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._sent = 0

    def bind_stop(self, stop: asyncio.Event) -> None:
        """`quit` at the prompt stops the bot."""
        self._stop = stop

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def start(self, core: CoreAPI) -> None:
        # The console is always subscribed: it exists to show the bot working.
        await core.handle(Command("subscribe", self.context, options={"countries": []}))
        self._print("tradebot is running. Deal stories appear here as they arrive; type 'help' for commands, "
                    "'quit' to stop.")
        if self.interactive:
            self._reader = asyncio.create_task(self._read_commands(core))

    def _reader_thread(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        # A daemon thread, not asyncio.to_thread: a blocked readline must never hold up shutdown.
        try:
            for line in iter(self.stdin.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(queue.put_nowait, None)

    async def _read_commands(self, core: CoreAPI) -> None:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._reader_thread, args=(loop, queue), daemon=True, name="console-input").start()
        while (line := await queue.get()) is not None:
            line = line.strip()
            if not line:
                continue
            if line.lower() in ("quit", "exit", "/quit"):
                if self._stop:
                    self._stop.set()
                return
            name, text, options = parse_line(line)
            reply = await core.handle(Command(name, self.context, text=text, options=options))
            self._print(render_text(reply))

    async def send(self, channel: str, reply: Reply, *, key: str) -> str:
        self._sent += 1
        header = "UPDATE" if reply.kind == "update" else "NEW DEAL STORY"
        body = render_text(reply)
        extra = "\n".join(f"    {f.name}: {f.value}" for f in reply.fields)
        self._print(f"\n── {header} ──\n{body}" + (f"\n{extra}" if extra and reply.kind == "story" else ""))
        return f"console-{self._sent}"

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, timeout=0.1)


def create(settings: Settings, secrets: Secrets) -> ConsoleAdapter:
    return ConsoleAdapter(interactive=sys.stdin is not None and not sys.stdin.closed)
