"""Benchmark grading a class: N mixed notebook submissions, full rubric, end to end.

Builds N notebooks (correct ones in several styles and ones with each catalogued
mistake, every function in its own cell), grades them as `backprop-lab grade` does,
and prints submissions per second.

Usage: python scripts/bench_grading.py [-n 1000] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test corpus lives in tests/

from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.grade import GradingConfig
from tests.submissions import CORRECT, buggy_submissions


def _cells(source: str) -> list[str]:
    """A module split at each top-level def, as a student's notebook would hold it."""
    parts = re.split(r"(?m)^(?=def )", source)
    return [p.strip() + "\n" for p in parts if p.strip()]


def _notebook(source: str) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": cell.splitlines(True)} for cell in _cells(source)]  # fmt: skip
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


def sources() -> list[str]:
    """Correct submissions in every style, then one per catalogued mistake."""
    return [p.read_text() for p in CORRECT] + [source for _, source in buggy_submissions().values()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of submissions")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the class folder and results here")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="backprop-bench-"))
    folder, out = root / "submissions", root / "out"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    folder.mkdir(parents=True)
    variants = sources()
    for i in range(args.n):
        (folder / f"student{i:04d}.ipynb").write_text(_notebook(variants[i % len(variants)]))

    start = time.perf_counter()
    results = grade_paths([folder], out, GradingConfig(seed=0), jobs=args.jobs, show_progress=False)
    elapsed = time.perf_counter() - start
    full = sum(r.score == r.max_score for r in results)
    rate = len(results) / elapsed
    print(f"{len(results)} notebook submissions in {elapsed:.1f} s: {rate:.1f} submissions/s")
    print(f"({args.jobs} jobs; {full} at full marks)")
    start = time.perf_counter()
    grade_paths([folder], out, GradingConfig(seed=0), jobs=args.jobs, show_progress=False)
    print(f"rerun with the cache: {time.perf_counter() - start:.1f} s")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
