"""The private-address guard: policy table, URL checks, allowlist, and no DNS-rebinding gap."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from fakes.news_site import FeedSpec, NewsSite, StaticResolver, feed_test_settings, sample_articles

from bot.feeds.errors import BlockedAddress, ConnectFailure, UnsupportedURL
from bot.feeds.fetch import Fetcher
from bot.feeds.guard import AddressPolicy, check_url


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("fd00:ec2::254", False),  # metadata over IPv6 (unique local)
        ("fe80::1", False),
    ],
)
def test_policy_table(address, allowed):
    policy = AddressPolicy()
    if allowed:
        policy.check_ip(address)
    else:
        with pytest.raises(BlockedAddress):
            policy.check_ip(address)
        AddressPolicy(allow_private=True).check_ip(address)  # the switch lets it through


def test_allowlist_by_host_name_and_by_network():
    policy = AddressPolicy(allowlist=["feeds.home.lan", "10.20.0.0/16"])
    assert policy.allows(ipaddress.ip_address("192.168.1.5"), "feeds.home.lan")
    assert policy.allows(ipaddress.ip_address("192.168.1.5"), "FEEDS.home.lan.")
    assert not policy.allows(ipaddress.ip_address("192.168.1.5"), "other.home.lan")
    assert policy.allows(ipaddress.ip_address("10.20.3.4"), "anything")
    assert not policy.allows(ipaddress.ip_address("10.21.3.4"), "anything")


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", UnsupportedURL),
        ("ftp://example.com/feed", UnsupportedURL),
        ("/just/a/path", UnsupportedURL),
        ("http:///nohost", UnsupportedURL),
        ("http://127.0.0.1/feed", BlockedAddress),
        ("http://[::1]:8080/feed", BlockedAddress),
        ("http://169.254.169.254/latest/meta-data/", BlockedAddress),
    ],
)
def test_check_url_refuses(url, error):
    with pytest.raises(error):
        check_url(url, AddressPolicy())


def test_check_url_passes_public_names_and_addresses():
    assert check_url("https://news.example.com/rss", AddressPolicy()).host == "news.example.com"
    assert check_url("http://93.184.216.34/rss", AddressPolicy()).host == "93.184.216.34"


@pytest.fixture
async def site():
    async with NewsSite() as s:
        s.add_feed(FeedSpec("main", "Main", sample_articles("rye", 1)))
        yield s


async def test_allowlisted_host_is_fetched_and_others_refused(site):
    settings = feed_test_settings(allow_private_addresses=False, private_host_allowlist=["news.test"])
    resolver = StaticResolver({"news.test": "127.0.0.1", "intranet.test": "127.0.0.1"})
    async with Fetcher(settings.fetch, resolver=resolver) as fetcher:
        page = await fetcher.fetch(site.url("/feeds/main", "news.test"), max_bytes=100_000)
        assert page.status == 200 and b"Rye trade talks" in page.body
        with pytest.raises(
            BlockedAddress, match="refused to connect to 127.0.0.1 .loopback address for intranet"
        ):
            await fetcher.fetch(site.url("/feeds/main", "intranet.test"), max_bytes=100_000)
        with pytest.raises(BlockedAddress):
            await fetcher.fetch(site.url("/feeds/main"), max_bytes=100_000)  # the IP literal itself
    assert site.requests["/feeds/main"] == 1


class ConnectTap:
    """Records every address the client's sockets try to reach; refuses (without sending anything)
    all but loopback, so a test can hand out 'public' DNS answers safely."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.addresses: list[str] = []
        self._real = loop.sock_connect

    async def sock_connect(self, sock, address):
        self.addresses.append(address[0])
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise ConnectionRefusedError(111, "refused by the test's network tap")
        return await self._real(sock, address)

    def __enter__(self):
        self.loop.sock_connect = self.sock_connect
        return self

    def __exit__(self, *exc):
        del self.loop.sock_connect  # back to the class attribute


async def test_dns_rebinding_cannot_reach_loopback(site):
    """The name answers with a public address first, then 127.0.0.1. A guard that checks with one
    lookup and connects with another would reach loopback on the second answer; ours connects to
    exactly the addresses it checked, from a single lookup per connection."""
    settings = feed_test_settings(allow_private_addresses=False)
    resolver = StaticResolver({"rebind.test": ["93.184.216.34", "127.0.0.1"]})
    url = site.url("/feeds/main", "rebind.test")
    with ConnectTap(asyncio.get_running_loop()) as tap:
        async with Fetcher(settings.fetch, resolver=resolver) as fetcher:
            with pytest.raises(
                ConnectFailure
            ):  # connected to the checked public address (refused by the tap)
                await fetcher.fetch(url, max_bytes=100_000)
        assert resolver.lookups == [("rebind.test", "93.184.216.34")]  # one lookup: no second answer used
        async with Fetcher(settings.fetch, resolver=resolver) as fetcher:  # a fresh DNS cache
            with pytest.raises(BlockedAddress):
                await fetcher.fetch(url, max_bytes=100_000)
    assert resolver.lookups[1] == ("rebind.test", "127.0.0.1")
    assert tap.addresses == ["93.184.216.34"]  # never a loopback connection
    assert site.requests["/feeds/main"] == 0
