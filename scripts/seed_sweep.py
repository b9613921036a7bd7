"""Seed sweep: every correct submission scores 100, every one-mistake submission exactly its share.

Grades every submission of tests/sweep.py (the correct and one-mistake corpus) on grading
seeds 0 … N−1 (default 200) and lists every step scored otherwise. The test suite runs a
fast subset of the same check.

Usage: python scripts/seed_sweep.py [--seeds 200] [--first 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus lives in tests/

from tests.sweep import off_their_score, subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first", type=int, default=0)
    args = parser.parse_args()
    chosen = subjects()
    start = time.perf_counter()
    found, graded = off_their_score(chosen, range(args.first, args.first + args.seeds))
    for line in found:
        print("off:", line)
    correct = sum(s.name.startswith("correct/") for s in chosen)
    print(
        f"{len(chosen)} submissions ({correct} correct, {len(chosen) - correct} one-mistake) × {args.seeds} "
        f"seeds = {graded} gradings: {len(found)} steps off their score ({time.perf_counter() - start:.0f} s)"
    )
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
