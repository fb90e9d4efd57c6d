"""The consumption chart read back pixel by pixel: bars where the data puts them."""

from __future__ import annotations

import dataclasses
import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from PIL import Image

from papers.chart import (
    AVERAGE,
    BOTTOM,
    ESTIMATE_LIGHTEN,
    HEIGHT,
    LEFT,
    PALETTE,
    WIDTH,
    render_chart,
)
from papers.model import Bar, ChartData
from tests.papers.samples import chart

Colour = tuple[int, int, int]


def light(colour: Colour) -> Colour:
    red, green, blue = (round(c + (255 - c) * ESTIMATE_LIGHTEN) for c in colour)
    return red, green, blue


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def bar_columns(image: Image.Image, row: int) -> list[int]:
    """The centre x of every bar crossing `row` (runs of non-white pixels)."""
    centres, start = [], None
    for x in range(LEFT, WIDTH):
        filled = image.getpixel((x, row)) != (255, 255, 255)
        if filled and start is None:
            start = x
        elif not filled and start is not None:
            centres.append((start + x - 1) // 2)
            start = None
    return centres


def colour_count(image: Image.Image, colour: Colour) -> int:
    return sum(n for n, found in image.getcolors(maxcolors=WIDTH) or () if found == colour)


def top_of_bar(image: Image.Image, x: int, row: int, colours: set[Colour]) -> int:
    """Up from `row` while the pixel is the bar's (the average's dashes may cross it)."""
    y = row
    while image.getpixel((x, y - 1)) in colours | {AVERAGE}:
        y -= 1
    return y


def test_bars_are_stacked_to_scale_with_the_average_line() -> None:
    data = chart()
    image = opened(render_chart(data))
    assert image.size == (WIDTH, HEIGHT) == (1080, 720)
    row = HEIGHT - BOTTOM - 4
    centres = bar_columns(image, row)
    assert len(centres) == len(data.bars)
    colours = {PALETTE[0], PALETTE[1], light(PALETTE[0]), light(PALETTE[1])}
    tops = [top_of_bar(image, x, row, colours) for x in centres]
    totals = [float(sum(bar.parts)) for bar in data.bars]
    # top = bottom − k × total: fitted on the lowest and the highest bar, every bar on the line.
    low, high = totals.index(min(totals)), totals.index(max(totals))
    k = (tops[low] - tops[high]) / (totals[high] - totals[low])
    bottom = tops[high] + k * totals[high]
    assert k > 0
    for top, total in zip(tops, totals, strict=True):
        assert abs(top - (bottom - k * total)) <= 2
    # The first zone at the foot of each measured bar, the second above it, the border where
    # the first zone's kWh put it.
    for x, bar in zip(centres[:-1], data.bars[:-1], strict=True):
        assert image.getpixel((x, row)) == PALETTE[0]
        border = top_of_bar(image, x, row, {PALETTE[0]})
        assert abs(border - (bottom - k * float(bar.parts[0]))) <= 2
        assert image.getpixel((x, border - 3)) == PALETTE[1]
    # The average: the row with most of its colour, at 214.5 kWh on the same scale.
    counts = {y: colour_count(image.crop((LEFT, y, WIDTH, y + 1)), AVERAGE) for y in range(HEIGHT)}
    assert abs(max(counts, key=counts.__getitem__) - (bottom - k * 214.5)) <= 2
    # Each bar's total is written just above it (dark text, the estimate's grey).
    for x, top in zip(centres, tops, strict=True):
        darkest, _ = image.crop((x - 20, top - 30, x + 20, top - 2)).convert("L").getextrema()
        assert isinstance(darkest, int) and darkest < 130


def test_charts_drawn_in_threads_at_once_are_each_whole() -> None:
    charts = [chart(months=n) for n in (1, 6, 13, 24)]
    alone = [render_chart(data) for data in charts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_chart, charts * 3)) == alone * 3


def test_tiny_values_keep_whole_kwh_on_the_axis() -> None:
    tiny = ChartData("П", "кВт·ч", ("всего",), (Bar("ноя", (Decimal("0.3"),)),), None, "", "")
    image = opened(render_chart(tiny))
    row = HEIGHT - BOTTOM - 4
    (centre,) = bar_columns(image, row)
    top = top_of_bar(image, centre, row, {PALETTE[0]})
    # 0.3 kWh on an axis of 0 to 1: the bar rises about a third of the plot's height.
    assert 0.2 < (row - top) / (HEIGHT - BOTTOM - 150) < 0.4


def test_only_the_estimated_month_is_hatched_and_lighter() -> None:
    image = opened(render_chart(chart()))
    row = HEIGHT - BOTTOM - 4
    centres = bar_columns(image, row)
    lighter = light(PALETTE[0])

    def has(x: int, colour: Colour) -> bool:
        return any(
            image.getpixel((x + dx, row - dy)) == colour for dx in range(-8, 9) for dy in range(40)
        )

    assert has(centres[-1], lighter) and has(centres[-1], PALETTE[0])  # light fill, dark hatch
    assert not any(has(x, lighter) for x in centres[:-1])


def test_each_zone_has_its_own_colour() -> None:
    image = opened(render_chart(chart(series=("пик", "полупик", "ночь"))))
    present = {colour for _, colour in image.getcolors(maxcolors=WIDTH * HEIGHT) or ()}
    assert {PALETTE[0], PALETTE[1], PALETTE[2]} <= present
    assert PALETTE[3] not in present


def test_thirty_months_and_odd_data_still_draw() -> None:
    many = chart(months=30)
    assert len(bar_columns(opened(render_chart(many)), HEIGHT - BOTTOM - 4)) == 30
    empty = dataclasses.replace(chart(), bars=(), average=None)
    assert opened(render_chart(empty)).size == (WIDTH, HEIGHT)
    zeros = ChartData(
        "Потребление", "кВт·ч", ("всего",), (Bar("ноя", (Decimal(0),)),), None, "", ""
    )
    assert opened(render_chart(zeros)).size == (WIDTH, HEIGHT)


def test_a_bar_with_the_wrong_number_of_parts_is_refused() -> None:
    broken = dataclasses.replace(chart(), bars=(Bar("ноя", (Decimal(1),)),))
    with pytest.raises(ValueError, match="has 1 parts, the chart 2 series"):
        render_chart(broken)
