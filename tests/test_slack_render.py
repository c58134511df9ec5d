"""Block Kit rendering and Slack escaping: pure functions, tested directly."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import events
from adapters.slack.render import (
    FIELDS_PER_SECTION,
    HEADER_MAX,
    SECTION_MAX,
    escape,
    fallback_text,
    link,
    render_blocks,
    truncate,
    unescape,
)
from bot.models import Attachment, Reply, ReplyField, SourceRef

MENTIONS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U024BE7LH>",
    "<@W123|bob>",
    "<#C0123|general>",
    "<!subteam^S0123|@team>",
    "<!date^1392734382^{date}|x>",
    "<https://evil.example|click>",
]
# Any Slack special sequence starts with '<'; after escaping none may survive.
SPECIAL = re.compile(r"<[!@#]|<https?:")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Tariffs <!channel> cut", "Tariffs &lt;!channel&gt; cut"),
        ("AT&T <@U1> > 5%", "AT&amp;T &lt;@U1&gt; &gt; 5%"),
        ("already &amp; escaped", "already &amp;amp; escaped"),
        ("plain → text *bold* stays", "plain → text *bold* stays"),
        ("", ""),
    ],
)
def test_escape_table(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    assert unescape(escaped) == raw


@settings(max_examples=50, deadline=None)
@given(
    prefix=st.text(max_size=40),
    mention=st.sampled_from(MENTIONS),
    suffix=st.text(max_size=40),
)
def test_escape_neutralises_every_mention_and_round_trips(prefix: str, mention: str, suffix: str) -> None:
    raw = prefix + mention + suffix
    once = escape(raw)
    assert "<" not in once and ">" not in once
    assert not SPECIAL.search(once)
    # Every '&' left is the start of one of the three entities: nothing Slack could re-read.
    assert not re.search(r"&(?!amp;|lt;|gt;)", once)
    # Lossless, and safe to apply twice: the reader sees the first escaping's output, never a mention.
    assert unescape(once) == raw
    twice = escape(once)
    assert unescape(twice) == once
    assert not SPECIAL.search(twice)


def test_truncate_never_splits_an_entity() -> None:
    text = escape("a" * 8 + "<b>")  # aaaaaaaa&lt;b&gt;
    for limit in range(5, len(text)):
        cut = truncate(text, limit)
        assert len(cut) <= limit
        assert not re.search(r"&(?!amp;|lt;|gt;)", cut)


def test_link_only_for_http_urls_and_label_escaped() -> None:
    assert link("https://news.example/a?x=1|2>3", "Deal <!here>") == (
        "<https://news.example/a?x=1%7C2%3E3|Deal &lt;!here&gt;>"
    )
    assert link("https://news.example/q?a=1&b=2", "A & B") == "<https://news.example/q?a=1&amp;b=2|A &amp; B>"
    assert link("javascript:alert(1)", "x<y") == "x&lt;y"


def story_reply() -> Reply:
    return Reply(
        text="Japan and US agree tariff cut <!channel>\nUS tariff on cars from Japan: 25% → 15%",
        kind="story",
        title="Japan–US deal: car tariff cut <!channel>",
        url="https://news.example/japan-us",
        summary="The US lowers its tariff on Japanese cars; Japan invests $550 billion. <@U999>",
        fields=(
            ReplyField("US tariff on cars from Japan", "25% → 15%"),
            ReplyField("Investment", "$550 billion"),
        ),
        sources=(
            SourceRef("s1", "https://news.example/japan-us", "Kyodo: deal reached"),
            SourceRef("s2", "https://other.example/x", "Second <!here> report"),
        ),
        as_of=date(2025, 7, 23),
        footer="tradebot",
    )


def test_story_blocks_layout() -> None:
    blocks = render_blocks(story_reply())
    kinds = [b["type"] for b in blocks]
    assert kinds == ["header", "section", "section", "context"]
    assert blocks[0]["text"]["type"] == "plain_text"
    assert blocks[0]["text"]["text"] == "Japan–US deal: car tariff cut &lt;!channel&gt;"
    assert blocks[1]["text"]["text"].endswith("&lt;@U999&gt;")
    fields = [f["text"] for f in blocks[2]["fields"]]
    assert fields[0] == "*US tariff on cars from Japan*\n25% → 15%"
    context = [e["text"] for e in blocks[3]["elements"]]
    assert context == [
        "<https://news.example/japan-us|Kyodo: deal reached>",
        "<https://other.example/x|Second &lt;!here&gt; report>",
        "as of 2025-07-23",
        "tradebot",
    ]
    everything = json.dumps(blocks) + fallback_text(story_reply())
    assert "<!channel>" not in everything and "<!here>" not in everything and "<@U999>" not in everything


def test_limits_respected_for_huge_replies() -> None:
    reply = Reply(
        text="x\n" * 10_000,
        title="T" * 500,
        fields=tuple(ReplyField(f"f{i}", "v" * 3000) for i in range(25)),
        sources=tuple(SourceRef(str(i), f"https://s.example/{i}", f"source {i}") for i in range(30)),
        as_of=date(2025, 1, 1),
    )
    blocks = render_blocks(reply)
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= HEADER_MAX
    field_sections = [b for b in blocks if "fields" in b]
    assert [len(b["fields"]) for b in field_sections] == [FIELDS_PER_SECTION, FIELDS_PER_SECTION, 5]
    assert all(len(f["text"]) <= 2000 for b in field_sections for f in b["fields"])
    context = blocks[-1]
    assert len(context["elements"]) <= 10 and context["elements"][-1]["text"] == "as of 2025-01-01"


def test_plain_text_reply_becomes_sections_and_table_is_preformatted() -> None:
    long = "\n".join(f"line {i} <!here>" for i in range(600))
    blocks = render_blocks(Reply(text=long, kind="help"))
    assert len(blocks) > 1 and all(len(b["text"]["text"]) <= SECTION_MAX for b in blocks)
    table = render_blocks(
        Reply(text="t", kind="compare", table=(("term", "Japan", "Vietnam"), ("tariff", "15%", "20%")))
    )
    assert table[0]["text"]["text"] == "```term    Japan  Vietnam\ntariff  15%    20%```"


def test_image_is_not_a_block() -> None:
    reply = Reply(text="chart", image=Attachment("chart.png", b"\x89PNG", "tariff history"))
    assert all(b["type"] != "image" for b in render_blocks(reply))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0BOT0001> is the Japan deal signed?", ("ask", "is the Japan deal signed?", {})),
        ("<@U0BOT0001|tradebot>: what tariff on cars?", ("ask", "what tariff on cars?", {})),
        ("<@U0BOT0001>", ("help", "", {})),
        ("help", ("help", "", {})),
        ("what about <@U123> ?", ("ask", "what about <@U123> ?", {})),
    ],
)
def test_question_parsing(text: str, expected: tuple[str, str, dict[str, object]]) -> None:
    assert events.question(text) == expected


def test_slash_text_goes_through_the_core_parser() -> None:
    assert events.slash_command("subscribe japan,vietnam updates-only") == (
        "subscribe",
        "",
        {"countries": ["japan", "vietnam"], "updates_only": True},
    )
    assert events.slash_command("list")[0] == "subscriptions"
    assert events.slash_command("feeds add https://x.example/rss")[:2] == (
        "feeds_add",
        "https://x.example/rss",
    )
    assert events.slash_command("")[0] == "help"


def test_seen_events_is_bounded() -> None:
    seen = events.SeenEvents(capacity=3)
    assert [seen.first_time(x) for x in "abca"] == [True, True, True, False]
    seen.first_time("d")  # evicts "a"
    assert seen.first_time("a") is True


def test_dm_filter() -> None:
    base = {"channel_type": "im", "user": "U1", "text": "hello"}
    assert events.is_user_dm(base)
    assert not events.is_user_dm({**base, "bot_id": "B1"})
    assert not events.is_user_dm({**base, "subtype": "message_changed"})
    assert not events.is_user_dm({**base, "channel_type": "channel"})
