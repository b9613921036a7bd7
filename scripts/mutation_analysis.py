"""Mutation analysis of the grading corpus: every mutant of the reference must lose its step.

Runs all mutants of tests/mutants.py (the first assignment's reference) and
tests/mutants_deep.py (the deep one's) on seeds 0–19 (or --seeds N) and lists any that kept
points. The test suite runs a fast subset of the same check.

Usage: python scripts/mutation_analysis.py [--seeds 20] [--assignment backprop|deep]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the mutants live in tests/

from tests.mutants import MUTANTS, survivors
from tests.mutants_deep import MUTANTS as DEEP_MUTANTS

BY_ASSIGNMENT = {"backprop": MUTANTS, "deep": DEEP_MUTANTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--assignment", choices=sorted(BY_ASSIGNMENT), help="default: every assignment")
    args = parser.parse_args()
    survived = 0
    for name in [args.assignment] if args.assignment else list(BY_ASSIGNMENT):
        start, mutants = time.perf_counter(), BY_ASSIGNMENT[name]
        found = survivors(mutants, range(args.seeds), name)
        for line in found:
            print(f"survived ({name}):", line)
        print(
            f"{name}: {len(mutants)} mutants × {args.seeds} seeds: {len(found)} survived "
            f"({time.perf_counter() - start:.0f} s)"
        )
        survived += len(found)
    sys.exit(1 if survived else 0)


if __name__ == "__main__":
    main()
