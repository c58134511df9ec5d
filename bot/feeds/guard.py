"""The private-address guard (SSRF): which URLs and addresses tradebot may connect to.

A feed URL comes from users, so without a guard it could point tradebot at the machine itself
(127.0.0.1, an admin port), the local network, or a cloud metadata service (169.254.169.254).

How the check cannot be bypassed:
- The URL's scheme must be http or https and it must name a host (`check_url`), on every hop.
- A host given as an IP literal is checked directly (aiohttp does not ask a resolver for those).
- A host name is resolved once, by `GuardedResolver`, inside aiohttp's connector; the addresses it
  returns are checked and only allowed ones are handed back, and the connector connects to exactly
  those. There is no second lookup between the check and the connection, so a DNS answer that
  changes between "check" and "connect" (DNS rebinding) gains nothing: whatever the name resolves
  to at connection time is what gets checked. Every redirect hop opens its connection the same way.

Private, loopback, link-local (metadata), multicast, reserved and unspecified addresses are all
"not global" and refused unless `allow_private_addresses` (TRADEBOT_ALLOW_PRIVATE_ADDRESSES=1) is
set, or the host is on `private_host_allowlist` (a host name, an IP, or a CIDR block).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.feeds.errors import BlockedAddress, UnsupportedURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = frozenset({"http", "https"})


def _as_ip(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip


class AddressPolicy:
    """Decides whether an address may be connected to for a given host name."""

    def __init__(self, *, allow_private: bool = False, allowlist: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self._hosts: set[str] = set()
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in allowlist:
            item = item.strip().lower()
            if not item:
                continue
            try:
                self._networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self._hosts.add(item.rstrip("."))

    @classmethod
    def from_settings(cls, fetch_settings: object) -> AddressPolicy:
        return cls(
            allow_private=bool(getattr(fetch_settings, "allow_private_addresses", False)),
            allowlist=getattr(fetch_settings, "private_host_allowlist", ()) or (),
        )

    def allows(self, ip: IPAddress, host: str | None = None) -> bool:
        if ip.is_global and not ip.is_multicast:
            return True
        if self.allow_private:
            return True
        if host and host.lower().rstrip(".") in self._hosts:
            return True
        return any(ip in net for net in self._networks if net.version == ip.version)

    def check_ip(self, text: str, host: str | None = None) -> None:
        ip = _as_ip(text)
        if ip is None:
            raise BlockedAddress(f"not an IP address: {text!r}")
        if not self.allows(ip, host):
            raise BlockedAddress(
                f"refused to connect to {ip} ({_describe(ip)} address"
                f"{' for ' + host if host and host != text else ''}); "
                "set TRADEBOT_ALLOW_PRIVATE_ADDRESSES=1 or add the host to fetch.private_host_allowlist"
            )


def _describe(ip: IPAddress) -> str:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local/metadata"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    return "non-public"


def check_url(url: str | URL, policy: AddressPolicy) -> URL:
    """Scheme and host checks that need no DNS; an IP-literal host is checked here."""
    try:
        parsed = url if isinstance(url, URL) else URL(url)
    except (ValueError, TypeError) as exc:
        raise UnsupportedURL(f"not a valid URL: {str(url)[:200]!r}", url=str(url)) from exc
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsupportedURL(
            f"only http and https URLs can be fetched, not {scheme + '://' if scheme else 'a bare path'}",
            url=str(url),
        )
    host = parsed.raw_host
    if not host:
        raise UnsupportedURL("URL has no host", url=str(url))
    if policy.allow_private or host[-1].isalpha():
        return parsed  # everything allowed, or a host name (checked by the resolver when it connects)
    ip = _as_ip(host)
    if ip is not None and not policy.allows(ip, host):
        try:
            policy.check_ip(host)
        except BlockedAddress as exc:
            exc.url = str(url)
            raise
    return parsed


class GuardedResolver(AbstractResolver):
    """Resolves with an inner resolver and returns only the addresses the policy allows.

    aiohttp's connector connects to exactly the addresses a resolver returns, so the address
    checked here is the address connected to. Raises BlockedAddress if nothing is left.
    """

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self.inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        allowed = [
            r for r in results if (ip := _as_ip(r["host"])) is not None and self.policy.allows(ip, host)
        ]
        if not allowed:
            first = results[0]["host"] if results else "nothing"
            self.policy.check_ip(first, host)  # raises BlockedAddress with the reason
            raise BlockedAddress(f"no usable address for {host}")
        return allowed

    async def close(self) -> None:
        await self.inner.close()
