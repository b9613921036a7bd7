"""Assembling what students receive: a module, a notebook, an nbgrader source notebook.

Every piece comes from the reference solution (through `stubs`) and the catalog;
the notebook's self-check numbers come from the reference run on the course's
worked example, so nothing here can disagree with the code.
"""

from __future__ import annotations

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from backprop_lab.exercises.assignment import Assignment
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.stubs import functions, prelude, replace_docstring, student_function


def _title(assignment: Assignment, lang: str) -> str:
    return tr(lang, assignment.title)


def _intro(assignment: Assignment, lang: str) -> str:
    return tr(lang, assignment.intro, file=assignment.module)


def answers_stub(assignment: Assignment, lang: str) -> str:
    comment = tr(lang, N_("Your numbers for the course's network: fill in each gradient as a float."))
    keys = "".join(f'    "{key}": None,\n' for key in assignment.answers.keys)
    return f"# {comment}\nANSWERS = {{\n{keys}}}\n"


def helpers_source(course: Course, lang: str) -> str:
    """The reference's helper functions the steps call, given to students solved, each with
    its docstring in the student's language."""
    source = functions(course.source_of(course.assignment.steps[0].id))
    return "\n\n".join(
        replace_docstring(source[name].text, tr(lang, doc)) for name, doc in course.assignment.given.items()
    )


def given_source(course: Course, lang: str) -> str:
    """Solved functions for the steps a course leaves out, which the other steps may call."""
    if not course.given():
        return ""
    heading = tr(lang, N_("Given, not graded: steps this course does not ask for, solved for you."))
    solved = [
        student_function(course.step(step_id), lang, course.source_of(step_id), solution=True)
        for step_id in course.given()
    ]
    return f"# {heading}\n\n" + "\n\n".join(
        text.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "") for text in solved
    )


def _opening(course: Course, lang: str) -> str:
    """The reference's imports and type names, then the helpers given to students."""
    opening = prelude(course.source_of(course.assignment.steps[0].id))
    helpers = helpers_source(course, lang)
    return f"{opening}\n\n{helpers}" if helpers else opening


def student_module(lang: str, course: Course | None = None, solution: bool = False) -> str:
    """The whole module a student fills in, e.g. `backprop.py` (or the instructor's solution copy)."""
    course = course or Course()
    assignment = course.assignment
    docstring = f'"""{_title(assignment, lang)}\n\n{_intro(assignment, lang)}\n"""\n\n'
    parts = [docstring, _opening(course, lang), "\n"]
    if course.given():
        parts += ["\n", given_source(course, lang), "\n"]
    for step_id in course.points:
        parts += [
            "\n",
            student_function(course.step(step_id), lang, course.source_of(step_id), solution),
            "\n",
        ]
    parts += ["\n", answers_stub(assignment, lang)]
    return "".join(parts)


# ---------------------------------------------------------------- notebooks


def _cell_id(name: str) -> str:
    return name.replace("_", "-")  # fixed ids: generating twice gives the same bytes


def _nbgrader(
    grade_id: str,
    *,
    solution: bool = False,
    grade: bool = False,
    locked: bool = False,
    points: float | None = None,
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def self_check_source(lang: str, course: Course) -> str:
    """A visible, ungraded check on the notes' worked example, for the steps the course asks for."""
    check = course.assignment.self_check()
    heading = tr(
        lang, N_("Self-check on the worked example of the notes (not graded). Run it after each step.")
    )
    lines = [f"# {heading}", "import numpy as np", "", *check.setup, "checks = ["]
    for step_id in (s for s in course.points if s in check.checks):  # an instructor's own steps: none here
        expression, expected = check.checks[step_id]
        value = np.asarray(expected).tolist()
        lines.append(f'    ("{step_id}", lambda: {expression}, {value!r}),')
    not_yet, ok, wrong = (
        tr(lang, N_("not implemented yet")),
        tr(lang, N_("ok")),
        tr(lang, N_("different from")),
    )
    lines += [
        "]",
        "for name, compute, expected in checks:",
        "    try:",
        "        got = compute()",
        "    except NotImplementedError:",
        f'        print(f"  {{name}}: {not_yet}")',
        "        continue",
        "    good = np.shape(got) == np.shape(expected) and np.allclose(got, expected, rtol=1e-6, atol=1e-9)",
        f'    verdict = "{ok}" if good else f"{wrong} {{expected}}"',
        '    print(("✓ " if good else "✗ ") + f"{name}: {verdict}")',
    ]
    return "\n".join(lines) + "\n"


def notebook(lang: str, course: Course | None = None, nbgrader: bool = False) -> nbformat.NotebookNode:
    """The student notebook; with nbgrader=True, the instructor's nbgrader source version."""
    course = course or Course()
    assignment = course.assignment
    points_label, own_numbers = tr(lang, N_("Points")), tr(lang, N_("Your own numbers"))
    cells = [
        new_markdown_cell(f"# {_title(assignment, lang)}\n\n{_intro(assignment, lang)}", id="intro"),
        new_code_cell(_opening(course, lang), id="imports"),
    ]
    if nbgrader:
        cells[0].metadata.update(_nbgrader("intro", locked=True))
        cells[1].metadata.update(_nbgrader("imports", locked=True))
    if course.given():
        cells.append(new_code_cell(given_source(course, lang), id="given"))
        if nbgrader:
            cells[-1].metadata.update(_nbgrader("given", locked=True))
    for step_id in course.points:
        info = course.step(step_id)
        formula = f"$${info.latex}$$\n\n" if info.latex else ""
        points = f"*{points_label}: {course.points[step_id]:g}*"
        title, instructions = tr(lang, info.title), tr(lang, info.instructions)
        text = f"## {title}\n\n{formula}{instructions}\n\n{points}"
        cells.append(new_markdown_cell(text, id=_cell_id(f"about-{step_id}")))
        code = student_function(info, lang, course.source_of(step_id), nbgrader)
        cells.append(new_code_cell(code, id=_cell_id(step_id)))
        if nbgrader:
            cells[-2].metadata.update(_nbgrader(f"about_{step_id}", locked=True))
            cells[-1].metadata.update(_nbgrader(step_id, solution=True))
            cells.append(_test_cell(step_id, course.points[step_id], lang, assignment.name))
    cells.append(
        new_markdown_cell(
            f"## {own_numbers}\n\n" + tr(lang, assignment.answers.question),
            id="about-answers",
        )
    )
    cells.append(new_code_cell(assignment.answers.cell(lang), id="personal-numbers"))
    cells.append(new_code_cell(answers_stub(assignment, lang), id="answers"))
    if nbgrader:
        cells[-3].metadata.update(_nbgrader("about_answers", locked=True))
        # The id cell and ANSWERS stay plain, editable cells: the student types their id to see
        # their numbers, and as a solution cell nbgrader would blank ANSWERS out in the release.
        if course.answers_points:
            cells.append(_test_cell("personal_answers", course.answers_points, lang, assignment.name))
    cells.append(new_code_cell(self_check_source(lang, course), id="self-check"))
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


# The kernel's working directory is the student's folder and comes first on sys.path: a
# folder holding its own backprop_lab/ must not stand in for the installed package.
HOOK_IMPORT = """\
import importlib, os, sys
_folder = os.path.realpath(os.getcwd())
_ours = lambda p: not os.path.realpath(p or ".").startswith(_folder)
_hook = sys.modules.get("backprop_lab.nbgrader_hook")
if _hook is None or not _ours(getattr(_hook, "__file__", None) or _folder):
    for _name in [n for n in sys.modules if n.split(".")[0] == "backprop_lab"]:
        del sys.modules[_name]
    _saved, sys.path[:] = sys.path[:], [p for p in sys.path if p and _ours(p)]
    try:
        _hook = importlib.import_module("backprop_lab.nbgrader_hook")
    finally:
        sys.path[:] = _saved
score_step = _hook.score_step"""


def _test_cell(step_id: str, points: float, lang: str, assignment: str) -> nbformat.NotebookNode:
    """An nbgrader autograder cell: hidden, it asks backprop-lab for this step's score."""
    visible = tr(lang, N_("Autograded: backprop-lab's hidden checks for this step run here."))
    call = f"score_step({step_id!r}, {points!r}, assignment={assignment!r})"
    source = f"# {visible}\n### BEGIN HIDDEN TESTS\n{HOOK_IMPORT}\n{call}\n### END HIDDEN TESTS\n"
    cell = new_code_cell(source, id=_cell_id(f"test-{step_id}"))
    cell.metadata.update(_nbgrader(f"test_{step_id}", grade=True, locked=True, points=points))
    return cell


def nbgrader_config() -> str:
    """The course's nbgrader_config.py; its comments answer what an instructor sees in autograde.

    One course directory holds every assignment: its id is the framework's, not an assignment's."""
    return (
        "# nbgrader configuration for the backprop-lab course (generated).\n"
        "# The hidden test cells grade on the cases of course-secret.txt, beside this file (never\n"
        "# released), as `backprop-lab grade --gradebook .` does.\n"
        "# `nbgrader autograde` warns \"Attribute 'checksum' for cell test_<step> has changed!\" for each\n"
        "# step: nbgrader is putting back the hidden tests the release left out (jupyter/nbgrader#1961).\n"
        "c = get_config()  # noqa: F821\n"
        'c.CourseDirectory.course_id = "backprop-lab"\n'
        'c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}\n'
        "c.ExecutePreprocessor.timeout = 300\n"
    )
