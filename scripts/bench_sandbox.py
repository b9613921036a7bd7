"""Benchmark the sandbox: zygote start, per-submission worker cost, per-call overhead.

Usage: python scripts/bench_sandbox.py [--isolation auto|bubblewrap|process] [-n 200] [--no-namespaces]

--no-namespaces runs the workers in the zygote's namespaces (the fallback where the
kernel refuses user namespaces), to show what a worker's own namespaces cost.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from backprop_lab.graders.sandbox.runner import Call, Sandbox

SOURCE = "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--isolation", default="auto", choices=["auto", "bubblewrap", "process"])
    parser.add_argument("-n", type=int, default=200, help="submissions to run")
    parser.add_argument("--no-namespaces", action="store_true", help="no namespaces of each worker's own")
    args = parser.parse_args()

    start = time.perf_counter()
    box = Sandbox(isolation=args.isolation, namespaces=not args.no_namespaces)
    box.start()
    print(f"zygote start (process, python, numpy import): {1e3 * (time.perf_counter() - start):.1f} ms")
    box.run([{"name": "m.py", "source": SOURCE}], [])
    print(f"isolation: {box.isolation}; each worker in namespaces of its own: {box.namespaces}")

    units = [{"name": "m.py", "source": SOURCE}]
    one_call = [Call("sigmoid", [[np.zeros(4)]])]
    many_cases = [Call("sigmoid", [[np.zeros(4)]] * 100)]
    many_calls = [Call("sigmoid", [[np.zeros(4)]]) for _ in range(12)]
    medians = {}
    for label, calls in (
        ("1 call, 1 case", one_call),
        ("1 call, 100 cases", many_cases),
        ("12 calls, 1 case each", many_calls),
    ):
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            box.run(units, calls)
            times.append(time.perf_counter() - t)
        medians[label] = med = statistics.median(times) * 1e3
        print(f"per submission, {label}: median {med:.2f} ms, p90 {np.percentile(times, 90) * 1e3:.2f} ms")
    base = medians["1 call, 1 case"]
    print(f"worker start (fork, limits, load the code): about {base:.2f} ms per submission")
    print(
        f"per extra call: {(medians['12 calls, 1 case each'] - base) / 11:.3f} ms; "
        f"per extra case in a call: {(medians['1 call, 100 cases'] - base) / 99:.4f} ms"
    )
    box.close()


if __name__ == "__main__":
    main()
