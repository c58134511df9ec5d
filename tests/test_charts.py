"""Charts: the PNG decodes, has the promised size, and draws the expected series."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from matplotlib.colors import to_rgb
from PIL import Image

from bot import charts


def _decode(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (charts.WIDTH, charts.HEIGHT)
    return np.asarray(image.convert("RGB"))


def _has_color(pixels: np.ndarray, color: str, at_least: int = 200) -> bool:
    rgb = np.array([round(c * 255) for c in to_rgb(color)])
    close = np.abs(pixels.astype(int) - rgb).sum(axis=2) <= 6
    return int(close.sum()) >= at_least


def test_tariff_bars_png_has_before_and_now_series():
    rows = [("Vietnam", 46.0, 20.0), ("Indonesia", 32.0, 19.0), ("Japan", None, 15.0)]
    attachment = charts.tariff_bars(rows)
    pixels = _decode(attachment.data)
    assert _has_color(pixels, charts.BEFORE_COLOR) and _has_color(pixels, charts.NOW_COLOR)
    assert (attachment.width, attachment.height) == (800, 450)
    assert "Vietnam: 46% → 20%" in attachment.description

    fig = charts.tariff_bars_figure(rows, "t")
    ax = fig.axes[0]
    assert len(ax.containers) == 2  # two bar series: before and now
    assert [b.get_height() for b in ax.containers[1]] == [20.0, 19.0, 15.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Vietnam", "Indonesia", "Japan"]


def test_tariff_bars_without_any_before_draws_one_series():
    fig = charts.tariff_bars_figure([("Japan", None, 15.0), ("Korea", None, 18.0)], "t")
    assert len(fig.axes[0].containers) == 1
    pixels = _decode(charts.tariff_bars([("Japan", None, 15.0)]).data)
    assert not _has_color(pixels, charts.BEFORE_COLOR, at_least=50)


def test_term_history_step_line_with_dated_points():
    points = [(date(2030, 1, 5), 25.0), (date(2030, 3, 1), 27.5), (date(2030, 6, 2), 15.0)]
    attachment = charts.term_history("US tariff on cars from Japan", points)
    pixels = _decode(attachment.data)
    assert _has_color(pixels, charts.NOW_COLOR)
    fig = charts.term_history_figure("US tariff on cars from Japan", points)
    ax = fig.axes[0]
    assert len(ax.lines) == 2  # the step line and the dots
    step, dots = ax.lines
    assert step.get_drawstyle() == "steps-post"
    assert list(dots.get_ydata()) == [25.0, 27.5, 15.0]
    assert sorted(t.get_text() for t in ax.texts) == ["15%", "25%", "27.5%"]
