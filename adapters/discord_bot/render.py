"""Reply → Discord messages. Pure: no client, no network, no event loop.

A Reply becomes one or more `OutMessage`s, each within Discord's documented limits
(developers/resources/message.mdx, "Embed Limits"): content 2,000 characters; per embed a title
of 256, a description of 4,096, 25 fields of 256/1,024, a footer of 2,048 and 6,000 in total.
Anything longer continues in further messages rather than being cut silently.

A reply with structure (title, summary, fields, sources, table or chart) renders as an embed:
title (linked to the story), summary, a field per headline term ("before → after", as the core
wrote it), the sources as links, an "as of" footer, and the chart PNG as an attachment shown in
the embed. A reply that is only text (help, a refusal) renders as plain content.

Mentions are not escaped here: the client is built with AllowedMentions.none(), so no text
(feed headlines included) can ping anyone, whatever it contains.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import discord

from bot.models import Attachment, Reply, ReplyField, SourceRef

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000

_COLOURS = {
    "story": 0x2B6CB0,
    "update": 0xD69E2E,
    "deal": 0x2F855A,
    "answer": 0x553C9A,
    "compare": 0x2C7A7B,
    "error": 0xC53030,
    "refusal": 0xDD6B20,
}
_DEFAULT_COLOUR = 0x4A5568


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One Discord message to send: plain content, or an embed (with an optional chart)."""

    content: str | None = None
    embed: discord.Embed | None = None
    image: Attachment | None = None

    def file(self) -> discord.File | None:
        # A discord.File wraps a stream that is consumed by one upload: build a fresh one per send.
        if self.image is None:
            return None
        return discord.File(
            io.BytesIO(self.image.data),
            filename=self.image.filename,
            description=self.image.description or None,
        )

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Messageable.send / InteractionResponse.send_message / followup.send."""
        kwargs: dict[str, Any] = {}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        file = self.file()
        if file is not None:
            kwargs["file"] = file
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Interaction.edit_original_response (files go in `attachments`)."""
        kwargs: dict[str, Any] = {"content": self.content, "embed": self.embed}
        file = self.file()
        if file is not None:
            kwargs["attachments"] = [file]
        return kwargs


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries so that each piece fits `limit`."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit  # one very long word (a URL): a hard cut is all that is left
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link(source: SourceRef) -> str:
    """A masked link. Brackets in the title and parentheses in the URL would end the markup early."""
    title = re.sub(r"[\[\]]", "", source.title or source.url).strip() or source.url
    url = source.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    if not url.startswith(("http://", "https://")):
        return _clip(discord.utils.escape_markdown(title), 200)  # a file path: nothing to link to
    return f"[{_clip(discord.utils.escape_markdown(title), 200)}]({url})"


def _source_fields(sources: tuple[SourceRef, ...]) -> list[ReplyField]:
    """The sources as one field of links, or several when they do not fit in 1,024 characters."""
    fields: list[ReplyField] = []
    lines: list[str] = []
    for source in sources:
        line = f"• {_link(source)}"
        if lines and len("\n".join([*lines, line])) > FIELD_VALUE_LIMIT:
            fields.append(
                ReplyField("Sources" if not fields else "Sources (continued)", "\n".join(lines), False)
            )
            lines = []
        lines.append(_clip(line, FIELD_VALUE_LIMIT))
    if lines:
        fields.append(ReplyField("Sources" if not fields else "Sources (continued)", "\n".join(lines), False))
    return fields


def _table_text(table: tuple[tuple[str, ...], ...]) -> str:
    """Rows as an aligned monospace block (the first row is the header)."""
    if not table:
        return ""
    width = max(len(row) for row in table)
    rows = [tuple(row) + ("",) * (width - len(row)) for row in table]
    sizes = [max(len(row[i]) for row in rows) for i in range(width)]
    lines = ["  ".join(cell.ljust(sizes[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    if len(lines) > 1:
        lines.insert(1, "  ".join("-" * size for size in sizes))
    return "\n".join(lines)


def _table_blocks(table: tuple[tuple[str, ...], ...]) -> list[str]:
    """The table as code blocks, each short enough for a description."""
    text = _table_text(table)
    return _code_blocks(text.split("\n")) if text else []


def _code_blocks(lines: list[str]) -> list[str]:
    """Lines in monospace code blocks, each short enough for an embed description."""
    budget = DESCRIPTION_LIMIT - 8
    blocks: list[str] = []
    current = ""
    for raw in lines:
        line = _clip(raw.replace("```", "'''"), budget)
        if current and len(current) + len(line) + 1 > budget:
            blocks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    blocks.append(current)
    return [f"```\n{block}\n```" for block in blocks]


def footer_text(reply: Reply) -> str:
    parts = []
    if reply.footer:
        parts.append(reply.footer)
    if reply.as_of is not None and "as of" not in (reply.footer or ""):  # the core may have said it already
        parts.append(f"as of {reply.as_of.isoformat()}")
    return _clip(" · ".join(parts), FOOTER_LIMIT)


def is_rich(reply: Reply) -> bool:
    return bool(reply.title or reply.summary or reply.fields or reply.sources or reply.table or reply.image)


def render(reply: Reply) -> list[OutMessage]:
    """The messages that show `reply` on Discord, in order. Never empty."""
    if not is_rich(reply):
        chunks = split_text(reply.text, CONTENT_LIMIT) or ["…"]
        return [OutMessage(content=chunk) for chunk in chunks]
    return _render_embeds(reply)


def _render_embeds(reply: Reply) -> list[OutMessage]:
    colour = _COLOURS.get(reply.kind, _DEFAULT_COLOUR)
    footer = footer_text(reply)
    reserve = len(footer)
    title = _clip(reply.title or "", TITLE_LIMIT) or None
    url = reply.url if reply.url and reply.url.startswith(("http://", "https://")) else None

    embeds: list[discord.Embed] = [discord.Embed(title=title, url=url if title else None, colour=colour)]

    def next_embed() -> discord.Embed:
        embed = discord.Embed(colour=colour)
        embeds.append(embed)
        return embed

    body = reply.summary if reply.summary is not None else reply.text
    if reply.kind == "help" and body:  # aligned usage lines: keep the columns in a monospace block
        descriptions = _code_blocks(body.split("\n"))
    else:
        descriptions = split_text(body or "", DESCRIPTION_LIMIT - 8)
    descriptions += _table_blocks(reply.table)
    for i, description in enumerate(descriptions):
        embed = embeds[-1] if i == 0 else next_embed()
        embed.description = description

    fields = [
        ReplyField(
            _clip(f.name, FIELD_NAME_LIMIT) or "\u200b",
            _clip(f.value, FIELD_VALUE_LIMIT) or "\u200b",
            f.inline,
        )
        for f in reply.fields
    ]
    fields += _source_fields(reply.sources)
    for f in fields:
        embed = embeds[-1]
        if (
            len(embed.fields) >= FIELDS_LIMIT
            or len(embed) + len(f.name) + len(f.value) + reserve > EMBED_TOTAL_LIMIT
        ):
            embed = next_embed()
        embed.add_field(name=f.name, value=f.value, inline=f.inline)

    if footer:
        embeds[-1].set_footer(text=footer)
    if reply.image is not None:
        embeds[0].set_image(url=f"attachment://{reply.image.filename}")
    return [OutMessage(embed=embed, image=reply.image if i == 0 else None) for i, embed in enumerate(embeds)]
