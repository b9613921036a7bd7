"""A grader killed mid-run, started again with the same arguments, grades only what is missing
and ends with exactly the files of an uninterrupted run; the cache knows what a result depends on.
"""

from __future__ import annotations

import inspect
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backprop_lab.exercises import assignments
from backprop_lab.exercises.assignments import KNOWN
from backprop_lab.exercises.catalog import Course
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders import batch
from backprop_lab.graders.batch import Grader, settings_key
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import discover
from tests.classes import assert_graded_as_expected, write_class
from tests.submissions import CORPUS

COURSE = CORPUS / "course"

CLASS_SIZE = 10
KILL_AFTER = 3  # results in the cache when the grader is killed
DEADLINE = 240.0  # seconds: a bound on waiting, never an assertion about speed
SECRET = "resume-test-secret"  # the killed command and the runs in this process grade alike


@pytest.fixture(autouse=True, scope="module")
def course_secret() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKPROP_LAB_SECRET", SECRET)
        yield


def _config(out: Path) -> GradingConfig:
    """The configuration `backprop-lab grade --out out` uses."""
    return grading_config(None, out)


def _cached(out: Path) -> dict[str, int]:
    """Cache entries (not temporary files) → their modification time in ns."""
    return {p.name: p.stat().st_mtime_ns for p in (out / ".cache").glob("*.json")}


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file a run leaves, but the cache, by relative path (the class report's timing left out)."""
    return {
        str(p.relative_to(out)): re.sub(rb'<dd id="timing">.*?</dd>', b"", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("resume")
    expected = write_class(root / "class", CLASS_SIZE)
    whole = root / "whole"
    results = grade_paths([root / "class"], whole, _config(whole), jobs=1, show_progress=False)
    assert_graded_as_expected(results, expected)
    return root / "class", root / "whole", expected


def test_a_grader_killed_mid_run_resumes_with_only_the_missing_and_ends_identical(
    uninterrupted: tuple[Path, Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, whole, expected = uninterrupted
    out = tmp_path / "out"
    command = [Path(sys.executable).with_name("backprop-lab"), "grade", folder, "--out", out, "--jobs", "1"]
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + DEADLINE
    try:
        while len(_cached(out)) < KILL_AFTER:
            assert grader.poll() is None, "the grader ended before it could be killed"
            assert time.monotonic() < deadline, "no results were cached in time"
            time.sleep(0.05)
        grader.send_signal(signal.SIGKILL)
    finally:
        grader.kill()
        grader.wait()
    before = _cached(out)
    assert KILL_AFTER <= len(before) < CLASS_SIZE
    assert not (out / "results.json").exists()  # killed mid-run, before the class-wide files

    graded = []
    fresh = Grader.grade_fresh
    monkeypatch.setattr(Grader, "grade_fresh", lambda self, s: graded.append(s.id) or fresh(self, s))
    results = grade_paths([folder], out, _config(out), jobs=1, show_progress=False)

    assert len(graded) == CLASS_SIZE - len(before)  # only what was missing
    after = _cached(out)
    assert len(after) == CLASS_SIZE and all(after[name] == mtime for name, mtime in before.items())
    assert_graded_as_expected(results, expected)
    assert _outputs(out) == _outputs(whole)


def test_a_half_written_or_damaged_cache_entry_is_graded_again(
    uninterrupted: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    folder, whole, _ = uninterrupted
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    entries = sorted((whole / ".cache").glob("*.json"))
    for entry in entries:
        (out / ".cache" / entry.name).write_bytes(entry.read_bytes())
    damaged = entries[0].name
    (out / ".cache" / damaged).write_text(entries[0].read_text()[:100])  # a torn write
    (out / ".cache" / f".{entries[1].name}.123.tmp").write_text("{")  # a write killed before its rename

    grade_paths([folder], out, _config(out), jobs=1, show_progress=False)

    assert json.loads((out / ".cache" / damaged).read_text())  # rewritten whole
    assert _outputs(out) == _outputs(whole)


def test_a_cached_rerun_records_the_isolation_the_grades_were_made_under(
    uninterrupted: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    folder, whole, _ = uninterrupted
    first = json.loads((whole / "results.json").read_text())["isolation"]
    assert first  # e.g. "bubblewrap+seccomp", or "process" where bubblewrap is missing
    grade_paths([folder], whole, _config(whole), jobs=1, show_progress=False)  # all from the cache
    assert json.loads((whole / "results.json").read_text())["isolation"] == first


def test_the_cache_key_covers_the_grading_code_the_reference_the_course_and_the_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = GradingConfig()
    key = settings_key(base)
    assert settings_key(GradingConfig()) == key
    assert settings_key(GradingConfig(seed=1)) != key
    assert settings_key(GradingConfig(domain="practice")) != key
    assert settings_key(GradingConfig(Course(answers_points=5.0))) != key
    shutil.copytree(COURSE, tmp_path / "course")
    with_catalog = settings_key(GradingConfig(Course.load(tmp_path / "course" / "course.toml")))
    with (tmp_path / "course" / "mistakes.toml").open("a") as catalog:
        catalog.write("# an instructor's catalog, edited\n")
    assert settings_key(GradingConfig(Course.load(tmp_path / "course" / "course.toml"))) != with_catalog

    # Every function a grade depends on (references, draws, oracles, taught forms, wrong formulas)
    # lives in a folder that is hashed whole, for every assignment.
    folders = batch.hashed_folders()
    for name in KNOWN:
        for step in assignments.get(name).steps:
            functions = [step.reference, step.oracle, *step.forms, *(p.draw for p in step.properties)]
            functions += [m.answer for m in step.misconceptions]
            for function in filter(None, functions):
                source = Path(inspect.getsourcefile(function)).resolve()
                assert any(source.is_relative_to(folder.resolve()) for folder in folders), source
    monkeypatch.setattr(batch, "_version", lambda: "99.0")
    batch.code_fingerprint.cache_clear()
    try:
        assert settings_key(base) != key  # an upgrade grades again
    finally:
        monkeypatch.undo()
        batch.code_fingerprint.cache_clear()
    assert settings_key(base) == key


def test_only_the_grading_process_writes_the_cache(tmp_path: Path) -> None:
    """A result without a sandbox behind it (a grader error) is not kept: the next run tries again."""
    folder = tmp_path / "class"
    write_class(folder, 1)
    out = tmp_path / "out"
    with Grader(GradingConfig(), cache_dir=out / ".cache", isolation="no-such-isolation") as grader:
        [(_, result)] = list(grader.stream(discover([folder]), jobs=1))
    assert result.score == 0 and result.steps[0].status == "error" and not result.isolation
    assert not list((out / ".cache").glob("*.json"))


def test_a_worker_process_killed_mid_run_loses_no_submission(
    uninterrupted: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    """--jobs: a pool broken by a worker's death is started again, and its submissions graded there."""
    folder, whole, expected = uninterrupted
    submissions = discover([folder])
    results, killed = {}, []
    with Grader(_config(whole), cache_dir=tmp_path / "cache") as grader:
        for _, result in grader.stream(submissions, jobs=2):
            results[result.id] = result
            if len(results) == KILL_AFTER:
                workers = multiprocessing.active_children()
                assert workers, "no worker process to kill"
                killed.append(workers[0].pid)
                os.kill(workers[0].pid, signal.SIGKILL)
    assert killed and len(results) == CLASS_SIZE
    assert_graded_as_expected(list(results.values()), expected)
    wanted = {r["id"]: r["score"] for r in json.loads((whole / "results.json").read_text())["submissions"]}
    assert {i: r.score for i, r in results.items()} == wanted
