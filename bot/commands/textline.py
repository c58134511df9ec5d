"""Parse a typed command line ("subscribe japan,vietnam updates-only") into (name, text, options).

Used by the console and by Slack's single /tradebot command; Discord has typed options instead.
"""

from __future__ import annotations

import re
from typing import Any

_ALIASES = {
    "list": "subscriptions", "subs": "subscriptions", "?": "help",
    "feeds add": "feeds_add", "feeds list": "feeds_list", "feeds remove": "feeds_remove",
    "feeds rm": "feeds_remove", "feeds": "feeds_list", "q": "ask",
}
_FLAGS = {"updates-only", "updates_only", "--updates-only"}


def _split_parties(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\bvs\.?\b|\band\b|\s{2,})\s*", text.strip(), flags=re.I)
    if len(parts) == 1:
        parts = text.split()
    return [p.strip() for p in parts if p.strip()]


def parse_line(line: str) -> tuple[str, str, dict[str, Any]]:
    """'/compare japan vietnam' → ('compare', 'japan vietnam', {'parties': ['japan', 'vietnam']})."""
    words = line.strip().lstrip("/").split()
    if not words:
        return "help", "", {}
    head2 = " ".join(words[:2]).lower()
    if head2 in _ALIASES:
        name, rest = _ALIASES[head2], words[2:]
    else:
        name, rest = _ALIASES.get(words[0].lower(), words[0].lower()), words[1:]
    text = " ".join(rest)
    options: dict[str, Any] = {}
    if name == "subscribe":
        flags = [w for w in rest if w.lower() in _FLAGS]
        rel = [w for w in rest if re.fullmatch(r"(?:min[-_]?relevance=)?0?\.\d+", w.lower())]
        countries = [w for w in rest if w not in flags and w not in rel]
        options["countries"] = _split_parties(" ".join(countries)) if countries else []
        options["updates_only"] = bool(flags)
        if rel:
            options["min_relevance"] = float(rel[0].split("=")[-1])
        text = ""
    elif name == "compare":
        options["parties"] = _split_parties(text)
    elif name == "feeds_add":
        interval = [w for w in rest if re.fullmatch(r"(?:--interval=|interval=)?\d+(?:\.\d+)?m?", w)]
        if interval and len(rest) > 1:
            options["interval"] = float(re.sub(r"[^\d.]", "", interval[-1]))
            text = " ".join(w for w in rest if w != interval[-1])
    return name, text, options
