"""Grading `deep` submissions in the sandbox, as the engine does for a class.

The reference graded as a student scores full marks; every correct file of the corpus
keeps every point and every one-mistake file loses exactly its share, its mistake named;
every mutant of the reference loses its step. Fast subsets of scripts/seed_sweep.py and
scripts/mutation_analysis.py, which run them on 200 and 20 seeds (--assignment deep).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from backprop_lab.exercises.catalog import Course
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import load
from tests.mutants import survivors
from tests.mutants_deep import MUTANTS
from tests.submissions import DEEP_BUGGY
from tests.sweep import off_their_score, subjects

REFERENCE = Path(__file__).resolve().parents[1] / "solutions" / "deep.py"


def _graded(path: Path, tmp_path: Path, seed: int) -> object:
    folder = tmp_path / path.stem
    folder.mkdir()
    shutil.copy(path, folder / "deep.py")
    with Grader(GradingConfig(Course.load(None, "deep"), seed=seed)) as grader:
        return grader.grade(load(folder))


def test_the_reference_graded_as_a_student_scores_full_marks(tmp_path) -> None:
    result = _graded(REFERENCE, tmp_path, seed=11)
    assert result.score == 100.0
    assert all(step.status == "passed" and not step.misconceptions for step in result.steps)
    assert {step.id for step in result.steps} == set(Course.load(None, "deep").points)


def test_the_corpus_keeps_its_scores_on_two_seeds() -> None:
    chosen = subjects("deep")
    found, graded = off_their_score(chosen, [5, 2027], "deep")
    assert found == []
    assert graded == 2 * len(chosen) and len(chosen) >= 20


@pytest.mark.parametrize("path", DEEP_BUGGY[:: max(1, len(DEEP_BUGGY) // 6)], ids=lambda p: p.stem)
def test_a_buggy_file_is_told_its_mistake(path, tmp_path) -> None:
    """Feedback names the catalogued mistake (graders/diagnose.py), on the step it is in."""
    step_id, mistake = re.match(r"# A student's (\w+), .*: (\w+) \(", path.read_text()).groups()
    result = _graded(path, tmp_path, seed=3)
    named = {step.id: step.misconceptions for step in result.steps if step.misconceptions}
    assert named == {step_id: [mistake]}


def test_every_mutant_loses_its_step_on_two_seeds() -> None:
    assert survivors(MUTANTS, [0, 13], "deep") == []
