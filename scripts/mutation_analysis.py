"""Mutation analysis of the grading corpus: every mutant of the reference must lose its step.

Runs all mutants of tests/mutants.py on seeds 0–19 (or --seeds N) and lists any that kept
points. The test suite runs a fast subset of the same check.

Usage: python scripts/mutation_analysis.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the mutants live in tests/

from tests.mutants import MUTANTS, survivors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    found = survivors(MUTANTS, range(args.seeds))
    for line in found:
        print("survived:", line)
    print(
        f"{len(MUTANTS)} mutants × {args.seeds} seeds: {len(found)} survived "
        f"({time.perf_counter() - start:.0f} s)"
    )
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
