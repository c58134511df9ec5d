"""Deal terms from sentences: each row is a short story in our own words and the facts it states."""

import pytest

from bot.news.analyze import analyze

HEAD = "Trade deal: the United States and {partner} reached an agreement on Tuesday, July 15.\n"


def tariffs(text: str) -> set[tuple]:
    """(imposer, origin, rate, previous, threatened) for each tariff term found."""
    result = analyze(text)
    return {
        (t["imposed_by"], t["on_goods_from"], t["rate_pct"], t["previous_rate_pct"], t["threatened_rate_pct"])
        for d in result.deals
        for t in d["terms"]
        if t["type"] == "tariff"
    }


US = "United States"


@pytest.mark.parametrize(
    ("partner", "body", "expected"),
    [
        (
            "Japan",
            "The tariff on Japanese cars was cut to 15 percent from 27.5.",
            {(US, "Japan", 15.0, 27.5, None)},
        ),
        (
            "Canada",
            "Canadian lumber will face a 15% levy, down from 25%.",
            {(US, "Canada", 15.0, 25.0, None)},
        ),
        (
            "Thailand",
            "Washington will impose tariffs of 19pc on Thai goods.",
            {(US, "Thailand", 19.0, None, None)},
        ),
        (
            "Brazil",
            "Brazilian goods will pay 10% instead of the 50% rate Trump had threatened.",
            {(US, "Brazil", 10.0, None, 50.0)},
        ),
        (
            "Malaysia",
            "The US will lower its tariff on Malaysian imports to 19% from 24%, and Malaysia will cut its levy "
            "on American goods to zero.",
            {(US, "Malaysia", 19.0, 24.0, None), ("Malaysia", US, 0.0, None, None)},
        ),
        (
            "India",
            "Indian exports currently pay 50%; that falls to 18% under the agreement.",
            {(US, "India", 18.0, 50.0, None)},
        ),
        (
            "Mexico",
            "Mexican steel will enter the United States tariff-free rather than paying 25%.",
            {(US, "Mexico", 0.0, 25.0, None)},
        ),
        (
            "Cambodia",
            "Cambodian garments will be charged a fifth of the value at the US border, replacing the 49% "
            "announced in April.",
            {(US, "Cambodia", 20.0, None, 49.0)},
        ),
    ],
)
def test_tariff_roles_and_parties(partner: str, body: str, expected: set[tuple]) -> None:
    assert tariffs(HEAD.format(partner=partner) + body) == expected


@pytest.mark.parametrize(
    ("body", "kind", "amount"),
    [
        ("Seoul will invest $350 billion in American shipbuilding and chips.", "investment", 350e9),
        ("Korean firms pledged 600 billion U.S. dollars of new investment in the US.", "investment", 600e9),
        ("South Korea agreed to buy $100bn of US liquefied natural gas.", "purchase", 100e9),
        ("Seoul will purchase US$0.02 trillion of American aircraft.", "purchase", 20e9),
    ],
)
def test_money_terms(body: str, kind: str, amount: float) -> None:
    result = analyze(HEAD.format(partner="South Korea") + body)
    found = [t for d in result.deals for t in d["terms"] if t["type"] == kind]
    assert [t["amount_usd"] for t in found] == [amount]
    assert found[0]["by"] == "South Korea"
    assert found[0]["sentence"] == body


@pytest.mark.parametrize(
    "body",
    [
        "Seoul's KOSPI index fell 3.9% and the won slid 0.7% on the news.",
        "South Korea ran a goods trade surplus of $66 billion with the United States in 2024.",
        "Last year the average US tariff on Korean goods was about 2%.",
        "Economists expect GDP growth of 1.8% this year.",
        "Mexico was also sent a 30% letter on the same day.",
        "Officials floated a proposal to invest $400 billion, expecting Trump to ask for $500 billion.",
        "Separately, the Commerce Department added steel products to its 50% tariff list.",
        "Steel and aluminium were left outside the agreement and continue to pay 50%.",
    ],
)
def test_numbers_that_are_not_deal_terms(body: str) -> None:
    text = HEAD.format(partner="South Korea") + "Korean goods will pay 15% under the deal.\n" + body
    result = analyze(text)
    terms = [t for d in result.deals for t in d["terms"]]
    assert [(t["type"], t.get("rate_pct")) for t in terms] == [("tariff", 15.0)]


def test_quota_with_its_rate() -> None:
    text = HEAD.format(partner="Britain") + (
        "Under the deal, the first 100,000 British-built cars shipped to the US each year will pay 10%. "
        "Until now they have been paying 27.5%."
    )
    terms = [t for d in analyze(text).deals for t in d["terms"]]
    quota = [t for t in terms if t["type"] == "quota"]
    tariff = [t for t in terms if t["type"] == "tariff"]
    assert [(q["quantity"], q["rate_pct"], q["by"]) for q in quota] == [(100_000, 10.0, US)]
    assert [(t["rate_pct"], t["previous_rate_pct"], t["subject"]) for t in tariff] == [(10.0, 27.5, "cars")]


def test_question_heading_gives_context_to_the_answer() -> None:
    text = (
        "Explainer: what changes now that the US-China truce is in force\n"
        "What happens to US tariffs on Chinese goods?\n"
        "For most products they fall from 145% to 30%.\n"
        "And Chinese tariffs on US goods?\n"
        "Beijing cuts its retaliatory rate from 125% to 10%.\n"
    )
    assert tariffs(text) == {(US, "China", 30.0, 145.0, None), ("China", US, 10.0, 125.0, None)}


def test_people_with_side_and_role() -> None:
    text = HEAD.format(partner="Japan") + (
        "Ryosei Akazawa, Japan's chief tariff negotiator, met Commerce Secretary Howard Lutnick. "
        "Toyota chief executive Koji Sato welcomed the deal."
    )
    people = {p["name"]: (p["side"], p["role"]) for d in analyze(text).deals for p in d["people"]}
    assert people["Ryosei Akazawa"][0] == "Japan"
    assert people["Howard Lutnick"] == ("United States", "Commerce Secretary")
    assert "Koji Sato" not in people


def test_dropped_counter_tariff_keeps_its_old_figure() -> None:
    text = (
        "Canada and the US resume trade talks\n"
        "OTTAWA — Canada said on Sunday it would drop most of its 25% counter-tariffs on American goods, "
        "as negotiators met in Washington."
    )
    assert ("Canada", US, 0.0, 25.0, None) in tariffs(text)


def test_collapse_with_a_threatened_increase() -> None:
    text = (
        "Trade talks between Canada and the United States collapsed on Friday after the president said he "
        "would add 10% to the tariff on Canadian goods."
    )
    result = analyze(text)
    assert result.deals[0]["status"] == "collapsed"
    assert tariffs(text) == {(US, "Canada", None, None, 10.0)}


def test_purchases_listed_together() -> None:
    text = (
        HEAD.format(partner="Thailand")
        + "Thailand agreed to buy $2.6 billion worth of Boeing jets and $1 billion of US corn."
    )
    found = {
        (t["of"], t["amount_usd"]) for d in analyze(text).deals for t in d["terms"] if t["type"] == "purchase"
    }
    assert found == {("Boeing jets", 2.6e9), ("corn", 1e9)}


def test_deal_between_two_partners_without_the_us() -> None:
    text = (
        "LONDON (wire) — Britain and India signed a free trade agreement on Thursday, July 24, that will cut "
        "India's tariffs on British whisky to 75% from 150% and on cars to 10% from 110% under a quota.\n"
        "Britain will remove tariffs on 99% of Indian exports, Business Secretary Jonathan Reynolds said.\n"
        "The FTSE 100 rose 0.3%."
    )
    result = analyze(text)
    assert [d["parties"] for d in result.deals] == [["India", "United Kingdom"]]
    assert tariffs(text) == {
        ("India", "United Kingdom", 75.0, 150.0, None),
        ("India", "United Kingdom", 10.0, 110.0, None),
        ("United Kingdom", "India", 0.0, None, None),
    }


def test_south_american_is_not_american() -> None:
    text = (
        "The European Union and Mercosur concluded a trade agreement on Friday. The deal removes duties on "
        "91% of EU exports to the South American bloc, including cars, which now face a 35% tariff."
    )
    result = analyze(text)
    assert result.deals[0]["parties"] == ["European Union", "Mercosur"]
    assert tariffs(text) == {("Mercosur", "European Union", 0.0, 35.0, None)}
