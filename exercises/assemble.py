"""Assembling what students receive: a module, a notebook, an nbgrader source notebook.

Every piece comes from the reference solution (through `stubs`) and the catalog;
the notebook's self-check numbers come from the reference run on the course's
worked example, so nothing here can disagree with the code.
"""

from __future__ import annotations

import inspect

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.stubs import prelude, reference_source, student_function
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions import named
from backprop_lab.solutions.named import ANSWER_KEYS, MAZUR, to_matrices

ASSIGNMENT = "backprop"


def _title(lang: str) -> str:
    return tr(lang, N_("Backpropagation through the chain rule"))


def _intro(lang: str) -> str:
    return tr(
        lang,
        N_(
            "Fill in one function per step of the derivation. Each function works on a batch of rows "
            "(X has shape (m, d)) and any layer sizes. The network of the notes is the 2-2-2 sigmoid network "
            "with cross-entropy: z1 = W1·x1 + W2·x2 + b1, a1 = σ(z1), …, p1 = σ(z3), "
            "E = −Σ_k [y_k ln p_k + (1 − y_k) ln(1 − p_k)]. "
            "Use only NumPy and the standard library. Check your work with `backprop-lab check {file}`."
        ),
        file=f"{ASSIGNMENT}.py",
    )


def answers_stub(lang: str) -> str:
    comment = tr(lang, N_("Your numbers for the course's network: fill in each gradient as a float."))
    keys = "".join(f'    "{key}": None,\n' for key in ANSWER_KEYS)
    return f"# {comment}\nANSWERS = {{\n{keys}}}\n"


def given_source(course: Course, lang: str) -> str:
    """Solved functions for the steps a course leaves out, which the other steps may call."""
    if not course.given():
        return ""
    heading = tr(lang, N_("Given, not graded: steps this course does not ask for, solved for you."))
    solved = [student_function(course.step(step_id), lang, solution=True) for step_id in course.given()]
    return f"# {heading}\n\n" + "\n\n".join(
        text.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "") for text in solved
    )


def student_module(lang: str, course: Course | None = None, solution: bool = False) -> str:
    """The whole `backprop.py` a student fills in (or the instructor's solution copy)."""
    course = course or Course()
    source = reference_source()
    parts = [f'"""{_title(lang)}\n\n{_intro(lang)}\n"""\n\n', prelude(source), "\n"]
    if course.given():
        parts += ["\n", given_source(course, lang), "\n"]
    for step_id in course.points:
        parts += [
            "\n",
            student_function(course.step(step_id), lang, solution, course.source_of(step_id)),
            "\n",
        ]
    parts += ["\n", answers_stub(lang)]
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
    """A visible, ungraded check on the notes' worked example (Mazur's numbers, four biases)."""
    X, Y, params = to_matrices(MAZUR)
    cache = ref.forward(X, params)
    delta_out = ref.output_delta(cache["P"], Y)
    delta_hidden = ref.hidden_delta(cache["A_hidden"], params["W_out"], delta_out)
    grads = ref.backward(X, Y, params)
    checks = {
        "sigmoid": ("sigmoid(np.array([0.0, 2.0]))", ref.sigmoid(np.array([0.0, 2.0]))),
        "sigmoid_grad": ("sigmoid_grad(np.array([0.25]))", ref.sigmoid_grad(np.array([0.25]))),
        "forward": ('forward(X, params)["P"]', cache["P"]),
        "cross_entropy": ("cross_entropy(P, Y)", ref.cross_entropy(cache["P"], Y)),
        "cross_entropy_grad": ("cross_entropy_grad(P, Y)", ref.cross_entropy_grad(cache["P"], Y)),
        "output_delta": ("output_delta(P, Y)", delta_out),
        "hidden_delta": (f'hidden_delta(A, params["W_out"], np.array({delta_out.tolist()}))', delta_hidden),
        "weight_grad": (f"weight_grad(np.array({delta_out.tolist()}), A)", grads["W_out"]),
        "bias_grad": (f"bias_grad(np.array({delta_out.tolist()}))", grads["b_out"]),
        "backward": ('backward(X, Y, params)["W_hidden"]', grads["W_hidden"]),
        "numerical_gradient": (
            "numerical_gradient(lambda t: float((t ** 3).sum()), np.array([1.0, 2.0]))",
            np.array([3.0, 12.0]),
        ),
        "sgd_step": (
            'sgd_step(params, backward(X, Y, params), 0.5)["W_out"]',
            ref.sgd_step(params, grads, 0.5)["W_out"],
        ),
    }
    heading = tr(
        lang, N_("Self-check on the worked example of the notes (not graded). Run it after each step.")
    )
    lines = [
        f"# {heading}",
        "import numpy as np",
        "",
        f"X = np.array({X.tolist()})",
        f"Y = np.array({Y.tolist()})",
        "params = {" + ", ".join(f'"{k}": np.array({v.tolist()})' for k, v in params.items()) + "}",
        f"P = np.array({cache['P'].tolist()})  # the reference forward pass, so each check stands alone",
        f"A = np.array({cache['A_hidden'].tolist()})",
        "checks = [",
    ]
    for step_id in (s for s in course.points if s in checks):  # an instructor's own steps: none here
        expression, expected = checks[step_id]
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


def personal_source(lang: str) -> str:
    """A cell that shows a student their own numbers, from their id or their JupyterHub user."""
    constants = "".join(
        f"{name} = {getattr(named, name)!r}\n" for name in ("INPUTS", "TARGETS", "WEIGHTS", "BIASES")
    )
    function = inspect.getsource(named.personal_numbers)
    intro = tr(
        lang, N_("Your personal numbers: type your student id (on JupyterHub it is filled in for you).")
    )
    return (
        f"# {intro}\nimport hashlib\nimport os\n\nimport numpy as np\n\n"
        'STUDENT_ID = os.environ.get("JUPYTERHUB_USER", "")\n\n'
        f"{constants}\n\n{function}\n\n"
        "if STUDENT_ID:\n"
        "    for name, value in personal_numbers(STUDENT_ID).items():\n"
        '        print(f"{name} = {value}")\n'
    )


def notebook(lang: str, course: Course | None = None, nbgrader: bool = False) -> nbformat.NotebookNode:
    """The student notebook; with nbgrader=True, the instructor's nbgrader source version."""
    course = course or Course()
    source = reference_source()
    points_label, own_numbers = tr(lang, N_("Points")), tr(lang, N_("Your own numbers"))
    cells = [
        new_markdown_cell(f"# {_title(lang)}\n\n{_intro(lang)}", id="intro"),
        new_code_cell(prelude(source), id="imports"),
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
        text = f"## {info.title[lang]}\n\n{formula}{info.instructions[lang]}\n\n{points}"
        cells.append(new_markdown_cell(text, id=_cell_id(f"about-{step_id}")))
        code = student_function(info, lang, nbgrader, course.source_of(step_id))
        cells.append(new_code_cell(code, id=_cell_id(step_id)))
        if nbgrader:
            cells[-2].metadata.update(_nbgrader(f"about_{step_id}", locked=True))
            cells[-1].metadata.update(_nbgrader(step_id, solution=True))
            cells.append(_test_cell(step_id, course.points[step_id], lang))
    cells.append(
        new_markdown_cell(
            f"## {own_numbers}\n\n"
            + tr(
                lang,
                N_(
                    "For the course's 2-2-2 network with your personal numbers, compute ∂E/∂W5, "
                    "∂E/∂b3, ∂E/∂a1 (both paths) and ∂E/∂W1 by hand or with your functions, "
                    "and write them into ANSWERS."
                ),
            ),
            id="about-answers",
        )
    )
    cells.append(new_code_cell(personal_source(lang), id="personal-numbers"))
    cells.append(new_code_cell(answers_stub(lang), id="answers"))
    if nbgrader:
        cells[-3].metadata.update(_nbgrader("about_answers", locked=True))
        # The id cell and ANSWERS stay plain, editable cells: the student types their id to see
        # their numbers, and as a solution cell nbgrader would blank ANSWERS out in the release.
        if course.answers_points:
            cells.append(_test_cell("personal_answers", course.answers_points, lang))
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


def _test_cell(step_id: str, points: float, lang: str) -> nbformat.NotebookNode:
    """An nbgrader autograder cell: hidden, it asks backprop-lab for this step's score."""
    visible = tr(lang, N_("Autograded: backprop-lab's hidden checks for this step run here."))
    call = f"score_step({step_id!r}, {points!r})"
    source = f"# {visible}\n### BEGIN HIDDEN TESTS\n{HOOK_IMPORT}\n{call}\n### END HIDDEN TESTS\n"
    cell = new_code_cell(source, id=_cell_id(f"test-{step_id}"))
    cell.metadata.update(_nbgrader(f"test_{step_id}", grade=True, locked=True, points=points))
    return cell


def nbgrader_config() -> str:
    """The course's nbgrader_config.py; its comments answer what an instructor sees in autograde."""
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
