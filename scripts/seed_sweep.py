"""Seed sweep: every correct submission scores 100, every one-mistake submission exactly its share.

Grades every submission of tests/sweep.py (the correct and one-mistake corpus of each
assignment, or of the one named) on grading seeds 0 … N−1 (default 200) and lists every
step scored otherwise. The test suite runs a fast subset of the same check.

Usage: python scripts/seed_sweep.py [--seeds 200] [--first 0] [--assignment backprop|deep]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus lives in tests/

from tests.sweep import off_their_score, subjects

ASSIGNMENTS = ("backprop", "deep")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--assignment", choices=ASSIGNMENTS, help="default: every assignment")
    args = parser.parse_args()
    off = 0
    for name in [args.assignment] if args.assignment else list(ASSIGNMENTS):
        chosen = subjects(name)
        start = time.perf_counter()
        found, graded = off_their_score(chosen, range(args.first, args.first + args.seeds), name)
        for line in found:
            print(f"off ({name}):", line)
        correct = sum("correct/" in s.name for s in chosen)
        print(
            f"{name}: {len(chosen)} submissions ({correct} correct, {len(chosen) - correct} one-mistake) × "
            f"{args.seeds} seeds = {graded} gradings: {len(found)} steps off their score "
            f"({time.perf_counter() - start:.0f} s)"
        )
        off += len(found)
    sys.exit(1 if off else 0)


if __name__ == "__main__":
    main()
