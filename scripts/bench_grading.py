"""Benchmark grading a class against nbgrader: the same notebooks, full rubric, end to end.

Builds an nbgrader course from the assignment, and N student notebooks in it (the
release with its solution cells answered: correct ones in four styles and one per
catalogued mistake). Times `backprop-lab grade` on all N (with --jobs, and on a local
Dask cluster with --dask) and `nbgrader autograde` on the first few, in the same run,
and prints both rates and their ratio. `--scale` prints the cost per submission (time,
peak memory) at 100, 1,000 and 10,000 submissions, each size in a fresh process.

Usage: python scripts/bench_grading.py [-n 600] [--jobs 2] [--nbgrader-n 10] [--dask]
       python scripts/bench_grading.py --scale [--sizes 100,1000,10000]
"""

from __future__ import annotations

import argparse
import ast
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

from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.stubs import functions
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from tests.submissions import CORRECT, buggy_submissions


def sources() -> list[str]:
    """Correct submissions in every style, then one per catalogued mistake."""
    return [p.read_text() for p in CORRECT] + [source for _, source in buggy_submissions().values()]


def _filled(release: dict, source: str) -> dict:
    """The release notebook with each solution cell answered from source; the source's own
    imports and helpers go first, in the first solution cell, as a student would put them.
    """
    answers = functions(source)
    notebook = json.loads(json.dumps(release))
    graded = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    ids = {c["metadata"]["nbgrader"].get("grade_id") for c in graded}
    lines = source.splitlines(keepends=True)
    own = [
        "".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"
        for node in ast.parse(source).body
        if not (isinstance(node, ast.FunctionDef) and node.name in ids)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    for number, cell in enumerate(graded):
        grade_id = cell["metadata"]["nbgrader"].get("grade_id")
        if grade_id in answers:
            cell["source"] = ("".join(own) + "\n" if number == 0 else "") + answers[grade_id].text
    return notebook


def nbgrader_course(root: Path) -> tuple[Path, dict]:
    """An nbgrader course made by `backprop-lab generate`, its assignment released."""
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


def write_class(submitted: Path, release: dict, n: int) -> None:
    """n students' notebooks in an nbgrader submitted/ tree."""
    variants = [_filled(release, source) for source in sources()]
    for i in range(n):
        folder = submitted / f"student{i:05d}" / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(json.dumps(variants[i % len(variants)]))


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def compare(args: argparse.Namespace, root: Path) -> None:
    """backprop-lab and nbgrader autograde on the same notebooks, in this run."""
    course, release = nbgrader_course(root / "assignment")
    submitted = root / "class" / "submitted"
    write_class(submitted, release, args.n)
    config = GradingConfig(seed=0)
    os.environ["BACKPROP_LAB_CACHE"] = str(root / "cache")  # a cold corpus cache, for this run only
    corpus_s, _ = _timed(lambda: Grader(config).corpus)
    print(f"corpus drawn in {corpus_s:.1f} s, once per run (before: once per worker process)")

    def ours(out: str, **options) -> float:
        elapsed, results = _timed(
            grade_paths, [submitted], root / out, config, show_progress=False, **options
        )
        full = sum(r.score == r.max_score for r in results)
        rate = len(results) / elapsed
        print(f"backprop-lab grade {options}: {len(results)} notebooks in {elapsed:.1f} s = {rate:.1f}/s "
              f"({full} at full marks)")  # fmt: skip
        return rate

    jobs_rate = ours("out-jobs", jobs=args.jobs)
    rerun_s, _ = _timed(
        grade_paths, [submitted], root / "out-jobs", config, jobs=args.jobs, show_progress=False
    )
    print(f"rerun from the cache: {rerun_s:.1f} s")
    if args.dask:
        dask_rate = ours("out-dask", jobs=args.jobs, scheduler="local")
        print(f"Dask, {args.jobs} local workers / --jobs {args.jobs}: {dask_rate / jobs_rate:.0%}")

    subset = min(args.nbgrader_n, args.n)
    if subset:
        for student in sorted(submitted.iterdir())[:subset]:
            shutil.copytree(student, course / "submitted" / student.name)
        elapsed, _ = _timed(_nbgrader, course, "autograde", "backprop")
        rate = subset / elapsed
        print(f"nbgrader autograde: {subset} notebooks in {elapsed:.1f} s = {rate:.2f}/s")
        print(f"backprop-lab / nbgrader: {jobs_rate / rate:.0f}x")


def measure(n: int, jobs: int, root: Path) -> dict:
    """One size in this process: the grading's wall time and peak memory (ours and the workers')."""
    _, release = nbgrader_course(root / "assignment")
    write_class(root / "class" / "submitted", release, n)
    os.environ["BACKPROP_LAB_CACHE"] = str(root / "cache")
    Grader(GradingConfig(seed=0)).corpus  # noqa: B018  # drawn before the clock starts: not a per-submission cost
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
    parser.add_argument("-n", type=int, default=600, help="notebooks graded by backprop-lab")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--nbgrader-n", type=int, default=10, help="of them, graded by nbgrader too")
    parser.add_argument("--dask", action="store_true", help="also grade on a local Dask cluster")
    parser.add_argument("--scale", action="store_true", help="cost per submission at several sizes")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1000, 10000])
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
            scale(args)
        else:
            compare(args, root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
