"""The optional LLM rewrite against a loopback OpenAI-compatible server (aiohttp, 127.0.0.1)."""

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.config import NewsSettings, Secrets
from bot.news.analyze import analyze_document
from bot.news.rewrite import rewrite_summary, ungrounded

FIXTURES = Path(__file__).parent / "fixtures" / "news"


class FakeChatServer:
    """Answers POST /v1/chat/completions the way OpenAI-compatible servers do."""

    def __init__(self) -> None:
        self.reply = ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def chat(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.json_response({"error": {"message": "boom"}}, status=self.status)
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": self.requests[-1].get("model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": self.reply},
                    }
                ],
            }
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


@pytest.fixture
async def server():
    fake = FakeChatServer()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def analysis():
    return analyze_document((FIXTURES / "korea-deal-wire.txt").read_text())


def settings_for(port: int, timeout: float = 2.0) -> NewsSettings:
    return NewsSettings(llm_endpoint=f"http://127.0.0.1:{port}/v1", llm_model="tiny", llm_timeout_s=timeout)


SECRETS = Secrets(llm_api_key=SecretStr("test-key"))


async def test_grounded_rewrite_is_used(server, analysis) -> None:
    server.reply = "South Korea will pay a 15% US tariff instead of 25%, and Seoul will invest $350 billion."
    async with aiohttp.ClientSession() as session:
        out = await rewrite_summary(analysis, settings_for(server.port), SECRETS, session)
    assert out == server.reply
    sent = server.requests[0]
    assert sent["model"] == "tiny"
    assert analysis.summary in sent["messages"][-1]["content"]
    assert server.headers[0]["Authorization"] == "Bearer test-key"


@pytest.mark.parametrize(
    "reply",
    [
        "South Korea will pay a 12% US tariff instead of 25%.",  # a figure the article never gives
        "South Korea and Canada agreed a 15% tariff.",  # a country the article never names
        "",  # nothing useful
        "word " * 80,  # too long
    ],
)
async def test_ungrounded_rewrite_is_rejected(server, analysis, reply: str) -> None:
    server.reply = reply
    async with aiohttp.ClientSession() as session:
        out = await rewrite_summary(analysis, settings_for(server.port), SECRETS, session)
    assert out == analysis.summary
    assert len(server.requests) == 1


async def test_server_down_keeps_extractive_summary(analysis) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with aiohttp.ClientSession() as session:
        out = await rewrite_summary(analysis, settings_for(port), SECRETS, session)
    assert out == analysis.summary


async def test_slow_server_and_http_errors_keep_extractive_summary(server, analysis) -> None:
    server.reply = "South Korea will pay 15%."
    server.delay = 0.5
    async with aiohttp.ClientSession() as session:
        assert (
            await rewrite_summary(analysis, settings_for(server.port, 0.1), SECRETS, session)
            == analysis.summary
        )
        server.delay, server.status = 0.0, 500
        assert (
            await rewrite_summary(analysis, settings_for(server.port), SECRETS, session) == analysis.summary
        )


async def test_no_endpoint_means_no_request(server, analysis) -> None:
    async with aiohttp.ClientSession() as session:
        out = await rewrite_summary(analysis, NewsSettings(), Secrets(), session)
    assert out == analysis.summary
    assert server.requests == []


def test_ungrounded_lists_what_is_missing() -> None:
    source = "Japan agreed a 15% tariff and $550 billion of investment, Ryosei Akazawa said."
    assert ungrounded("Japan accepted 15% and $550 billion, Akazawa said.", source) == []
    assert ungrounded("Japan accepted 20%, Ishiba said.", source) == ["20", "Ishiba"]
