"""ask / deal / compare / latest: reading the deal ledger and the stories from chat, plus the
autocomplete data (party and deal names) adapters offer while a user types."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

from bot import cards, charts
from bot.commands.registry import Env, command, error
from bot.models import Command, Deal, Reply, SourceRef
from bot.qa import Knowledge, load_knowledge
from bot.qa_parties import ALIASES, US, find_parties, parties_in_question
from bot.store import ledger_repo

_LOCK = "deals.knowledge_lock"
_KNOWLEDGE = "deals.knowledge"
_REFRESHED = "deals.knowledge_refreshed"
REFRESH_SECONDS = 5.0
LATEST_LIMIT = 5


async def knowledge(env: Env) -> Knowledge:
    """The long-lived Q&A index in env.cache, refreshed with stories stored since it was built."""
    lock = env.cache.setdefault(_LOCK, asyncio.Lock())
    async with lock:
        k = env.cache.get(_KNOWLEDGE)
        now = time.monotonic()
        if k is None:
            k = await load_knowledge(env.engine)
            env.cache[_KNOWLEDGE] = k
            env.cache[_REFRESHED] = now
        elif now - env.cache.get(_REFRESHED, 0.0) >= REFRESH_SECONDS:
            # new stories arrive in bursts: take them in at most every few seconds, not per question
            await k.refresh(env.engine)
            env.cache[_REFRESHED] = now
        return k


def _parties(text: str, k: Knowledge | None = None) -> list[str]:
    return parties_in_question(text, k.index.known_words() if k else frozenset())


@command(
    "ask",
    usage="ask <question>",
    summary="ask about trade deals; answers cite their sources",
    needs_text=True,
)
async def ask(env: Env, cmd: Command) -> Reply:
    k = await knowledge(env)
    # answered off the event loop, but never while a refresh is changing the index underneath
    async with env.cache[_LOCK]:
        answer = await asyncio.to_thread(k.answer, cmd.text)
        dont_know = k.dont_know(cmd.text) if answer.text is None else ""
    return cards.answer_reply(answer, dont_know)


# ---------------------------------------------------------------- deal card


def pick_deal(deals: list[Deal], wanted: list[str]) -> Deal | None:
    """The most recently updated deal that includes every party named (the US may be left unsaid)."""
    named = [p for p in wanted if p != US] or wanted
    matching = [d for d in deals if named and all(p in d.parties for p in named)]
    if not matching:
        return None
    return max(matching, key=lambda d: (d.updated_at or date.min, len(d.story_ids), d.id))


async def _card_inputs(env: Env, deal: Deal) -> tuple[dict[int, cards.StoryRef], list[tuple[str, date]]]:
    async with env.engine.connect() as conn:
        rows = await ledger_repo.story_sources(conn, deal.story_ids)
    stories = {
        r.id: cards.StoryRef(r.id, r.url, r.title, r.published.date() if r.published else None) for r in rows
    }
    stated: list[tuple[str, date]] = []
    for r in rows:
        for d in (r.analysis or {}).get("deals") or []:
            if set(d.get("parties") or []) >= set(deal.parties) and d.get("date") and d.get("status"):
                try:
                    stated.append((d["status"], date.fromisoformat(str(d["date"])[:10])))
                except ValueError:
                    continue
    return stories, stated


def headline_tariff(deal: Deal) -> Any:
    tariffs = [
        t
        for t in deal.terms
        if t.type == "tariff" and t.current and t.current.value.get("rate_pct") is not None
    ]
    general = [t for t in tariffs if "all goods" in t.key or "goods" in t.label.split(" on ")[-1][:12]]
    return (general or tariffs or [None])[0]


@command(
    "deal",
    usage="deal <party or deal>",
    summary="a deal's terms, history, key dates and sources",
    needs_text=True,
)
async def deal(env: Env, cmd: Command) -> Reply:
    k = await knowledge(env)
    wanted = _parties(cmd.text, k)
    if not wanted:
        return error(f"I don't know which country or bloc {cmd.text!r} is. Try: deal japan")
    found = pick_deal(k.index.deals, wanted)
    if found is None:
        on_file = ", ".join(sorted({cards.deal_name(d.parties) for d in k.index.deals})[:8])
        return Reply(
            text=f"No deal on file for {', '.join(wanted)}." + (f" On file: {on_file}." if on_file else ""),
            kind="info",
            ephemeral=True,
        )
    stories, stated = await _card_inputs(env, found)
    image = None
    term = headline_tariff(found)
    if term is not None:
        points = cards.history_points(term)
        if len(points) >= 2:
            image = await asyncio.to_thread(charts.term_history, term.label, points)
    return cards.deal_card(found, stories, stated, image)


# ---------------------------------------------------------------- compare


@command(
    "compare",
    usage="compare <party> <party> …",
    summary="headline terms of several deals side by side",
    needs_text=False,
)
async def compare(env: Env, cmd: Command) -> Reply:
    k = await knowledge(env)
    raw = list(cmd.options.get("parties") or []) or cmd.text.replace(",", " ").split()
    parties: list[str] = []
    unknown = []
    for name in raw:
        found = _parties(name, k)
        if found:
            parties += [p for p in found if p not in parties and p != US]
        else:
            unknown.append(name)
    if unknown:
        return error(f"I don't know these: {', '.join(unknown)}.")
    if len(parties) < 2:
        return error("Name at least two countries or blocs, e.g. compare japan vietnam")
    columns: list[tuple[str, dict[str, str]]] = []
    bars: list[tuple[str, float | None, float]] = []
    sources: list[SourceRef] = []
    missing = []
    for party in parties[:5]:
        values, bar, refs = _column(k, party)
        if not values:
            missing.append(party)
            continue
        columns.append((party, values))
        sources += [r for r in refs if r.id not in {s.id for s in sources}]
        if bar is not None:
            bars.append(bar)
    if not columns:
        return Reply(text=f"Nothing on file for {', '.join(parties)}.", kind="info", ephemeral=True)
    image = await asyncio.to_thread(charts.tariff_bars, bars) if bars else None
    return cards.compare_reply(columns, sources[:8], image, missing)


def _column(
    k: Knowledge, party: str
) -> tuple[dict[str, str], tuple[str, float | None, float] | None, list[SourceRef]]:
    """One party's headline terms from the ledger; the headline rate from the stories if the ledger lacks it."""
    values: dict[str, str] = {}
    refs: list[SourceRef] = []
    bar = None
    found = pick_deal(k.index.deals, [party])
    if found is not None:
        term = headline_tariff(found)
        if term is not None:
            before, now = cards.tariff_change(term)
            values["US tariff"] = cards.term_line(term)
            if now is not None:
                bar = (party, before, float(now))
            ev = term.current.evidence[-1]
            refs.append(SourceRef(str(ev.story_id), ev.url, ev.title, ev.sentence))
        for t in found.terms:
            if t.type == "tariff" and "car" in t.label and t is not term and "Cars" not in values:
                values["Cars"] = cards.term_line(t)
        pledges = sorted(
            (t for t in found.terms if t.type in ("investment", "purchase") and t.current),
            key=lambda t: -(t.current.value.get("amount_usd") or 0),
        )  # type: ignore[union-attr]
        for kind, key in (("investment", "Investment"), ("purchase", "Purchases")):
            top = [t for t in pledges if t.type == kind][:2]
            if top:
                values[key] = "; ".join(
                    cards.term_line(t) + ("" if kind == "investment" else f" {t.label.split(' of ', 1)[-1]}")
                    for t in top
                )
        values["Status"] = cards.STATUS_WORDS.get(found.status, found.status)
        if found.updated_at:
            values["As of"] = f"{found.updated_at:%b %-d, %Y}"
    if "US tariff" not in values:
        answer = k.headline_rate(party)
        if answer is not None:
            rate, ref = answer
            values["US tariff"] = f"{rate:g}%"
            bar = (party, None, rate)
            refs.append(ref)
    return values, bar, refs


# ---------------------------------------------------------------- latest


@command("latest", usage="latest [party]", summary="the latest deal stories, optionally for one party")
async def latest(env: Env, cmd: Command) -> Reply:
    k = await knowledge(env) if cmd.text.strip() else None
    party = None
    if cmd.text.strip():
        named = _parties(cmd.text, k)
        if not named:
            return error(f"I don't know which country or bloc {cmd.text!r} is.")
        party = named[0]
    async with env.engine.connect() as conn:
        rows = await ledger_repo.latest_relevant_stories(conn, LATEST_LIMIT if party is None else 500)
    picked = []
    for r in rows:
        parties = sorted({p for d in (r.analysis or {}).get("deals") or [] for p in d.get("parties") or []})
        if party and party not in parties and party not in find_parties(r.title or ""):
            continue
        ref = cards.StoryRef(r.id, r.url, r.title, r.published.date() if r.published else None)
        picked.append((ref, r.summary or "", parties))
        if len(picked) >= LATEST_LIMIT:
            break
    return cards.latest_reply(picked, party)


# ---------------------------------------------------------------- autocomplete


async def complete(env: Env, kind: str, prefix: str, limit: int) -> list[str]:
    """Party names (canonical, matched on any alias) or deal names starting with `prefix`."""
    k = await knowledge(env)
    start = prefix.strip().lower()
    if kind == "deal":
        names = sorted({cards.deal_name(d.parties) for d in k.index.deals})
        hits = [
            n
            for n in names
            if any(part.lower().startswith(start) for part in n.split(" – ")) or n.lower().startswith(start)
        ]
        return hits[:limit]
    on_file = {p for d in k.index.deals for p in d.parties} | {p for s in k.index.stories for p in s.parties}
    matches = {canon for alias, canon in ALIASES.items() if alias.startswith(start)}
    ranked = sorted(matches, key=lambda p: (p not in on_file, p))
    return ranked[:limit]
