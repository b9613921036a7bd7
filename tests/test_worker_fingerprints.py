"""Copy detection's fingerprints made by the grading workers, as each submission is graded:
the same as the grading process would make, and the same pairs found."""

from __future__ import annotations

from functools import partial

import numpy as np

from backprop_lab.copying import CopyIndex, common_base, fingerprinted
from backprop_lab.fingerprints import Given, printed
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import discover
from tests.distinct import disguise, distinct_source


def test_workers_fingerprint_what_they_grade_as_the_grading_process_would(tmp_path) -> None:
    for number in range(8):  # enough for a pool of two workers (see Grader.stream)
        (tmp_path / f"student{number}.py").write_text(distinct_source(number)[0])
    (tmp_path / "copier.py").write_text(disguise(distinct_source(3)[0], seed=1))
    submissions = discover([tmp_path])
    given = Given.of(common_base())
    in_workers, here = CopyIndex(given), CopyIndex(given)
    with Grader(GradingConfig(seed=0), beside=partial(fingerprinted, given=given)) as grader:
        for index, _ in grader.stream(submissions, jobs=2):
            done = grader.made_beside(index)
            assert done is not None  # made by the worker that graded it
            expected = printed(submissions[index].units, given)
            assert done.own == expected.own
            assert np.array_equal(done.prints.hashes, expected.prints.hashes)
            assert np.array_equal(done.prints.starts, expected.prints.starts)
            in_workers.add_submission(submissions[index], done)
            here.add_submission(submissions[index])
    found = [(p.first, p.second, p.shares) for p in in_workers.findings().pairs]
    assert found == [(p.first, p.second, p.shares) for p in here.findings().pairs]
    assert ("copier", "student3") in [(first, second) for first, second, _ in found]
