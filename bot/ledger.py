"""The deal ledger: merges the deals that stories report into one record per deal.

A story's analysis lists deals (the `tradebot analyze` contract shape, each term with its source
sentence). `record_story` files them:

- a deal is identified by its parties; a story joins the newest deal with the same parties that
  was active within `MERGE_WINDOW` of the story, or starts a new one;
- a story naming three or more parties (a comparison piece) is split into one deal per pair, each
  term going to the pair it concerns (a US tariff on goods from Vietnam goes to US–Vietnam);
- each term ("United States tariff on cars from Japan") keeps a row per story that states it, with
  the sentence and the date the story speaks for; values are ordered by that date, so stories
  ingested out of order still give the right history and the latest state is the current one;
- two stories of the same day that disagree are both kept and flagged as a conflict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.qa_parties import US, normalise
from bot.qa_text import calendar_year, story_date
from bot.store import ledger_repo as repo

MERGE_WINDOW = timedelta(days=240)
STATUS_ORDER = ("negotiating", "announced", "signed", "in_effect", "collapsed")


@dataclass(slots=True)
class FiledTerm:
    key: str
    type: str
    label: str
    value: dict[str, Any]
    sentence: str
    pair: frozenset[str]


def _num(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _subject(value: Any) -> str:
    return " ".join(str(value or "all goods").lower().split())


def file_term(term: dict[str, Any], deal_parties: list[str]) -> FiledTerm | None:
    """Key, label and the party pair of one contract TERM; None for a term we cannot key."""
    kind = term.get("type")
    value = {k: v for k, v in term.items() if k != "sentence"}
    sentence = str(term.get("sentence") or "")
    if kind == "tariff":
        by, origin = normalise(term.get("imposed_by") or US), normalise(term.get("on_goods_from") or "")
        if not origin:
            return None
        subject = _subject(term.get("subject"))
        for k in ("rate_pct", "previous_rate_pct", "threatened_rate_pct"):
            value[k] = _num(term.get(k))
        value.update(imposed_by=by, on_goods_from=origin, subject=subject)
        return FiledTerm(
            f"tariff|{by}|{origin}|{subject}",
            "tariff",
            f"{by} tariff on {subject} from {origin}",
            value,
            sentence,
            frozenset((by, origin)),
        )
    if kind in ("investment", "purchase", "quota", "market_access"):
        by = normalise(term.get("by") or "")
        if not by:
            return None
        others = [p for p in deal_parties if p != by]
        other = normalise(term.get("in") or "") or (US if US in others else (others[0] if others else by))
        value["by"] = by
        if kind == "investment":
            value["amount_usd"] = _num(term.get("amount_usd"))
            return FiledTerm(
                f"investment|{by}|{other}",
                kind,
                f"{by} investment in {other}",
                value,
                sentence,
                frozenset((by, other)),
            )
        subject = _subject(term.get("of") if kind == "purchase" else term.get("subject"))
        if kind == "purchase":
            value["amount_usd"] = _num(term.get("amount_usd"))
            label = f"{by} purchases of {subject}"
        elif kind == "quota":
            label = f"{by} quota on {subject}"
        else:
            subject = subject[:120]
            label = f"{by} market access: {subject}"
        return FiledTerm(
            f"{kind}|{by}|{other}|{subject}", kind, label, value, sentence, frozenset((by, other))
        )
    return None


@dataclass(slots=True)
class DealReport:
    """One deal as one story reports it, after splitting multi-party reports into pairs."""

    parties: list[str]
    status: str
    date: date | None
    people: list[dict[str, str]]
    terms: list[FiledTerm]


def split_deal(deal: dict[str, Any]) -> list[DealReport]:
    parties = sorted(dict.fromkeys(normalise(p) for p in deal.get("parties") or [] if p))
    status = str(deal.get("status") or "announced")
    when = _parse_date(deal.get("date"))
    people = [dict(p) for p in deal.get("people") or [] if isinstance(p, dict) and p.get("name")]
    for p in people:
        if p.get("side"):
            p["side"] = normalise(p["side"])
    filed = [f for t in deal.get("terms") or [] if isinstance(t, dict) and (f := file_term(t, parties))]
    if len(parties) <= 2:
        return [DealReport(parties, status, when, people, filed)] if parties else []
    by_pair: dict[frozenset[str], list[FiledTerm]] = {}
    for f in filed:
        if len(f.pair) == 2 and f.pair <= set(parties):
            by_pair.setdefault(f.pair, []).append(f)
    reports = []
    for pair, pair_terms in by_pair.items():
        pair_people = [p for p in people if p.get("side") in pair]
        reports.append(DealReport(sorted(pair), status, when, pair_people, pair_terms))
    return reports


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _story_date(row: Any, year_hint: int | None = None) -> date | None:
    """The date a story speaks for: its publication date, else the date its own words give (a dateline,
    "on Tuesday, July 22"), in the year of the store's dated stories or of its own calendar; else None."""
    published = row.published
    if isinstance(published, datetime):
        return published.date()
    analysis = row.analysis or {}
    stated = _parse_date(analysis.get("published"))
    if stated:
        return stated
    year = year_hint or calendar_year([row.text or ""], min_pairs=1)
    if year is None:
        # no publication date and nothing to tell the year by: better unknown than a wrong year
        # (an undated story then joins the newest deal of its parties, and its values sort first)
        return None
    return story_date(row.text or "", row.title or "", year)


async def _find_deal(conn: AsyncConnection, parties: list[str], when: date | None) -> Any | None:
    best = None
    for row in await repo.all_deal_rows(conn):
        if sorted(row.parties) != parties:
            continue
        active = row.updated_at  # the date our stories speak for; the stated deal date may be a guess
        if when and active and abs(when - active) > MERGE_WINDOW:
            continue
        if best is None or (row.updated_at or date.min) > (best.updated_at or date.min):
            best = row
    return best


def _merge_people(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    names = {p["name"].lower() for p in old}
    return old + [p for p in new if p["name"].lower() not in names]


async def record_story(conn: AsyncConnection, story_id: int) -> list[int]:
    """File a stored story's deals into the ledger; return ids of term values that changed a term's
    current value (what an 'updates only' subscriber is told about)."""
    row = await repo.story_row(conn, story_id)
    if row is None:
        return []
    analysis = row.analysis or {}
    stated_on = _story_date(row, await repo.usual_year(conn))
    changed: list[int] = []
    for deal in analysis.get("deals") or []:
        for report in split_deal(deal):
            changed += await _file_report(conn, story_id, stated_on, report)
    return changed


async def _file_report(
    conn: AsyncConnection, story_id: int, stated_on: date | None, report: DealReport
) -> list[int]:
    existing = await _find_deal(conn, report.parties, stated_on)
    if existing is None:
        deal_id = await repo.insert_deal(
            conn, report.parties, report.status, report.date, report.people, stated_on
        )
        had_stories = False
    else:
        deal_id = existing.id
        had_stories = await repo.deal_story_count(conn, deal_id) > 0
        values: dict[str, Any] = {"people": _merge_people(list(existing.people or []), report.people)}
        if stated_on is None or existing.updated_at is None or stated_on >= existing.updated_at:
            # the newest story speaks for the deal's state
            values.update(status=report.status, updated_at=stated_on or existing.updated_at)
            if report.date:
                values["date"] = report.date
        elif existing.date is None and report.date:
            values["date"] = report.date
        await repo.update_deal(conn, deal_id, **values)
    if not await repo.link_story(conn, deal_id, story_id):
        return []  # this story was filed already
    changed = []
    for filed in report.terms:
        term, created = await repo.term_id(conn, deal_id, filed.key, filed.type, filed.label)
        value_id = await repo.insert_value(conn, term, story_id, filed.value, filed.sentence, stated_on)
        rows = await repo.values_of(conn, term)
        await _flag_conflicts(conn, rows)
        if _changes_current(rows, value_id) and (not created or had_stories):
            changed.append(value_id)
    return changed


async def _flag_conflicts(conn: AsyncConnection, rows: Any) -> None:
    """Values stated on the same day by different stories that disagree: keep both, flag both."""
    by_day: dict[date | None, list[Any]] = {}
    for r in rows:
        by_day.setdefault(r.stated_on, []).append(r)
    flagged = []
    for day, same_day in by_day.items():
        if day is None or len(same_day) < 2:
            continue
        distinct = Counter(repo.core_value(r.value) for r in same_day)
        if len(distinct) > 1:
            flagged += [r.id for r in same_day if not r.conflict]
    await repo.set_conflict(conn, flagged)


def _changes_current(rows: Any, value_id: int) -> bool:
    """Is the new value now the term's latest, and different from the value it replaced?"""
    ordered = sorted(rows, key=lambda r: (r.stated_on or date.min, r.id))
    if ordered[-1].id != value_id:
        return False
    if len(ordered) == 1:
        return True
    return repo.core_value(ordered[-2].value) != repo.core_value(ordered[-1].value)


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else 1
