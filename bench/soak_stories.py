"""Distinct trade-deal stories for the soak, written from our own sentence parts.

Every story names its own pair of parties and carries sentences built from random parts, so no two
are near-duplicates (bot.story_groups would rightly announce a near-duplicate only once, and the
soak expects each story in every channel).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

COUNTRIES = [
    "Vietnam",
    "Thailand",
    "Indonesia",
    "Malaysia",
    "Philippines",
    "Japan",
    "South Korea",
    "India",
    "Brazil",
    "Argentina",
    "Chile",
    "Peru",
    "Colombia",
    "Mexico",
    "Canada",
    "Australia",
    "New Zealand",
    "Switzerland",
    "Norway",
    "Turkey",
    "Egypt",
    "Morocco",
    "Kenya",
    "Nigeria",
    "South Africa",
    "Pakistan",
    "Bangladesh",
    "Sri Lanka",
    "Cambodia",
    "Israel",
    "Saudi Arabia",
    "Qatar",
    "Singapore",
    "Taiwan",
    "Ecuador",
    "Jordan",
    "Ghana",
    "Ethiopia",
    "Kazakhstan",
    "Uruguay",
]
PARTNERS = ["United States", "European Union", "United Kingdom", "China"]
GOODS = [
    "cars",
    "steel",
    "rice",
    "beef",
    "soybeans",
    "textiles",
    "footwear",
    "semiconductors",
    "coffee",
    "aluminium",
    "furniture",
    "wine",
    "machinery",
    "pharmaceuticals",
    "solar panels",
    "shrimp",
]
VERBS = ["agreed", "struck", "sealed", "concluded", "reached"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
ROLES = [
    "A senior trade official",
    "The commerce ministry",
    "A spokeswoman for the cabinet",
    "An industry group",
    "The farm lobby",
    "A chamber of commerce economist",
    "The finance minister",
    "An exporters' association",
]
CITIES = [
    "Lyon",
    "Osaka",
    "Recife",
    "Mombasa",
    "Tromso",
    "Izmir",
    "Penang",
    "Cusco",
    "Hobart",
    "Tangier",
    "Aarhus",
    "Daegu",
    "Puebla",
    "Leipzig",
    "Cebu",
    "Kumasi",
    "Rosario",
    "Quetta",
]
EFFECTS = [
    "lift orders for",
    "shorten waiting times for",
    "lower prices of",
    "protect jobs making",
    "open new markets for",
    "draw investment into",
    "ease pressure on",
    "revive demand for",
]
WHEN = [
    "before the harvest",
    "by next spring",
    "within eighteen months",
    "after ratification",
    "once customs systems are updated",
    "during the coming season",
    "ahead of the election",
]
NOUNS = [
    "warehouses",
    "ports",
    "small suppliers",
    "dairy cooperatives",
    "fishing fleets",
    "logistics firms",
    "assembly plants",
    "family farms",
    "rail freight operators",
    "textile mills",
    "start-ups",
]
ADJ = ["cautious", "upbeat", "sceptical", "relieved", "divided", "impatient", "measured"]


def _filler(rng: random.Random) -> str:
    return (
        f"{rng.choice(ROLES)} in {rng.choice(CITIES)} said the change would {rng.choice(EFFECTS)} "
        f"{rng.choice(GOODS)} {rng.choice(WHEN)}, while {rng.choice(NOUNS)} remained {rng.choice(ADJ)}. "
        f"Analysts counted {rng.randint(3, 97)} {rng.choice(NOUNS)} near {rng.choice(CITIES)} likely to "
        f"benefit, and {rng.choice(ROLES).lower()} expected {rng.choice(NOUNS)} to {rng.choice(EFFECTS)} "
        f"{rng.choice(GOODS)}."
    )


def stories(seed: int) -> Iterator[tuple[str, list[str]]]:
    """(title, paragraphs) for as many distinct country pairs as there are."""
    rng = random.Random(seed)
    pairs = [(c, p) for p in PARTNERS for c in COUNTRIES]
    rng.shuffle(pairs)
    for country, partner in pairs:
        goods = rng.choice(GOODS)
        old = rng.choice([25, 30, 35, 40, 45, 50])
        new = rng.choice([5, 8, 10, 12, 15, 18, 20])
        title = f"{country} and {partner} {rng.choice(VERBS)} {goods} accord"
        paragraphs = [
            f"{country} and the {partner} {rng.choice(VERBS)} a trade deal on {rng.choice(DAYS)}, officials said.",
            f"Under the agreement, the {partner} will cut its tariff on {goods} from {country} to {new} percent "
            f"from {old} percent.",
            _filler(rng),
            _filler(rng),
        ]
        yield title, paragraphs
