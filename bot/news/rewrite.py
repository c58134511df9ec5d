"""Optional summary rewrite by an OpenAI-compatible chat endpoint (llama.cpp, Ollama, vLLM, hosted).

The rewrite is used only when it is grounded: every number and every capitalised name in it must
occur in the article. Anything else (no endpoint configured, server down, timeout, a bad reply,
an invented figure) leaves the extractive summary in place. `analyze` stays pure; this is the one
async step, called by whoever owns an aiohttp session.
"""

from __future__ import annotations

import logging
import re

import aiohttp

from bot.config import NewsSettings, Secrets
from bot.news.analyze import Analysis
from bot.news.numbers import number_tokens
from bot.news.summary import MAX_WORDS
from bot.news.text import word_count

log = logging.getLogger(__name__)

_SYSTEM_PROMPT = (
    "You rewrite news summaries about trade deals. Write one to three plain sentences, at most "
    f"{MAX_WORDS} words, naming the countries and the headline terms. Use only facts, numbers and "
    "names that appear in the article. Do not add anything."
)
_NAME_RE = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*\b")
# Capitalised words that are not names: sentence starts, months, weekdays.
_ORDINARY = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "For",
        "And",
        "But",
        "Under",
        "After",
        "Before",
        "Its",
        "Their",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "Both",
        "Each",
        "Under",
        "With",
        "From",
        "By",
        "As",
        "Of",
        "To",
        "Until",
        "Since",
        "While",
        "Meanwhile",
        "Also",
        "However",
    ]
)


def ungrounded(candidate: str, source: str) -> list[str]:
    """Numbers and names in `candidate` that do not occur in `source` (empty when grounded)."""
    missing = sorted(number_tokens(candidate) - number_tokens(source))
    lowered = source.lower()
    for name in _NAME_RE.findall(candidate):
        if name in _ORDINARY:
            continue
        if name.lower() not in lowered:
            missing.append(name)
    return missing


def _acceptable(candidate: str, analysis: Analysis) -> bool:
    if not candidate or word_count(candidate) > MAX_WORDS:
        return False
    source = f"{analysis.title}\n{analysis.text}"
    bad = ungrounded(candidate, source)
    if bad:
        log.info("llm rewrite rejected: ungrounded %s", bad[:5])
        return False
    return True


async def rewrite_summary(
    analysis: Analysis, settings: NewsSettings, secrets: Secrets, session: aiohttp.ClientSession
) -> str:
    """The endpoint's rewrite of `analysis.summary` when grounded, else the extractive summary."""
    fallback = analysis.summary
    if not settings.llm_endpoint or not analysis.summary:
        return fallback
    url = settings.llm_endpoint.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if secrets.llm_api_key is not None:
        headers["Authorization"] = f"Bearer {secrets.llm_api_key.get_secret_value()}"
    payload = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": _SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Article:\n{analysis.text[:6000]}\n\nSummary to rewrite:\n{analysis.summary}",
            },
        ],
    }
    try:
        async with session.post(
            url, json=payload, headers=headers, timeout=aiohttp.ClientTimeout(total=settings.llm_timeout_s)
        ) as resp:
            if resp.status != 200:
                log.info("llm rewrite skipped: HTTP %s", resp.status)
                return fallback
            body = await resp.json(content_type=None)
        candidate = str(body["choices"][0]["message"]["content"]).strip()
    except (TimeoutError, aiohttp.ClientError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.info("llm rewrite skipped: %s", type(exc).__name__)
        return fallback
    candidate = re.sub(r"\s+", " ", candidate)
    return candidate if _acceptable(candidate, analysis) else fallback
