"""Try the walkthroughs of docs/instructor-guide.md as a new instructor would, step by step.

Each ```sh block that follows a `<!-- walkthrough: NAME -->` comment runs as one bash
script (`set -e`: a step that fails stops it) in a new empty folder, with this Python's
`backprop-lab` and `nbgrader` first on PATH. It prints each walkthrough's outcome and time.

    python scripts/try_instructor_guide.py                  # all of them
    python scripts/try_instructor_guide.py cli nbgrader     # some
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "instructor-guide.md"
MARKED_BLOCK = re.compile(r"<!-- walkthrough: (\w+) -->\s*```sh\n(.*?)```", re.S)


def walkthroughs(text: str | None = None) -> dict[str, str]:
    """The guide's walkthroughs by name: the shell script each one is."""
    return dict(MARKED_BLOCK.findall(GUIDE.read_text(encoding="utf-8") if text is None else text))


def try_walkthrough(name: str, folder: Path) -> subprocess.CompletedProcess:
    """Run one walkthrough in `folder` (empty), as bash with -e, and return what it did."""
    script = walkthroughs()[name]
    tools = str(Path(sys.executable).parent)  # this environment's backprop-lab and nbgrader
    environment = {**os.environ, "PATH": tools + os.pathsep + os.environ.get("PATH", "")}
    environment.pop("BACKPROP_LAB_SECRET", None)  # a fresh shell, as the instructor's
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def main(names: list[str]) -> int:
    chosen = names or list(walkthroughs())
    failed = 0
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"guide-{name}-") as folder:
            start = time.perf_counter()
            done = try_walkthrough(name, Path(folder))
            seconds = time.perf_counter() - start
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        print(f"{name}: {status} in {seconds:.1f} s")
        if done.returncode != 0:
            failed += 1
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
