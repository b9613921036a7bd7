"""The code every student is given, as copy detection sets it aside: kept between runs, per course."""

from __future__ import annotations

import numpy as np

from backprop_lab.copying import common_base, given_code
from backprop_lab.exercises.catalog import Course
from backprop_lab.fingerprints import Given
from tests.submissions import CORPUS


def test_given_code_is_made_once_per_course_and_is_what_common_base_gives(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BACKPROP_LAB_CACHE", str(tmp_path))
    default, custom = Course(), Course.load(CORPUS / "course" / "course.toml")
    for course in (default, custom):
        made = Given.of(common_base(course))
        first, again = given_code(course), given_code(course)  # drawn, then read from the cache
        for given in (first, again):
            assert np.array_equal(given.hashes, made.hashes)
            assert given.texts == made.texts
    assert len(list(tmp_path.glob("given-*.pickle"))) == 2  # one per course, never one for both


def test_a_damaged_cache_file_is_made_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BACKPROP_LAB_CACHE", str(tmp_path))
    given_code(Course())
    (kept,) = tmp_path.glob("given-*.pickle")
    kept.write_bytes(b"not a pickle")
    assert np.array_equal(given_code(Course()).hashes, Given.of(common_base(Course())).hashes)


def test_generate_leaves_the_given_code_for_the_first_grading(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from backprop_lab import copying
    from backprop_lab.cli import main

    cache = tmp_path / "cache"
    monkeypatch.setenv("BACKPROP_LAB_CACHE", str(cache))
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "gen"), "--format", "py"])
    assert result.exit_code == 0, result.output
    assert len(list(cache.glob("given-*.pickle"))) == 1
    monkeypatch.setattr(copying, "common_base", lambda course: [])  # a grading would now make none
    given = given_code(Course())
    assert given.texts == Given.of(common_base(Course())).texts and given.texts
