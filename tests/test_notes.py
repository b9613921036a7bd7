"""The lecture notes: regenerated from backprop_lab.solutions/, they match what is committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_lab.exercises.notes import LANGUAGES, draw_graph, draw_network, measure_cost, notes_text
from backprop_lab.solutions.named import MAZUR, derive

COURSE = Path(__file__).resolve().parents[1] / "course"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_notes_are_what_the_code_computes(lang) -> None:
    committed = (COURSE / "notes" / f"notes.{lang}.md").read_text(encoding="utf-8")
    assert committed == notes_text(lang), "run `backprop-lab notes` and commit the result"
    assert "<<" not in committed
    d = derive(MAZUR)
    assert f"{d['dE_dW5']:.6g}" in committed and f"{d['dE_da1']:.6g}" in committed


def test_figures_are_drawn(tmp_path) -> None:
    draw_network(tmp_path / "n.png")
    draw_graph(tmp_path / "g.png")
    for name in ("n.png", "g.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all((COURSE / "figures" / f"{name}.png").is_file() for name in ("network", "graph", "cost"))


def test_the_cost_measurement_covers_growing_networks() -> None:
    rows = measure_cost(widths=(4, 8))  # timings are the benchmark's business, not a test's
    assert [n for n, _, _ in rows] == [2 * (4 * 4 + 4), 2 * (8 * 8 + 8)]
    assert all(backprop > 0 and differences > 0 for _, backprop, differences in rows)
