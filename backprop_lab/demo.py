"""The newcomer's first run: generate the default assignment, write a few sample
submissions (correct, buggy, unfinished, broken), grade them, and show the results.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from backprop_lab.exercises.assemble import notebook, student_module
from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.stubs import functions
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.solutions.named import personal_answers

BUG = (  # the catalogued slip missing_transpose
    "def hidden_delta(A_hidden, W_out, delta_out):\n"
    "    return A_hidden * (1 - A_hidden) * (delta_out @ W_out.T)\n"
)


def sample_submissions(folder: Path, lang: str) -> list[Path]:
    """Five students: right, one classic slip (in a notebook), unfinished, broken, not Python."""
    folder.mkdir(parents=True, exist_ok=True)
    key = student_module(lang, solution=True)
    filled = key
    for name, value in personal_answers("ada").items():
        filled = filled.replace(f'"{name}": None', f'"{name}": {value!r}')
    (folder / "ada.py").write_text(filled)

    slip = notebook(lang)
    answers = functions(key)
    for cell in slip.cells:
        if cell.get("id", "").replace("-", "_") in answers:
            step_id = cell["id"].replace("-", "_")
            cell.source = BUG if step_id == "hidden_delta" else answers[step_id].text
    (folder / "ben.ipynb").write_text(nbformat.writes(slip))

    (folder / "cy.py").write_text(student_module(lang))
    (folder / "dee.ipynb").write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": "def sigmoid(z"}]})[:-7]
    )
    (folder / "eve.py").write_text("def sigmoid(z):\n    return 1 / (1 + np.exp(-z)\n")
    return sorted(folder.iterdir())


def run_demo(out: Path, lang: str = "en") -> tuple[list[SubmissionResult], str]:
    """Everything the demo does; returns the results and a short report."""
    assignment = generate(out / "assignment", lang)
    sample_submissions(out / "submissions", lang)
    results = grade_paths(
        [out / "submissions"],
        out / "results",
        grading_config(None, out / "results"),
        lang=lang,
        show_progress=False,
    )
    ben = next(r for r in results if r.id == "ben")
    lines = [
        f"assignment:  {out / 'assignment'} ({len(assignment)} files: module, notebook, nbgrader course)",
        f"submissions: {out / 'submissions'}",
        f"results:     {out / 'results'} (results.json, grades.csv, feedback/, summary.png)",
        f"report:      {out / 'results' / 'report.html'} (the class at a glance, in a browser)",
        "",
    ]
    feedback = (out / "results" / "feedback" / f"{ben.id}.md").read_text()
    start = feedback.index("### hidden_delta")
    lines += [
        f"feedback for {ben.id}, one step:",
        "",
        feedback[start : feedback.index("### weight_grad")].strip(),
    ]
    return results, "\n".join(lines)
