"""results.json is written a submission at a time, a line each (the whole document's encoding
held about 75 KiB a submission in the grading process): it must read as the whole document,
whatever the ids, names and texts hold, and a write stopped halfway leaves the earlier file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from backprop_lab import atomic
from backprop_lab.graders.results import Failure, Lateness, PropertyResult, StepResult, SubmissionResult
from backprop_lab.report import native, native_text, write_submission_files
from backprop_lab.spool import TextSpool

META = {"seed": 7, "domain": "d", "secret": "s\n  null\n", "isolation": ""}


def results() -> list[SubmissionResult]:
    passed = StepResult("sigmoid", 5.0, 5.0, "passed", passed=9, total=9,
                        properties=[PropertyResult("general", 3.0, True, 7, 0)])  # fmt: skip
    failure = Failure("wrong_values", {"at": "[0]"}, {"X": [[1.0, 2.0]]}, [[0.5]], [[0.25]], {"type": "E"})
    failed = StepResult("forward", 0.0, 5.0, "failed", misconceptions=["no_bias"], printed="x\n  null\n",
                        failure=failure, hints={"no_bias": {"en": "add b"}})  # fmt: skip
    unrenderable = StepResult("backward", 0.0, 5.0, "no such status")  # rendered as an internal error
    late = Lateness("2026-01-02T00:00+00:00", "file_times", "2026-01-01T00:00+00:00", 1, 10.0, 1.0, 10.0)
    return [
        SubmissionResult("a", 5.0, 10.0, [passed, failed]),
        SubmissionResult("b\u2028", 9.0, 10.0, [passed], late=late),
        SubmissionResult("c", 0.0, 10.0, [unrenderable], units=[{"name": '"\n  null\n', "error": {}}]),
    ]


def whole(chosen: list[SubmissionResult]) -> dict:
    """The document as one json.dumps would write it, read back."""
    return json.loads(json.dumps(native(chosen, "en", META, "backprop"), ensure_ascii=False))


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_text_reads_as_the_whole_a_line_per_submission(count: int) -> None:
    chosen = results()[:count]
    text = "".join(native_text(chosen, "en", META, "backprop"))
    assert json.loads(text) == whole(chosen)
    assert len(json.loads(text)["submissions"]) == count
    lines = text.split("\n")  # not splitlines: an id may hold U+2028
    for entry in json.loads(text)["submissions"]:  # each on a line of its own, with its id
        opening = '{"id": ' + json.dumps(entry["id"], ensure_ascii=False)
        (line,) = [line for line in lines if line.lstrip().startswith(opening)]
        assert json.loads(line.strip().rstrip(",")) == entry


def test_a_write_stopped_halfway_leaves_the_earlier_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("earlier\n")

    def pieces():
        yield "{"
        raise KeyboardInterrupt  # the run is stopped while the document is written

    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomically(path, pieces())
    assert path.read_text() == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_result_for_the_cache_is_asdict_of_it() -> None:
    """to_json shares the plain values instead of copying them: the same dict, the same JSON."""
    for result in results():
        assert result.to_json() == asdict(result)
        assert json.dumps(result.to_json()) == json.dumps(asdict(result))
        assert SubmissionResult.from_json(json.loads(json.dumps(result.to_json()))) == result


def test_entries_made_beside_the_feedback_give_the_same_bytes(tmp_path: Path) -> None:
    """`grade` makes each entry when its submission is graded (sharing the steps' Markdown with
    the feedback) and keeps it on disk; the document is the same as one made at the end."""
    chosen = results()
    expected = "".join(native_text(chosen, "en", META, "backprop"))
    with TextSpool() as spool:
        for index in reversed(range(len(chosen))):  # in the order they finish, not as found
            try:
                spool.put(index, write_submission_files(chosen[index], tmp_path, "en"))
            except Exception:  # a result its feedback cannot render: its entry is made at the end
                pass
        assert spool.get(0) is not None and spool.get(len(chosen)) is None
        assert "".join(native_text(chosen, "en", META, "backprop", spool.get)) == expected


def test_a_spool_gives_back_the_last_text_put_for_an_index() -> None:
    with TextSpool() as spool:
        spool.put(3, "b\u2028 ü")
        spool.put(1, "first")
        spool.put(1, "again, longer")
        assert (spool.get(1), spool.get(3), spool.get(2)) == ("again, longer", "b\u2028 ü", None)
