"""Grading a class: every submission in parallel, results as they come, a cache that survives kills.

The case corpus is built once per run, in the grading process, and handed to every
worker (it is trusted data; it is also kept on disk, keyed by what determines it, so
the next run loads it instead of drawing it again). Each worker owns one sandbox.
Every result is written to the cache the moment it arrives, atomically, so a grader
killed halfway and started again grades only what is missing; a submission whose code
and grading settings are unchanged is not graded again.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from backprop_lab.exercises.i18n import N_
from backprop_lab.graders.bounded import bounded_result, summary
from backprop_lab.graders.cases import Corpus, build_corpus
from backprop_lab.graders.grade import GradingConfig, grade_submission
from backprop_lab.graders.results import StepResult, SubmissionResult
from backprop_lab.graders.sandbox.runner import Limits, Sandbox
from backprop_lab.graders.submissions import Submission

CACHE_VERSION = "3"
IN_FLIGHT_PER_JOB = 4  # submissions queued per worker: enough to keep it busy, few enough to stay small
POOL_PER_JOB = 4  # a class graded in a pool has this many fresh submissions per job at least


def _version() -> str:
    try:
        return importlib.metadata.version("backprop-lab")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def hashed_folders() -> list[Path]:
    """The folders whose code decides a grade: the engine, the assignments, the references."""
    packages = ("backprop_lab.graders", "backprop_lab.exercises", "backprop_lab.solutions")
    return [Path(importlib.util.find_spec(name).origin).parent for name in packages]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of everything that decides a grade in code: the grading engine, every assignment
    (its records, inputs, mistakes, references) and the course model, and the versions of
    backprop-lab, hypothesis and numpy.
    """
    hypothesis = importlib.metadata.version("hypothesis")  # importing it would cost every worker 0.15 s
    h = hashlib.sha256(f"{_version()}\0{hypothesis}\0{np.__version__}".encode())
    for folder in hashed_folders():
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".toml")):
            h.update(b"\0" + str(path.relative_to(folder.parent)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def settings_key(config: GradingConfig) -> str:
    """What a cached result (and the corpus) depends on besides the submission itself."""
    h = hashlib.sha256()
    parts = [
        CACHE_VERSION,
        code_fingerprint(),
        config.course.assignment.name,
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


def corpus_cache_dir() -> Path:
    """The instructor's own cache folder (never one a student can write to)."""
    explicit = os.environ.get("BACKPROP_LAB_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backprop-lab"


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Whole or not at all: a process killed mid-write leaves only a temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.chmod(temporary, mode)  # results as a plain write leaves them; the corpus for us alone
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    """A file of the instructor's cache, readable by its owner only, written whole or not at all."""
    _write_atomically(path, data, mode=0o600)


def load_corpus(config: GradingConfig, key: str) -> Corpus:
    """The run's corpus: from the disk cache when it was drawn before under the same key."""
    path = corpus_cache_dir() / f"corpus-{key}.pickle"
    try:
        corpus = pickle.loads(path.read_bytes())  # our own file, written below; never student data
        if isinstance(corpus, Corpus):
            return corpus
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass
    corpus = build_corpus(config.steps, config.seed, config.domain, config.course.assignment.functions)
    try:
        _write_atomically(path, pickle.dumps(corpus, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600)
    except OSError:
        pass  # a read-only home: the run still works, the next one draws again
    return corpus


class ClusterError(RuntimeError):
    """A Dask cluster cannot be used (Dask missing, no scheduler, no worker): said to the instructor."""


def internal_error(
    submission: Submission | SubmissionResult, config: GradingConfig, error: BaseException
) -> SubmissionResult:
    """A grader bug must not lose the batch: the submission is marked, the others go on."""
    return failed_result(
        submission, {s.id: config.points[s.id] for s in config.steps}, config.max_score, error
    )


def failed_result(
    source: Submission | SubmissionResult, points: dict[str, float], max_score: float, error: BaseException
) -> SubmissionResult:
    """Every step an internal error at 0 points, for a submission we could not grade (or a
    result we could not report); the error is named, bounded, in each step's feedback."""
    steps = [
        StepResult(
            step,
            0.0,
            most,
            "error",
            detail=N_("an internal grader error: {error}"),
            detail_values={"error": summary(f"{type(error).__name__}: {error}", 500)},
        )
        for step, most in points.items()
    ]
    result = SubmissionResult(source.id, 0.0, max_score, steps, digest=source.digest)
    result.name, result.origin = source.name, source.origin
    return result


class Grader:
    """Grades submissions with one corpus and one sandbox; spreads a class over processes.

    The checks are Python, so a class is spread over worker processes (or a Dask
    cluster), each with a Grader of its own given the corpus built here.
    """

    def __init__(
        self,
        config: GradingConfig,
        cache_dir: Path | None = None,
        limits: Limits | None = None,
        isolation: str = "auto",
        corpus: Corpus | None = None,
        beside: Callable[[Submission], Any] | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.limits = limits or Limits()
        self.isolation = isolation
        self.key = settings_key(config)
        self._corpus = corpus
        self._box: Sandbox | None = None
        self.isolation_used = ""
        # Work the worker processes do for each submission beside grading it (a picklable
        # function: copy detection's fingerprints); what it made waits here, by index, for
        # `made_beside` (see stream).
        self.beside = beside
        self._made_beside: dict[int, Any] = {}
        self._ready_pool = pool  # started before the class was found (see WorkerPool)

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = load_corpus(self.config, self.key)
        return self._corpus

    def _sandbox(self) -> Sandbox:
        if self._box is None:
            self._box = Sandbox(self.limits, self.isolation)
            self._box.start()
            self.isolation_used = self._box.isolation
        return self._box

    def _cache_path(self, digest: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{digest[:32]}-{self.key}.json"

    def cached(self, submission: Submission) -> SubmissionResult | None:
        """The result kept for this very code and these settings, or None; never raises."""
        try:
            path = self._cache_path(submission.digest)
            if path is None or not path.is_file():
                return None
            result = bounded_result(SubmissionResult.from_json(json.loads(path.read_text())))
        except Exception:
            return None  # a damaged cache entry (or one we cannot read) is graded again
        return result if result.id == submission.id and result.digest == submission.digest else None

    def store(self, result: SubmissionResult) -> None:
        """Keep a result for the next run, atomically; an internal error is tried again instead."""
        path = self._cache_path(result.digest)
        if path is None or not result.isolation:  # no sandbox ran: a grader error, not a grade
            return
        _write_atomically(path, json.dumps(result.to_json()).encode())

    def grade_fresh(self, submission: Submission) -> SubmissionResult:
        """Grade in this process, ignoring the cache; never raises. Whatever the student sent is
        bounded here (see graders.bounded), in the worker, before the result travels."""
        try:
            return bounded_result(grade_submission(submission, self.corpus, self._sandbox(), self.config))
        except Exception as error:  # a bug of ours costs one submission, never the batch
            return internal_error(submission, self.config, error)

    def grade(self, submission: Submission) -> SubmissionResult:
        cached = self.cached(submission)
        if cached is not None:
            return cached
        result = self.grade_fresh(submission)
        self.store(result)
        return result

    def keep_beside(self, index: int, made: Any | None) -> None:
        """Hold what a worker made beside grading submission `index`, for `made_beside`."""
        if made is not None:
            self._made_beside[index] = made

    def made_beside(self, index: int) -> Any | None:
        """What `beside` made of submission `index` in the worker that graded it (None: nothing
        was made there, e.g. for a cached result: make it where it is needed)."""
        return self._made_beside.pop(index, None)

    def stream(
        self, submissions: list[Submission], jobs: int = 2, scheduler: str | None = None
    ) -> Iterator[tuple[int, SubmissionResult]]:
        """(index, result) for every submission as it is ready: cached ones first, then the
        rest as they finish, each stored in the cache before it is yielded.
        """
        todo = []
        for index, submission in enumerate(submissions):
            cached = self.cached(submission)
            if cached is None:
                todo.append(index)
            else:
                yield index, cached
        if scheduler is not None or jobs <= 1 or len(todo) < POOL_PER_JOB * jobs:
            self._close_ready_pool()  # not graded in a pool: its processes need not start
        if not todo:
            return
        if scheduler is not None:
            from backprop_lab.graders.distributed import grade_on_cluster

            fresh = grade_on_cluster(self, submissions, todo, scheduler, jobs)
        elif jobs <= 1 or len(todo) < POOL_PER_JOB * jobs:  # a pool costs a second or two to start
            fresh = ((i, self.grade_fresh(submissions[i])) for i in todo)
        else:
            fresh = self._pool(submissions, todo, jobs)
        for index, result in fresh:
            if result.isolation:
                self.isolation_used = result.isolation
            self.store(result)
            yield index, result

    def _pool(
        self, submissions: list[Submission], todo: list[int], jobs: int
    ) -> Iterator[tuple[int, SubmissionResult]]:
        """Worker processes, a bounded queue each; a pool broken by a dead worker is started
        again and its submissions are tried once more.
        """
        pending, tried_again = deque(todo), set()

        def once_more(index: int, error: Exception) -> Iterator[tuple[int, SubmissionResult]]:
            """A submission whose process died goes to the next pool, once; then it is an error."""
            if index in tried_again:
                yield index, internal_error(submissions[index], self.config, error)
            else:
                tried_again.add(index)
                pending.append(index)

        while pending:
            ready, self._ready_pool = self._ready_pool, None
            wanted = (jobs, self.limits, self.isolation)
            if ready is None or ready.broken or (ready.jobs, ready.limits, ready.isolation) != wanted:
                if ready is not None:
                    ready.close()
                ready = WorkerPool(*wanted)
            ready.hand(self.config, self.corpus, self.beside)
            with ready.executor as pool:
                running: dict = {}
                broken = False
                while running or (pending and not broken):
                    while pending and not broken and len(running) < IN_FLIGHT_PER_JOB * jobs:
                        index = pending.popleft()
                        try:
                            running[pool.submit(_grade_in_worker, submissions[index])] = index
                        except BrokenProcessPool as error:  # a process died before it had work
                            broken = True
                            yield from once_more(index, error)
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        index = running.pop(future)
                        try:
                            result, made = future.result()
                            self.keep_beside(index, made)
                            yield index, result
                        except BrokenProcessPool as error:
                            broken = True
                            yield from once_more(index, error)
                        except Exception as error:
                            yield index, internal_error(submissions[index], self.config, error)

    def grade_all(
        self,
        submissions: list[Submission],
        jobs: int = 2,
        progress: Callable[[SubmissionResult], None] | None = None,
        scheduler: str | None = None,
    ) -> list[SubmissionResult]:
        """Results in the order of the submissions; cached ones are not graded again."""
        results: list[SubmissionResult | None] = [None] * len(submissions)
        for index, result in self.stream(submissions, jobs, scheduler):
            results[index] = result
            if progress is not None:
                progress(result)
        return results  # type: ignore[return-value]

    def _close_ready_pool(self) -> None:
        if self._ready_pool is not None:
            self._ready_pool.close()
            self._ready_pool = None

    def close(self) -> None:
        if self._box is not None:
            self._box.close()
            self._box = None
        self._close_ready_pool()  # started, never needed

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerPool:
    """Worker processes, each with its sandbox, started before they have work: a pool takes a
    second or two to start, which finding the class (a second per 600 notebooks) can hide.
    Used once: a Grader hands it what to grade with (`hand`), then gives it the submissions."""

    def __init__(self, jobs: int, limits: Limits | None = None, isolation: str = "auto") -> None:
        self.jobs, self.limits, self.isolation = jobs, limits or Limits(), isolation
        context = multiprocessing.get_context("spawn")  # never fork a process that holds sandboxes
        self.settings = context.Queue()  # through a pipe, never a file: the settings hold the secret
        self.settings.cancel_join_thread()  # settings never taken (a process died) cannot hold up exit
        initargs = (self.limits, isolation, self.settings)
        self.executor = ProcessPoolExecutor(jobs, context, _start_process, initargs)
        for _ in range(jobs):  # each process starts, and starts its sandbox, now
            self.executor.submit(_start_sandbox)

    @property
    def broken(self) -> bool:
        """A process of it died before it was used (`_broken` is the executor's own record)."""
        return bool(getattr(self.executor, "_broken", False))

    def hand(self, config: GradingConfig, corpus: Corpus, beside: Callable[[Submission], Any] | None) -> None:
        """What every process grades with: one copy each, taken with its first submission."""
        for _ in range(self.jobs):
            self.settings.put((config, corpus, beside))

    def close(self) -> None:
        """No more work: its processes end once they have started (this does not wait for them)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.settings.close()


_SANDBOX: Sandbox | None = None
_SANDBOX_OPTIONS: tuple[Limits, str] = (Limits(), "auto")
_SETTINGS: Any = None  # the pool's queue of settings (see WorkerPool.hand)
_WORKER: Grader | None = None
SETTINGS_TIMEOUT = 60.0  # seconds a process waits for its settings (handed before any submission)


def _start_process(limits: Limits, isolation: str, settings: Any) -> None:
    global _SANDBOX_OPTIONS, _SETTINGS
    _SANDBOX_OPTIONS, _SETTINGS = (limits, isolation), settings
    atexit.register(_close_process)


def _start_sandbox() -> None:
    global _SANDBOX
    if _SANDBOX is None:
        sandbox = Sandbox(*_SANDBOX_OPTIONS)
        sandbox.start()
        _SANDBOX = sandbox


def _close_process() -> None:
    if _WORKER is not None:
        _WORKER.close()
    if _SANDBOX is not None:
        _SANDBOX.close()


def _worker() -> Grader:
    """This process's Grader, made with its first submission from the settings handed to it."""
    global _WORKER
    if _WORKER is None:
        config, corpus, beside = _SETTINGS.get(timeout=SETTINGS_TIMEOUT)
        limits, isolation = _SANDBOX_OPTIONS
        grader = Grader(config, None, limits, isolation, corpus, beside)
        _start_sandbox()
        grader._box, grader.isolation_used = _SANDBOX, _SANDBOX.isolation
        _WORKER = grader
    return _WORKER


def _grade_in_worker(submission: Submission) -> tuple[SubmissionResult, Any | None]:
    """The result, and what `beside` makes of the submission here (copy detection's
    fingerprints): the grading process then only collects it."""
    worker = _worker()
    result = worker.grade_fresh(submission)
    return result, (worker.beside(submission) if worker.beside is not None else None)
