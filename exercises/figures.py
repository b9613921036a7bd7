"""Figures for the lecture notes: SVG with its words kept as text, the same bytes on every machine.

The Chinese labels need no font on the machine that draws them (the reader's renders
them); layout is measured with matplotlib's own DejaVu Sans.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable
from pathlib import Path

# The reader's fonts draw the words; layout is measured with matplotlib's own DejaVu Sans only.
SVG_FONTS = ", ".join(
    [
        "'DejaVu Sans'",
        "'Noto Sans CJK SC'",
        "'Source Han Sans SC'",
        "'WenQuanYi Micro Hei'",
        "'PingFang SC'",
        "sans-serif",
    ]
)
# No date and no matplotlib version in the file: the same figure, the same bytes.
SVG_METADATA = {"Date": None, "Creator": None}

def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_svg(fig, path: Path) -> None:
    """SVG with text as text, fonts named for the reader; warnings about CJK glyphs are expected."""
    import io

    plt = pyplot()
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Glyph … missing from DejaVu Sans": the reader has it
        fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    plt.close(fig)
    svg = re.sub(r"font-family: [^;\"]*", f"font-family: {SVG_FONTS}", buffer.getvalue())
    path.write_text(svg, encoding="utf-8")


def figure(size: tuple[float, float]):
    logging.getLogger("matplotlib.mathtext").setLevel(logging.ERROR)
    return pyplot().subplots(figsize=size)


def styled(draw: Callable[[Path, str], None]) -> Callable[[Path, str], None]:
    """Draw and save under one style: text kept as text, laid out with matplotlib's own font."""
    import functools

    @functools.wraps(draw)
    def drawn(path: Path, lang: str = "en") -> None:
        import matplotlib

        style = {
            "svg.fonttype": "none",
            "svg.hashsalt": "backprop-lab",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
        }
        with matplotlib.rc_context(style):
            draw(path, lang)

    return drawn
