"""`tradebot poll` and `tradebot feeds …` through bot.cli.main, against the loopback news site
(run in a thread with its own event loop, since each CLI call runs its own)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fakes.news_site import FeedSpec, NewsSite, sample_articles

from bot.cli import main


@pytest.fixture
def site():
    site = NewsSite()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(site.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield site
    asyncio.run_coroutine_threadsafe(site.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRADEBOT_ALLOW_PRIVATE_ADDRESSES", "1")
    monkeypatch.setenv("TRADEBOT_POLLING_DISABLE_AFTER_FAILURES", "3")
    monkeypatch.delenv("TRADEBOT_CONFIG", raising=False)
    db = str(tmp_path / "cli.db")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--db", db])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_add_list_poll_and_disable_is_visible(site, cli):
    site.add_feed(FeedSpec("desk", "Trade Desk", sample_articles("sugar", 2)))
    code, out, _ = cli("feeds", "add", site.url("/feeds/desk"), "--interval", "15")
    assert code == 0 and out.startswith("added feed 1:")
    assert cli("feeds", "add", site.url("/feeds/desk"))[1].startswith("already following feed 1")
    assert cli("feeds", "add", site.url("/fault/500"))[0] == 0

    code, out, err = cli("poll", "--once")
    assert code == 0 and "2 feeds polled: 1 changed" in out and "2 new stories stored" in out
    assert "HTTP 500" in err
    for _ in range(2):
        cli("poll", "--once", "--all")

    code, out, _ = cli("feeds", "list")
    assert code == 0
    assert "[1] OK       " in out and "Trade Desk" in out and "every 15 min" in out
    assert "[2] DISABLED" in out
    assert (
        "disabled: disabled after 3 failures in a row; last error: fetch error (ServerStatusError): HTTP 500"
        in out
    )


def test_file_url_and_unknown_feed_are_clear_errors(cli, capsys):
    code, _, err = cli("feeds", "add", "file:///etc/passwd")
    assert code == 2 and "must be http:// or https://" in err
    code, _, err = cli("feeds", "remove", "42")
    assert code == 2 and "no feed '42'" in err
    assert cli("feeds", "list")[1].startswith("no feeds yet")


def test_opml_round_trip(cli, tmp_path):
    opml = tmp_path / "in.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
        <outline text="Trade"><outline text="One" title="One" type="rss" xmlUrl="https://one.example/rss"/>
        <outline text="Two" type="rss" xmlUrl="https://two.example/atom"/></outline>
        <outline text="Bad" type="rss" xmlUrl="ftp://three.example/x"/>
        <outline text="One again" type="rss" xmlUrl="https://one.example/rss"/></body></opml>""",
        encoding="utf-8",
    )
    code, out, err = cli("feeds", "import-opml", str(opml))
    assert code == 0 and out.strip() == "2 feeds added, 0 already followed, 1 skipped"
    assert "ftp://three.example/x" in err
    assert cli("feeds", "import-opml", str(opml))[1].strip() == "0 feeds added, 2 already followed, 1 skipped"
    code, out, _ = cli("feeds", "export-opml")
    assert code == 0 and out.count("<outline") == 2
    assert 'xmlUrl="https://one.example/rss"' in out and 'title="One"' in out
    assert cli("feeds", "remove", "https://two.example/atom")[1].startswith("removed feed 2")


def test_bad_opml_is_a_clear_error(cli, tmp_path):
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>')
    code, _, err = cli("feeds", "import-opml", str(bomb))
    assert code == 2 and "not readable OPML" in err
