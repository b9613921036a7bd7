"""backprop-lab: auto-graded exercises for backpropagation through the chain rule.

The layers, bottom to top (no module imports one above it):

    backprop_lab.solutions   the reference (solutions/)
    backprop_lab.exercises   the course model and the generator (exercises/)
    backprop_lab.graders     the grading engine: sandbox, cases, judging, results (graders/)
    backprop_lab             the application: command line, demo, reports, nbgrader hook
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backprop-lab")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
