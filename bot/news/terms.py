"""Deal terms from sentences: tariffs (new, previous and threatened rates), investment pledges,
purchase commitments and quotas, each with the sentence that states it.

Sentence-level rules, no lookups: a number becomes a term only when the words around it say so.
The roles of a percentage come from its neighbours ("to 15% from 27.5%", "instead of the 46%
threatened", "have been paying 27.5%"); who imposes it and on whose goods from the party mentions
in the same clause ("Japanese cars", "US tariff", "imports from China", "China will cut").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.news.numbers import Mention, find_money, find_percents, parse_count
from bot.news.parties import PartyMention, party_mentions
from bot.news.text import Sentence, split_clauses

US = "United States"

_OWN_TARIFF_RE = re.compile(r"^(?:'s|’s)?\s*(?:tariffs?|levy|dut)", re.I)
_BORDER_RE = re.compile(r"^\s*(?:border|market)\b", re.I)
_FIGURE_NEXT_RE = re.compile(r"^\s*(?:from|\d)")
_ITS_RE = re.compile(r"\bits\b")
_OF_NEXT_RE = re.compile(r"\s*of\b")
_TARIFF_WORDS_RE = re.compile(
    r"\b(tariffs?|dut(?:y|ies)|levy|levies|levied|rates?|charged?|charges|tax(?:ed|es)?|pays?|paying|paid|"
    r"customs|baseline|reciprocal|ceiling|duty-free|tariff-free|taxed|face|faces|facing)\b",
    re.I,
)
# A sentence about something else entirely, or set against the deal.
_SKIP_SENTENCE_RE = re.compile(
    r"^\s*(?:separately|in unrelated news|for contrast|by contrast|by way of comparison|for comparison|elsewhere)\b",
    re.I,
)
_EXCLUDED_CLAUSE_RE = re.compile(
    r"\b(?:outside (?:the|both|this|that|of the) (?:deal|agreement|arrangements?|pact|truce)|not covered by the (?:deal|agreement|pact)|does not cover|"
    r"doesn't cover|do not cover|left outside|not part of the (?:deal|agreement)|unaffected|not affected|"
    r"stay as they are|not touched|remains? unchanged|sits? outside|spared|other suppliers|most other|"
    r"other (?:countries|partners|trading partners))\b",
    re.I,
)
_HISTORY_RE = re.compile(
    r"\b(?:last year|before this year|a year earlier|a year ago|historically|on average|average|in (?:19|20)\d\d|"
    r"decades?)\b",
    re.I,
)
_COMPOSITION_RE = re.compile(
    r"\b(?:combin(?:es|ing)|made up of|stacked on|consist\w* of|comprising|including an?|plus (?:an?|the)|on top of|"
    r"points? of|leaving)\b",
    re.I,
)
_NOT_RATE_AFTER_RE = re.compile(
    r"^\s*(?:of\b|higher|lower|more\b|less\b|up\b|down\b|stake|share|majority|increase|rise|gain|drop|decline|"
    r"jump|fall|growth|chance|probability|margin|of the vote|interest)",
    re.I,
)
_NOT_RATE_BEFORE_RE = re.compile(
    r"(?:\b(?:rose|fell|gained|jumped|climbed|slipped|dropped|surged|declined|increased|decreased|grew|shrank|lost|"
    r"added|rallied|tumbled|plunged|soared|edged|rising|falling|up|down|by)\b(?:\s+(?!from\b|to\b)\w+){0,3}\s*|\bby\s+)$",
    re.I,
)
_MARKET_RE = re.compile(
    r"\b(?:shares?|stocks?|index|indices|Nikkei|S&P|Dow|Nasdaq|Hang Seng|FTSE|DAX|Kospi|yields?|inflation|GDP|"
    r"growth|economy|profits?|revenue|earnings|sales|poll|approval|unemployment|interest rates?|Bank Rate|"
    r"forecast|survey|vote|market share|of the profits)\b",
    re.I,
)
_OLD_CONNECTIVE_RE = re.compile(
    r"(?:\bdown from|\bup from|\bfrom|\binstead of|\brather than|\breplac\w*|\b(?:far |much |well )?(?:lower|less|higher|more) than|"
    r"\bbelow|\babove|\bagainst|\bcompared (?:with|to)|\bversus|\bvs\.?|\bin place of|\bas opposed to|\bdouble|\btriple|"
    r"\bdropping|\bscrapping|\bremoving|\beliminating|\bcutting|\bheads? off|\bheaded off|\bavert\w*|\bescap\w*|"
    r"\bbetter than|\bworse than|\bnot)"
    r"\s+(?:(?:the|a|an|its|their|his|about|some|roughly|nearly|almost|around|current|existing|earlier|previous|"
    r"threatened|planned|proposed|paying|charging|charged|paid|at|of|levy|tariff|rate|duty)\s+)*$",
    re.I,
)
_CHANGE_TO_RE = re.compile(
    r"\b(?:cut|cuts|lower\w*|reduc\w*|fall\w*|fell|drop\w*|come down|comes down|came down|coming down|slash\w*|"
    r"brought down|bring\w* down|trim\w*|rais\w*|increas\w*|hik\w*|lift\w*|goes|go|went|set|sets|fixed|capped|"
    r"settled?|agreed|lowered)\b[^%]{0,40}\b(?:to|at)\s+(?:(?:a|an|about|just|only)\s+)?$",
    re.I,
)
_THREAT_RE = re.compile(
    r"\b(?:threat\w*|warn\w*|letters?|had said|would have|could have|"
    r"loom\w*|head(?:s|ed)? off|avert\w*|escap\w*|due to (?:return|rise|take effect|kick in)|was due|"
    r"set to (?:rise|jump|take effect)|planned|suspended|paused|announced for|announced in April|proposed|"
    r"would face|could face|snap back|revert\w*|would (?:apply|impose|charge|add|raise|increase|hike))\b",
    re.I,
)
_ENDING_RE = re.compile(
    r"^\s*(?:\w+\s+){0,3}?(?:stops? applying|no longer appl\w*|(?:is|are|will be) (?:scrapped|removed|dropped|"
    r"eliminated|lifted|waived)|goes away|disappears?)\b",
    re.I,
)
_CURRENT_RE = re.compile(
    r"\b(?:currently|now|have been paying|has been paying|had been paying|been paying|have paid|has paid|"
    r"had paid|have been charged|until now|up to now|so far|at present|baseline|in force|for now|still pay\w*|"
    r"still fac\w*|existing|since (?:April|January|February|March|May|June|July|August|early|the start))\b",
    re.I,
)
_ZERO_RE = re.compile(
    r"\b(?:duty[- ]free|tariff[- ]free|free of (?:duty|duties|tariffs?)|zero(?:[- ](?:tariffs?|duty|duties|rate))?|"
    r"(?:no|without(?: paying)?) (?:tariffs|duties|duty|tariff)|"
    r"(?:remov|eliminat|scrap|abolish|lift|drop|end)\w* (?:all |its |their |the |own |about |nearly |almost |of |"
    r"most |\d+% of |\d+(?:\.\d+)?% |its own |counter-|retaliatory )*(?:tariffs?|duties|tariff barriers|tariff lines))",
    re.I,
)
_BOTH_WAYS_RE = re.compile(
    r"\b(?:in both directions|both ways|each other|reciprocal(?:ly)? (?:zero|duty-free))\b", re.I
)

_GOODS_AFTER_RE = re.compile(
    r"^(?:-(?:origin|made|built|grown|assembled))?\s*(?:[\w-]+\s+){0,2}?(?:goods|imports|products|exports|exporters|"
    r"shipments|cars|vehicles|autos|steel|metal|aluminium|aluminum|beef|ethanol|rice|items|merchandise|produce|"
    r"components|parts|engines|aircraft|lumber|pharmaceuticals|medicines|chips|semiconductors|textiles|garments|"
    r"shoes|apparel|clothing|firms|companies|manufacturers|carmakers|makers|plants|factories|origin|seafood|"
    r"wine|spirits|cheese|pork|chicken|farm|agricultural|industrial|energy|cloth|fabric)\b",
    re.I,
)
_IMPOSER_AFTER_RE = re.compile(
    r"^(?:'s|’s)?\s*(?:\d[\d.,]*\s*%\s*)?(?:[\w-]+\s+){0,2}?(?:tariffs?|levy|levies|dut(?:y|ies)|rates?|charges?|"
    r"customs|border|reciprocal)\b",
    re.I,
)
# A demonym before a common noun names where goods come from, unless the noun is people or a tariff.
_DEMONYM_GOODS_RE = re.compile(
    r"^\s+(?!(?:tariffs?|levy|levies|dut(?:y|ies)|rates?|government|officials?|minister|ministry|president|"
    r"prime|side|negotiators?|leaders?|authorities|people|counterparts?|delegation|economy|market|"
    r"companies|firms|customs|central|trade|commerce)\b)[a-z][a-z-]+\b"
)
_ORIGIN_BEFORE_RE = re.compile(r"\b(?:from|on|for|against|of|through|via)\s+(?:the\s+)?$", re.I)
# "Tokyo had been warned of 25%", "Brussels of 30%": the party named is the one whose goods are hit.
_PASSIVE_TARGET_RE = re.compile(
    r"^\s*(?:(?:had|has|have) been|was|were|is|are|being)\s+(?:\w+\s+)?(?:warned|threatened|hit|handed|told|"
    r"sent|given|spared|slapped|charged|offered)\b|^\s*(?:of|with)\s+(?:a\s+)?\d",
    re.I,
)
_DESTINATION_BEFORE_RE = re.compile(r"\b(?:enter\w*|into|in to|to)\s+(?:the\s+)?$", re.I)
_SUBJECT_AFTER_RE = re.compile(
    r"^(?:(?:'s|’s)\s+(?:[\w-]+\s+){0,2}?(?:government|ministry|side|administration|negotiators?)\s+)?\s*"
    r"(?:\d[\d.,]*\s*%|will|would|shall|is|was|has|had|agreed|agrees|came|comes|cut|cuts|lower\w*|reduc\w*|"
    r"slash\w*|set|sets|put|puts|impos\w*|appl\w*|charg\w*|levy|levies|hold|holds|keep|keeps|remov\w*|"
    r"eliminat\w*|drop\w*|scrap\w*|rais\w*|lift\w*|moved|announced|committed|pledged|promised|accepted|must|"
    r"can|could|also|plans?|admits?|admitted|allow\w*|gives?|grants?|doing)\b",
    re.I,
)


_WORD_RE = re.compile(r"[A-Za-z]+")
_SUBJECT_BIGRAMS = {
    ("car", "parts"): (1, "cars and car parts"),
    ("auto", "parts"): (1, "cars and car parts"),
    ("routed", "through"): (0, "transshipped goods"),
    ("sent", "through"): (0, "transshipped goods"),
    ("third", "countries"): (0, "transshipped goods"),
    ("industrial", "goods"): (16, "industrial goods"),
    ("farm", "goods"): (17, "agricultural products"),
    ("farm", "products"): (17, "agricultural products"),
}
_SUBJECT_WORDS: dict[str, tuple[int, str]] = {
    word: (rank, name)
    for rank, (name, words) in enumerate(
        [
            ("transshipped goods", "transship rerouted"),
            ("cars and car parts", ""),
            ("cars", "car cars vehicle vehicles auto autos automobile automobiles carmaker carmakers trucks"),
            ("steel and aluminium", "steel aluminium aluminum metal metals"),
            ("aircraft and parts", "aircraft aerospace engines aviation"),
            ("pharmaceuticals", "pharmaceu medicine medicines drugs"),
            ("semiconductors", "semiconductor semiconductors chips"),
            ("low-value parcels", "postal parcel parcels packages"),
            ("beef", "beef"),
            ("ethanol", "ethanol"),
            ("rice", "rice"),
            ("lumber", "lumber timber"),
            ("copper", "copper"),
            ("seafood", "seafood"),
            ("wine and spirits", "wine spirits"),
            ("textiles and clothing", "textile textiles garment garments apparel clothing"),
            ("footwear", "shoes footwear"),
            ("agricultural products", "agricultur"),
        ]
    )
    for word in words.split()
}
_SUBJECT_STEMS = ("transship", "agricultur", "pharmaceu")
_MONEY_SKIP_BEFORE_RE = re.compile(
    r"\b(?:surplus|deficit|two-way trade|trade (?:of|worth)|exports? (?:of|worth)|imports? (?:of|worth) (?:about )?|"
    r"revenue|receipts|collections|budget|GDP|profit|loss|income|earnings|sales|valued at|market value|"
    r"cost (?:it|them|us|the company)|fee|per|hit|bill|a fine|fined|subsidies|aid|loans?)\b[^$]{0,25}$",
    re.I,
)
_HYPOTHETICAL_RE = re.compile(
    r"\b(?:suggest\w*|propos\w*|expectation|expected to ask|would ask|could ask|asked for|demand\w*|might|"
    r"hypothetical|rumou?r\w*|floated|initial offer|opening offer|counter-?offer)\b",
    re.I,
)
_INVEST_RE = re.compile(r"\binvest\w*\b", re.I)
_PURCHASE_RE = re.compile(
    r"\b(?:buy\w*|bought|purchas\w*|order\w*|import\w*|procure\w*|spending|spend\w*|acquir\w*)\b", re.I
)
_QUOTA_UNIT_RE = re.compile(
    r"(?<![\w.$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:million|billion)\b)?[\s-]+(?:(?:[\w]+-[\w-]+|metric|"
    r"new|more|british|american|uk|us|european|japanese|korean|vietnamese|additional)\s+){0,2}?"
    r"(tonnes?|tons|litres?|liters?|gallons?|barrels?|cars|vehicles|units|head of cattle|bushels?)\b",
    re.I,
)
_QUOTA_CUE_RE = re.compile(
    r"\b(?:quotas?|allowance|ceiling|cap|capped|first|up to|as many as|duty-free|free of duty|tariff-free|"
    r"without paying|at (?:a |an )?(?:combined |reduced |lower )?\d+(?:\.\d+)?%|tariff-rate)\b",
    re.I,
)
_QUOTA_SKIP_RE = re.compile(
    r"\b(?:existing|last year|in (?:19|20)\d\d|exported|sold|sent|shipped to .* last|buy\w*|purchas\w*|"
    r"evacuat\w*|residents|jobs|workers|people)\b",
    re.I,
)
_PURCHASE_COUNT_RE = re.compile(
    r"\b(?:buy|purchase|order|acquire|committed to|commit to)\w*\s+(?:up to\s+|as many as\s+|at least\s+|about\s+)?"
    r"(\d{1,3}(?:,\d{3})*)\s+((?:new\s+)?(?:Boeing|Airbus)?\s*(?:jets|aircraft|planes|airliners))",
    re.I,
)
# A purchase commitment without a figure: "expanding imports of U.S.-grown rice", "buy more American beef".
_BUY_MORE_RE = re.compile(
    r"\b(?:expand\w*|increas\w*|boost\w*|rais\w*)\s+(?:its\s+|their\s+)?imports\s+of\s+"
    r"(?:U\.S\.|US|American)(?:[- ](?:grown|made|built|produced))?\s+([a-z]+)\b(?!\s+by\s+\d)"
    r"|\b(?:buy|purchase|import)\s+more\s+(?:U\.S\.|US|American)\s+([a-z]+)",
    re.I,
)
_IMPORT_INCREASE_RE = re.compile(
    r"\b(?:increas|rais|boost|expand|lift)\w*\s+(?:its\s+|their\s+)?(?:imports|purchases)\s+of\s+"
    r"((?:[\w-]+\s+){0,3}?[\w-]+)\s+by\s+(\d+(?:\.\d+)?)\s*%",
    re.I,
)
_LIST_OBJECT_RE = re.compile(
    r"^\s*(?:worth\s+)?of\s+((?:[\w-]+\s+){0,4}?[\w-]+?"
    r"(?:(?:,\s+|,?\s+and\s+)(?![$\d])(?!(?:many|most|some|all|which|who|including|such|among|mainly|mostly|notably|plus)\b)(?:[\w-]+\s+){0,2}?[\w-]+?)*)"
    r"(?=\s*(?:,|\.|;|\band\b|\bover\b|\bby\b|\bin\b|\bfrom\b|\beach\b|\ba year\b|\bannually\b|\binside\b|"
    r"\bincluding\b|\bto\b|$))",
    re.I,
)


@dataclass(slots=True)
class TariffItem:
    imposer: str | None
    origin: str | None
    subject: str
    sentence: str
    index: int
    rate: float | None = None
    previous: float | None = None
    threatened: float | None = None
    current: float | None = None
    quota_only: bool = False
    explicit_subject: bool = False


@dataclass(slots=True)
class OtherTerm:
    term: dict
    party: str | None  # the non-US party it belongs to, for grouping into deals
    index: int


@dataclass(slots=True)
class Context:
    """What earlier sentences established: the tariff being talked about, the partner in view."""

    imposer: str | None = None
    origin: str | None = None
    subject: str = "all goods"
    partner: str | None = None
    last_item: TariffItem | None = None
    paragraph: int = -1
    set_at: int = -10  # sentence index where a figure-less tariff line last set the context


@dataclass(slots=True)
class Extraction:
    tariffs: list[TariffItem] = field(default_factory=list)
    others: list[OtherTerm] = field(default_factory=list)


def _subject_of(clause: str, pos: int) -> tuple[str, bool]:
    """The goods a rate applies to: the product word nearest the figure, else all goods."""
    lo = max(0, pos - 70)
    tokens = [(m.start() + lo, m.group(0).lower()) for m in _WORD_RE.finditer(clause, lo, pos + 60)]
    best: tuple[int, int, str] | None = None
    for i, (start, word) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        found = _SUBJECT_BIGRAMS.get((word, nxt)) or _SUBJECT_WORDS.get(word)
        if found is None:
            stem = next((s for s in _SUBJECT_STEMS if word.startswith(s)), None)
            found = _SUBJECT_WORDS[stem] if stem else None
        if found is None:
            continue
        rank, name = found
        dist = abs(start - pos)
        # Nearest wins; at equal distance the more specific subject (lower rank) wins.
        if best is None or (dist, rank) < (best[0], best[1]):
            best = (dist, rank, name)
    return (best[2], True) if best else ("all goods", False)


def _counterpart(party: str, ctx: Context, main: list[str]) -> str | None:
    """The other side of a two-party deal: usually the US and its partner, else the other main party."""
    if party != US:
        if US in main or not main:
            return US
        return next((p for p in main if p != party), None)
    if ctx.partner:
        return ctx.partner
    return next((p for p in main if p != US), None)


def _party_roles(clause: str, mentions: list[PartyMention]) -> list[tuple[str, str, int]]:
    """(party, role, position) for each mention: role is origin, imposer or subject."""
    out = []
    for pm in mentions:
        before = clause[max(0, pm.start - 30) : pm.start]
        after = clause[pm.end : pm.end + 60]
        if pm.kind == "capital" and re.search(
            r"\b(?:in|at|near|from|to|visited|via|around|across)\s+$", before, re.I
        ):
            continue  # a place, not an actor
        if _GOODS_AFTER_RE.match(after) and not _OWN_TARIFF_RE.match(after):
            out.append((pm.party, "origin", pm.start))
        elif pm.kind == "demonym" and _DEMONYM_GOODS_RE.match(after):
            out.append((pm.party, "origin", pm.start))  # "British whisky", "Swiss watches"
        elif (
            _IMPOSER_AFTER_RE.match(after) or _DESTINATION_BEFORE_RE.search(before) or _BORDER_RE.match(after)
        ):
            out.append((pm.party, "imposer", pm.start))
        elif _ORIGIN_BEFORE_RE.search(before) and pm.kind != "demonym" or _PASSIVE_TARGET_RE.match(after):
            out.append((pm.party, "origin", pm.start))
        elif _SUBJECT_AFTER_RE.match(after) or (pm.start < 4 and _FIGURE_NEXT_RE.match(after)):
            out.append((pm.party, "subject", pm.start))
        else:
            out.append((pm.party, "mention", pm.start))
    return out


def _resolve_parties(
    clause: str, pos: int, roles: list[tuple[str, str, int]], ctx: Context, main: list[str]
) -> tuple[str | None, str | None, int]:
    """(imposer, origin, explicit) for a rate at `pos` in the clause; explicit means a goods phrase or a
    tariff-owner phrase named the parties, not just a sentence subject."""

    def nearest(kind: str) -> str | None:
        cands = [(abs(p - pos), party) for party, role, p in roles if role == kind]
        return min(cands)[1] if cands else None

    origin = nearest("origin")
    imposer = nearest("imposer")
    if imposer and origin == imposer:
        origin = None
    strong = bool(imposer or origin)
    if not imposer and not origin:
        subject = nearest("subject")
        others = [
            party for party, role, _ in roles if role == "mention" and party != US and party not in main
        ]
        if subject:
            imposer = subject
        elif _ITS_RE.search(clause) and len({r[0] for r in roles}) == 1:
            imposer = roles[0][0]
        elif others:
            origin = others[0]  # a country named in passing: its figure is not this deal's
    level = 2 if strong else 1
    if imposer and origin and imposer != origin:
        return imposer, origin, level
    if origin:
        return _counterpart(origin, ctx, main), origin, level
    if imposer:
        return imposer, _counterpart(imposer, ctx, main), level
    if ctx.imposer or ctx.origin:
        return ctx.imposer, ctx.origin, 0
    partner = ctx.partner or next((p for p in main if p != US), None)
    return US, partner, 0


_RIGHT_STOP_RE = re.compile(r",|;|\band\b|\bbut\b|\bwhile\b|—")
_DEAL_NEAR_RE = re.compile(r"\b(?:deal|agree\w*|will|would)\b", re.I)


def _before(clause: str, pos: int, span: int = 90) -> str:
    """The words just before a figure: the patterns that read them are anchored at its left edge."""
    return clause[max(0, pos - span) : pos]


def _rate_roles(clause: str, percents: list[Mention]) -> list[str | None]:
    """new / previous / threatened / current for each percentage, None when it is not a rate."""
    roles: list[str | None] = []
    for i, p in enumerate(percents):
        prev_end = percents[i - 1].end if i else 0
        next_start = percents[i + 1].start if i + 1 < len(percents) else len(clause)
        left = clause[max(prev_end, p.start - 60) : p.start]
        right = _RIGHT_STOP_RE.split(clause[p.end : min(next_start, p.end + 80)], maxsplit=1)[0][:60]
        after = clause[p.end : p.end + 80]
        before = _before(clause, p.start)
        if _NOT_RATE_AFTER_RE.match(after) or (
            _NOT_RATE_BEFORE_RE.search(before) and not _CHANGE_TO_RE.search(before)
        ):
            roles.append(None)
            continue
        history_window = clause[max(0, p.start - 90) : p.end + 40]
        if (
            _MARKET_RE.search(clause, max(0, p.start - 45), p.end + 45)
            or _composed(clause, p)
            or (_HISTORY_RE.search(history_window) and not _DEAL_NEAR_RE.search(history_window))
        ):
            roles.append(None)
            continue
        around = left + " " + right
        if _OLD_CONNECTIVE_RE.search(left) or _ENDING_RE.match(after):
            roles.append("threatened" if _THREAT_RE.search(around) else "previous")
        elif _THREAT_RE.search(around):
            roles.append("threatened")
        elif _CURRENT_RE.search(around):
            roles.append("current")
        else:
            roles.append("new")
    # "US tariffs of 25% on British steel will be cut to zero": the first figure is what it was.
    for i, p in enumerate(percents):
        if roles[i] == "new" and _CHANGE_TO_RE.search(_before(clause, p.start)):
            for j in range(i):
                if (
                    roles[j] == "new"
                    and percents[j].value != p.value
                    and not _CHANGE_TO_RE.search(_before(clause, percents[j].start))
                ):
                    roles[j] = "previous"
    # "from 145% to 30%": the figure after "from" is the old one even without a change verb.
    return roles


_COMPOSITION_AFTER_RE = re.compile(r"^[^,;]{0,40}\b(?:stacked on|on top of|plus)\b", re.I)


def _composed(clause: str, p: Mention) -> bool:
    """A component of a figure already given ("30% combines a 10% duty with a 20% charge")."""
    if _COMPOSITION_AFTER_RE.match(clause[p.end :]):
        return True
    cues = list(_COMPOSITION_RE.finditer(clause[: p.start]))
    return bool(cues) and not _CHANGE_TO_RE.search(clause[cues[-1].end() : p.start])


def _zero_mentions(clause: str) -> list[Mention]:
    return [Mention(0.0, m.start(), m.end(), m.group(0)) for m in _ZERO_RE.finditer(clause)]


def _rate_pairs(clause: str) -> list[tuple[Mention, str]]:
    """Rates in a clause with their roles; "duty-free" and "cut to zero" count as 0%."""
    zeros = _zero_mentions(clause)
    percents: list[Mention] = []
    removed: set[int] = set()  # "drop its 25% counter-tariffs": the figure that goes to zero
    for p in find_percents(clause):
        if p.value > 1000:
            continue
        if all(p.end <= z.start or p.start >= z.end for z in zeros):
            percents.append(p)
        elif not _OF_NEXT_RE.match(clause, p.end):
            percents.append(p)
            removed.add(p.start)
    percents.extend(zeros)
    percents.sort(key=lambda p: p.start)
    roles = _rate_roles(clause, percents)
    roles = [
        "previous" if p.start in removed and "%" in p.text and r else r
        for p, r in zip(percents, roles, strict=True)
    ]
    return [(p, r) for p, r in zip(percents, roles, strict=True) if r]


_DIGIT_RE = re.compile(r"\d")
_BUY_HINT_RE = re.compile(
    r"\b(?:buy|purchas|order|acquir|commit|import|expand|increas|boost|rais|lift)", re.I
)
_RATE_ON_GOODS_RE = re.compile(
    r"%\s+(?:on|for)\s+(?:\w+\s+){0,2}(?:goods|imports|products|exports|items|anything|shipments)\b"
    r"|\b(?:warned|threatened) (?:of|with) (?:a )?\d",
    re.I,
)
_PRONOUN_START_RE = re.compile(r"^\s*(?:that|it|this|which|they)\b", re.I)
_BOTH_START_RE = re.compile(r"^\s*(?:both|each)\b(?! sides)", re.I)
_AND_RE = re.compile(r"\s+and\s+(?:the\s+)?")


def _split_on_parties(clauses: list[tuple[int, str]], mentions: list[PartyMention]) -> list[tuple[int, str]]:
    """ "... charge 30% on Chinese imports and China 10% on US goods": a new party after "and" starts a clause."""
    starts = {m.start for m in mentions}
    out: list[tuple[int, str]] = []
    for offset, clause in clauses:
        cut = 0
        for m in _AND_RE.finditer(clause):
            if offset + m.end() in starts and find_percents(clause[cut : m.start()]):
                out.append((offset + cut, clause[cut : m.start()]))
                cut = m.end()
        out.append((offset + cut, clause[cut:]))
    return out


class TermExtractor:
    """Walks an article's sentences in order, keeping the context the next sentence may lean on."""

    def __init__(self, main_parties: list[str]) -> None:
        self.main = main_parties
        self.ctx = Context(partner=next((p for p in main_parties if p != US), None))
        self.out = Extraction()

    def feed(self, sentence: Sentence) -> None:
        text = sentence.text
        if sentence.paragraph != self.ctx.paragraph and not sentence.heading:
            self.ctx.last_item = None if sentence.paragraph > self.ctx.paragraph + 2 else self.ctx.last_item
        self.ctx.paragraph = sentence.paragraph
        mentions = party_mentions(text)
        partners = [m.party for m in mentions if m.party != US and m.party in self.main]
        if partners:
            self.ctx.partner = partners[0]
        if _SKIP_SENTENCE_RE.match(text):
            return
        tariffish = bool(_TARIFF_WORDS_RE.search(text) or _RATE_ON_GOODS_RE.search(text)) or (
            self.ctx.set_at == sentence.index - 1 and bool(find_percents(text))
        )
        has_digit = bool(_DIGIT_RE.search(text))
        buys = bool(_BUY_HINT_RE.search(text))
        if not (tariffish or has_digit or buys):
            return  # nothing here can state a term: no tariff words, no figures, no purchases
        for offset, clause in _split_on_parties(split_clauses(text), mentions):
            cm = [
                PartyMention(m.party, m.start - offset, m.end - offset, m.text, m.kind)
                for m in mentions
                if offset <= m.start < offset + len(clause)
            ]
            roles = _party_roles(clause, cm)
            if tariffish:
                self._tariffs(clause, roles, sentence)
            if has_digit and _DIGIT_RE.search(clause):
                self._money(clause, text, cm, sentence)
                self._quota(clause, roles, sentence)
            if buys and _BUY_HINT_RE.search(clause):
                self._purchase_counts(clause, cm, sentence)

    # -- tariffs -------------------------------------------------------------------------------
    def _tariffs(self, clause: str, roles: list[tuple[str, str, int]], sentence: Sentence) -> None:
        if _EXCLUDED_CLAUSE_RE.search(clause):
            self._remember(clause, roles, sentence)
            return
        pairs = _rate_pairs(clause)
        if not pairs:
            self._remember(clause, roles, sentence)
            return
        quota_clause = bool(_QUOTA_UNIT_RE.search(clause) and _QUOTA_CUE_RE.search(clause))
        both = bool(_BOTH_WAYS_RE.search(clause))
        current: TariffItem | None = None
        siblings: list[TariffItem] = []  # "Both secured 15%...": the same figure for every partner
        items: list[TariffItem] = []
        last = self.ctx.last_item
        same_sentence = last is not None and last.index == sentence.index
        for mention, role in pairs:
            imposer, origin, explicit = _resolve_parties(clause, mention.start, roles, self.ctx, self.main)
            subject, explicit_subject = _subject_of(clause, mention.start)
            if mention.value == 0 and re.search(r"%\s+of\b", mention.text):
                # "eliminate about 99% of its tariff barriers on US goods": the share is the subject.
                subject = re.split(r"[,;.]", clause[mention.start :], maxsplit=1)[0].strip()
                explicit_subject = True
            if (
                same_sentence
                and _PRONOUN_START_RE.match(clause)
                and not any(pos < mention.start for _, _, pos in roles)
            ):
                imposer, origin, subject, explicit, explicit_subject = (
                    last.imposer,
                    last.origin,
                    last.subject,
                    2,
                    True,
                )
            partners = [p for p in self.main if p != US]
            if _BOTH_START_RE.match(clause) and explicit < 2 and role == "new" and len(partners) > 1:
                imposer, origin, explicit = US, partners[0], 2
                siblings = [
                    TariffItem(
                        US,
                        partner,
                        subject,
                        sentence.text,
                        sentence.index,
                        rate=mention.value,
                        explicit_subject=explicit_subject,
                    )
                    for partner in partners[1:]
                ]
                items.extend(siblings)
            continuation = not explicit and not explicit_subject and self.ctx.last_item is not None
            if continuation and role in ("previous", "current", "threatened") and not items:
                self._attach_old(self.ctx.last_item, role, mention.value)
                continue
            if not explicit_subject and self.ctx.last_item is not None and not explicit:
                subject = self.ctx.last_item.subject
            if role == "new":
                current = TariffItem(
                    imposer,
                    origin,
                    subject,
                    sentence.text,
                    sentence.index,
                    rate=mention.value,
                    quota_only=quota_clause,
                    explicit_subject=explicit_subject,
                )
                items.append(current)
                if both and imposer and origin:
                    items.append(
                        TariffItem(
                            origin,
                            imposer,
                            subject,
                            sentence.text,
                            sentence.index,
                            rate=mention.value,
                            explicit_subject=explicit_subject,
                        )
                    )
                continue
            target = current
            if target is None or (role == "previous" and target.previous is not None):
                # An old figure before its new one ("from 145% to 30%") waits for the next new rate.
                target = TariffItem(
                    imposer, origin, subject, sentence.text, sentence.index, explicit_subject=explicit_subject
                )
                items.append(target)
                current = target if current is None else current
            self._attach_old(target, role, mention.value)
            if target is current:
                for sibling in siblings:
                    self._attach_old(sibling, role, mention.value)
        # "from 145% to 30%": an item holding only the old figure merges into the next new rate.
        merged: list[TariffItem] = []
        for item in items:
            if (
                merged
                and merged[-1].rate is None
                and item.rate is not None
                and (merged[-1].origin, merged[-1].imposer) == (item.origin, item.imposer)
            ):
                old = merged.pop()
                item.previous = item.previous if item.previous is not None else old.previous
                item.threatened = item.threatened if item.threatened is not None else old.threatened
                item.current = item.current if item.current is not None else old.current
            merged.append(item)
        self.out.tariffs.extend(merged)
        if merged:
            last = merged[0]
            self.ctx.last_item = last
            self.ctx.imposer, self.ctx.origin, self.ctx.subject = last.imposer, last.origin, last.subject

    @staticmethod
    def _attach_old(item: TariffItem, role: str, value: float) -> None:
        if role == "threatened" and item.threatened is None:
            item.threatened = value
        elif role == "current" and item.current is None:
            item.current = value
        elif role in ("previous", "current", "threatened") and item.previous is None and value != item.rate:
            item.previous = value

    def _remember(self, clause: str, roles: list[tuple[str, str, int]], sentence: Sentence) -> None:
        """A tariff clause without a figure still says which tariff the next sentence is about."""
        if not roles or not _TARIFF_WORDS_RE.search(clause):
            return
        imposer, origin, explicit = _resolve_parties(clause, len(clause), roles, self.ctx, self.main)
        if explicit == 2:
            self.ctx.imposer, self.ctx.origin = imposer, origin
            self.ctx.subject = _subject_of(clause, 0)[0]
            self.ctx.last_item = None
            self.ctx.set_at = sentence.index

    # -- money -----------------------------------------------------------------------------------
    def _money(self, clause: str, sentence_text: str, cm: list[PartyMention], sentence: Sentence) -> None:
        money = [m for m in find_money(clause) if m.usd and m.value >= 1e7]
        if not money:
            return
        if _HYPOTHETICAL_RE.search(clause):
            return
        for i, m in enumerate(money):
            before = clause[: m.start]
            if _MONEY_SKIP_BEFORE_RE.search(before[-60:]):
                continue
            if i and re.search(r"\bfrom\s+(?:about\s+|around\s+|roughly\s+)?$", before[-25:]):
                continue  # "to $17 billion, from about $14 billion": the old figure
            if i and re.search(r"\b(?:including|of which|among them)\s+(?:about\s+|some\s+)?$", before[-30:]):
                continue  # "$350bn, including $150bn for shipbuilding": part of a figure already counted
            kind = self._money_kind(clause, m.start, m.end)
            if kind is None:
                continue
            by = self._payer(clause, cm, m.start)
            if kind == "investment":
                term = {
                    "type": "investment",
                    "by": by,
                    "in": US if by != US else self.ctx.partner,
                    "amount_usd": m.value,
                    "sentence": sentence.text,
                }
            else:
                term = {
                    "type": "purchase",
                    "by": by,
                    "of": self._object(clause, m.end),
                    "amount_usd": m.value,
                    "quantity": None,
                    "sentence": sentence.text,
                }
            self.out.others.append(OtherTerm(term, by if by != US else None, sentence.index))

    @staticmethod
    def _money_kind(clause: str, start: int, end: int) -> str | None:
        best: tuple[int, str] | None = None
        for pattern, kind in ((_INVEST_RE, "investment"), (_PURCHASE_RE, "purchase")):
            for cue in pattern.finditer(clause):
                dist = start - cue.end() if cue.end() <= start else cue.start() - end
                if dist > 90:
                    continue
                if best is None or dist < best[0]:
                    best = (dist, kind)
        return best[1] if best else None

    def _payer(self, clause: str, cm: list[PartyMention], pos: int) -> str | None:
        cands = [(abs(m.start - pos) + (0 if m.start < pos else 40), m.party) for m in cm if m.party != US]
        if cands:
            return min(cands)[1]
        return self.ctx.partner or next((p for p in self.main if p != US), None)

    @staticmethod
    def _object(clause: str, end: int) -> str:
        m = _LIST_OBJECT_RE.match(clause[end:])
        if not m:
            return "goods"
        words = re.sub(r"^(?:US|U\.S\.|American|America's)\s+", "", m.group(1).strip())
        return words or "goods"

    # -- quotas and counted purchases --------------------------------------------------------------
    def _quota(self, clause: str, roles: list[tuple[str, str, int]], sentence: Sentence) -> None:
        m = _QUOTA_UNIT_RE.search(clause)
        if not m or not _QUOTA_CUE_RE.search(clause) or _QUOTA_SKIP_RE.search(clause):
            return
        quantity = parse_count(m.group(1) + (m.group(2) or ""))
        if not quantity or quantity < 100:
            return
        imposer, origin, _ = _resolve_parties(clause, m.start(), roles, self.ctx, self.main)
        rate = next((p.value for p, role in _rate_pairs(clause) if role == "new"), None)
        subject, _ = _subject_of(clause, m.start())
        unit = m.group(3).lower()
        if unit in (
            "tonnes",
            "tonne",
            "tons",
            "litres",
            "litre",
            "liters",
            "liter",
            "gallons",
            "barrels",
            "bushels",
        ):
            subject = subject if subject != "all goods" else unit
        term = {
            "type": "quota",
            "by": imposer,
            "subject": subject,
            "quantity": quantity,
            "rate_pct": rate,
            "sentence": sentence.text,
        }
        partner = origin if imposer == US else imposer
        self.out.others.append(OtherTerm(term, partner, sentence.index))
        if _BOTH_WAYS_RE.search(clause) and origin:
            term2 = dict(term, by=origin)
            self.out.others.append(OtherTerm(term2, partner, sentence.index))

    def _purchase_counts(self, clause: str, cm: list[PartyMention], sentence: Sentence) -> None:
        for m in _BUY_MORE_RE.finditer(clause):
            by = self._payer(clause, cm, m.start())
            if by is None or by == US:
                continue
            term = {
                "type": "purchase",
                "by": by,
                "of": f"US {(m.group(1) or m.group(2)).lower()}",
                "amount_usd": None,
                "quantity": None,
                "sentence": sentence.text,
            }
            self.out.others.append(OtherTerm(term, by, sentence.index))
        for m in _IMPORT_INCREASE_RE.finditer(clause):
            by = self._payer(clause, cm, m.start())
            what = re.sub(r"^(?:US|U\.S\.|American)\s+", "", m.group(1).strip())
            term = {
                "type": "purchase",
                "by": by,
                "of": what,
                "amount_usd": None,
                "quantity": f"{m.group(2)}% increase in imports",
                "sentence": sentence.text,
            }
            self.out.others.append(OtherTerm(term, by if by != US else None, sentence.index))
        for m in _PURCHASE_COUNT_RE.finditer(clause):
            by = self._payer(clause, cm, m.start())
            what = "Boeing aircraft" if "boeing" in m.group(2).lower() else "aircraft"
            term = {
                "type": "purchase",
                "by": by,
                "of": what,
                "amount_usd": None,
                "quantity": f"{m.group(1)} aircraft",
                "sentence": sentence.text,
            }
            self.out.others.append(OtherTerm(term, by if by != US else None, sentence.index))


def extract_terms(sentences: list[Sentence], main_parties: list[str]) -> Extraction:
    """Raw term items in reading order; `assemble` in deals.py merges them into deals."""
    extractor = TermExtractor(main_parties)
    for sentence in sentences:
        extractor.feed(sentence)
    return extractor.out
