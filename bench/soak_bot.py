"""The bot as `tradebot run` runs it, with one difference: its chat adapter is the soak's loopback
chat service (tests/fakes/chat_fake.py HttpChatAdapter), built here instead of through an entry point.

    python bench/soak_bot.py --config soak.toml --db soak.db --chat http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.chat_fake import HttpChatAdapter  # noqa: E402

from bot.config import database_url_from_arg, load_settings  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.logs import setup_logging  # noqa: E402


async def main(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env={})
    setup_logging(settings.logging.level, settings.logging.format)
    core = await Core.open(settings, database_url_from_arg(args.db))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    adapter = HttpChatAdapter(args.chat, platform="soakchat", send_key=not args.no_key)
    try:
        await core.add_configured_feeds()
        print("ready", flush=True)
        await core.run([adapter], stop)
    finally:
        await core.close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--chat", required=True)
    parser.add_argument("--no-key", action="store_true", help="send no idempotency key (a control run)")
    sys.exit(asyncio.run(main(parser.parse_args())))
