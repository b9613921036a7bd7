"""The newcomer's first run: what backprop-lab does, end to end, with no configuration."""

from __future__ import annotations

from graders.explain import worked_derivation
from solutions.named import MAZUR


def run_demo(lang: str = "en") -> str:
    """The demo's report as text."""
    return worked_derivation(MAZUR, lang)
