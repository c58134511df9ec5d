"""Charts rendered in the core as PNG bytes (matplotlib, Agg backend: no display needed).

- `tariff_bars`: headline tariff rates by partner, a "before" bar beside a "now" bar;
- `term_history`: one term's value over time as a step line with a dot and label at each dated value.

Each has a `*_figure` builder (tests inspect its series) and returns an `Attachment` the adapters
upload as a file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bot.models import Attachment  # noqa: E402

WIDTH, HEIGHT, DPI = 800, 450, 100
BEFORE_COLOR = "#9aa5b1"
NOW_COLOR = "#1f6feb"


def _new_figure() -> Figure:
    # A bare Figure (not pyplot) keeps no global state, so concurrent renders cannot interfere.
    return Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)


def _png(fig: Figure, filename: str, description: str) -> Attachment:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return Attachment(
        filename=filename, data=buffer.getvalue(), description=description, width=WIDTH, height=HEIGHT
    )


def tariff_bars_figure(rows: Sequence[tuple[str, float | None, float]], title: str) -> Figure:
    """rows: (partner, rate before or None, rate now)."""
    fig = _new_figure()
    ax = fig.add_subplot()
    names = [r[0] for r in rows]
    xs = list(range(len(rows)))
    width = 0.38
    befores = [r[1] if r[1] is not None else 0.0 for r in rows]
    if any(r[1] is not None for r in rows):
        bars = ax.bar([x - width / 2 for x in xs], befores, width, label="before", color=BEFORE_COLOR)
        ax.bar_label(bars, labels=[f"{r[1]:g}%" if r[1] is not None else "" for r in rows], fontsize=8)
        now_x = [x + width / 2 for x in xs]
    else:
        now_x = xs
    bars = ax.bar(now_x, [r[2] for r in rows], width, label="now", color=NOW_COLOR)
    ax.bar_label(bars, labels=[f"{r[2]:g}%" for r in rows], fontsize=8)
    ax.set_xticks(xs, names)
    ax.set_ylabel("US tariff, %")
    ax.set_title(title)
    ax.legend(loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def tariff_bars(
    rows: Sequence[tuple[str, float | None, float]], title: str = "Headline US tariff by partner"
) -> Attachment:
    fig = tariff_bars_figure(rows, title)
    text = "; ".join(f"{p}: {'' if b is None else f'{b:g}% → '}{n:g}%" for p, b, n in rows)
    return _png(fig, "tariffs.png", f"{title}: {text}")


def term_history_figure(label: str, points: Sequence[tuple[date, float]]) -> Figure:
    fig = _new_figure()
    ax = fig.add_subplot()
    days = [p[0] for p in points]
    values = [p[1] for p in points]
    # carry the last value forward a little so a single point still draws a visible step
    tail = days[-1] if len(days) > 1 else days[-1]
    ax.step(days + [tail], values + [values[-1]], where="post", color=NOW_COLOR, linewidth=2)
    ax.plot(days, values, "o", color=NOW_COLOR)
    for d, v in points:
        ax.annotate(
            f"{v:g}%",
            (mdates.date2num(d), v),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=9,
        )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d\n%Y"))
    ax.set_ylim(0, max(values) * 1.2 + 1)
    ax.set_ylabel("%")
    ax.set_title(label)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def term_history(label: str, points: Sequence[tuple[date, float]]) -> Attachment:
    fig = term_history_figure(label, points)
    text = " → ".join(f"{v:g}% ({d.isoformat()})" for d, v in points)
    return _png(fig, "term-history.png", f"{label}: {text}")
