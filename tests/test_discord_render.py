"""Pure parts of the Discord adapter: rendering, nonces, option parsing, pacing, permissions."""

from __future__ import annotations

from datetime import date

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord_bot.adapter import intents, nonce_for, question_from
from adapters.discord_bot.commands import split_list
from adapters.discord_bot.context import has_role
from adapters.discord_bot.pacer import Pacer
from adapters.discord_bot.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    render,
    split_text,
)
from bot.models import Attachment, Reply, ReplyField, SourceRef

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def story(**extra: object) -> Reply:
    values: dict[str, object] = {
        "text": "Japan and US agree tariff deal",
        "kind": "story",
        "title": "Japan and US agree tariff deal",
        "url": "https://news.example/a",
        "summary": "The US cuts its tariff on Japanese cars.",
        "fields": (ReplyField("US tariff on cars from Japan", "27.5% → 15%"),),
        "sources": (SourceRef("1", "https://news.example/a", "Japan and US agree tariff deal"),),
        "footer": "Japan · United States",
        "as_of": date(2025, 7, 23),
    }
    values.update(extra)
    return Reply(**values)  # type: ignore[arg-type]


def test_a_story_is_one_embed_with_terms_sources_and_footer() -> None:
    [message] = render(story())
    assert message.content is None and message.image is None
    embed = message.embed
    assert embed is not None
    assert (embed.title, embed.url) == ("Japan and US agree tariff deal", "https://news.example/a")
    assert embed.description == "The US cuts its tariff on Japanese cars."
    term, sources = embed.fields
    assert (term.name, term.value) == ("US tariff on cars from Japan", "27.5% → 15%")
    assert sources.name == "Sources"
    assert sources.value == "• [Japan and US agree tariff deal](https://news.example/a)"
    assert embed.footer.text == "Japan · United States · as of 2025-07-23"


def test_as_of_is_not_repeated_when_the_footer_says_it() -> None:
    [message] = render(story(footer="Japan · as of 2025-07-23"))
    assert message.embed is not None and message.embed.footer.text == "Japan · as of 2025-07-23"


def test_the_chart_is_an_attachment_shown_in_the_embed() -> None:
    [message] = render(story(kind="deal", image=Attachment("deal-12.png", PNG, "tariff history")))
    assert message.embed is not None and message.embed.image.url == "attachment://deal-12.png"
    first, second = message.send_kwargs()["file"], message.send_kwargs()["file"]
    assert first is not second  # a fresh upload stream per send, so a retry can upload again
    assert first.filename == "deal-12.png" and first.fp.read() == PNG
    assert [f.filename for f in message.edit_kwargs()["attachments"]] == ["deal-12.png"]


def test_links_cannot_break_out_of_their_markup() -> None:
    source = SourceRef("2", "https://news.example/a_(b)", "[Breaking] tariffs *up*")
    [message] = render(story(sources=(source,)))
    assert message.embed is not None
    value = message.embed.fields[-1].value
    assert value == "• [Breaking tariffs \\*up\\*](https://news.example/a_%28b%29)"


def test_a_source_that_is_a_file_is_named_not_linked() -> None:
    [message] = render(story(sources=(SourceRef("3", "corpus/story.txt", "Local story"),)))
    assert message.embed is not None and message.embed.fields[-1].value == "• Local story"


def test_plain_text_replies_are_content() -> None:
    messages = render(Reply(text="You need the Manage Channels permission.", kind="refusal", ephemeral=True))
    assert [(m.content, m.embed) for m in messages] == [("You need the Manage Channels permission.", None)]


def test_help_keeps_its_columns_in_a_code_block() -> None:
    [message] = render(Reply(text="tradebot commands:\n  ask <question>   answer", kind="help", title="Help"))
    assert message.embed is not None and message.embed.description is not None
    assert (
        message.embed.description.startswith("```\n")
        and "  ask <question>   answer" in message.embed.description
    )


def test_a_table_is_an_aligned_code_block() -> None:
    reply = Reply(
        text="t",
        kind="compare",
        title="Compare",
        summary="Two deals.",
        table=(("term", "Japan", "Vietnam"), ("tariff", "15%", "20%")),
    )
    [first, second] = render(reply)
    assert first.embed is not None and second.embed is not None
    assert (
        second.embed.description
        == "```\nterm    Japan  Vietnam\n------  -----  -------\ntariff  15%    20%\n```"
    )


def test_many_fields_continue_in_more_embeds_within_limits() -> None:
    fields = tuple(ReplyField(f"term {i}", "x" * 900) for i in range(40))
    sources = tuple(
        SourceRef(str(i), f"https://news.example/{i}", f"Story number {i} " * 4) for i in range(30)
    )
    messages = render(story(fields=fields, sources=sources, summary="s" * 9000))
    embeds = [m.embed for m in messages]
    assert all(e is not None for e in embeds)
    for embed in embeds:
        assert len(embed) <= EMBED_TOTAL_LIMIT  # type: ignore[arg-type]
        assert len(embed.fields) <= FIELDS_LIMIT  # type: ignore[union-attr]
        assert len(embed.description or "") <= DESCRIPTION_LIMIT  # type: ignore[union-attr]
        assert all(len(f.value) <= FIELD_VALUE_LIMIT for f in embed.fields)  # type: ignore[union-attr]
    names = [f.name for e in embeds for f in e.fields]  # type: ignore[union-attr]
    assert names[:40] == [f"term {i}" for i in range(40)]
    links = "\n".join(f.value for e in embeds for f in e.fields if f.name.startswith("Sources"))  # type: ignore[union-attr]
    assert all(f"https://news.example/{i})" in links for i in range(30))
    assert "".join(e.description or "" for e in embeds) == "s" * 9000  # type: ignore[union-attr]
    assert embeds[0].title and not any(e.title for e in embeds[1:])  # type: ignore[union-attr]
    assert embeds[-1].footer.text and not any(e.footer.text for e in embeds[:-1])  # type: ignore[union-attr]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=700), max_size=12))
def test_split_text_keeps_every_word_within_the_limit(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    pieces = split_text(text, CONTENT_LIMIT)
    assert all(0 < len(p) <= CONTENT_LIMIT for p in pieces)
    assert " ".join(pieces).split() == text.split()  # cuts only at whitespace: no word lost or broken


def test_long_text_is_several_messages() -> None:
    text = "\n".join(f"Line {i}: " + "word " * 30 for i in range(200))
    messages = render(Reply(text=text, kind="list"))
    assert len(messages) > 1 and all(m.content and len(m.content) <= CONTENT_LIMIT for m in messages)
    assert " ".join(m.content or "" for m in messages).split() == text.split()


def test_nonces_are_deterministic_and_short() -> None:
    assert nonce_for("tb-1-story:9") == nonce_for("tb-1-story:9")
    assert nonce_for("tb-1-story:9") != nonce_for("tb-2-story:9")
    assert nonce_for("tb-1-story:9", 0) != nonce_for("tb-1-story:9", 1)
    assert len(nonce_for("x" * 500)) <= 25


def test_questions_lose_only_the_bot_mention() -> None:
    assert question_from("<@42> what tariff on cars? cc <@7>", 42) == "what tariff on cars? cc <@7>"
    assert question_from("<@!42>   ", 42) == ""


def test_country_lists() -> None:
    assert split_list("Japan, South Korea;European Union,, ") == ["Japan", "South Korea", "European Union"]
    assert split_list(None) == []


def test_no_privileged_intents() -> None:
    value = intents()
    assert value.guilds and value.guild_messages and value.dm_messages
    assert not (value.message_content or value.members or value.presences)


def test_pacer_spaces_calls_within_the_rate() -> None:
    now = [0.0]
    pacer = Pacer(45, clock=lambda: now[0])
    starts = []
    for _ in range(200):
        delay = pacer.reserve()
        starts.append(now[0] + delay)
        now[0] += 0.001  # callers arrive much faster than the rate
    assert max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts) <= 46
    assert starts[-1] == pytest.approx(199 / 45)


def test_pacer_does_not_bank_idle_time() -> None:
    now = [100.0]
    pacer = Pacer(10, clock=lambda: now[0])
    assert pacer.reserve() == 0.0
    now[0] += 60.0
    assert [round(pacer.reserve(), 3) for _ in range(3)] == [0.0, 0.1, 0.2]


def test_feed_role_matches_by_id_or_name() -> None:
    class Role:  # the two attributes has_role reads, as discord.Role has them
        def __init__(self, id: int, name: str) -> None:
            self.id, self.name = id, name

    roles = [Role(11, "@everyone"), Role(12, "Feed Editors")]
    assert has_role(roles, "feed editors") and has_role(roles, "12")  # type: ignore[arg-type]
    assert not has_role(roles, "") and not has_role(roles, "Admins")  # type: ignore[arg-type]


def test_colour_says_what_kind_of_reply_it_is() -> None:
    [ok] = render(story())
    [refusal] = render(Reply(text="no", kind="refusal", title="Not allowed"))
    assert ok.embed is not None and refusal.embed is not None
    assert ok.embed.colour != refusal.embed.colour and isinstance(ok.embed.colour, discord.Colour)


def test_a_burst_absorbs_a_stall_without_breaking_the_limit() -> None:
    # Calls arrive on the delivery's own 45/s schedule; a 60 ms stall bunches a few of them up.
    arrivals = [i / 45 for i in range(300)]
    stall_from, stall_to = arrivals[100], arrivals[100] + 0.06
    arrivals = [stall_to if stall_from <= a < stall_to else a for a in arrivals]
    now = [0.0]
    pacer = Pacer(45, burst=4, clock=lambda: now[0])
    starts = []
    for arrival in arrivals:
        now[0] = arrival
        starts.append(arrival + pacer.reserve())
    assert max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts) <= 45 + 4
    assert starts[-1] - arrivals[-1] == pytest.approx(0.0, abs=1e-9)  # no delay carried forward
    without_burst = Pacer(45, clock=lambda: now[0])
    lagged = []
    for arrival in arrivals:
        now[0] = arrival
        lagged.append(arrival + without_burst.reserve())
    assert lagged[-1] - arrivals[-1] > 0.03  # what the burst is for
