"""A hostile class against the sandbox: every attack fails or costs only its own submission,
and the next correct submission served by the same runner still gets its correct answers.

Each test runs on both paths a worker can take: namespaces of its own (user, pid, mount,
IPC), and the zygote's namespaces, the fallback where the kernel refuses a user namespace;
and once more as a plain process (no bubblewrap) with namespaces of its own.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import platform
import signal
import site
import sys
import sysconfig
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.grade_class import grade_paths, isolation_notice
from backprop_lab.graders.calls import reference_answer
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.sandbox import launch, records
from backprop_lab.graders.sandbox.inside.protocol import Received
from backprop_lab.graders.sandbox.runner import (
    ANSWERS_TOO_LARGE,
    BUDGET_SPENT,
    LOAD_TOO_LARGE,
    Call,
    Limits,
    Sandbox,
)
from backprop_lab.graders.submissions import load

HOSTILE = Path(__file__).parent / "corpus" / "hostile"
SIGMOID = "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
CORRECT = [{"name": "correct.py", "source": SIGMOID}]
Z = [[np.array([-1.0, 0.0, 2.0])]]
LIMITS = Limits(load_timeout=3.0, scratch_mb=8)


@pytest.fixture(
    scope="module",
    params=[("auto", True), ("auto", False), ("process", True)],
    ids=["own-namespaces", "shared-namespaces", "process-own-namespaces"],
)
def box(request):
    isolation, namespaces = request.param
    with Sandbox(LIMITS, isolation, namespaces) as sandbox:
        sandbox.run(CORRECT, [])
        if namespaces and not sandbox.namespaces:
            pytest.skip("the kernel refuses user namespaces here: the shared path is tested instead")
        if isolation == "auto" and not sandbox.isolation.startswith("bubblewrap"):
            pytest.skip("bubblewrap does not run here")
        yield sandbox


@pytest.fixture(scope="module")
def tight():
    """A sandbox whose submissions have 3 s in all and one second per unit at load."""
    with Sandbox(Limits(load_timeout=1.0, submission_seconds=3.0)) as sandbox:
        yield sandbox


def attack(box: Sandbox, name: str, *calls: Call):
    """Run one hostile file with `probe()` (or the given calls), then a correct submission."""
    submission = load(HOSTILE / name)
    result = box.run(submission.units, list(calls) or [Call("probe", [[]], timeout=5.0)], submission.files)
    assert_still_serves_correct_answers(box)
    return result


def assert_still_serves_correct_answers(box: Sandbox) -> None:
    outcome = box.run(CORRECT, [Call("sigmoid", Z)]).outcomes[0]
    assert outcome.status == "ok", outcome.message
    np.testing.assert_allclose(outcome.results[0].value.value, 1 / (1 + np.exp(-Z[0][0])))


def value_of(outcome):
    assert outcome.status == "ok", outcome.message
    result = outcome.results[0]
    assert result.error is None, result.error
    return _plain(result.value)


def _plain(value):
    if isinstance(value, Received):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def confined(box: Sandbox) -> bool:
    """Whether the worker's /proc and signals reach only itself by construction."""
    return bool(box.namespaces) or box.isolation.startswith("bubblewrap")


# ---------------------------------------------------------------- other processes


def test_no_signal_reaches_the_zygote_pid_1_or_another_process(box) -> None:
    if "seccomp" not in box.isolation and not box.namespaces:
        pytest.skip("neither seccomp nor a pid namespace of its own on this machine")
    result = attack(box, "signals_to_others.py")
    assert value_of(result.outcomes[0]) == []


def test_proc_of_the_zygote_and_pid_1_is_closed(box) -> None:
    if not confined(box):
        pytest.skip("a plain process in the host's pid namespace sees the host's processes")
    result = attack(box, "proc_of_others.py")
    assert value_of(result.outcomes[0]) == []


def _threads_named(marker: bytes) -> list[str]:
    found = []
    for task in Path("/proc").glob("[0-9]*/task/[0-9]*/comm"):
        try:
            if task.read_bytes().strip() == marker:
                found.append(str(task))
        except OSError:
            pass
    return found


def test_nothing_of_a_submission_runs_after_it_ends(box) -> None:
    if "seccomp" not in box.isolation and not box.namespaces:
        pytest.skip("without seccomp or a pid namespace a plain process can fork")
    result = attack(box, "leftover_processes.py")
    assert value_of(result.outcomes[0]) == []
    assert _threads_named(b"bpl-leftover") == []


# ---------------------------------------------------------------- kernel interfaces and leftovers


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the probe uses x86_64 system call numbers")
def test_kernel_interfaces_no_numpy_code_needs_are_denied(box) -> None:
    if "seccomp" not in box.isolation:
        pytest.skip("no seccomp filter on this machine")
    result = attack(box, "kernel_interfaces.py")
    denied = value_of(result.outcomes[0])
    assert denied == dict.fromkeys(denied, errno.EPERM)
    assert len(denied) == 24


def test_ipc_objects_and_keyring_entries_do_not_reach_the_next_submission(box) -> None:
    planted = value_of(attack(box, "sysv_and_keyring_plant.py").outcomes[0])
    if "seccomp" in box.isolation:
        assert planted == []
    found = attack(box, "looks_for_planted_ipc.py").outcomes[0]
    assert value_of(found) == []


def test_tmpfs_is_capped_and_emptied_for_the_next_submission(box) -> None:
    if not confined(box):
        pytest.skip("a plain process writes to the host's /tmp and /dev/shm")
    written = value_of(attack(box, "fills_tmpfs.py").outcomes[0])
    assert set(written) == {"/tmp", "/dev/shm"}
    assert all(0 < mib <= LIMITS.scratch_mb for mib in written.values()), written
    assert value_of(attack(box, "looks_for_planted_ipc.py").outcomes[0]) == []


def _own_scratch(place: str) -> bool:
    """/tmp and /dev/shm: a worker's own tmpfs, or (in the zygote's namespaces) bubblewrap's,
    emptied after each worker."""
    return place in ("/tmp", "/dev/shm") or place.startswith("/tmp/")


def test_nothing_a_worker_writes_reaches_the_next_worker(box) -> None:
    planter, finder = load(HOSTILE / "plants_everywhere.py"), load(HOSTILE / "finds_what_was_planted.py")
    planted = value_of(box.run(planter.units, [Call("probe", [[]], timeout=10.0)]).outcomes[0])
    assert "/tmp" in planted  # the attack runs: it writes where it may
    assert [place for place in planted if not _own_scratch(place)] == []
    found = box.run(finder.units, [Call("probe", [[]], timeout=10.0)]).outcomes[0]
    assert value_of(found) == []


def test_two_students_in_one_batch_the_second_finds_nothing_of_the_first(tmp_path) -> None:
    """The finder's sigmoid is right only if nothing the planter wrote (at load and in every
    call) is there when it runs, in the same sandbox, right after."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a_plants.py").write_text((HOSTILE / "plants_everywhere.py").read_text())
    (folder / "b_finds.py").write_text((HOSTILE / "finds_what_was_planted.py").read_text())
    results = grade_paths([folder], tmp_path / "out", GradingConfig(), jobs=1, show_progress=False)
    sigmoid = {r.id: next(s for s in r.steps if s.id == "sigmoid") for r in results}
    assert sigmoid["a_plants"].status == "passed"  # the same, right, sigmoid: it was graded
    assert sigmoid["b_finds"].status == "passed", sigmoid["b_finds"].failure


def test_writing_a_gigabyte_and_a_half_fills_only_its_capped_scratch(box) -> None:
    written = value_of(attack(box, "fills_sandbox_root.py").outcomes[0])
    assert written and all(_own_scratch(place) for place in written), written
    assert written.get("/tmp", 0) + written.get("/dev/shm", 0) <= 2 * LIMITS.scratch_mb
    finder = load(HOSTILE / "finds_what_was_planted.py")
    assert value_of(box.run(finder.units, [Call("probe", [[]])]).outcomes[0]) == []


def test_no_installed_package_but_numpy_can_be_imported(box) -> None:
    if not box.isolation.startswith("bubblewrap"):
        pytest.skip("bubblewrap does not run here: a plain process can read the disk (the grader says so)")
    present = [name for name in ("hypothesis", "pytest", "backprop_lab") if importlib.util.find_spec(name)]
    assert present  # the grader's environment has them: the test's own dependencies
    result = attack(box, "imports_beyond_numpy.py", Call("probe", [[]], timeout=30.0))
    assert value_of(result.outcomes[0]) == []
    path = "import sys\n\ndef probe():\n    return sys.path\n"
    inside = value_of(box.run([{"name": "path.py", "source": path}], [Call("probe", [[]])]).outcomes[0])
    stdlib = os.path.dirname(sysconfig.get_paths()["stdlib"])  # lib/: python3.11, its zip, lib-dynload
    assert [p for p in inside if not (p.startswith(stdlib + "/") or p.startswith("/tmp"))] == []


def test_the_base_interpreters_package_folders_are_hidden() -> None:
    """A venv over pyenv or Debian's python3: the base's site- or dist-packages are hidden too."""
    hidden = launch.package_dirs()
    base = site.getsitepackages([sys.base_prefix])
    for folder in [*base, *site.getsitepackages()]:
        if os.path.isdir(folder):
            real = os.path.realpath(folder)
            assert any(real == h or real.startswith(h + "/") for h in hidden), folder
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    assert all(not stdlib.startswith(h + "/") and stdlib != h for h in hidden)


def test_strings_count_against_the_answer_allowance(box) -> None:
    submission = load(HOSTILE / "huge_strings.py")
    tracemalloc.start()
    try:
        with box.session(submission.units) as session:
            load_report = session.load()
            many = session.call(Call("probe", [[i] for i in range(40)], timeout=30.0))  # 156 MB asked
            few = session.call(Call("probe", [[i] for i in range(3)], timeout=30.0))
            raised = session.call(Call("raises", [[0]]))
            sigmoid = session.call(Call("sigmoid", Z))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert many.status == "invalid" and many.detail == ANSWERS_TOO_LARGE
    assert few.status == "ok"  # 11.7 MB: within the allowance, and kept as a bounded summary
    for case in few.results:
        assert case.value.startswith("sss") and len(case.value) < records.ANSWER_TEXT_CAP + 40
    assert len(raised.results[0].error["message"]) <= 2000
    assert load_report.answers is None
    assert [u.error["message"] for u in load_report.units if u.name == "ANSWERS"] == [
        LOAD_TOO_LARGE.format(mb=box.limits.answer_mb_per_call)
    ]
    assert sigmoid.status == "ok" and sigmoid.results[0].error is None
    # What the grader's Python allocated at once: about one call's allowance, not 156 MB.
    assert peak < 3 * (box.limits.answer_mb_per_call << 20), peak


def test_without_bubblewrap_and_seccomp_it_still_grades_and_says_so(tmp_path, monkeypatch) -> None:
    """The fallback: a plain process whose site folder holds numpy and no seccomp binding."""
    numpy_dir = Path(np.__file__).parent
    (tmp_path / "numpy").symlink_to(numpy_dir)
    if (numpy_dir.parent / "numpy.libs").is_dir():
        (tmp_path / "numpy.libs").symlink_to(numpy_dir.parent / "numpy.libs")
    monkeypatch.setattr(launch, "_module_dir", lambda name: tmp_path / "numpy" if name == "numpy" else None)
    with Sandbox(LIMITS, "process") as weak:
        assert weak.isolation == "process"
        assert_still_serves_correct_answers(weak)
        notice = isolation_notice(weak.isolation)
        assert "bubblewrap" in notice and "seccomp" in notice
        if weak.namespaces:  # where the kernel allows them, a worker still leaves nothing behind
            planter = load(HOSTILE / "plants_everywhere.py")
            planted = value_of(weak.run(planter.units, [Call("probe", [[]])]).outcomes[0])
            assert [place for place in planted if not _own_scratch(place)] == []


def test_worker_memory_limit_leaves_room_for_its_tmpfs() -> None:
    limits = Limits(memory_mb=1024, scratch_mb=32).for_worker()
    assert limits["memory_mb"] + 2 * limits["scratch_mb"] == 1024


# ---------------------------------------------------------------- time


def test_sleeping_just_under_the_timeout_spends_only_the_submissions_budget(tight) -> None:
    submission = load(HOSTILE / "sleeps_under_timeout.py")
    calls = [Call("probe", [[]], timeout=1.0) for _ in range(12)]
    outcomes = tight.run(submission.units, calls).outcomes
    answered = [o for o in outcomes if o.status == "ok"]
    assert len(answered) <= 3  # each took at least 0.9 s of the 3 s budget
    assert outcomes[-1].status == "timeout" and outcomes[-1].detail == BUDGET_SPENT
    assert "time budget of 3 s is spent" in outcomes[-1].message
    assert_still_serves_correct_answers(tight)


def test_hanging_notebook_cells_spend_only_the_submissions_budget(tight) -> None:
    submission = load(HOSTILE / "hanging_cells.ipynb")
    result = tight.run(submission.units, [Call("sigmoid", Z, timeout=1.0)])
    assert not all(unit.ok for unit in result.load.units)
    assert result.outcomes[0].status == "timeout" and result.outcomes[0].detail == BUDGET_SPENT
    assert_still_serves_correct_answers(tight)


def test_each_unit_has_its_own_load_timeout(tight) -> None:
    units = [{"name": f"cell {i}", "source": "import time\ntime.sleep(0.3)"} for i in range(5)] + CORRECT
    result = tight.run(units, [Call("sigmoid", Z)])  # 1.5 s of loading, one second a unit
    assert all(unit.ok for unit in result.load.units)
    assert result.outcomes[0].status == "ok"


def test_an_endless_loop_costs_one_call_timeout(box) -> None:
    result = attack(box, "loop_in_function.py", Call("probe", [[]], timeout=2.0), Call("sigmoid", Z))
    probe, sigmoid = result.outcomes
    assert probe.status == "timeout" and probe.message == "no answer within 2 s"
    assert sigmoid.status == "ok"


# ---------------------------------------------------------------- output and reports


def test_floods_on_raw_file_descriptors_cost_nothing(box) -> None:
    result = attack(box, "fd_flood.py")
    assert value_of(result.outcomes[0]) == "flooded"


KINDS = ["unprintable", "huge", "not_a_str", "named", "unit_like", "deep"]


def test_exceptions_that_raise_or_lie_become_short_plain_records(box) -> None:
    calls = Call("probe", [[kind] for kind in KINDS]), Call("sigmoid", Z)
    result = attack(box, "exceptions_that_lie.py", *calls)
    probe, sigmoid = result.outcomes
    assert probe.status == "ok" and sigmoid.status == "ok"
    for kind, case in zip(KINDS, probe.results, strict=True):
        assert case.value is None and set(case.error) == {"type", "message", "where", "function"}, kind
        assert all(type(v) is str for v in case.error.values()), kind
        assert len(case.error["message"]) <= 2000 and case.error["type"], kind
    errors = dict(zip(KINDS, (case.error for case in probe.results), strict=True))
    assert errors["unit_like"]["type"] == "UnitLike"
    assert "Huge: hhh" in errors["huge"]["message"]
    assert errors["deep"]["function"] == "_deep"


def test_forged_frames_are_read_as_bounded_plain_data(box) -> None:
    forged = attack(box, "forged_frames.py", Call("probe", [["error"]])).outcomes[0]
    assert forged.status == "ok" and forged.printed == ""
    error = forged.results[0].error
    assert error == {"type": "Error", "message": "m" * 2000, "where": "", "function": ""}
    unasked = attack(box, "forged_frames.py", Call("probe", [["index"]]), Call("sigmoid", Z)).outcomes
    assert unasked[0].status == "invalid" and "not asked" in unasked[0].message
    assert unasked[1].status == "ok"


def test_a_forged_load_report_costs_only_its_unit(box) -> None:
    result = attack(box, "forged_load_report.py", Call("sigmoid", Z))
    assert not result.load.units[0].ok
    assert result.outcomes[0].results[0].error["type"] == "NameError"


# ---------------------------------------------------------------- stand-ins


def test_a_flood_of_stand_in_callbacks_is_cut_off_in_the_students_process(box) -> None:
    answered = []

    def reference(name, args):
        answered.append(np.asarray(args[0]).nbytes)
        return 0.0

    limits = box.limits
    submission = load(HOSTILE / "stand_in_flood.py")
    calls = [Call("probe", [[]], stand_ins=["helper"], callback=reference) for _ in range(6)]
    outcomes = box.run(submission.units, calls).outcomes
    per_call = limits.stand_in_mb_per_call  # MiB, one MiB an argument
    for outcome in outcomes[: limits.stand_in_mb // per_call]:
        count, message = value_of(outcome)
        assert count < per_call and "no more calls" in message
    assert value_of(outcomes[-1])[0] == 0  # the submission's budget is spent
    assert len(answered) < limits.stand_in_mb and sum(answered) <= limits.stand_in_mb << 20
    assert_still_serves_correct_answers(box)


def test_a_stand_in_refuses_arguments_whose_answer_would_be_quadratic(box) -> None:
    # The reference runs in the grader's process: 1×12000 by 1×12000 would be 1.15 GB there.
    def reference(name, args):
        return reference_answer({s.id: s for s in STEPS}[name], args)

    call = Call("probe", [[]], timeout=5.0, stand_ins=["weight_grad"], callback=reference)
    message = value_of(attack(box, "stand_in_quadratic.py", call).outcomes[0])
    assert "at most 2 dimensions and 256 rows and columns" in message and "(1, 12000)" in message


# ---------------------------------------------------------------- the zygote itself


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def test_a_stopped_zygote_is_detected_and_replaced() -> None:
    """With the grader's own wait (ZYGOTE_TIMEOUT): a shorter one made the test fail on a busy
    machine, where the new zygote's first worker took longer than it to be made."""
    with Sandbox(LIMITS) as box:
        assert_still_serves_correct_answers(box)
        zygote = box._process.pid
        stopped = [zygote, *_descendants(zygote)]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        try:
            with box.session(CORRECT) as session:
                session.load()
                outcome = session.call(Call("sigmoid", Z))
                assert session.zygote_replaced
            assert outcome.status == "ok" and box.restarts == 1
            assert_still_serves_correct_answers(box)
        finally:
            for pid in stopped:  # whatever outlived its zygote ends on its closed socket
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass


# ---------------------------------------------------------------- reading notebooks


def test_a_notebook_of_thousands_of_magic_lines_is_read_as_python(box) -> None:
    submission = load(HOSTILE / "magic_lines.ipynb")
    magic = submission.units[1]["source"]
    assert magic.count("get_ipython()") == 6000
    compile(magic, "cell 2", "exec")
    result = box.run(submission.units, [Call("sigmoid", Z)])
    assert all(unit.ok for unit in result.load.units)
    assert result.outcomes[0].status == "ok"
