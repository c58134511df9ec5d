"""A small invented news corpus for the Q&A tests (our own wording; the figures are made up).

Three South Korea stories over time (threat → deal → cars cut takes effect), a Swiss deal, a
Thailand/Philippines comparison piece, India talks and an unrelated markets story that mentions
Korea. Some carry a publication date (as feed items do), others only a dateline (as files do).
"""

from __future__ import annotations

STORIES: list[dict] = [
    {
        "url": "fixtures/korea-threat.txt",
        "title": "Washington warns Seoul of 35% tariff",
        "published": None,
        "text": (
            "SEOUL, March 2, 2030 (wire) — The White House warned on Monday that South Korean goods would face "
            "a 35% tariff from April 1 unless Seoul improved its offer.\n"
            "Korean exports currently pay a 10% baseline duty at the US border.\n"
            "Officials in Seoul said talks would continue next week."
        ),
    },
    {
        "url": "fixtures/korea-deal.txt",
        "title": "US and South Korea strike trade deal",
        "published": None,
        "text": (
            "WASHINGTON, March 20 (wire) — The United States and South Korea reached a trade agreement on "
            "Thursday, March 19, that sets an 18% tariff on South Korean goods, down from the 35% rate "
            "threatened earlier this month.\n"
            "South Korea will invest $300 billion in American shipbuilding and energy projects.\n"
            "Seoul also agreed to buy $90 billion of US liquefied natural gas over four years.\n"
            "Trade Minister Park Jin-ho led the Korean delegation and met Commerce Secretary Alan Reyes twice.\n"
            "Korean cars will pay 12.5% instead of the 25% charged since January."
        ),
    },
    {
        "url": "fixtures/korea-cars-effect.txt",
        "title": "Lower US tariff on Korean cars kicks in",
        "published": "2030-05-02",
        "text": (
            "The reduced US tariff on Korean cars took effect on Friday, May 1, a week later than carmakers had "
            "hoped.\n"
            "Cars from South Korea now enter the United States at 12.5%, while the general 18% rate for other "
            "Korean goods is unchanged.\n"
            "Korean steel still pays 50%, because metals were left out of the agreement."
        ),
    },
    {
        "url": "fixtures/swiss-deal.html",
        "title": "Switzerland settles with Washington at 15%",
        "published": "2030-06-15",
        "text": (
            "Bern and Washington announced a deal on Saturday that lowers the US tariff on Swiss goods to 15% "
            "from 39%.\n"
            "Swiss companies pledged to invest $200 billion in the United States by 2028.\n"
            "Economy Minister Anna Keller said the outcome would protect watchmakers and pharmaceutical firms.\n"
            "Swiss watch movements will enter the United States duty-free under a separate annex."
        ),
    },
    {
        "url": "fixtures/thai-philippines.txt",
        "title": "Thailand and the Philippines: two deals compared",
        "published": "2030-07-01",
        "text": (
            "Thailand secured a 19% US tariff, while the Philippines ended up at 20%.\n"
            "Bangkok will also buy 40 Boeing 737 jets for its national carrier.\n"
            "Manila promised to cut duties on American pork and wheat.\n"
            "Analysts said both rates beat the 36% each had been threatened with in April."
        ),
    },
    {
        "url": "fixtures/india-talks.txt",
        "title": "India presses on with US trade talks",
        "published": "2030-04-10",
        "text": (
            "NEW DELHI — India and the United States held a fourth round of trade talks this week.\n"
            "India's Commerce Secretary Rajesh Kumar, who heads India's negotiating team, said a first tranche "
            "could be ready by autumn.\n"
            "Indian goods currently face a 26% tariff."
        ),
    },
    {
        "url": "fixtures/canada-threat.txt",
        "title": "Ottawa braces for 40% tariff",
        "published": None,
        "text": (
            "OTTAWA — Washington warned on Thursday that Canadian goods not covered by the existing pact could face "
            "a 40% tariff from June 1.\n"
            "Canada's chief negotiator, Finance Minister Claire Dubois, said Ottawa would not be rushed.\n"
            "Canadian lumber already pays 25%."
        ),
    },
    {
        "url": "fixtures/canada-deal.txt",
        "title": "Canada and US settle at 20%",
        "published": None,
        "text": (
            "OTTAWA, May 28, 2030 (wire) — Canada and the United States reached a deal on Wednesday that sets a 20% "
            "tariff on Canadian goods outside the pact, rather than the 40% Washington had threatened.\n"
            "Canadian lumber will pay 15% instead of 25%.\n"
            "Canada will buy 12 US-made firefighting aircraft and lift its 8% duty on US pork.\n"
            "The United States will cut its tariff on Canadian steel to 25% from 50%, and Ottawa will lower its "
            "duty on US dairy to 5% from 15%."
        ),
    },
    {
        "url": "fixtures/mexico-steel.txt",
        "title": "Mexico gets steel quota",
        "published": "2030-06-12",
        "text": (
            "Mexico secured a quota of 500,000 tonnes of steel a year that can enter the United States at 10%, with "
            "anything above it paying 50%, the economy ministry said on Thursday.\n"
            "The quota applies from July 1."
        ),
    },
    {
        "url": "fixtures/markets.txt",
        "title": "Stocks rise as chipmakers rally",
        "published": "2030-05-03",
        "relevant": False,
        "text": (
            "Shares of Korean automakers jumped 5% on Friday and the Kospi index rose 1.2%.\n"
            "Inflation in South Korea slowed to 2.1% in April, the statistics office said."
        ),
    },
]

# (question, expected substrings in the answer (all), expected cited url stem or None for "don't know")
QUESTIONS: list[tuple[str, list[str], str | None]] = [
    ("what tariff does south korea pay now?", ["18%"], "korea"),
    ("S. Korea car tariff?", ["12.5%"], "korea"),
    ("what rate was korea threatened with originally?", ["35%"], "korea"),
    ("What were korean cars paying before the deal?", ["25%"], "korea-deal"),
    ("how much is korea investing in the US", ["$300 billion"], "korea-deal"),
    ("how much LNG is Seoul buying?", ["$90 billion"], "korea-deal"),
    ("who led the korean delegation?", ["Park Jin-ho"], "korea-deal"),
    ("when did the lower tariff on korean cars take effect", ["May 1"], "korea-cars-effect"),
    ("When was the Korea deal reached?", ["March 19"], "korea-deal"),
    ("swiss tariff rate?", ["15%"], "swiss-deal"),
    ("By when will Swiss companies invest the $200bn?", ["2028"], "swiss-deal"),
    (
        "which got the lower rate, thailand or the philippines?",
        ["Thailand", "19%", "20%"],
        "thai-philippines",
    ),
    ("how many jets is thialand buying", ["40"], "thai-philippines"),
    ("which country agreed to buy 40 Boeing jets?", ["Thailand"], "thai-philippines"),
    ("Which country pledged $300 billion?", ["South Korea", "$300 billion"], "korea-deal"),
    ("Who promised to buy $90 billion of LNG?", ["South Korea"], "korea-deal"),
    ("what's the US tariff on korean steel", ["50%"], "korea-cars-effect"),
    ("Who heads India's negotiating team?", ["Rajesh Kumar"], "india-talks"),
    ("Who is Switzerland's economy minister?", ["Anna Keller"], "swiss-deal"),
    ("what did korean cars pay in january?", ["25%"], "korea-deal"),
    ("Who negotiated the Korea deal for the US?", ["Alan Reyes"], "korea-deal"),
    ("how many Boeing jets will Bangkok buy?", ["40"], "thai-philippines"),
    ("what tariff do swiss watch movements pay?", ["0%"], "swiss-deal"),
    ("Which countries got 19%?", ["Thailand"], "thai-philippines"),
    ("canadian lumber tariff now?", ["15%"], "canada-deal"),
    ("What tariff does Canada charge on US pork?", ["8%"], "canada-deal"),
    ("How many firefighting planes is Canada buying?", ["12"], "canada-deal"),
    ("How big is Mexico's steel quota?", ["500,000"], "mexico-steel"),
    ("What do Mexican steel shipments above the quota pay?", ["50%"], "mexico-steel"),
    ("When does the Mexico steel quota start?", ["July 1"], "mexico-steel"),
    ("What does Canada charge on US dairy now?", ["5%"], "canada-deal"),
    ("Before the deal, what did Canada charge on US dairy?", ["15%"], "canada-deal"),
    ("What tariff does the US put on Canadian steel?", ["25%"], "canada-deal"),
    ("How much is Canada investing in the US?", [], None),
    ("what's the tariff on swiss watches?", ["0%"], "swiss-deal"),
    ("what's the tariff on korean copper?", [], None),
    ("What tariff rate did Japan get?", [], None),
    ("What tariff did Kazakhstan get?", [], None),
    ("what rate does peru pay?", [], None),
    ("What tariff did Narnia get?", [], None),
    ("Who is Korea's prime minister?", [], None),
    ("Who is Korea's finance minister?", [], None),
    ("How much will Korea invest in chips?", [], None),
    ("What share of Korean exports go to the US?", [], None),
    ("How much is Thailand investing in the US?", [], None),
    ("What tariff does Korea charge on US-made cars?", [], None),
    ("When does the Swiss steel quota start?", [], None),
    ("How many tonnes of US beef did Korea agree to import?", [], None),
]
