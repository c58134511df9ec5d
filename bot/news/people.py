"""Officials named as dealing: "Commerce Secretary Howard Lutnick", "Ryosei Akazawa, Japan's chief
tariff negotiator", "Vietnamese Prime Minister Pham Minh Chinh". Company bosses are not negotiators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.news.parties import find_parties

_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_NAME_TOKEN = rf"(?:[{_UP}][\w'’.-]*[\w]|[{_UP}]\.)"
_PARTICLE = r"(?:von|der|van|de|den|del|da|di|bin|al|la|le)"
_NAME = rf"({_NAME_TOKEN}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_TOKEN}){{1,3}}(?:,?\s+Jr\.)?)"
_ROLE_WORDS = (
    r"(?:Vice\s+)?(?:President|Prime\s+Minister|Premier|Chancellor|Minister(?:\s+(?:of|for)(?:\s+(?:and\s+)?"
    r"(?:Industry|Trade|Commerce|Economy|Economic|Affairs|Finance|Foreign|Agriculture|Investment|Planning|"
    r"Development|Business|Enterprise|International|Industrial|Energy|Resources|Security|State|Exports?|the))+)?|"
    r"Secretary(?:\s+of\s+[A-Z][a-z]+)?|Trade\s+Representative|Representative|Commissioner|Ambassador|Negotiator|"
    r"General\s+Secretary|Secretary-General|Governor|Deputy\s+Minister|Envoy)"
)
# Anchored on the role word (cheap to find); the qualifier before it ("Vietnamese Prime Minister",
# "US Trade Representative") is read backwards from there.
_ROLE_BEFORE_RE = re.compile(rf"(?<![\w]){_ROLE_WORDS}\s+{_NAME}")
_QUALIFIER_RE = re.compile(rf"((?:[{_UP}][\w'’.-]*[ \t]+){{1,4}})$")
_NAME_AT_END_RE = re.compile(rf"{_NAME}$")
_ROLE_AFTER_RE = re.compile(
    r",\s+(?!(?:met|said|told|called|asked|urged|added|and|but)\b)"
    r"(?:who\s+(?:heads|leads|runs|chairs)\s+|the\s+|a\s+|an\s+)?((?:[\w'’.-]+\s+){0,6}?"
    r"(?i:negotiator|minister|secretary|president|premier|envoy|representative|commissioner|ambassador|"
    r"chancellor|European Commission|trade chief|general secretary))"
)
_ROLE_THEN_NAME_RE = re.compile(rf"(?i:negotiator|trade minister|envoy|trade chief),\s+{_NAME}")
_ROLE_LEAD_RE = re.compile(r"((?:[\w'’]+\s+){1,3})$")
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "his",
        "her",
        "their",
        "its",
        "on",
        "in",
        "at",
        "of",
        "for",
        "and",
        "but",
        "said",
        "says",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "white",
        "house",
    ]
)
# Words that make a capitalised run an organisation, place or event rather than a person.
_NOT_PERSON = frozenset(
    [
        "deal",
        "news",
        "midlands",
        "summit",
        "street",
        "house",
        "party",
        "commission",
        "union",
        "office",
        "ministry",
        "department",
        "agreement",
        "statement",
        "act",
        "court",
        "bank",
        "group",
        "island",
        "city",
        "province",
        "prosperity",
        "fox",
        "council",
        "parliament",
        "congress",
        "senate",
        "organization",
        "organisation",
        "association",
        "federation",
        "agency",
        "times",
        "post",
        "journal",
    ]
)
_US_OFFICES = re.compile(
    r"\b(?:Commerce|Treasury|Agriculture|State|Defen[cs]e|Energy|Interior|Transportation|Labor)\s+Secretary\b"
    r"|\bTrade Representative\b|\bUSTR\b",
    re.I,
)
_NON_GOVERNMENT = re.compile(
    r"\b(?:chief executive|boss|chairman|CEO|founder|economist|analyst|director)\b", re.I
)


@dataclass(slots=True, frozen=True)
class Person:
    name: str
    side: str | None
    role: str


def _clean_name(name: str) -> str | None:
    tokens = name.replace(",", "").split()
    while tokens and tokens[-1].lower() in _NOT_NAMES:
        tokens.pop()
    while tokens and tokens[0].lower() in _NOT_NAMES:
        tokens.pop(0)
    if len(tokens) < 2 or any((t.isupper() and len(t) > 3) or t.lower() in _NOT_PERSON for t in tokens):
        return None
    return " ".join(tokens)


def _side(role_text: str, default_partner: str | None) -> str | None:
    parties = find_parties(role_text)
    if parties:
        return parties[0]
    if _US_OFFICES.search(role_text):
        return "United States"
    if re.fullmatch(r"\s*President\s*", role_text):
        return "United States"
    return default_partner


def find_people(text: str, default_partner: str | None = None) -> list[Person]:
    """Government people named in the text, first mention first, one entry per surname."""
    found: dict[str, Person] = {}

    def add(name: str, role: str, pos: int) -> None:
        clean = _clean_name(name)
        if not clean or _NON_GOVERNMENT.search(role):
            return
        key = clean.split()[-1].lower()
        if key not in found:
            found[key] = Person(clean, _side(role, default_partner), re.sub(r"\s+", " ", role.strip()))
            order[key] = pos

    order: dict[str, int] = {}
    for m in _ROLE_THEN_NAME_RE.finditer(text):
        lead = _ROLE_LEAD_RE.search(text[max(0, m.start() - 50) : m.start()])
        role = (lead.group(1) if lead else "") + text[m.start() : m.start(1)].rstrip(", ")
        add(m.group(1), role, m.start())
    for m in _ROLE_BEFORE_RE.finditer(text):
        qualifier = _QUALIFIER_RE.search(text[max(0, m.start() - 60) : m.start()])
        role = (qualifier.group(1) if qualifier else "") + text[m.start() : m.start(1)].strip()
        add(m.group(1), role, m.start())
    for m in _ROLE_AFTER_RE.finditer(text):
        name = _NAME_AT_END_RE.search(text[max(0, m.start() - 60) : m.start()])
        if name:
            add(name.group(1), m.group(1), m.start() - len(name.group(0)))
    return [found[k] for k in sorted(found, key=order.__getitem__)]
