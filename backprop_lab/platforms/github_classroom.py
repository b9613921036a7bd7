"""GitHub Classroom: a template repository whose workflow grades each step on every push.

    DIR/github-classroom/
        backprop.py, backprop.ipynb          the student's module and the notebook that guides it
                                             (named after the assignment: deep.py for deep)
        README.md                            for students: what to do, how to check locally
        .github/wheels/                      the wheel of the backprop-lab that wrote it (or --install's)
        course.toml (+ its catalogs)         with --course: the course's steps and points
        .github/workflows/classroom.yml      GitHub Classroom's autograding workflow

The workflow has the form GitHub Classroom writes itself: one
`classroom-resources/autograding-command-grader` step per graded step (its command,
`backprop-lab check backprop.py --step STEP`, exits 0 exactly at full marks) and an
`autograding-grading-reporter` step over all of them. Everything in it is the student's
to read, so it grades on the public practice cases, and a course with steps of the
instructor's own (whose modules hold their solutions) cannot be published this way.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from backprop_lab.exercises.assemble import notebook, student_module
from backprop_lab.exercises.assignment import Assignment
from backprop_lab.exercises.assignments import DEFAULT
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.platforms.install import Bundled, content, pip_arguments

FOLDER = "github-classroom"
WORKFLOW = ".github/workflows/classroom.yml"
WHEELS = ".github/wheels"
PYTHON_VERSION = "3.12"
TIMEOUT_MINUTES = 10
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def _points(course: Course) -> dict[str, int]:
    """The course's steps and points; the command grader counts whole points only."""
    custom = [step.id for step in course.steps.values() if step.module]
    if custom:
        raise ValueError(
            f"steps of your own ({', '.join(custom)}) would publish their solutions in every "
            "student's repository: grade them with Gradescope or `backprop-lab grade`"
        )
    fractional = {k: v for k, v in course.points.items() if not float(v).is_integer()}
    if fractional:
        raise ValueError(f"GitHub Classroom counts whole points; these steps have fractions: {fractional}")
    return {step_id: int(points) for step_id, points in course.points.items()}


def _q(text: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def workflow(points: dict[str, int], setup: str, check: str) -> str:
    """classroom.yml: a command grader per step, then the reporter over all of them."""
    lines = [
        "name: Autograding Tests",
        '"on":',
        "  push:",
        "  repository_dispatch:",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        f"          python-version: {_q(PYTHON_VERSION)}",
    ]
    for step_id, score in points.items():
        lines += [
            f"      - name: {step_id}",
            f"        id: {step_id}",
            f"        uses: {COMMAND_GRADER}",
            "        with:",
            f"          test-name: {step_id}",
            f"          setup-command: {_q(setup)}",
            f"          command: {_q(f'{check} --step {step_id}')}",
            f"          timeout: {TIMEOUT_MINUTES}",
            f"          max-score: {score}",
        ]
    lines += ["      - name: Autograding Reporter", f"        uses: {REPORTER}", "        env:"]
    lines += [
        f"          {step_id.upper()}_RESULTS: {_q('${{steps.' + step_id + '.outputs.result}}')}"
        for step_id in points
    ]
    lines += ["        with:", f"          runners: {','.join(points)}"]
    return "\n".join(lines) + "\n"


def student_readme(spec: str, check: str, lang: str, assignment: Assignment, step: str) -> str:
    """What a student reads first: where to write, how to check, what the grader runs."""
    module = assignment.module
    title = tr(lang, assignment.title)
    return "\n".join(
        [
            f"# {title}",
            "",
            tr(
                lang,
                N_(
                    "Write your functions in {module}. The notebook {notebook} explains each step and "
                    "checks your numbers on the worked example of the notes."
                ),
                module=f"`{module}`",
                notebook=f"`{assignment.notebook}`",
            ),
            "",
            tr(lang, N_("Check your work on your own computer before you push:")),
            "",
            "```sh",
            f"python -m pip install {spec}",
            check,
            f"{check} --step {step}",
            "```",
            "",
            tr(
                lang,
                N_(
                    "Every push runs the same checks on GitHub, one per step: a step earns its points when "
                    "all its cases pass. The Actions tab shows each step's feedback."
                ),
            ),
            "",
        ]
    )


def write_template(
    out: Path, course: Course | None = None, install: str | None = None, lang: str = "en"
) -> list[Path]:
    """Write OUT/github-classroom/, the assignment's template repository; returns the files written."""
    course = course or Course()
    points = _points(course)
    root = out / FOLDER
    bundled: Bundled = {}
    spec = pip_arguments(install, bundled, WHEELS, "")
    course_option = ""
    if course.path is not None:
        bundled["course.toml"] = course.path
        for catalog in course.files:  # no modules (refused above): the instructor's misconceptions
            bundled[catalog.relative_to(course.path.parent).as_posix()] = catalog
        course_option = " --course course.toml"
    elif course.assignment.name != DEFAULT:
        course_option = f" --assignment {course.assignment.name}"
    check = f"backprop-lab check {course.assignment.module}{course_option}"
    setup = f"command -v backprop-lab >/dev/null || python -m pip install -q {spec}"
    texts = {
        course.assignment.module: student_module(lang, course),
        course.assignment.notebook: nbformat.writes(notebook(lang, course)) + "\n",
        "README.md": student_readme(spec, check, lang, course.assignment, next(iter(points))),
        WORKFLOW: workflow(points, setup, check),
    }
    written = []
    for name, text in texts.items():
        written.append(_write(root / name, text.encode()))
    for name, source in bundled.items():
        written.append(_write(root / name, content(source)))
    return written


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
