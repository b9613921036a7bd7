"""Grading a class: every submission in parallel, with a progress bar and a result cache.

Each worker process owns one sandbox. A submission whose code and grading settings
are unchanged is not graded again: its result comes from the cache, keyed by a
content hash, so a rerun with the same seed gives identical output.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from backprop_lab.exercises.i18n import N_
from backprop_lab.graders.cases import Corpus, build_corpus
from backprop_lab.graders.grade import GradingConfig, grade_submission
from backprop_lab.graders.results import StepResult, SubmissionResult
from backprop_lab.graders.sandbox.runner import Limits, Sandbox
from backprop_lab.graders.submissions import Submission

CACHE_VERSION = "3"


def settings_key(config: GradingConfig) -> str:
    """What a cached result depends on besides the submission itself."""
    h = hashlib.sha256()
    parts = [
        CACHE_VERSION,
        config.seed,
        config.domain,
        config.points,
        config.course.answers_points,
        config.course.formula_hints,
        config.step_timeout,
        config.shrink,
        *(path.read_text() for path in config.course.files),
    ]
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode() + b"\0")
    return h.hexdigest()[:16]


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
    """Grades submissions one after another with a shared corpus and one sandbox.

    `grade_all` spreads a class over worker processes, each with a Grader of its own:
    the checks are Python, so threads would share one core.
    """

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
        self.key = settings_key(config)
        self._corpus: Corpus | None = None
        self._box: Sandbox | None = None
        self.isolation_used = ""

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = build_corpus(self.config.steps, self.config.seed, self.config.domain)
        return self._corpus

    def _sandbox(self) -> Sandbox:
        if self._box is None:
            self._box = Sandbox(self.limits, self.isolation)
            self._box.start()
            self.isolation_used = self._box.isolation
        return self._box

    def _cache_path(self, submission: Submission) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{submission.digest[:32]}-{self.key}.json"

    def cached(self, submission: Submission) -> SubmissionResult | None:
        path = self._cache_path(submission)
        if path is None or not path.is_file():
            return None
        try:
            return SubmissionResult.from_json(json.loads(path.read_text()))
        except (ValueError, TypeError, KeyError):
            return None  # a damaged cache entry is graded again

    def grade(self, submission: Submission) -> SubmissionResult:
        cached = self.cached(submission)
        if cached is not None:
            return cached
        try:
            result = grade_submission(submission, self.corpus, self._sandbox(), self.config)
        except Exception as error:  # a bug of ours costs one submission, never the batch
            return _internal_error(submission, self.config, error)
        path = self._cache_path(submission)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(result.to_json()))
            temporary.replace(path)
        return result

    def grade_all(
        self,
        submissions: list[Submission],
        jobs: int = 2,
        progress: Callable[[SubmissionResult], None] | None = None,
    ) -> list[SubmissionResult]:
        """Results in the order of the submissions; cached ones are not graded again."""
        results: list[SubmissionResult | None] = [self.cached(s) for s in submissions]
        todo = [i for i, r in enumerate(results) if r is None]
        for result in results:
            if result is not None and progress is not None:
                progress(result)
        if jobs <= 1 or len(todo) < 4 * jobs:  # a pool costs a second or two to start
            for i in todo:
                results[i] = self.grade(submissions[i])
                if progress is not None:
                    progress(results[i])
            return results  # type: ignore[return-value]
        context = multiprocessing.get_context("spawn")  # never fork a process that holds sandboxes
        with ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.config, self.cache_dir, self.limits, self.isolation),
        ) as pool:
            futures = {pool.submit(_grade_in_worker, submissions[i]): i for i in todo}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    results[index], self.isolation_used = future.result()
                except Exception as error:  # a worker process died: that submission is marked
                    results[index] = _internal_error(submissions[index], self.config, error)
                if progress is not None:
                    progress(results[index])
        return results  # type: ignore[return-value]

    def close(self) -> None:
        if self._box is not None:
            self._box.close()
            self._box = None

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_WORKER: Grader | None = None


def _start_worker(config: GradingConfig, cache_dir: Path | None, limits: Limits, isolation: str) -> None:
    global _WORKER
    _WORKER = Grader(config, cache_dir, limits, isolation)
    atexit.register(_WORKER.close)


def _grade_in_worker(submission: Submission) -> tuple[SubmissionResult, str]:
    assert _WORKER is not None
    return _WORKER.grade(submission), _WORKER.isolation_used
