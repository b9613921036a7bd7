"""Grading on a real Dask cluster on loopback: a scheduler and two workers started here.

A worker SIGKILLed mid-run loses no submission, and the cluster's grades are exactly
those of grading in one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from backprop_lab import grade_class
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import discover
from tests.classes import assert_graded_as_expected, write_class

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

CLASS_SIZE = 16
KILL_AFTER = 3  # results received when one worker is killed
DEADLINE = 300  # seconds for a whole test: a bound on hanging, never an assertion about speed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def expire(*_: object) -> None:
        raise TimeoutError(f"the cluster test ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """`dask scheduler` and two `dask worker`s (no nanny: a killed worker stays dead), loopback only."""
    dask = str(Path(sys.executable).with_name("dask"))
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = (tmp_path / "cluster.log").open("w")
    port = address.rsplit(":", 1)[1]
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        stdout=logs,
        stderr=logs,
    )
    worker = [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny"]
    workers = [
        subprocess.Popen(
            [*worker, "--no-dashboard", "--name", f"w{i}", "--death-timeout", "60"],
            stdout=logs,
            stderr=logs,
        )
        for i in range(2)
    ]
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for process in [*workers, scheduler]:
            process.kill()
            process.wait()
        logs.close()


def test_a_worker_killed_mid_run_loses_no_submission(
    cluster: tuple[str, list[subprocess.Popen]], tmp_path: Path
) -> None:
    address, workers = cluster
    expected = write_class(tmp_path / "class", CLASS_SIZE)
    submissions = discover([tmp_path / "class"])
    with Grader(GradingConfig()) as alone:
        serial = {s.id: alone.grade(s).to_json() for s in submissions}

    results, after_kill = {}, 0
    with _deadline(DEADLINE), Grader(GradingConfig(), cache_dir=tmp_path / "cache") as grader:
        for _, result in grader.stream(submissions, jobs=2, scheduler=address):
            results[result.id] = result
            if len(results) == KILL_AFTER:
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait()
            elif len(results) > KILL_AFTER:
                after_kill += 1
    assert workers[0].returncode == -signal.SIGKILL and workers[1].poll() is None
    assert after_kill == CLASS_SIZE - KILL_AFTER  # the run went on after the kill, and finished
    assert_graded_as_expected(list(results.values()), expected)
    assert {i: r.to_json() for i, r in results.items()} == serial  # the same grades as one process
    assert len(list((tmp_path / "cache").glob("*.json"))) == CLASS_SIZE


def test_grade_on_a_local_cluster_writes_what_jobs_writes(tmp_path: Path, monkeypatch) -> None:
    expected = write_class(tmp_path / "class", 10)

    made_on_workers = []  # per submission: did a cluster worker make its fingerprints?
    original = grade_class._prints

    def recording(submission, made, kept, given):
        made_on_workers.append(made is not None)
        return original(submission, made, kept, given)

    with _deadline(DEADLINE), monkeypatch.context() as patched:
        patched.setattr(grade_class, "_prints", recording)
        on_dask = grade_paths([tmp_path / "class"], tmp_path / "dask", scheduler="local", show_progress=False)
    assert made_on_workers == [True] * 10
    grade_paths([tmp_path / "class"], tmp_path / "jobs", jobs=1, show_progress=False)
    assert_graded_as_expected(on_dask, expected)
    for name in ("results.json", "grades.csv", "copying.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "jobs" / name).read_bytes()


def test_an_unreachable_scheduler_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    write_class(tmp_path / "class", 1)
    command = [str(Path(sys.executable).with_name("backprop-lab")), "grade", str(tmp_path / "class")]
    command += ["--out", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{_free_port()}"]
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode != 0
    assert "cannot reach the Dask scheduler" in done.stderr and "Traceback" not in done.stderr
