"""The class report's pictures, drawn as SVG and embedded as data.

SVG text is set by the browser, in the reader's own fonts, so the Chinese report's
labels need no font on the grading machine; and drawing two charts this way takes
milliseconds, where matplotlib took about a second of every class's run.
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np

WIDTH = 600
FONT = "font-family='system-ui, sans-serif'"
BLUE, GREEN, RED, GREY = "#4878d0", "#6acc64", "#d65f5f", "#555"


def _data(width: float, height: float, parts: list[str]) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:g}' height='{height:g}' "
        f"viewBox='0 0 {width:g} {height:g}' {FONT} font-size='12'>" + "".join(parts) + "</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _text(x: float, y: float, text: str, anchor: str = "middle", **attributes: str) -> str:
    extra = "".join(f" {name.replace('_', '-')}='{value}'" for name, value in attributes.items())
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}'{extra}>{escape(text)}</text>"


def _nice_step(tallest: int) -> int:
    """A whole-number tick spacing of 1, 2 or 5 times a power of ten: at most five steps."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if factor * power * 5 >= tallest:
                return factor * power
        power *= 10


def score_histogram(scores: list[float], top: float, labels: dict[str, str]) -> str:
    """How many students got each score band: ten bands, whole students on the axis."""
    counts, edges = np.histogram(scores, bins=10, range=(0, top or 1))
    left, right, upper, lower = 50, WIDTH - 20, 40, 290
    tallest = max(1, int(counts.max()) if len(scores) else 1)
    step = _nice_step(tallest)
    ceiling = step * -(-tallest // step)
    band = (right - left) / 10

    def y(count: float) -> float:
        return lower - (lower - upper) * count / ceiling

    parts = [_text(WIDTH / 2, 22, labels["title"], font_size="14", font_weight="600")]
    for tick in range(0, ceiling + 1, step):
        level = f"{y(tick):.1f}"
        parts.append(f"<line x1='{left}' x2='{right}' y1='{level}' y2='{level}' stroke='#e5e5e5'/>")
        parts.append(_text(left - 6, y(tick) + 4, str(tick), "end", fill=GREY))
    for index, count in enumerate(counts.tolist()):
        x = left + index * band
        if count:
            height = lower - y(count)
            parts.append(
                f"<rect x='{x + 1:.1f}' y='{y(count):.1f}' width='{band - 2:.1f}' height='{height:.1f}' "
                f"fill='{BLUE}'/>"
            )
            parts.append(_text(x + band / 2, y(count) - 4, str(count), font_size="11"))
    for index, edge in enumerate(edges.tolist()):
        parts.append(_text(left + index * band, lower + 16, f"{edge:g}", fill=GREY))
    parts.append(_text((left + right) / 2, lower + 36, labels["x"]))
    middle = (upper + lower) / 2
    parts.append(_text(14, middle, labels["y"], transform=f"rotate(-90 14 {middle})"))
    return _data(WIDTH, lower + 46, parts)


def pass_rates(steps: list[str], rates: list[float], labels: dict[str, str]) -> str:
    """Per step, the share of the class that passed it; the weakest steps stand out in red."""
    left, right, upper, row = 150, WIDTH - 50, 40, 24
    lower = upper + row * len(steps)
    scale = (right - left) / 100
    parts = [_text(WIDTH / 2, 22, labels["title"], font_size="14", font_weight="600")]
    for tick in range(0, 101, 20):
        x = left + tick * scale
        parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{upper}' y2='{lower}' stroke='#e5e5e5'/>")
        parts.append(_text(x, lower + 16, str(tick), fill=GREY))
    for index, (step, rate) in enumerate(zip(steps, rates, strict=True)):
        top = upper + index * row
        colour = RED if rate < 50 else GREEN
        parts.append(
            f"<rect x='{left}' y='{top + 4}' width='{rate * scale:.1f}' height='{row - 8}' fill='{colour}'/>"
        )
        parts.append(_text(left - 8, top + row / 2 + 4, step, "end"))
        label = f"{rate:.0f}%"
        parts.append(_text(left + rate * scale + 4, top + row / 2 + 4, label, "start", font_size="11"))
    parts.append(_text((left + right) / 2, lower + 36, labels["x"]))
    return _data(WIDTH, lower + 46, parts)
