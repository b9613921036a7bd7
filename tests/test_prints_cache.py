"""Copy detection's fingerprints kept beside the result cache: a rerun reads them instead of
making them again, finds the same pairs, and never trusts a file it cannot read as its own."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from backprop_lab import grade_class
from backprop_lab.copying import common_base
from backprop_lab.fingerprints import Given, printed
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.prints_cache import HEADER, MAGIC, PrintsCache
from tests.distinct import disguise, distinct_source

GIVEN = Given.of(common_base())


def units(number: int) -> list[dict[str, str]]:
    return [{"name": "backprop.py", "source": distinct_source(number)[0]}]


def test_kept_fingerprints_are_the_ones_made(tmp_path: Path) -> None:
    kept = PrintsCache(tmp_path, GIVEN)
    made = printed(units(4), GIVEN)
    kept.put("d" * 64, made)
    again = kept.get("d" * 64, 1)
    assert again is not None and again.own == made.own
    for name in ("hashes", "positions", "starts", "ends", "given"):
        assert np.array_equal(getattr(again.prints, name), getattr(made.prints, name))
        assert getattr(again.prints, name).dtype == getattr(made.prints, name).dtype
    assert again.prints.identity == made.prints.identity
    assert kept.get("e" * 64, 1) is None  # another submission's code: nothing kept


def test_other_given_code_keeps_its_own_fingerprints(tmp_path: Path) -> None:
    other = Given.of([*common_base(), "def helper():\n    return 1\n"])
    PrintsCache(tmp_path, GIVEN).put("d" * 64, printed(units(4), GIVEN))
    assert PrintsCache(tmp_path, other).get("d" * 64, 1) is None


DAMAGES = ["another format", "cut short", "a length that lies", "a unit out of range"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_file_that_is_not_ours_is_ignored(tmp_path: Path, damage: str) -> None:
    kept = PrintsCache(tmp_path, GIVEN)
    kept.put("d" * 64, printed(units(4), GIVEN))
    (path,) = kept.folder.iterdir()
    data = path.read_bytes()
    at = len(MAGIC)
    if damage == "another format":
        data = b"PK\x03\x04" + data[4:]
    elif damage == "cut short":
        data = data[:-1]
    elif damage == "a length that lies":
        count, own = HEADER.unpack_from(data, at)
        data = data[:at] + HEADER.pack(count + 1, own) + data[at + HEADER.size :]
    else:
        data = data[:-8] + (5).to_bytes(8, "little")  # the one unit of its own is unit 5 of 1
    path.write_bytes(data)
    assert kept.get("d" * 64, 1) is None


def test_a_rerun_reads_the_fingerprints_and_finds_the_same_pairs(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for number in range(8):
        (folder / f"student{number}.py").write_text(distinct_source(number)[0])
    (folder / "copier.py").write_text(disguise(distinct_source(3)[0], seed=1))
    out = tmp_path / "out"
    config = GradingConfig(seed=0)
    grade_paths([folder], out, config, jobs=2, show_progress=False)
    first = list(csv.reader((out / "copying.csv").open()))
    assert any({"copier", "student3"} <= set(row) for row in first)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fingerprints made again for code fingerprinted before")

    monkeypatch.setattr(grade_class, "fingerprinted", refuse)
    grade_paths([folder], out, config, jobs=2, show_progress=False)  # every result is cached
    assert list(csv.reader((out / "copying.csv").open())) == first
