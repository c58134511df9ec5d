"""The `tradebot` command.

    tradebot run [--config FILE] [--adapter console|discord|slack ...]
    tradebot poll --once | feeds add|list|remove|import-opml|export-opml   (bot/cli_feeds.py)
    tradebot ingest FILE|URL...
    tradebot analyze --format jsonl|text FILE|URL...
    tradebot ask --format jsonl|text [QUESTION]      (questions from stdin when none is given)
    tradebot subscriptions list|remove

Every subcommand takes --db (a SQLite path or a database URL; default from settings).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Secrets, Settings, database_url_from_arg, load_settings
from bot.logs import setup_logging


class CliError(Exception):
    """A clear, user-facing failure (exit status 2)."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite file or database URL (default: from settings)")
    parser.add_argument("--config", help="TOML settings file (default: $TRADEBOT_CONFIG or built-in defaults)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def _db_url(args: argparse.Namespace, settings: Settings) -> str:
    return database_url_from_arg(args.db) if args.db else settings.database_url


def _progress(items: Sequence[Any], label: str) -> Iterable[Any]:
    """A progress bar on a terminal; plain iteration otherwise (pipes, CI)."""
    if not sys.stderr.isatty() or len(items) < 3:
        yield from items
        return
    from rich.progress import track

    yield from track(items, description=label, console=None, transient=True)


# ---------------------------------------------------------------- analyze / ingest


def _read_source(source: str) -> str:
    if source.startswith(("http://", "https://")):
        from bot.feeds.single import fetch_page_text

        return asyncio.run(fetch_page_text(source))
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror or exc}") from exc


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from bot.news.analyze import analyze_document

    for source in args.sources:
        raw = _read_source(source)
        result = analyze_document(raw, url=source)
        if args.format == "jsonl":
            print(json.dumps(result.to_contract(source), ensure_ascii=False), flush=True)
        else:
            print(_analysis_text(source, result))
    return 0


def _analysis_text(source: str, result: Any) -> str:
    from bot.render import term_label, term_value

    lines = [f"== {source}", f"title:    {result.title}",
             f"relevant: {result.relevant} (score {result.relevance:.2f}; {', '.join(result.cues[:5])})",
             f"summary:  {result.summary}"]
    for deal in result.deals:
        lines.append(f"deal:     {' / '.join(deal.get('parties', []))} — {deal.get('status')} {deal.get('date') or ''}")
        for term in deal.get("terms", []):
            lines.append(f"  - {term_label(term)}: {term_value(term)}")
        if deal.get("people"):
            lines.append("  people: " + ", ".join(f"{p['name']} ({p.get('side', '?')})" for p in deal["people"]))
    return "\n".join(lines)


async def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core import Core
    from bot.news.article import extract_article
    from bot.pipeline import NewStory

    core = await Core.open(settings, _db_url(args, settings))
    stored = 0
    try:
        for source in _progress(args.sources, "ingesting"):
            raw = await asyncio.to_thread(_read_source, source)
            article = extract_article(raw, url=source)
            item = NewStory(url=source, title=article.title, text=article.text, html=raw,
                            canonical_url=source, published=article.published, announce=not args.quiet)
            if await core.pipeline.store_story(item) is not None:
                stored += 1
    finally:
        await core.close()
    print(f"stored {stored} of {len(args.sources)} ({len(args.sources) - stored} already known)", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- ask


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        yield line.rstrip("\n")


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core import Core
    from bot.qa import load_knowledge

    core = await Core.open(settings, _db_url(args, settings))
    try:
        knowledge = await load_knowledge(core.engine)
        for question in _questions(args):
            answer = knowledge.answer(question)
            if args.format == "jsonl":
                print(json.dumps({"question": question, "answer": answer.text,
                                  "sources": [{"id": s.id, "url": s.url, "title": s.title, "quote": s.quote}
                                              for s in answer.sources]}, ensure_ascii=False), flush=True)
            else:
                print(answer.text or "My sources don't say.")
                for s in answer.sources:
                    print(f"  [{s.id}] {s.title} — {s.url}\n      “{s.quote}”")
    finally:
        await core.close()
    return 0


# ---------------------------------------------------------------- subscriptions


async def _subscriptions(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import delete, select

    from bot.commands.subscriptions import describe
    from bot.core import Core
    from bot.store.tables import subscriptions

    core = await Core.open(settings, _db_url(args, settings))
    try:
        async with core.engine.begin() as conn:
            if args.action == "remove":
                result = await conn.execute(delete(subscriptions).where(subscriptions.c.id == args.id))
                print("removed" if result.rowcount else f"no subscription {args.id}")
                return 0 if result.rowcount else 1
            for row in (await conn.execute(select(subscriptions).order_by(subscriptions.c.id))).all():
                print(f"{row.id:>4} {row.platform}:{row.workspace} #{row.channel}  {describe(row)}")
    finally:
        await core.close()
    return 0


# ---------------------------------------------------------------- run


def load_adapter(name: str, settings: Settings, secrets: Secrets) -> Any:
    """Adapters are plugins (entry point group 'tradebot.adapters'): the core never imports them."""
    found = {ep.name: ep for ep in entry_points(group="tradebot.adapters")}
    if name not in found:
        raise CliError(f"unknown adapter {name!r}; installed: {', '.join(sorted(found)) or 'none'}")
    return found[name].load()(settings, secrets)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core import Core
    from bot.sample import embedded_default

    secrets = Secrets.from_env()
    names = args.adapter or settings.adapters.enabled
    adapters = [load_adapter(name, settings, secrets) for name in dict.fromkeys(names)]
    core = await Core.open(settings, _db_url(args, settings), secrets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    for adapter in adapters:
        if hasattr(adapter, "bind_stop"):
            adapter.bind_stop(stop)
    try:
        async with embedded_default(core, enabled=not args.config and not settings.feeds and not args.no_sample):
            await core.add_configured_feeds()
            await core.run(adapters, stop)
    finally:
        await core.close()
    return 0


# ---------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradebot", description="Trade-deal news for chat: feeds in, deal terms out.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="poll feeds and deliver to chat adapters until stopped")
    _common(p)
    p.add_argument("--adapter", action="append", choices=["console", "discord", "slack"],
                   help="chat adapter(s) to run (repeatable; default from settings: console)")
    p.add_argument("--no-sample", action="store_true", help="do not serve the built-in sample feed")
    p.set_defaults(func=_run, is_async=True)

    p = sub.add_parser("ingest", help="store files or pages as stories")
    _common(p)
    p.add_argument("sources", nargs="+", metavar="FILE|URL")
    p.add_argument("--quiet", action="store_true", help="store without announcing to subscribed channels")
    p.set_defaults(func=_ingest, is_async=True)

    p = sub.add_parser("analyze", help="print relevance, deal terms and summary for files or pages")
    _common(p)
    p.add_argument("--format", choices=["jsonl", "text"], default="text")
    p.add_argument("sources", nargs="+", metavar="FILE|URL")
    p.set_defaults(func=cmd_analyze, is_async=False)

    p = sub.add_parser("ask", help="answer deal questions from the stored stories")
    _common(p)
    p.add_argument("--format", choices=["jsonl", "text"], default="text")
    p.add_argument("question", nargs="*", help="the question (default: one per line on stdin)")
    p.set_defaults(func=_ask, is_async=True)

    p = sub.add_parser("subscriptions", help="list or remove channel subscriptions")
    _common(p)
    p.add_argument("action", choices=["list", "remove"], nargs="?", default="list")
    p.add_argument("id", nargs="?", type=int)
    p.set_defaults(func=_subscriptions, is_async=True)

    try:
        from bot.cli_feeds import register
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(getattr(args, "config", None))
        setup_logging(settings.logging.level, settings.logging.format, getattr(args, "verbose", 0))
        if getattr(args, "is_async", False):
            return asyncio.run(args.func(args, settings))
        return args.func(args, settings)
    except (ConfigError, CliError) as exc:
        print(f"tradebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
