"""A class folder of real submissions with known outcomes, for the batch, resume and cluster tests."""

from __future__ import annotations

from pathlib import Path

from tests.submissions import CORRECT, buggy_submissions


def write_class(folder: Path, size: int) -> dict[str, str | None]:
    """size submissions in folder, alternating correct styles and catalogued mistakes;
    returns each id → the misconception its grade must name (None: a correct one, at 100).
    """
    buggy = sorted(buggy_submissions().items())
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}
    for i in range(size):
        sub_id = f"s{i:03d}"
        if i % 2 == 0:
            source, expected[sub_id] = CORRECT[(i // 2) % len(CORRECT)].read_text(), None
        else:
            mistake, (_, source) = buggy[(i // 2) % len(buggy)]
            expected[sub_id] = mistake
        (folder / f"{sub_id}.py").write_text(source)
    return expected


def assert_graded_as_expected(results: list, expected: dict[str, str | None]) -> None:
    """Correct submissions at full marks; each buggy one below, with its mistake named."""
    assert sorted(r.id for r in results) == sorted(expected)
    for result in results:
        mistake = expected[result.id]
        if mistake is None:
            assert result.score == result.max_score, result.id
        else:
            assert result.score < result.max_score, result.id
            assert any(mistake in s.misconceptions for s in result.steps), (result.id, mistake)
