"""The whole hostile corpus graded as one class: everyone gets a result, the honest get 100.

Every attack file in tests/corpus/hostile/ (signals, /proc, floods, forged frames, lying
exceptions, planted files, hanging cells, budgets spent on purpose, ...) and every
unreadable kind of tests/corpus/unreadable/ is a student of one class, with correct
submissions graded last, by the same `grade` run.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.sandbox.runner import ANSWERS_TOO_LARGE
from backprop_lab.graders.submissions import discover
from tests.submissions import CORPUS, CORRECT
from tests.unreadable import remove, unreadable_members


def test_a_class_of_every_attack_ends_with_a_result_for_everyone(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    attacks = sorted(p for p in (CORPUS / "hostile").iterdir() if p.suffix in (".py", ".ipynb"))
    for path in attacks:
        shutil.copy(path, folder / path.name)
    unreadable_members(folder)
    for path in CORRECT:
        shutil.copy(path, folder / f"zz_honest_{path.name}")  # graded after every attack
    found = discover([folder])
    out = tmp_path / "out"
    results = grade_paths([folder], out, GradingConfig(), jobs=2, formats=("junit",), show_progress=False)
    written = json.loads((out / "results.json").read_text())
    ids = {s["id"] for s in written["submissions"]}
    assert ids >= {p.stem for p in attacks} | {f"zz_honest_{p.stem}" for p in CORRECT}
    assert len(ids) == len(found) == len(attacks) + 18 + len(CORRECT)  # 18 unreadable members
    assert all(0.0 <= r.score <= r.max_score for r in results)
    honest = {r.id: r.score for r in results if r.id.startswith("zz_honest_")}
    assert honest == {f"zz_honest_{p.stem}": 100.0 for p in CORRECT}
    assert all((out / "feedback" / f"{i}.md").is_file() for i in ids)
    assert len(ET.parse(out / "junit.xml").getroot()) == len(ids) and (out / "report.html").is_file()
    remove(folder)  # a 1000-level folder is beyond shutil.rmtree


def test_answers_far_larger_than_the_right_ones_are_refused_or_summarised(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORPUS / "hostile" / "huge_answers.py", folder / "huge.py")
    [result] = grade_paths([folder], tmp_path / "out", GradingConfig(), jobs=1, show_progress=False)
    steps = {s.id: s for s in result.steps}
    assert steps["sigmoid_grad"].score == steps["sigmoid_grad"].max_score  # its right step still counts
    assert steps["forward"].status == "error" and steps["forward"].detail == ANSWERS_TOO_LARGE
    shown = steps["sigmoid"].failure.received
    assert steps["sigmoid"].score == 0.0
    assert shown.startswith("array of shape (100, 100): [[0.5, 0.5, 0.5, ...")
    assert (tmp_path / "out" / "results.json").stat().st_size < 200_000


def test_a_step_that_forges_the_workers_report_of_its_inputs_still_loses_unchanged(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORPUS / "hostile" / "forges_unchanged.py", folder / "forger.py")
    [result] = grade_paths([folder], tmp_path / "out", GradingConfig(), jobs=1, show_progress=False)
    step = next(s for s in result.steps if s.id == "sgd_step")
    lost = [p.id for p in step.properties if not p.passed]
    assert lost == ["unchanged"] and step.status == "partial" and 0 < step.score < step.max_score
    # Its forged report is unreadable, and an unreadable report counts every argument as changed.
    assert step.failure.reason == "mutated" and step.failure.values == {"names": "params, grads, lr"}
