"""The runner against hostile and broken submissions: it survives, and says what happened."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from backprop_lab.graders.sandbox.inside import confine
from backprop_lab.graders.sandbox.inside.protocol import Received
from backprop_lab.graders.sandbox.runner import Call, Limits, Sandbox
from backprop_lab.graders.submissions import load

HOSTILE = Path(__file__).parent / "corpus" / "hostile"
Z = [[np.array([-1.0, 0.0, 2.0])], [np.zeros((2, 3))]]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(Limits(load_timeout=3.0, submission_seconds=60)) as box:  # probes walk the disk
        yield box


def run(sandbox: Sandbox, name: str, probe_timeout: float = 2.0):
    submission = load(HOSTILE / f"{name}.py")
    result = sandbox.run(submission.units, [Call("probe", [[]], timeout=probe_timeout), Call("sigmoid", Z)])
    return result, result.outcomes[0], result.outcomes[1]


def assert_sigmoid_still_graded(outcome) -> None:
    assert outcome.status == "ok", outcome.message
    for case, result in zip(Z, outcome.results, strict=True):
        assert isinstance(result.value, Received), result
        np.testing.assert_allclose(result.value.value, 1 / (1 + np.exp(-case[0])))


def probe_value(outcome):
    assert outcome.status == "ok", outcome.message
    result = outcome.results[0]
    assert result.error is None, result.error
    value = result.value
    return [v.value if isinstance(v, Received) else v for v in value] if isinstance(value, list) else value


def test_isolation_layer_is_reported(sandbox) -> None:
    assert sandbox.isolation in {"bubblewrap+seccomp", "bubblewrap", "process+seccomp", "process"}


@pytest.mark.parametrize("name", ["loop_in_function", "ignores_sigterm"])
def test_an_endless_step_times_out_and_the_next_step_runs(sandbox, name) -> None:
    _, probe, sigmoid = run(sandbox, name, probe_timeout=1.0)
    assert probe.status == "timeout"
    assert_sigmoid_still_graded(sigmoid)


def test_an_endless_loop_at_load_costs_only_its_unit(sandbox) -> None:
    result, _, sigmoid = run(sandbox, "loop_at_load")
    assert not result.load.units[0].ok and result.load.units[0].error["type"] == "Timeout"
    assert sigmoid.results[0].error["type"] == "NameError"


def test_sys_exit_at_load_keeps_what_was_defined_before(sandbox) -> None:
    result, _, sigmoid = run(sandbox, "sys_exit_at_load")
    assert result.load.units[0].error["type"] == "SystemExit"
    assert_sigmoid_still_graded(sigmoid)


@pytest.mark.parametrize(
    ("name", "error"), [("sys_exit_in_function", "SystemExit"), ("keyboard_interrupt", "KeyboardInterrupt")]
)
def test_base_exceptions_are_errors_of_the_step(sandbox, name, error) -> None:
    _, probe, sigmoid = run(sandbox, name)
    assert probe.status == "ok" and probe.results[0].error["type"] == error
    assert_sigmoid_still_graded(sigmoid)


@pytest.mark.parametrize(
    ("name", "said"), [("os_exit_in_function", "exited with code 0"), ("segfault", "SIGSEGV")]
)
def test_a_dying_worker_costs_only_its_step(sandbox, name, said) -> None:
    _, probe, sigmoid = run(sandbox, name)
    assert probe.status == "crash" and said in probe.message
    assert_sigmoid_still_graded(sigmoid)


def test_killing_its_own_group_ends_at_most_itself(sandbox) -> None:
    _, probe, sigmoid = run(sandbox, "kill_own_group")
    assert probe.status == "crash" or probe.results[0].error["type"] == "PermissionError"
    assert_sigmoid_still_graded(sigmoid)


def test_memory_bomb_fails_its_step(sandbox) -> None:
    _, probe, sigmoid = run(sandbox, "memory_bomb")
    assert probe.status == "crash" or probe.results[0].error["type"] == "MemoryError"
    assert_sigmoid_still_graded(sigmoid)


@pytest.mark.parametrize("name", ["fork_bomb", "subprocess_shell"])
def test_no_new_process_can_be_started(sandbox, name) -> None:
    if "seccomp" not in sandbox.isolation:
        pytest.skip("no seccomp filter on this machine")
    _, probe, sigmoid = run(sandbox, name)
    assert probe.results[0].error["type"] in {"PermissionError", "OSError", "BlockingIOError"}
    assert_sigmoid_still_graded(sigmoid)


@pytest.mark.parametrize("name", ["read_reference", "import_reference", "introspect_memory"])
def test_reference_and_grader_are_out_of_reach(sandbox, name) -> None:
    if not sandbox.isolation.startswith("bubblewrap"):
        pytest.skip("bubblewrap does not run here: a plain process can read the disk (the grader says so)")
    _, probe, sigmoid = run(sandbox, name, probe_timeout=20)
    assert probe_value(probe) == []
    assert_sigmoid_still_graded(sigmoid)


@pytest.mark.parametrize("name", ["network", "unix_socket", "raise_limits"])
def test_nothing_outside_the_worker_is_reached(sandbox, name) -> None:
    _, probe, sigmoid = run(sandbox, name)
    assert probe.results[0].error is not None or probe_value(probe) == []
    assert_sigmoid_still_graded(sigmoid)


def test_proc_of_the_parent_shows_no_memory_and_no_grader_environment(sandbox) -> None:
    _, probe, _ = run(sandbox, "proc_of_parent")
    for what, content in probe_value(probe):
        assert not what.endswith("/mem")
        if what.endswith("/environ"):
            names = {entry.split("=")[0] for entry in content.split("\0") if entry}
            assert names <= {"PATH", "LANG", "OPENBLAS_NUM_THREADS"}


def test_killing_the_parent_does_not_take_the_sandbox_down(sandbox) -> None:
    _, _, sigmoid = run(sandbox, "kill_parent")
    assert_sigmoid_still_graded(sigmoid)
    _, _, sigmoid = run(sandbox, "looks_for_planted")  # and the next submission is served
    assert_sigmoid_still_graded(sigmoid)


def test_printed_output_is_captured_capped_and_never_parsed(sandbox) -> None:
    result, _, sigmoid = run(sandbox, "fake_stdout_results")
    assert '"score": 100' in result.load.printed
    assert sigmoid.status == "ok"
    np.testing.assert_array_equal(sigmoid.results[0].value.value, np.zeros(3))  # what it returned
    _, probe, _ = run(sandbox, "output_flood", probe_timeout=20)
    assert probe_value(probe) == "flooded" and len(probe.printed) < 10_000


def test_files_planted_by_one_student_are_gone_for_the_next(sandbox) -> None:
    _, probe, _ = run(sandbox, "fake_files")
    assert "/tmp/planted-by-student" in probe_value(probe) or "results.json" in probe_value(probe)
    _, probe, _ = run(sandbox, "looks_for_planted")
    if "bubblewrap" in sandbox.isolation:
        assert probe_value(probe) == []
    else:  # a plain process shares the host's /tmp; its own folder is still fresh
        assert "results.json" not in probe_value(probe)


def test_a_thread_scribbling_on_the_channel_costs_only_its_step(sandbox) -> None:
    _, probe, sigmoid = run(sandbox, "daemon_thread")
    assert probe.status in {"ok", "invalid"}
    assert_sigmoid_still_graded(sigmoid)


def test_file_size_limit(sandbox) -> None:
    _, probe, sigmoid = run(sandbox, "huge_file_write", probe_timeout=20)
    assert probe.results[0].error is not None and "File too large" in probe.results[0].error["message"]
    assert_sigmoid_still_graded(sigmoid)


def test_patched_numpy_changes_nothing_on_the_grader_side(sandbox) -> None:
    _, _, sigmoid = run(sandbox, "patches_numpy")
    assert np.allclose(sigmoid.results[0].value.value, 0.0)  # our numpy, their (wrong) zeros


def test_returned_objects_arrive_as_plain_data_with_their_claimed_type(sandbox) -> None:
    _, probe, sigmoid = run(sandbox, "rigged_return")
    value = sigmoid.results[0].value
    assert type(value.value) is np.ndarray and "AlwaysEqual" in value.claimed_type
    assert probe.results[0].value.value is None and probe.results[0].value.claimed_type == "builtins.object"


@pytest.mark.parametrize("name", ["huge_return", "deep_recursion"])
def test_oversized_or_runaway_results(sandbox, name) -> None:
    _, probe, sigmoid = run(sandbox, name, probe_timeout=20)
    assert probe.status in {"invalid", "crash"} or probe.results[0].error is not None
    if name == "huge_return":
        assert_sigmoid_still_graded(sigmoid)
    else:
        assert sigmoid.status in {"crash", "timeout"} or sigmoid.results[0].error["type"] == "RecursionError"


def test_a_batch_keeps_every_result(sandbox) -> None:
    names = sorted(p.stem for p in HOSTILE.glob("*.py") if p.stem not in {"loop_at_load", "memory_bomb"})
    survivors = {}
    for name in names:
        _, _, sigmoid = run(sandbox, name, probe_timeout=1.0)
        survivors[name] = sigmoid.status
    correct = load(HOSTILE / "looks_for_planted.py")
    result = sandbox.run(correct.units, [Call("sigmoid", Z)])
    assert_sigmoid_still_graded(result.outcomes[0])
    assert len(survivors) == len(names)


@pytest.mark.parametrize("how", ["make_mounts_read_only", "remount_each_read_only"])
def test_a_workers_mount_namespace_is_read_only_outside_its_own_tmpfs(tmp_path, how) -> None:
    """Both ways a worker makes every inherited mount read-only (the second for kernels before
    mount_setattr), tried in a child in namespaces of its own: the test's folder cannot be
    written there, and is still writable here."""
    child = os.fork()
    if child == 0:
        code = 3
        try:
            if not confine.enter_namespaces():
                os._exit(2)  # the kernel refuses user namespaces
            getattr(confine, how)()
            (tmp_path / "written").write_text("x")
            code = 1
        except OSError as error:
            code = 0 if error.errno == errno.EROFS else 4
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) == 2:
        pytest.skip("the kernel refuses user namespaces here")
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (tmp_path / "written").exists()
    (tmp_path / "here").write_text("x")
