"""Reply → Slack message: Block Kit blocks plus a plain-text fallback. Pure functions, no I/O.

Every string that came from a feed or a user goes through `escape`, which replaces only the three
characters Slack treats as control characters (& < >). That is enough to make `<!channel>`,
`<!here>`, `<@U123>` or `<https://evil|click>` arrive as the literal text it was, and nothing more
is needed because we never send `link_names=1` or `parse=full`.

Block Kit limits we stay under (Slack rejects the whole message otherwise): header text 150
characters, section text 3000, 10 fields of 2000 each per section, 10 context elements, 50 blocks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.models import Reply, ReplyField, SourceRef

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
CONTEXT_MAX = 10
BLOCKS_MAX = 50
FALLBACK_MAX = 3900  # notifications show far less; chat.postMessage truncates `text` at 40k anyway

Block = dict[str, Any]

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {value: key for key, value in _ESCAPES.items()}


def escape(text: str) -> str:
    """Make `text` literal in a Slack text object. Idempotence is deliberately NOT a property:
    '&amp;' in a headline must show as '&amp;', so it becomes '&amp;amp;' (see `unescape`)."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    """What a Slack client displays for escaped text (the inverse of `escape`)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        for entity, char in _UNESCAPES.items():
            if text.startswith(entity, i):
                out.append(char)
                i += len(entity)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, never inside an escape entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def link(url: str, label: str) -> str:
    """A mrkdwn link for an http(s) URL; anything else is shown as escaped text, never linked.
    In the URL part | < > are percent-encoded (they would end it) and & is written &amp;."""
    if not url.lower().startswith(("http://", "https://")):
        return escape(label or url)
    safe_url = escape(quote(url, safe=":/?#[]@!$&'()*+,;=%-._~"))
    return f"<{safe_url}|{escape(label or url)}>"


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": truncate(escape(text), limit), "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(truncate(text, SECTION_MAX))}


def _field_text(item: ReplyField) -> str:
    # The core writes changes as "before → after"; the arrow is ordinary text and survives escaping.
    return truncate(f"*{escape(item.name)}*\n{escape(item.value)}", FIELD_MAX)


def _field_sections(fields: tuple[ReplyField, ...]) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        chunk = fields[start : start + FIELDS_PER_SECTION]
        blocks.append({"type": "section", "fields": [_mrkdwn(_field_text(f)) for f in chunk]})
    return blocks


def _table_block(table: tuple[tuple[str, ...], ...]) -> Block:
    widths = [max(len(row[i]) if i < len(row) else 0 for row in table) for i in range(max(map(len, table)))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]
    body = escape("\n".join(lines))
    return _section("```" + truncate(body, SECTION_MAX - 6) + "```")


def _source_label(source: SourceRef) -> str:
    return truncate(source.title or source.url, 80)


def _context_block(reply: Reply) -> Block | None:
    elements: list[Block] = []
    seen: set[str] = set()
    links = (
        [SourceRef(id="", url=reply.url, title="Read the story")] if reply.url and not reply.sources else []
    )
    for source in (*links, *reply.sources):
        if source.url in seen or len(elements) >= CONTEXT_MAX - 2:
            continue
        seen.add(source.url)
        elements.append(_mrkdwn(link(source.url, _source_label(source))))
    if reply.as_of and "as of" not in (reply.footer or ""):
        elements.append(_mrkdwn(f"as of {reply.as_of.isoformat()}"))
    if reply.footer:
        elements.append(_mrkdwn(truncate(escape(reply.footer), SECTION_MAX)))
    return {"type": "context", "elements": elements[:CONTEXT_MAX]} if elements else None


def _body_sections(text: str) -> list[Block]:
    """Long text split at line ends into sections of at most SECTION_MAX characters."""
    escaped = escape(text)
    blocks: list[Block] = []
    chunk = ""
    for line in escaped.splitlines(keepends=True):
        if len(chunk) + len(line) > SECTION_MAX and chunk:
            blocks.append(_section(chunk.rstrip("\n")))
            chunk = ""
        chunk += line
    if chunk.strip():
        blocks.append(_section(chunk.rstrip("\n")))
    return blocks


def render_blocks(reply: Reply) -> list[Block]:
    """The Block Kit layout: header, summary, fields, table, sources/as-of context."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append({"type": "header", "text": _plain(reply.title, HEADER_MAX)})
    if reply.summary:
        blocks.append(_section(escape(reply.summary)))
    elif not reply.fields and not reply.table:
        blocks.extend(_body_sections(reply.text))
    blocks.extend(_field_sections(reply.fields))
    if reply.table:
        blocks.append(_table_block(reply.table))
    context = _context_block(reply)
    if context:
        blocks.append(context)
    if len(blocks) > BLOCKS_MAX:
        blocks = [*blocks[: BLOCKS_MAX - 1], _section("…")]
    return blocks


def fallback_text(reply: Reply) -> str:
    """The `text` Slack shows in notifications and to clients without Block Kit."""
    return truncate(escape(reply.text), FALLBACK_MAX)


def render(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / chat.postEphemeral / respond()."""
    return {"text": fallback_text(reply), "blocks": render_blocks(reply)}
