"""Grading on a Dask cluster: `grade --scheduler ADDRESS` (or `local`) spreads a class over machines.

Each worker thread keeps a Grader of its own, with its own sandbox zygote, made by a
worker plugin; the corpus is built once by the grading process and scattered to every
worker; a bounded number of submissions is in flight, so memory stays flat however
big the class. A worker that dies mid-run loses nothing: the scheduler gives its
tasks to another worker. Needs the `dask` extra (`pip install backprop-lab[dask]`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from backprop_lab.graders.batch import ClusterError, Grader, internal_error
from backprop_lab.graders.cases import Corpus
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.sandbox.runner import Limits
from backprop_lab.graders.submissions import Submission

try:
    import dask
    import distributed
    from distributed import WorkerPlugin
except ImportError:  # the `dask` extra is not installed: say so when --scheduler is used
    distributed = None
    WorkerPlugin = object

if TYPE_CHECKING:
    from distributed import Client

PLUGIN_NAME = "backprop-lab-grader"
LOCAL = "local"
WORKERS_TIMEOUT = 60.0  # seconds to wait for a first worker to join a scheduler
IN_FLIGHT_PER_THREAD = 4
# A worker samples its threads' stacks every 10 ms for the dashboard: on a grading thread that
# is pure Python, a cost with nothing to show for it here (workers of your own: set it there).
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


def _require_dask() -> None:
    if distributed is None:
        raise ClusterError("--scheduler needs Dask: pip install 'backprop-lab[dask]'")


class GraderPlugin(WorkerPlugin):
    """A Dask worker plugin: one Grader, hence one sandbox, per worker thread, closed with the worker."""

    name = PLUGIN_NAME
    idempotent = False  # a new run's settings replace the last run's

    def __init__(self, config: GradingConfig, limits: Limits, isolation: str) -> None:
        self.config, self.limits, self.isolation = config, limits, isolation
        self._graders: dict[int, Grader] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "limits": self.limits, "isolation": self.isolation}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"], state["limits"], state["isolation"])

    def setup(self, worker: Any) -> None:
        pass

    def teardown(self, worker: Any) -> None:
        with self._lock:
            graders, self._graders = list(self._graders.values()), {}
        for grader in graders:
            grader.close()

    def grader(self, corpus: Corpus) -> Grader:
        thread = threading.get_ident()
        with self._lock:
            grader = self._graders.get(thread)
            if grader is None:
                grader = Grader(self.config, None, self.limits, self.isolation, corpus)
                self._graders[thread] = grader
        return grader


def _grade_task(
    submission: Submission, corpus: Corpus, beside: Callable[[Submission], Any] | None
) -> tuple[SubmissionResult, Any | None]:
    """Runs on a worker: grade one submission with that worker thread's own sandbox, and make
    what `beside` makes of it there (copy detection's fingerprints), as a pool worker does."""
    plugin = distributed.get_worker().plugins[PLUGIN_NAME]
    result = plugin.grader(corpus).grade_fresh(submission)
    return result, (beside(submission) if beside is not None else None)


@contextmanager
def connect(address: str, workers: int = 2) -> Iterator[Client]:
    """A client of the scheduler at address, or of a new cluster on this machine for `local`."""
    _require_dask()
    if address == LOCAL:
        with dask.config.set(LOCAL_WORKER_CONFIG):  # the nannies hand it to the workers they start
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(address)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError:
            raise ClusterError(f"no Dask worker joined {address} within {WORKERS_TIMEOUT:g} s") from None
        yield client


def grade_on_cluster(
    grader: Grader, submissions: list[Submission], todo: list[int], address: str, workers: int = 2
) -> Iterator[tuple[int, SubmissionResult]]:
    """(index, result) for the submissions at the indices todo, as the cluster finishes them."""
    with connect(address, workers) as client:
        client.register_plugin(GraderPlugin(grader.config, grader.limits, grader.isolation))
        corpus = client.scatter(grader.corpus, broadcast=True, hash=False)
        beside = client.scatter(grader.beside, broadcast=True, hash=False) if grader.beside else None
        threads = sum(client.nthreads().values()) or workers
        pending = deque(todo)
        running = distributed.as_completed()
        index_of: dict[str, int] = {}

        def submit() -> None:
            index = pending.popleft()
            future = client.submit(
                _grade_task,
                submissions[index],
                corpus,
                beside,
                key=f"grade-{index}-{submissions[index].digest[:12]}",
            )
            index_of[future.key] = index
            running.add(future)

        while pending and len(index_of) < IN_FLIGHT_PER_THREAD * threads:
            submit()
        for future in running:
            index = index_of.pop(future.key)
            try:
                result, made = future.result()
                grader.keep_beside(index, made)
            except Exception as error:  # e.g. KilledWorker: this submission killed worker after worker
                result = internal_error(submissions[index], grader.config, error)
            future.release()
            if pending:
                submit()
            yield index, result
