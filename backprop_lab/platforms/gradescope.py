"""Gradescope: an autograder zip that installs backprop-lab, and the grading run inside it.

    DIR/gradescope/autograder.zip
        setup.sh          once, as root, on Gradescope's Ubuntu image: backprop-lab from its
                          bundled wheel (or SPEC) into /autograder/venv, libseccomp for the sandbox
        run_autograder    for every submission: grades /autograder/submission and writes
                          /autograder/results/results.json (`python -m backprop_lab.platforms.gradescope`)
        wheels/           the wheel of the backprop-lab that wrote the zip (or one given as SPEC):
                          no package index need hold backprop-lab, only its dependencies (PyPI)
        course/           the course file and the instructor's modules (with --course)
        secret            the course secret the grading cases come from (when there is one)

The format is Gradescope's (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
one test per graded step with Markdown output, the overall score and the execution time.
Student code runs in the project's sandbox as `nobody`; setup.sh leaves /autograder/source
readable by root only, so neither the secret nor the instructor's modules reach it.

Both scripts work under $BACKPROP_LAB_AUTOGRADER_ROOT instead of /autograder when it is set:
Gradescope never sets it; backprop-lab's own tests do, so they never touch the host's /autograder.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from backprop_lab.atomic import write_atomically
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import LANGUAGES, N_, tr
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.exercises.visibility import Visibility
from backprop_lab.grade_class import grading_config
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.submissions import load
from backprop_lab.lateness import mark_late_on_gradescope
from backprop_lab.platforms.install import Bundled, content, pip_arguments
from backprop_lab.report import gradescope as gradescope_results

ZIP_NAME = "autograder.zip"
ROOT_VARIABLE = "BACKPROP_LAB_AUTOGRADER_ROOT"
ROOT = f"root=\"${{{ROOT_VARIABLE}:-/autograder}}\"  # Gradescope's; only backprop-lab's tests set another"
COURSE_DIR = "course"
SECRET_NAME = "secret"
MIN_PYTHON = (3, 10)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
{root}
cd "$root/source"

if ! python3 -c 'import sys; sys.exit(sys.version_info < {min_python})'; then
  echo "backprop-lab needs Python >= {min_text}: choose an Ubuntu 22.04 (or newer) base image" >&2
  exit 1
fi
# The sandbox's syscall filter needs libseccomp; a venv needs ensurepip (python3-venv on Ubuntu).
packages=()
ldconfig -p | grep -q libseccomp.so.2 || packages+=(libseccomp2)
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
if [ ${{#packages[@]}} -gt 0 ]; then
  (apt-get update -qq && apt-get install -y -qq "${{packages[@]}}") \\
    || echo "notice: could not install ${{packages[*]}}; student code runs with less isolation" >&2
fi

python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install -q {spec}
"$root/venv/bin/backprop-lab" --version

# Student code runs as nobody: the secret and the instructor's files stay root's.
chmod -R go-rwx "$root/source"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes /autograder/results/results.json.
set -uo pipefail
{root}
args=(--submission "$root/submission" --results "$root/results/results.json" --lang {lang})
args+=(--assignment {assignment})
[ -f "$root/source/{course}/course.toml" ] && args+=(--course "$root/source/{course}/course.toml")
[ -f "$root/source/{secret}" ] && args+=(--secret-file "$root/source/{secret}")
[ -f "$root/submission_metadata.json" ] && args+=(--metadata "$root/submission_metadata.json")
exec "$root/venv/bin/python" -m backprop_lab.platforms.gradescope "${{args[@]}}"
"""


def _course_files(course: Course) -> Bundled:
    """The course file and the modules it names, at the same places relative to each other."""
    if course.path is None:
        return {}
    files = {f"{COURSE_DIR}/course.toml": course.path}
    extensions = [course.late.extensions_file] if course.late and course.late.extensions_file else []
    for named in [*course.files, *extensions]:
        files[f"{COURSE_DIR}/{named.relative_to(course.path.parent).as_posix()}"] = named
    return files


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    """A zip entry with a fixed date: the same inputs give the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def write_autograder(
    out: Path,
    course: Course | None = None,
    install: str | None = None,
    lang: str = "en",
    secret: Path | None = None,
) -> Path:
    """Write OUT/gradescope/autograder.zip, ready to upload; returns its path.

    The secret is the one `generate` keeps in OUT/instructor/ unless another is given.
    """
    course = course or Course()
    bundled = _course_files(course)
    secret = secret or (out / "instructor" / SECRET_FILE)
    spec = pip_arguments(install, bundled, "wheels", "./")  # setup.sh runs in the source folder
    if secret.is_file():
        bundled[SECRET_NAME] = secret
    scripts = {
        "setup.sh": SETUP_SH.format(
            min_python=MIN_PYTHON,
            min_text=".".join(map(str, MIN_PYTHON)),
            root=ROOT,
            spec=spec,
        ),
        "run_autograder": RUN_AUTOGRADER.format(
            root=ROOT, lang=lang, course=COURSE_DIR, secret=SECRET_NAME, assignment=course.assignment.name
        ),
    }
    path = out / "gradescope" / ZIP_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in scripts.items():
            _add(archive, name, text.encode(), executable=True)
        for name in sorted(bundled):
            _add(archive, name, content(bundled[name]))
    return path


# ------------------------------------------------------------------ inside the autograder


def results_json(result: SubmissionResult, lang: str, visibility: Visibility | None = None) -> dict[str, Any]:
    """Gradescope's results.json for one graded submission: a test per step, all in Markdown;
    shown as the course's [gradescope] table says (the grader's log, by default, to the instructor only)."""
    return gradescope_results(result, lang, visibility)


def not_graded(config: GradingConfig, lang: str, error: BaseException) -> dict[str, Any]:
    """What the student sees when the autograder itself failed: zero, said plainly, never a blank page."""
    message = tr(
        lang,
        N_("The autograder could not grade this submission ({error}). Please tell your instructor."),
        error=f"{type(error).__name__}: {error}",
    )
    tests = [
        {"name": step_id, "score": 0.0, "max_score": points, "status": "failed",
         "output": message, "output_format": "md"}
        for step_id, points in config.points.items()
    ]  # fmt: skip
    return {"score": 0.0, "output": message, "output_format": "md", "tests": tests}


def student_id(metadata: Path | None) -> str:
    """The submitter's id from Gradescope's submission metadata (sid, else email), for personal numbers."""
    try:
        users = json.loads(metadata.read_text(encoding="utf-8"))["users"] if metadata else []
        user = users[0]
        return str(user.get("sid") or user.get("email") or "submission")
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "submission"


def autograde(
    submission: Path,
    results: Path,
    course: Path | None = None,
    secret_file: Path | None = None,
    lang: str = "en",
    sub_id: str = "submission",
    metadata: Path | None = None,
    assignment: str | None = None,
) -> dict[str, Any]:
    """Grade Gradescope's submission folder (one submission, whatever it holds) and write its
    results.json on the course secret's cases, as `backprop-lab grade` would; always writes one."""
    started = time.monotonic()
    config = GradingConfig()
    try:
        with tempfile.TemporaryDirectory() as work:
            config = grading_config(course, Path(work), secret_file, assignment=assignment)
        with Grader(config) as grader:
            result = mark_late_on_gradescope(
                grader.grade(load(submission, sub_id=sub_id)), config.course.late, metadata
            )
            data = results_json(result, lang, config.course.visibility)
    except Exception as error:  # the student must get an answer whatever happened
        data = not_graded(config, lang, error)
    data["execution_time"] = math.ceil(time.monotonic() - started)  # whole seconds, as Gradescope counts
    results.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(results, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return data


def main(argv: list[str] | None = None) -> None:
    """run_autograder's entry point."""
    parser = argparse.ArgumentParser(prog="python -m backprop_lab.platforms.gradescope")
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--course", type=Path)
    parser.add_argument("--secret-file", type=Path)
    parser.add_argument("--metadata", type=Path)
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    parser.add_argument("--assignment")
    args = parser.parse_args(argv)
    autograde(
        args.submission,
        args.results,
        args.course,
        args.secret_file,
        args.lang,
        student_id(args.metadata),
        args.metadata,
        args.assignment,
    )


if __name__ == "__main__":
    main()
