"""A grading pool started while the class is found: used as it is, grading as any other run;
started only where a run will need one."""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from backprop_lab.grade_class import early_pool, grade_submissions
from backprop_lab.graders import batch
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import discover
from tests.submissions import CORRECT, buggy_submissions


@pytest.fixture
def folder(tmp_path):
    """Enough submissions (correct ones, and one of each of four mistakes) to be graded in a pool."""
    folder = tmp_path / "class"
    folder.mkdir()
    for path in CORRECT:
        shutil.copy(path, folder / f"good_{path.name}")
    buggy = buggy_submissions()
    for mistake in ("missing_transpose", "sign_error", "bias_wrong_axis", "missing_activation_derivative"):
        (folder / f"{mistake}.py").write_text(buggy[mistake][1])
    assert len(list(folder.iterdir())) >= 4 * 2
    return folder


def test_a_first_run_grades_in_the_pool_started_early_and_scores_as_one_process(
    folder, tmp_path, monkeypatch
) -> None:
    config = GradingConfig(seed=5)
    found = discover([folder], "backprop")
    alone = grade_submissions(found, tmp_path / "alone", config, jobs=1, show_progress=False)
    with early_pool([folder], tmp_path / "out", jobs=2) as pool:
        assert pool is not None
        started = []
        monkeypatch.setattr(batch.WorkerPool, "__init__", lambda *args: started.append(args))
        early = grade_submissions(found, tmp_path / "out", config, jobs=2, pool=pool, show_progress=False)
    assert started == []  # the pool given was the one that graded
    assert {r.id: (r.score, [s.status for s in r.steps]) for r in early} == {
        r.id: (r.score, [s.status for s in r.steps]) for r in alone
    }
    assert {r.id for r in early if r.score < r.max_score} == {
        "missing_transpose",
        "sign_error",
        "bias_wrong_axis",
        "missing_activation_derivative",
    }
    with pytest.raises(RuntimeError):  # stopped: nothing of it outlives the run
        pool.executor.submit(int)


def test_no_pool_starts_early_for_a_rerun_one_job_or_a_cluster(folder, tmp_path) -> None:
    out = tmp_path / "out"
    with early_pool([folder], out, jobs=1) as pool:
        assert pool is None
    with early_pool([folder], out, jobs=2, scheduler="local") as pool:
        assert pool is None
    grade_submissions(discover([folder], "backprop"), out, GradingConfig(seed=5), jobs=1, show_progress=False)
    with early_pool([folder], out, jobs=2) as pool:  # every result is cached: a pool would only cost time
        assert pool is None
    with early_pool([next(folder.iterdir())], tmp_path / "other", jobs=2) as pool:  # one submission
        assert pool is None


def test_a_pool_started_but_never_needed_is_stopped(folder, tmp_path) -> None:
    out = tmp_path / "out"
    config = GradingConfig(seed=5)
    found = discover([folder], "backprop")[:3]  # too few for a pool: graded in this process
    with early_pool([folder], out, jobs=2) as pool:  # the folder holds enough: it starts
        results = grade_submissions(found, out, config, jobs=2, pool=pool, show_progress=False)
    assert len(results) == 3 and all(r.isolation for r in results)
    with pytest.raises(RuntimeError):
        pool.executor.submit(int)


def test_a_pool_whose_process_died_before_it_had_work_is_replaced(folder, tmp_path) -> None:
    config = GradingConfig(seed=5)
    found = discover([folder], "backprop")
    alone = grade_submissions(found, tmp_path / "alone", config, jobs=1, show_progress=False)
    pool = batch.WorkerPool(2)
    os.kill(next(iter(pool.executor._processes)), signal.SIGKILL)  # while the class is found
    graded = grade_submissions(found, tmp_path / "out", config, jobs=2, pool=pool, show_progress=False)
    assert {r.id: r.score for r in graded} == {r.id: r.score for r in alone}
    assert all(r.isolation for r in graded)  # graded, not an internal error
