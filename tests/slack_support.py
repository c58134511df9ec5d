"""Shared helpers for the Slack tests: test secrets, an adapter pointed at the fake, polling."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

from fakes.slack_fake import SlackFake

from adapters.slack import SlackAdapter
from bot.config import Secrets, SlackSettings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SEED_TEXT = (  # our own sentences, shaped like a wire story
    "Japan and the United States reached a trade agreement on Tuesday, officials in Tokyo and Washington said.\n"
    "Under the deal, the United States will cut its tariff on cars imported from Japan to 15 percent from 27.5 percent.\n"
    "Japan agreed to invest $550 billion in the United States and to buy more American rice.\n"
    "The agreement was signed by the two governments in Washington and takes effect next month.\n"
)
ADMIN, MEMBER, DESK = "U0ADMIN01", "U0MEMBER1", "U0DESK001"
CHANNEL = "C0NEWS001"


def secrets() -> Secrets:
    return Secrets.model_validate(
        {
            "slack_bot_token": "xoxb-test-token",
            "slack_app_token": "xapp-1-test",
            "slack_signing_secret": SECRET,
        }
    )


async def eventually(check: Callable[[], Any], within: float = 5.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_adapter(fake: SlackFake, mode: str, *, interval: float = 1.0, retries: int = 2) -> SlackAdapter:
    settings = SlackSettings(
        mode=mode,
        http_host="127.0.0.1",
        http_port=free_port(),
        api_base_url=fake.base_url,
        subscription_manager_usergroup="trade-desk",
    )
    return SlackAdapter(settings, secrets(), per_channel_interval_s=interval, rate_limit_retries=retries)


# Distinct short wire-style stories (our own sentences), far enough apart that the core does not
# fold them into one near-duplicate group: each one is announced separately.
STORIES = [
    (
        "Vietnam and US agree on textile tariff",
        "Vietnam and the United States agreed on Monday to a 20 percent tariff on Vietnamese garments. "
        "Hanoi promised to buy Boeing aircraft worth $8 billion as part of the trade agreement. "
        "Officials in Washington said the deal was signed after three rounds of talks.",
    ),
    (
        "EU and India close in on free trade pact",
        "Negotiators from the European Union and India said a free trade deal could be signed this autumn. "
        "Brussels wants India to lower duties on wine and cars, while New Delhi seeks visas for engineers. "
        "A tariff quota for Indian steel entering the bloc remains the hardest issue, diplomats said.",
    ),
    (
        "South Korea pledges $350 billion in US investment",
        "Seoul pledged $350 billion of investment in American shipbuilding and chips under a new trade deal. "
        "In return Washington set a 15 percent tariff on Korean cars instead of the threatened 25 percent. "
        "The accord was announced by both presidents at a summit in Gyeongju.",
    ),
    (
        "UK and US trim beef and ethanol barriers",
        "Britain opened its market to 13,000 tonnes of American beef a year under the economic prosperity deal. "
        "London also scrapped its duty on US ethanol, and Washington cut levies on British cars within a quota. "
        "Ministers called the deal a first step toward broader market access and lower tariffs.",
    ),
    (
        "Indonesia accepts 19 percent US tariff",
        "Jakarta accepted a 19 percent American tariff on its exports after weeks of negotiation. "
        "Indonesia will remove almost all duties on US farm goods and purchase $4.5 billion of soybeans and wheat. "
        "The framework deal still needs a formal signature, trade officials noted.",
    ),
    (
        "Switzerland seeks lower US duty on watches",
        "Swiss envoys flew to Washington hoping to cut a 39 percent US tariff on watches and machinery. "
        "Bern offered to invest $150 billion in American factories over five years. "
        "No deal was reached, and talks continue next month, the economy ministry in Bern said.",
    ),
]
