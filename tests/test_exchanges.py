"""Exchanges with the sandbox per submission: what a correct submission costs, and that the
shortcuts taken for it change no score (the same results as the step-by-step path)."""

from __future__ import annotations

from typing import Any

import pytest

from backprop_lab.graders.batch import load_corpus, settings_key
from backprop_lab.graders.grade import GradingConfig, grade_submission
from backprop_lab.graders.sandbox.inside.protocol import KNOWN_VALUES
from backprop_lab.graders.sandbox.runner import Sandbox
from backprop_lab.graders.submissions import load
from tests.submissions import CORRECT, buggy_submissions

CONFIG = GradingConfig(seed=0)


class Counting(Sandbox):
    """A sandbox that counts its exchanges and callbacks. Without `known`, the test functions'
    known values are never preloaded: every evaluation of f asks the grader, step by step."""

    def __init__(self, known: bool = True) -> None:
        super().__init__()
        self.known = known
        self.exchanges = 0
        self.callbacks = 0

    def preload(self, sets: dict[str, list[list[Any]]]) -> None:
        super().preload({k: v for k, v in sets.items() if self.known or not k.endswith(KNOWN_VALUES)})

    def _exchange(self, *args: Any, **kwargs: Any) -> None:
        self.exchanges += 1
        super()._exchange(*args, **kwargs)

    def _answer_callback(self, *args: Any, **kwargs: Any) -> None:
        self.callbacks += 1
        super()._answer_callback(*args, **kwargs)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CONFIG, settings_key(CONFIG))


@pytest.fixture(scope="module")
def boxes():
    with Counting(known=True) as fast, Counting(known=False) as slow:
        yield fast, slow


def _grade(box: Counting, corpus, submission) -> tuple[dict, int, int]:
    exchanges, callbacks = box.exchanges, box.callbacks
    result = grade_submission(submission, corpus, box, CONFIG)
    return result.to_json(), box.exchanges - exchanges, box.callbacks - callbacks


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_a_correct_submission_takes_one_exchange_per_step_and_no_callback(boxes, corpus, path) -> None:
    fast, _ = boxes
    result, exchanges, callbacks = _grade(fast, corpus, load(path))
    assert result["score"] == 100.0
    assert callbacks == 0  # its gradient check evaluates f only where f's values came with the inputs
    assert exchanges == 1 + len(CONFIG.steps)  # the load, then one call per step


def test_known_values_change_no_result(boxes, corpus, tmp_path) -> None:
    """Correct and one-mistake submissions (a forward difference among them, which evaluates f
    where no value is known) graded with and without the known values: the same results."""
    fast, slow = boxes
    paths = list(CORRECT)
    for name, (_, source) in buggy_submissions().items():
        paths.append(tmp_path / f"{name}.py")
        paths[-1].write_text(source)
    asked = 0
    for path in paths:
        submission = load(path)
        quick, _, _ = _grade(fast, corpus, submission)
        step_by_step, _, callbacks = _grade(slow, corpus, submission)
        assert quick == step_by_step, path.stem
        asked += callbacks
    assert asked > 0  # the step-by-step path did ask the grader for every f
