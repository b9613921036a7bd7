"""Writing results: results.json and grades.csv (the spec's), feedback files, Gradescope,
JUnit, and a picture of the class (score distribution and per-step pass rates).
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

from backprop_lab.feedback import step_feedback, submission_feedback, to_html
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult

ASSIGNMENT = "backprop"


def native(results: list[SubmissionResult], lang: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The spec's results.json, plus what makes every score reproducible."""
    return {
        "assignment": ASSIGNMENT,
        **meta,
        "submissions": [
            {
                "id": r.id,
                "score": r.score,
                "max_score": r.max_score,
                "problems": [p["message"].format(**p["values"]) for p in r.problems],
                "steps": [
                    {
                        "id": s.id,
                        "score": s.score,
                        "max_score": s.max_score,
                        "status": s.status,
                        "misconceptions": s.misconceptions,
                        "passed": s.passed,
                        "total": s.total,
                        "properties": [asdict(p) for p in s.properties],
                        "carried_forward": s.carried_forward,
                        "suspects": s.suspects,
                        "feedback": step_feedback(s, lang),
                    }
                    for s in r.steps
                ],
            }
            for r in results
        ],
    }


def gradescope(result: SubmissionResult, lang: str) -> dict[str, Any]:
    """Gradescope's autograder results format for one submission."""
    return {
        "score": result.score,
        "output": f"{result.id}: {result.score:g} / {result.max_score:g}",
        "visibility": "visible",
        "tests": [
            {
                "name": s.id,
                "score": s.score,
                "max_score": s.max_score,
                "status": "passed" if s.status == "passed" else "failed",
                "output": step_feedback(s, lang),
                "visibility": "visible",
            }
            for s in result.steps
        ],
    }


def junit(results: list[SubmissionResult], lang: str) -> ET.ElementTree:
    """JUnit XML: a test suite per submission, a test case per step."""
    suites = ET.Element("testsuites", name=ASSIGNMENT)
    for r in results:
        failing = [s for s in r.steps if s.status != "passed"]
        suite = ET.SubElement(
            suites, "testsuite", name=r.id, tests=str(len(r.steps)), failures=str(len(failing))
        )
        for s in r.steps:
            case = ET.SubElement(suite, "testcase", classname=f"{ASSIGNMENT}.{r.id}", name=s.id)
            if s.status != "passed":
                failure = ET.SubElement(case, "failure", message=f"{s.status}: {s.score:g}/{s.max_score:g}")
                failure.text = step_feedback(s, lang)
    return ET.ElementTree(suites)


def write_csv(results: list[SubmissionResult], path: Path, config: GradingConfig) -> None:
    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps)) or list(config.points)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "score", "max_score", *step_ids])
        for r in results:
            by_id = {s.id: s.score for s in r.steps}
            scores = (f"{by_id.get(i, 0):g}" for i in step_ids)
            writer.writerow([_cell(r.id), f"{r.score:g}", f"{r.max_score:g}", *scores])


def _cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula; an id from a file name is not one."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def plot_summary(results: list[SubmissionResult], path: Path) -> None:
    """Score distribution and per-step pass rates, one picture."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps))
    rates = [
        100 * sum(s.status == "passed" for r in results for s in r.steps if s.id == i)
        / max(1, sum(1 for r in results for s in r.steps if s.id == i))
        for i in step_ids
    ]  # fmt: skip
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1, 1.4]})
    top = max((r.max_score for r in results), default=100.0)
    left.hist([r.score for r in results], bins=20, range=(0, top), color="#4878d0", edgecolor="white")
    left.set(title=f"Scores ({len(results)} submissions)", xlabel="score", ylabel="submissions")
    right.barh(step_ids[::-1], rates[::-1], color="#6acc64")
    right.set(title="Steps passed", xlabel="% of submissions", xlim=(0, 100))
    for y, rate in enumerate(rates[::-1]):
        right.text(min(rate + 1, 92), y, f"{rate:.0f}%", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(results: list[SubmissionResult], out: Path, config: GradingConfig, lang: str,
              meta: dict[str, Any], formats: tuple[str, ...] = (), plot: bool = True) -> None:  # fmt: skip
    """Everything `backprop-lab grade` writes into its output folder."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(native(results, lang, meta), indent=1, ensure_ascii=False) + "\n"
    )
    write_csv(results, out / "grades.csv", config)
    feedback_dir = out / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    for r in results:
        text = submission_feedback(r, lang)
        (feedback_dir / f"{r.id}.md").write_text(text + "\n", encoding="utf-8")
        (feedback_dir / f"{r.id}.html").write_text(to_html(text, r.id), encoding="utf-8")
    if "gradescope" in formats:
        (out / "gradescope").mkdir(exist_ok=True)
        for r in results:
            (out / "gradescope" / f"{r.id}.json").write_text(json.dumps(gradescope(r, lang), indent=1) + "\n")
    if "junit" in formats:
        junit(results, lang).write(out / "junit.xml", encoding="utf-8", xml_declaration=True)
    if plot and results:
        plot_summary(results, out / "summary.png")
