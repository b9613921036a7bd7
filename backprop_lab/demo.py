"""The newcomer's first run: generate an assignment (the default one unless asked), write a
few sample submissions (correct, buggy, unfinished, broken), grade them, and show the results.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from backprop_lab.exercises.assemble import notebook, student_module
from backprop_lab.exercises.assignments import DEFAULT
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.stubs import functions
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders.results import SubmissionResult


def sample_submissions(folder: Path, lang: str, course: Course) -> list[Path]:
    """Five students: right, one classic slip (in a notebook), unfinished, broken, not Python."""
    folder.mkdir(parents=True, exist_ok=True)
    key = student_module(lang, course, solution=True)
    filled = key
    for name, value in course.assignment.answers.answers("ada").items():
        filled = filled.replace(f'"{name}": None', f'"{name}": {value!r}')
    (folder / "ada.py").write_text(filled)

    slip_step, slip = course.assignment.slip
    with_slip = notebook(lang, course)
    answers = functions(key)
    for cell in with_slip.cells:
        if cell.get("id", "").replace("-", "_") in answers:
            step_id = cell["id"].replace("-", "_")
            cell.source = slip if step_id == slip_step else answers[step_id].text
    (folder / "ben.ipynb").write_text(nbformat.writes(with_slip))

    (folder / "cy.py").write_text(student_module(lang, course))
    (folder / "dee.ipynb").write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": "def sigmoid(z"}]})[:-7]
    )
    (folder / "eve.py").write_text("def sigmoid(z):\n    return 1 / (1 + np.exp(-z)\n")
    return sorted(folder.iterdir())


def run_demo(
    out: Path, lang: str = "en", assignment: str = DEFAULT
) -> tuple[list[SubmissionResult], str]:
    """Everything the demo does; returns the results and a short report."""
    course = Course.load(None, assignment)
    written = generate(out / "assignment", lang, course=course)
    sample_submissions(out / "submissions", lang, course)
    results = grade_paths(
        [out / "submissions"],
        out / "results",
        grading_config(None, out / "results", assignment=assignment),
        lang=lang,
        show_progress=False,
    )
    ben = next(r for r in results if r.id == "ben")
    lines = [
        f"assignment:  {out / 'assignment'} ({len(written)} files: module, notebook, nbgrader course)",
        f"submissions: {out / 'submissions'}",
        f"results:     {out / 'results'} (results.json, grades.csv, feedback/, summary.png)",
        f"report:      {out / 'results' / 'report.html'} (the class at a glance, in a browser)",
        "",
    ]
    feedback = (out / "results" / "feedback" / f"{ben.id}.md").read_text()
    start = feedback.index(f"### {slip_step}") if (slip_step := course.assignment.slip[0]) else 0
    end = feedback.find("\n### ", start + 1)
    lines += [
        f"feedback for {ben.id}, one step:",
        "",
        feedback[start : end if end != -1 else None].strip(),
    ]
    return results, "\n".join(lines)
