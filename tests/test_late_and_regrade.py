"""Late penalties and regrade audits on real runs: an nbgrader class whose timestamp.txt files
are in nbgrader's own formats, graded once, changed, and graded again into the same folder."""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from backprop_lab.audit import changes
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.course_schema import CourseError
from backprop_lab.exercises.generate import generate
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.gradebook import write_gradebook
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.lateness import SubmittedAt, mark_late_on_gradescope, parse_nbgrader_timestamp, submitted_at
from backprop_lab.platforms.gradescope import autograde, write_autograder
from tests.submissions import BASE, buggy_submissions
from tests.test_nbgrader import fill, nbgrader

SECRET = "late-and-regrade-test-secret"
DEADLINE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=8)))  # 15:59 UTC
COURSE = """\
[late]
deadline = 2026-03-01T23:59:00+08:00
per_day = 10
cap = 30
extensions = "extensions.csv"
"""
# nbgrader's Exchange.timestamp_format is "%Y-%m-%d %H:%M:%S.%f %Z"; releases before 0.6: no fraction
ON_TIME = "2026-03-01 14:59:59.250000 UTC"  # an hour before the deadline
LATE_30H = "2026-03-02 21:59:00.000001 UTC"  # 30 hours late: 2 days (a part of a day counts)
LATE_OLD_FORMAT = "2026-03-03 10:00:00 UTC"  # 42 hours late, but this student has 3 more days
LATE_5D = "2026-03-06 15:00:00.000000 UTC"  # 4 days 23 hours late: 5 days, 50%, capped at 30%


@pytest.fixture(autouse=True, scope="module")
def course_secret() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKPROP_LAB_SECRET", SECRET)
        yield


def _submit(submitted: Path, student: str, source: str, timestamp: str) -> None:
    """A student's submission as `nbgrader collect` leaves it: the notebook's module and timestamp.txt."""
    folder = submitted / student / "backprop"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "backprop.py").write_text(source)
    (folder / "timestamp.txt").write_text(timestamp)


def _score(result: SubmissionResult, step: str) -> float:
    return next(s.score for s in result.steps if s.id == step)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("late")
    _, buggy = buggy_submissions()["batch_mean_missing"]
    submitted = root / "course" / "submitted"
    _submit(submitted, "ana", BASE, ON_TIME)
    _submit(submitted, "ben", buggy, LATE_30H)
    _submit(submitted, "chen", BASE, LATE_OLD_FORMAT)
    _submit(submitted, "dana", BASE, LATE_5D)
    (root / "course.toml").write_text(COURSE)
    (root / "extensions.csv").write_text("id,name,extension\nchen,Chen Wei,3\nana,Ana,\n")
    return root


@pytest.fixture(scope="module")
def first_run(class_folder: Path) -> tuple[Path, dict[str, SubmissionResult]]:
    out = class_folder / "out"
    config = grading_config(class_folder / "course.toml", out)
    results = grade_paths([class_folder / "course" / "submitted"], out, config, jobs=1, show_progress=False)
    return out, {r.id: r for r in results}


def test_nbgrader_timestamps_are_read_in_both_of_nbgraders_formats() -> None:
    assert parse_nbgrader_timestamp(ON_TIME) == datetime(2026, 3, 1, 14, 59, 59, 250000, timezone.utc)
    assert parse_nbgrader_timestamp(LATE_OLD_FORMAT + "\n") == datetime(
        2026, 3, 3, 10, 0, tzinfo=timezone.utc
    )


def test_the_penalty_is_taken_after_grading_from_the_submit_time_with_extensions_and_the_cap(
    first_run,
) -> None:
    _, results = first_run
    for r in results.values():  # the steps keep what was earned; the penalty comes off the total
        assert r.late is not None and r.late.source == "nbgrader"
        assert r.late.raw_score == pytest.approx(sum(s.score for s in r.steps))
        assert r.score == pytest.approx(r.late.raw_score - r.late.points)
    assert (results["ana"].late.days, results["ana"].score) == (0, 100)
    ben = results["ben"]
    assert ben.late.raw_score < 100  # the buggy submission lost points before any penalty
    assert (ben.late.days, ben.late.percent, ben.late.points) == (2, 20, 20)  # of the max score, per day
    chen = results["chen"]  # 42 hours late, within a 3-day extension
    assert (chen.late.days, chen.score) == (0, 100)
    assert datetime.fromisoformat(chen.late.deadline) == DEADLINE + timedelta(days=3)
    dana = results["dana"]
    assert (dana.late.days, dana.late.percent, dana.score) == (5, 30, 70)  # 50% capped at 30%


def test_every_output_shows_the_raw_and_the_final_score(first_run) -> None:
    out, results = first_run
    ben = results["ben"]
    native = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert (native["ben"]["score"], native["ben"]["raw_score"]) == (ben.score, ben.late.raw_score)
    assert native["ben"]["late"]["days"] == 2 and native["ben"]["late"]["source"] == "nbgrader"
    grades = {row["id"]: row for row in _rows(out / "grades.csv")}
    assert float(grades["ben"]["score"]) == ben.score
    assert (float(grades["ben"]["raw_score"]), float(grades["ben"]["late_penalty"])) == (
        ben.late.raw_score,
        20,
    )
    assert grades["ben"]["days_late"] == "2" and grades["ana"]["days_late"] == "0"
    feedback = (out / "feedback" / "ben.md").read_text()
    assert f"**Score: {ben.score:g} / 100**" in feedback
    assert "a late penalty of 20%, 20 points" in feedback and "nbgrader's timestamp.txt" in feedback
    assert f"2 day(s) late: −20 from {ben.late.raw_score:g}" in (out / "report.html").read_text()


def test_a_regrade_records_who_changed_which_steps_and_why(class_folder: Path, first_run) -> None:
    out, before = first_run
    second = class_folder / "second"
    shutil.copytree(out, second)  # the earlier run, as a folder graded again holds it
    submitted = class_folder / "course" / "submitted"
    (submitted / "ben" / "backprop" / "backprop.py").write_text(BASE)  # ben fixes his bug ...
    (submitted / "ana" / "backprop" / "timestamp.txt").write_text(LATE_30H)  # ... ana's time is corrected
    try:
        config = grading_config(class_folder / "course.toml", second)
        after = {r.id: r for r in grade_paths([submitted], second, config, jobs=1, show_progress=False)}
    finally:
        _submit(submitted, "ben", buggy_submissions()["batch_mean_missing"][1], LATE_30H)
        (submitted / "ana" / "backprop" / "timestamp.txt").write_text(ON_TIME)
    rows = {row["id"]: row for row in _rows(second / "changes.csv")}
    assert sorted(rows) == ["ana", "ben"]  # chen and dana: nothing changed, not listed
    assert rows["ana"]["reasons"] == "submission_time" and rows["ana"]["steps"] == ""
    assert (float(rows["ana"]["old_score"]), float(rows["ana"]["new_score"])) == (100, 80)
    moved = [s.id for s in before["ben"].steps if s.score != _score(after["ben"], s.id)]
    assert moved and rows["ben"]["reasons"] == "submission"
    assert rows["ben"]["steps"] == "; ".join(
        f"{step} {_score(before['ben'], step):g} → {_score(after['ben'], step):g}" for step in moved
    )
    assert (float(rows["ben"]["old_score"]), float(rows["ben"]["new_score"])) == (before["ben"].score, 80)
    report = (second / "report.html").read_text()
    assert 'id="changes"' in report and "the submission time changed" in report


def test_a_regrade_with_the_same_inputs_changes_nothing_and_says_so(class_folder: Path, first_run) -> None:
    out, _ = first_run
    again = class_folder / "again"
    shutil.copytree(out, again)
    grade_paths([class_folder / "course" / "submitted"], again,
                grading_config(class_folder / "course.toml", again), jobs=1, show_progress=False)  # fmt: skip
    assert (again / "changes.csv").read_text().splitlines() == ["id,old_score,new_score,steps,reasons,why"]
    assert "No score changed since the earlier run." in (again / "report.html").read_text()


def test_a_class_wide_change_is_named_for_every_changed_student(first_run) -> None:
    out, results = first_run
    earlier = json.loads((out / "results.json").read_text())
    meta = {key: earlier[key] for key in ("seed", "secret", "backprop_lab", "code", "course")}
    lower = [SubmissionResult(r.id, r.score - 1, r.max_score, r.steps, digest=r.digest, late=r.late)
             for r in results.values()]  # fmt: skip
    assert {c.id: c.reasons for c in changes(earlier, lower, meta)} == {
        sub_id: ["unexplained"] for sub_id in results
    }
    older = {**earlier, "code": None, "course": None}  # a run of a release that recorded neither
    assert {c.id: c.reasons for c in changes(older, lower, meta)} == {
        sub_id: ["unrecorded"] for sub_id in results
    }
    for key, reason in (("secret", "secret"), ("code", "version"), ("course", "course")):
        found = changes(earlier, lower, {**meta, key: "something else"})
        assert {c.id: c.reasons for c in found} == {sub_id: [reason] for sub_id in results}


def test_gradescope_submission_time_and_its_documented_metadata(tmp_path: Path) -> None:
    (tmp_path / "course.toml").write_text(COURSE.replace('extensions = "extensions.csv"\n', ""))
    policy = Course.load(tmp_path / "course.toml").late
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({
        "id": 123456, "created_at": "2026-03-02T08:58:00.365935-07:00",  # 15:58 UTC on the 2nd: a day late
        "assignment": {"due_date": "2026-03-01T23:59:00.000000+08:00", "late_due_date": None},
        "users": [{"email": "ana@example.edu", "id": 1234, "name": "Ana", "sid": "ana"}],
    }))  # fmt: skip
    result = mark_late_on_gradescope(SubmissionResult("ana", 90.0, 100.0, []), policy, metadata)
    assert (result.late.source, result.late.days, result.score, result.late.raw_score) == (
        "gradescope",
        1,
        80,
        90,
    )


@pytest.mark.parametrize(
    ("late", "problem"),
    [
        ("deadline = 2026-03-01T23:59:00\nper_day = 10", "with its offset"),
        ("deadline = 2026-03-01T23:59:00Z\nper_day = 10\ntable = [10, 20]", "both per_day and table"),
        ("deadline = 2026-03-01T23:59:00Z\ncap = 150", "a percent from 0 to 100"),
        ("deadline = 2026-03-01T23:59:00Z\nper_dya = 10", "did you mean 'per_day'"),
        ("per_day = 10", "lacks the key 'deadline'"),
    ],
)
def test_a_late_table_that_cannot_be_used_is_an_error_with_its_line(
    tmp_path: Path, late: str, problem: str
) -> None:
    (tmp_path / "course.toml").write_text(f"[late]\n{late}\n")
    with pytest.raises(CourseError, match=problem):
        Course.load(tmp_path / "course.toml")


def test_a_penalty_table_gives_each_day_its_own_percent(tmp_path: Path) -> None:
    (tmp_path / "course.toml").write_text(
        "[late]\ndeadline = 2026-03-01T12:00:00Z\ntable = [5, 25, 60]\ncap = 50\n"
        'grace_minutes = 15\nof = "score"\n'
    )
    policy = Course.load(tmp_path / "course.toml").late
    noon = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    delays = (timedelta(minutes=14), timedelta(minutes=16), timedelta(hours=30), timedelta(days=9))
    days = [policy.days_late(noon + delay, "x") for delay in delays]
    assert days == [0, 1, 2, 9]
    assert [policy.percent(d) for d in days] == [
        0,
        5,
        25,
        50,
    ]  # the 3rd day's 60% capped; the last holds after
    assert policy.points(2, 80.0, 100.0) == 20  # of the score earned, not of the maximum


def test_the_gradebook_gets_nbgraders_own_timestamp_and_late_penalty(tmp_path: Path) -> None:
    generate(tmp_path, formats=("nbgrader",))
    course = tmp_path / "nbgrader"
    nbgrader(course, "generate_assignment", "backprop")
    fill(
        course / "release" / "backprop" / "backprop.ipynb",
        BASE,
        course / "submitted" / "ann" / "backprop" / "backprop.ipynb",
    )
    (course / "submitted" / "ann" / "backprop" / "timestamp.txt").write_text(LATE_30H)
    (tmp_path / "course.toml").write_text(COURSE.replace('extensions = "extensions.csv"\n', ""))
    config = grading_config(tmp_path / "course.toml", tmp_path / "out")
    results = grade_paths([course / "submitted"], tmp_path / "out", config, show_progress=False)
    write_gradebook(results, course, "backprop")
    nbgrader(course, "export")
    (row,) = _rows(course / "grades.csv")
    assert (float(row["raw_score"]), float(row["late_submission_penalty"]), float(row["score"])) == (
        100,
        20,
        80,
    )
    assert row["timestamp"].startswith("2026-03-02 21:59:00")  # nbgrader reads back the submit time


def test_the_gradescope_autograder_shows_results_when_the_course_says_and_takes_the_penalty(
    tmp_path: Path,
) -> None:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "backprop.py").write_text(BASE)
    course = COURSE.replace('extensions = "extensions.csv"\n', "")
    course += (
        '[gradescope]\nvisibility = "after_published"\nstep_visibility = { backward = "after_due_date" }\n'
    )
    (tmp_path / "course.toml").write_text(course)
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"created_at": "2026-03-02T08:58:00-07:00", "users": [{"sid": "ana"}]}))
    data = autograde(tmp_path / "submission", tmp_path / "results" / "results.json", tmp_path / "course.toml",
                     lang="en", sub_id="ana", metadata=metadata)  # fmt: skip
    assert (data["visibility"], data["stdout_visibility"]) == ("after_published", "hidden")
    visibility = {test["name"]: test["visibility"] for test in data["tests"]}
    assert visibility.pop("backward") == "after_due_date" and set(visibility.values()) == {"visible"}
    assert sum(test["score"] for test in data["tests"]) == 100  # each step keeps what it earned
    assert (data["score"], data["extra_data"]["raw_score"], data["extra_data"]["late"]["days"]) == (
        90,
        100,
        1,
    )
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 90


def test_the_gradescope_zip_carries_the_extensions_its_course_file_names(
    class_folder: Path, tmp_path: Path
) -> None:
    zipped = write_autograder(tmp_path, Course.load(class_folder / "course.toml"))
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("course/extensions.csv") == (class_folder / "extensions.csv").read_bytes()


def test_a_timestamp_a_student_uploads_outside_an_nbgrader_tree_is_not_believed(tmp_path: Path) -> None:
    folder = tmp_path / "class" / "eve"
    folder.mkdir(parents=True)
    (folder / "backprop.py").write_text(BASE)
    (folder / "timestamp.txt").write_text(ON_TIME)  # forged: the work is handed in a week late
    week_late = (DEADLINE + timedelta(days=7)).timestamp()
    os.utime(folder / "backprop.py", (week_late, week_late))
    when = submitted_at(folder)
    assert when.source == "file_times" and when.at == DEADLINE + timedelta(days=7)
    nbgrader_tree = tmp_path / "course" / "submitted" / "eve" / "backprop"
    shutil.copytree(folder, nbgrader_tree)
    assert submitted_at(nbgrader_tree) == SubmittedAt(parse_nbgrader_timestamp(ON_TIME), "nbgrader")
