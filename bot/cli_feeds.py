"""`tradebot poll` and `tradebot feeds …`: registered on the main parser by bot.cli.

    tradebot poll --once [--all] [--no-articles]
    tradebot feeds add URL [--interval MIN]
    tradebot feeds list
    tradebot feeds remove URL|ID
    tradebot feeds import-opml FILE
    tradebot feeds export-opml [-o FILE]

Each takes --db (SQLite path or database URL), --config and -v, like every other subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, database_url_from_arg


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite file or database URL (default: from settings)")
    parser.add_argument(
        "--config", help="TOML settings file (default: $TRADEBOT_CONFIG or built-in defaults)"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("poll", help="poll feeds and store new stories (no chat delivery)")
    _common(p)
    p.add_argument("--once", action="store_true", help="one round over the feeds that are due, then exit")
    p.add_argument("--all", action="store_true", help="with --once: every enabled feed, due or not")
    p.add_argument(
        "--no-articles",
        action="store_true",
        help="keep the feed's own text instead of fetching each article page (stories marked partial)",
    )
    p.set_defaults(func=_poll, is_async=True)

    feeds = subparsers.add_parser("feeds", help="add, list, remove, import or export feeds")
    actions = feeds.add_subparsers(dest="feeds_action", required=True, metavar="ACTION")

    a = actions.add_parser("add", help="follow a feed")
    _common(a)
    a.add_argument("url", metavar="URL")
    a.add_argument(
        "--interval",
        type=float,
        metavar="MIN",
        help="minutes between checks (default from settings, at least 1)",
    )
    a.set_defaults(func=_add, is_async=True)

    a = actions.add_parser("list", help="feeds with their state, last error and disabled reason")
    _common(a)
    a.set_defaults(func=_list, is_async=True)

    a = actions.add_parser("remove", help="stop following a feed")
    _common(a)
    a.add_argument("key", metavar="URL|ID")
    a.set_defaults(func=_remove, is_async=True)

    a = actions.add_parser("import-opml", help="follow every feed listed in an OPML file")
    _common(a)
    a.add_argument("file", metavar="FILE")
    a.add_argument("--interval", type=float, metavar="MIN", help="minutes between checks for the new feeds")
    a.set_defaults(func=_import_opml, is_async=True)

    a = actions.add_parser("export-opml", help="print the followed feeds as OPML")
    _common(a)
    a.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    a.set_defaults(func=_export_opml, is_async=True)


def _read_file(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


def _write_file(path: str, text: str) -> None:
    Path(path).expanduser().write_text(text, encoding="utf-8")


class _Failure(Exception):
    pass


def _fail(message: str) -> Exception:
    try:
        from bot.cli import CliError
    except ImportError:  # pragma: no cover - bot.cli always exists in the installed package
        return _Failure(message)
    return CliError(message)


@contextlib.asynccontextmanager
async def _engine(args: argparse.Namespace, settings: Settings) -> AsyncIterator[AsyncEngine]:
    from bot.store.db import create_engine, migrate

    url = database_url_from_arg(args.db) if args.db else settings.database_url
    engine = create_engine(url)
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- poll


async def _poll(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.poller import Poller
    from bot.pipeline import Pipeline

    async with _engine(args, settings) as engine:
        pipeline = Pipeline(engine, min_relevance=settings.news.min_relevance)
        poller = Poller(engine, settings, pipeline, fetch_articles=not args.no_articles)
        if not args.once:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, stop.set)
            print("polling until interrupted (Ctrl-C) …", file=sys.stderr)
            await poller.run_forever(stop)
            return 0
        async with poller:
            report = await poller.poll_once(all_feeds=args.all)
        for outcome in report.outcomes:
            if outcome.error:
                print(f"feed {outcome.feed_id} {outcome.url}: {outcome.error}", file=sys.stderr)
        print(report.summary())
    return 0


# ---------------------------------------------------------------- feeds


async def _add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.errors import FeedError
    from bot.feeds.manage import add_feed

    async with _engine(args, settings) as engine:
        try:
            feed, created = await add_feed(
                engine, args.url, settings=settings.polling, interval_min=args.interval
            )
        except FeedError as exc:
            raise _fail(str(exc)) from None
    if created:
        print(f"added feed {feed.id}: {feed.url} (every {feed.interval_min:g} min)")
    else:
        print(f"already following feed {feed.id}: {feed.url}")
    return 0


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    delta = (value - datetime.now(UTC)).total_seconds()
    stamp = value.strftime("%Y-%m-%d %H:%M UTC")
    if abs(delta) < 48 * 3600:
        return f"{stamp} (in {delta / 60:.0f} min)" if delta >= 0 else f"{stamp} ({-delta / 60:.0f} min ago)"
    return stamp


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.manage import feed_status, list_feeds

    async with _engine(args, settings) as engine:
        feeds = await list_feeds(engine)
    if not feeds:
        print("no feeds yet: tradebot feeds add URL")
        return 0
    for feed in feeds:
        status = feed_status(feed)
        title = f" — {feed.title}" if feed.title else ""
        print(f"[{feed.id}] {status.state.upper():8} {feed.url}{title}")
        print(
            f"      every {feed.interval_min:g} min; next check {_when(feed.next_check_at)}; "
            f"last ok {_when(feed.last_ok_at)}"
        )
        if feed.last_error and not feed.disabled_reason:
            print(f"      last error: {feed.last_error}")
        if feed.disabled_reason:
            print(f"      disabled: {feed.disabled_reason}")
            print(f"      (re-enable with: tradebot feeds remove {feed.id} && tradebot feeds add {feed.url})")
    return 0


async def _remove(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.manage import remove_feed

    async with _engine(args, settings) as engine:
        feed = await remove_feed(engine, args.key)
    if feed is None:
        raise _fail(f"no feed {args.key!r}; see: tradebot feeds list")
    print(f"removed feed {feed.id}: {feed.url}")
    return 0


async def _import_opml(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.errors import FeedError
    from bot.feeds.manage import add_feed
    from bot.feeds.opml import OPMLError, parse_opml

    try:
        entries = parse_opml(await asyncio.to_thread(_read_file, args.file))
    except OSError as exc:
        raise _fail(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except OPMLError as exc:
        raise _fail(f"{args.file}: {exc}") from None
    added = existing = 0
    refused: list[str] = []
    async with _engine(args, settings) as engine:
        with _progress(len(entries), "importing feeds") as advance:
            for item in entries:
                try:
                    _, created = await add_feed(
                        engine,
                        item.url,
                        settings=settings.polling,
                        interval_min=args.interval,
                        title=item.title,
                    )
                except FeedError as exc:
                    refused.append(f"{item.url}: {exc}")
                else:
                    added += created
                    existing += not created
                advance()
    for line in refused:
        print(f"skipped {line}", file=sys.stderr)
    print(f"{added} feeds added, {existing} already followed, {len(refused)} skipped")
    return 0


@contextlib.contextmanager
def _progress(total: int, label: str):  # type: ignore[no-untyped-def]
    """A rich progress bar on a terminal; nothing on a pipe or in CI."""
    if not sys.stderr.isatty() or total < 3:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)


async def _export_opml(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.manage import list_feeds
    from bot.feeds.opml import export_opml

    async with _engine(args, settings) as engine:
        text = export_opml(await list_feeds(engine))
    if args.output:
        await asyncio.to_thread(_write_file, args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
