"""Benchmark grading a class against nbgrader: the same notebooks, full rubric, end to end.

Builds an nbgrader course from the assignment, and N student notebooks in it: the
release with its solution cells answered by N DISTINCT students (tests/distinct.py:
each function in one of the correct styles, half the students with one catalogued
mistake, each with lines of their own), and one in a hundred a disguised copy of
another (renamed, reordered, comments changed). Times `backprop-lab grade` on all N,
end to end with report.html and copy detection (with --jobs, and on a local Dask
cluster with --dask), and `nbgrader autograde` on the first few, in the same run, and
prints both rates and their ratio, the CPU time per notebook, how many planted copies
were found, and, at 600 and 3,000, whether issue 23's goal (20 s and 2 minutes) is met.
`--sizes 600,3000` grades a class of each size in one run (issue 23's "done when").
`--copying` times copy detection alone on such classes; `--scale` prints the cost per
submission (time, peak memory) at 100, 1,000 and 10,000 submissions, each size in a
fresh process. Every figure is printed with the machine's load average: the machine
may be shared.

Usage: python scripts/bench_grading.py [-n 600 | --sizes 600,3000] [--jobs 2] [--nbgrader-n 10] [--dask]
       python scripts/bench_grading.py --copying [--sizes 300,600,3000]
       python scripts/bench_grading.py --scale [--sizes 100,1000,10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test corpus lives in tests/

# The grading workers are spawned, and each imports this script again as its main module:
# everything heavy is imported inside the functions, so that a worker starts as it does
# under the `backprop-lab` command (importing copy detection here cost each worker 2 s).

COPIES_PER_HUNDRED = 1


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def nbgrader_course(root: Path) -> tuple[Path, dict]:
    """An nbgrader course made by `backprop-lab generate`, its assignment released."""
    from backprop_lab.exercises.generate import generate

    generate(root, formats=("nbgrader",))
    course = root / "nbgrader"
    _nbgrader(course, "generate_assignment", "backprop")
    return course, json.loads((course / "release" / "backprop" / "backprop.ipynb").read_text())


def _nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def write_class(submitted: Path, release: dict, n: int) -> dict[str, str]:
    """n distinct students' notebooks in an nbgrader submitted/ tree, one in a hundred of them a
    disguised copy of another; returns each copy's id → the id of the student it copies.
    """
    from tests.distinct import disguise, distinct_source, filled_notebook

    copies = {}
    for i in range(n):
        student = f"student{i:05d}"
        if i % 100 == 99 and COPIES_PER_HUNDRED:
            original = f"student{i - 50:05d}"
            copies[student] = original
            source = disguise(distinct_source(i - 50)[0], seed=i)
        else:
            source = distinct_source(i)[0]
        folder = submitted / student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(json.dumps(filled_notebook(release, source)))
    return copies


def copying_found(out: Path, copies: dict[str, str]) -> str:
    """What copy detection flagged, against the planted copies."""
    with (out / "copying.csv").open(encoding="utf-8") as f:
        flagged = {(row["first"], row["second"]) for row in csv.DictReader(f)}
    planted = {tuple(sorted(pair)) for pair in copies.items()}
    return (
        f"copying: {len(planted & flagged)} of {len(planted)} planted copies found, "
        f"{len(flagged - planted)} other pairs flagged"
    )


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


GOALS = {600: 20.0, 3000: 120.0}  # issue 23: seconds end to end on 2 cores


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (the sandboxes' own partly)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def compare(args: argparse.Namespace, root: Path) -> None:
    """backprop-lab on classes of each size, and nbgrader autograde on a few of the same
    notebooks, in this run."""
    from backprop_lab.copying import given_code
    from backprop_lab.grade_class import grade_paths
    from backprop_lab.graders.batch import Grader
    from backprop_lab.graders.grade import GradingConfig

    course, release = nbgrader_course(root / "assignment")
    config = GradingConfig(seed=0)
    os.environ["BACKPROP_LAB_CACHE"] = str(root / "cache")  # a cold corpus cache, for this run only
    corpus_s, _ = _timed(lambda: Grader(config).corpus)
    print(f"corpus drawn in {corpus_s:.1f} s, once per run (before: once per worker process)")
    given_s, _ = _timed(given_code, config.course)  # as `backprop-lab generate` leaves it
    print(f"given code for copy detection made in {given_s:.1f} s, once per course (by generate)")
    rates: dict[int, float] = {}
    for n in args.sizes:
        submitted = root / f"class-{n}" / "submitted"
        copies = write_class(submitted, release, n)

        def ours(out: str, submitted: Path = submitted, copies: dict = copies, **options) -> float:
            cpu = _cpu()
            elapsed, results = _timed(
                grade_paths, [submitted], root / out, config, show_progress=False, **options
            )
            cpu = _cpu() - cpu
            full = sum(r.score == r.max_score for r in results)
            rate = len(results) / elapsed
            print(
                f"backprop-lab grade {options}: {len(results)} distinct notebooks, end to end with "
                f"report.html and copy detection, in {elapsed:.1f} s = {rate:.1f}/s, "
                f"{1000 * cpu / len(results):.0f} ms of CPU each ({full} at full marks; {load()})"
            )
            if len(results) in GOALS and not options.get("scheduler"):
                goal = GOALS[len(results)]
                print(f"goal: {len(results)} in under {goal:.0f} s: {'met' if elapsed < goal else 'NOT met'}")
            print(copying_found(root / out, copies))
            return rate

        rates[n] = ours(f"out-{n}", jobs=args.jobs)
        rerun_s, _ = _timed(
            grade_paths, [submitted], root / f"out-{n}", config, jobs=args.jobs, show_progress=False
        )
        print(f"rerun from the cache: {rerun_s:.1f} s ({load()})")
        if args.dask and n == args.sizes[0]:
            dask_rate = ours(f"out-dask-{n}", jobs=args.jobs, scheduler="local")
            print(f"Dask, {args.jobs} local workers / --jobs {args.jobs}: {dask_rate / rates[n]:.0%}")

    first = root / f"class-{args.sizes[0]}" / "submitted"
    subset = min(args.nbgrader_n, args.sizes[0])
    if subset:
        for student in sorted(first.iterdir())[:subset]:
            shutil.copytree(student, course / "submitted" / student.name)
        elapsed, _ = _timed(_nbgrader, course, "autograde", "backprop")
        rate = subset / elapsed
        print(f"nbgrader autograde: {subset} notebooks in {elapsed:.1f} s = {rate:.2f}/s ({load()})")
        for n, ours_rate in rates.items():
            print(f"backprop-lab / nbgrader, {n} notebooks: {ours_rate / rate:.0f}x")


def measure(n: int, jobs: int, root: Path) -> dict:
    """One size in this process: the grading's wall time and peak memory (ours and the workers')."""
    from backprop_lab.grade_class import grade_paths
    from backprop_lab.graders.batch import Grader
    from backprop_lab.graders.grade import GradingConfig

    _, release = nbgrader_course(root / "assignment")
    write_class(root / "class" / "submitted", release, n)
    from backprop_lab.copying import given_code

    os.environ["BACKPROP_LAB_CACHE"] = str(root / "cache")
    Grader(GradingConfig(seed=0)).corpus  # noqa: B018  # drawn before the clock starts: not a per-submission cost
    given_code(GradingConfig(seed=0).course)  # made by `generate`, before any grading
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elapsed, _ = _timed(
        grade_paths, [root / "class" / "submitted"], root / "out", GradingConfig(seed=0), jobs=jobs,
        show_progress=False,
    )  # fmt: skip
    return {
        "n": n,
        "seconds": elapsed,
        "grader_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "grader_peak_before_mib": before / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def copying_alone(args: argparse.Namespace, root: Path) -> None:
    """Copy detection alone, as the report runs it, on classes of distinct notebooks."""
    from backprop_lab.copying import CopyIndex, common_base
    from backprop_lab.graders.submissions import discover

    _, release = nbgrader_course(root / "assignment")
    for n in args.sizes:
        submitted = root / f"class-{n}" / "submitted"
        copies = write_class(submitted, release, n)
        submissions = discover([submitted])
        started = time.perf_counter()
        index = CopyIndex(common_base())
        for submission in submissions:
            index.add_submission(submission)
        indexed = time.perf_counter()
        found = index.findings()
        done = time.perf_counter()
        flagged = {(p.first, p.second) for p in found.pairs}
        planted = {tuple(sorted(pair)) for pair in copies.items()}
        print(
            f"{n:>6} notebooks: copy detection {done - started:.2f} s "
            f"(fingerprints {indexed - started:.2f} s, pairs {done - indexed:.2f} s, "
            f"{found.compared} compared in full); {len(planted & flagged)} of {len(planted)} "
            f"planted copies found, {len(flagged - planted)} other pairs; {load()}",
            flush=True,
        )


def scale(args: argparse.Namespace) -> None:
    """Each size in a fresh process, so that each peak is its own."""
    print(
        f"{'submissions':>11}  {'time':>8}  {'ms/submission':>13}  {'grader peak':>11}  {'worker peak':>11}"
    )
    for n in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(n), "--jobs", str(args.jobs)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        m = json.loads(done.stdout.splitlines()[-1])
        print(f"{n:>11}  {m['seconds']:>7.1f}s  {1000 * m['seconds'] / n:>13.1f}  "
              f"{m['grader_peak_mib']:>8.0f} MiB  {m['worker_peak_mib']:>8.0f} MiB", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=600, help="notebooks graded by backprop-lab (or --sizes)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--nbgrader-n", type=int, default=10, help="of them, graded by nbgrader too")
    parser.add_argument("--dask", action="store_true", help="also grade on a local Dask cluster")
    parser.add_argument("--scale", action="store_true", help="cost per submission at several sizes")
    parser.add_argument("--copying", action="store_true", help="copy detection alone at several sizes")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="class sizes")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # one size, for --scale
    parser.add_argument("--keep", type=Path, help="keep the course, class and results here")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="backprop-bench-"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    try:
        if args.measure:
            print(json.dumps(measure(args.measure, args.jobs, root)))
        elif args.scale:
            args.sizes = args.sizes or [100, 1000, 10000]
            scale(args)
        elif args.copying:
            args.sizes = args.sizes or [300, 600, 3000]
            copying_alone(args, root)
        else:
            args.sizes = args.sizes or [args.n]
            compare(args, root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
