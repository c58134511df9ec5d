"""The one small interface between the core and a chat adapter.

    adapter ── Command ──► CoreAPI.handle() ── Reply ──► adapter renders it
    delivery ── ChatAdapter.send(channel, Reply, key) ──► platform message id

The core owns these types; adapters implement `ChatAdapter` and call `CoreAPI`. No SDK object ever
crosses this line in either direction.

Send errors (raised by `ChatAdapter.send`, handled by bot.delivery):

    SendError
     ├── ChannelGone      the channel is deleted, archived or forbidden: pause the subscription
     ├── RateLimited      the platform said wait `retry_after` seconds: retry then, not before
     └── TemporaryFailure 5xx, timeouts, connection resets: retry with backoff
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.models import Command, Reply


class SendError(Exception):
    """A delivery could not be made this time."""


class ChannelGone(SendError):
    """The channel no longer accepts our messages (deleted, archived, no access)."""


class RateLimited(SendError):
    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(f"{message} (retry after {retry_after:.2f}s)")
        self.retry_after = retry_after


class TemporaryFailure(SendError):
    """Worth retrying later with backoff."""


@runtime_checkable
class CoreAPI(Protocol):
    """What an adapter may ask of the core."""

    async def handle(self, command: Command) -> Reply:
        """Run one chat command and return the reply to show."""
        ...

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        """Autocomplete values: kind is 'party' or 'deal'."""
        ...


@runtime_checkable
class ChatAdapter(Protocol):
    """What the core needs of a chat service."""

    platform: str

    async def start(self, core: CoreAPI) -> None:
        """Connect and begin taking commands; return once connected."""
        ...

    async def send(self, channel: str, reply: Reply, *, key: str) -> str:
        """Post `reply` to `channel`; return the platform's message id.

        `key` is stable for one delivery across retries and restarts: adapters use it to let the
        platform (or a history lookup) drop a second copy of the same delivery.
        """
        ...

    async def stop(self) -> None:
        """Finish in-flight sends and disconnect."""
        ...
