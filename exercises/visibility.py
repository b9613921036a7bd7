"""When Gradescope shows a result to the student: for the whole result, the grader's log
(stdout) and each step, in Gradescope's four states.

    [gradescope]
    visibility = "after_published"      # the whole result (default: visible)
    stdout_visibility = "hidden"        # the grader's log (default: hidden, it is the instructor's)
    step_visibility = { backward = "after_due_date" }   # per step (default: visible)

The defaults follow the course's own rule on hidden cases: the grading cases themselves
are never shown (they come from the course secret), while each step's feedback, built to
be read by the student (the smallest failing case, never the secret), is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Visibility:
    overall: str = "visible"
    stdout: str = "hidden"
    steps: dict[str, str] = field(default_factory=dict)

    def of_step(self, step_id: str) -> str:
        return self.steps.get(step_id, "visible")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> Visibility:
        """The [gradescope] table of a course file, already checked against the schema."""
        return cls(
            table.get("visibility", "visible"),
            table.get("stdout_visibility", "hidden"),
            dict(table.get("step_visibility", {})),
        )
