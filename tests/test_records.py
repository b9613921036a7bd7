"""One record per step: a step declared in one record (plus its solution) is generated and graded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.draw import nonzero
from backprop_lab.exercises.i18n import own_text
from backprop_lab.exercises.step import GENERAL, UNCHANGED, Misconception, Property, Step
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import Submission
from tests.submissions import replace_function

SOLUTION = Path(__file__).parent / "corpus" / "records" / "leaky_relu.py"
namespace: dict = {}
exec(SOLUTION.read_text(), namespace)

LEAKY_RELU_GRAD = Step(
    id="leaky_relu_grad",
    # Text outside the package's catalog comes with its translations (as a course file's does).
    title=own_text({"en": "The slope of a leaky ReLU", "zh": "带泄漏 ReLU 的斜率"}),
    instructions=own_text(
        {"en": "Return 1 where z > 0 and 0.1 elsewhere.", "zh": "在 z > 0 处返回 1，其余返回 0.1。"}
    ),
    latex=r"\frac{d}{dz}\max(0.1 z, z)",
    points=8,
    reference=namespace["leaky_relu_grad"],
    output="array",
    properties=(
        Property(GENERAL, 0.9, lambda rng, index: {"z": nonzero(rng, (2 + index % 3, 3))}, 5),
        Property(UNCHANGED, 0.1),
    ),
    misconceptions=(
        Misconception(
            "plain_relu_grad",
            lambda z: (z > 0).astype(np.float64),
            own_text(
                {"en": "A leaky ReLU still has a slope left of 0.", "zh": "带泄漏的 ReLU 在 0 左边也有斜率。"}
            ),
        ),
    ),
    module=str(SOLUTION),
)


def test_a_step_declared_in_one_record_is_generated_and_graded() -> None:
    course = Course(steps={**Course().steps, LEAKY_RELU_GRAD.id: LEAKY_RELU_GRAD})
    stub, key = student_module("zh", course), student_module("en", course, solution=True)
    assert "def leaky_relu_grad" in stub and "带泄漏 ReLU 的斜率" in stub and "0.1)" not in stub
    plain = replace_function(key, "leaky_relu_grad", "def leaky_relu_grad(z):\n    return (z > 0) * 1.0\n")
    with Grader(GradingConfig(course)) as grader:
        right = grader.grade(Submission("key", "key", [{"name": "key.py", "source": key}]))
        wrong = grader.grade(Submission("plain", "plain", [{"name": "plain.py", "source": plain}]))
    assert right.score == right.max_score == 108.0
    step = next(s for s in wrong.steps if s.id == "leaky_relu_grad")
    assert wrong.score == 100.0 and step.score == 0.0 and step.misconceptions == ["plain_relu_grad"]
