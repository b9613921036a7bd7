"""The class report's charts: SVG that says what the numbers say, whatever the labels hold."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import numpy as np

from backprop_lab.charts import RED, pass_rates, score_histogram

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & 'quotes'"


def parsed(data: str) -> ET.Element:
    prefix = "data:image/svg+xml;base64,"
    assert data.startswith(prefix)
    return ET.fromstring(base64.b64decode(data[len(prefix) :]))  # well-formed XML, or this raises


def test_each_band_has_a_bar_as_tall_as_its_count() -> None:
    scores = [0.0, 10.0, 10.0, 20.0, 3.5, 19.9]
    svg = parsed(score_histogram(scores, 20.0, {"title": HOSTILE, "x": "score", "y": "students"}))
    bars = svg.findall(f"{SVG}rect")
    expected = np.histogram(scores, bins=10, range=(0, 20))[0]
    assert len(bars) == np.count_nonzero(expected)
    heights = [float(bar.get("height")) for bar in bars]
    counts = [c for c in expected.tolist() if c]
    assert np.allclose(np.array(heights) / heights[0], np.array(counts) / counts[0])  # proportional
    texts = [t.text for t in svg.findall(f"{SVG}text")]
    assert HOSTILE in texts  # the title is text, never markup
    on_bars = [t.text for t in svg.findall(f"{SVG}text") if t.get("font-size") == "11"]
    assert on_bars == [str(c) for c in counts]


def test_an_empty_class_draws_an_empty_chart() -> None:
    svg = parsed(score_histogram([], 0.0, {"title": "t", "x": "x", "y": "y"}))
    assert svg.findall(f"{SVG}rect") == []


def test_each_step_has_a_bar_as_long_as_its_pass_rate_and_the_weak_ones_are_red() -> None:
    steps, rates = ["sigmoid", "forward", HOSTILE], [100.0, 25.0, 50.0]
    svg = parsed(pass_rates(steps, rates, {"title": "t", "x": "%"}))
    bars = svg.findall(f"{SVG}rect")
    assert [float(b.get("width")) / float(bars[0].get("width")) for b in bars] == [1.0, 0.25, 0.5]
    assert [b.get("fill") == RED for b in bars] == [False, True, False]
    texts = [t.text for t in svg.findall(f"{SVG}text")]
    assert all(step in texts for step in steps) and "25%" in texts


def test_summary_png_fits_ids_of_any_length(tmp_path) -> None:
    """A course may name its steps and mistakes at length: the picture cuts the labels and is
    drawn (the panels' room came from the labels' lengths and once went negative)."""
    from backprop_lab.graders.results import StepResult, SubmissionResult
    from backprop_lab.report import plot_summary

    long_step, long_mistake = "layer_norm_backward_" + "x" * 70, "uses_the_running_mean_" + "y" * 70
    steps = [
        StepResult(long_step, 0.0, 5.0, "failed", misconceptions=[long_mistake]),
        StepResult(long_step[:45] + "_other", 5.0, 5.0, "passed"),  # the same first 40 characters
    ]
    plot_summary([SubmissionResult("s1", 5.0, 10.0, steps)], tmp_path / "summary.png")
    assert (tmp_path / "summary.png").read_bytes().startswith(b"\x89PNG\r\n")
