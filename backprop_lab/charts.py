"""The class report's pictures, drawn with matplotlib and embedded as PNG data.

Chinese labels need a font with CJK glyphs (Debian's fonts-noto-cjk or
fonts-wqy-microhei). matplotlib's font cache predates fonts installed later, so the
font files are looked up directly; without one the labels stay English and the
report says why.
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache

CJK_FILES = re.compile(r"(?i)(NotoSansCJK-Regular|NotoSansCJKsc-Regular|wqy-microhei|wqy-zenhei)")


@cache
def cjk_font() -> str | None:
    """The family name of an installed font with CJK glyphs, registered with matplotlib; or None."""
    from matplotlib import font_manager

    for path in sorted(font_manager.findSystemFonts()):
        if CJK_FILES.search(path):
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fonts(font: str | None):
    """The labels' fonts for one picture only: other figures (summary.png) keep the defaults."""
    import matplotlib

    return matplotlib.rc_context(
        {"font.family": "sans-serif", "font.sans-serif": [*([font] if font else []), "DejaVu Sans"]}
    )


def score_histogram(scores: list[float], top: float, labels: dict[str, str], font: str | None) -> str:
    """How many students got each score band: whole students, ten bands."""
    with _fonts(font):
        return _histogram(_pyplot(), scores, top, labels)


def _histogram(plt, scores: list[float], top: float, labels: dict[str, str]) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.4))
    counts, edges, _ = ax.hist(scores, bins=10, range=(0, top or 1), color="#4878d0", edgecolor="white")
    ax.set(title=labels["title"], xlabel=labels["x"], ylabel=labels["y"])
    ax.yaxis.get_major_locator().set_params(integer=True)
    for count, left, right in zip(counts, edges[:-1], edges[1:], strict=True):
        if count:
            ax.text((left + right) / 2, count, f"{count:.0f}", ha="center", va="bottom", fontsize=8)
    return _png(fig)


def pass_rates(steps: list[str], rates: list[float], labels: dict[str, str], font: str | None) -> str:
    """Per step, the share of the class that passed it; the weakest steps stand out in red."""
    with _fonts(font):
        return _bars(_pyplot(), steps, rates, labels)


def _bars(plt, steps: list[str], rates: list[float], labels: dict[str, str]) -> str:
    fig, ax = plt.subplots(figsize=(6, 0.32 * len(steps) + 1.2))
    colours = ["#d65f5f" if rate < 50 else "#6acc64" for rate in rates]
    ax.barh(steps[::-1], rates[::-1], color=colours[::-1])
    ax.set(title=labels["title"], xlabel=labels["x"], xlim=(0, 100))
    for y, rate in enumerate(rates[::-1]):
        ax.text(min(rate + 1, 90), y, f"{rate:.0f}%", va="center", fontsize=8)
    return _png(fig)
