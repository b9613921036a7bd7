"""Reading submissions of every shape, broken ones included, and running what could be read."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from backprop_lab.graders.sandbox.runner import Call, Sandbox
from backprop_lab.graders.submissions import FILE_CAP, discover, load

SIGMOID = "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"


def notebook(*cells: dict) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)})


def code(source: str, **nbgrader) -> dict:
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "metadata": meta, "source": source.splitlines(True), "outputs": []}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def sigmoid_of(sandbox, submission):
    result = sandbox.run(submission.units, [Call("sigmoid", [[np.array([0.0])]])], submission.files)
    return result, result.outcomes[0].results[0]


def test_notebook_magics_run_and_test_cells_are_left_out(tmp_path, sandbox) -> None:
    path = tmp_path / "ana.ipynb"
    path.write_text(
        notebook(
            {"cell_type": "markdown", "metadata": {}, "source": "# Backprop"},
            code("%matplotlib inline\n!pip install nothing\nimport numpy as np"),
            code("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"),
            code("assert False, 'hidden test'", grade=True, solution=False, points=5),
            code("sigmoid?"),
        )
    )
    submission = load(path)
    assert submission.id == "ana" and len(submission.units) == 3
    result, case = sigmoid_of(sandbox, submission)
    assert all(unit.ok for unit in result.load.units), result.load.units
    assert case.value.value[0] == 0.5


def test_a_failing_cell_loses_only_itself(tmp_path, sandbox) -> None:
    path = tmp_path / "ben.ipynb"
    path.write_text(
        notebook(
            code("import numpy as np"),
            code("def broken(:\n  pass"),
            code("raise ValueError('oops')"),
            code(SIGMOID),
        )
    )
    result, case = sigmoid_of(sandbox, load(path))
    assert [u.ok for u in result.load.units] == [True, False, False, True]
    assert result.load.units[1].error["type"] == "SyntaxError"
    assert case.value.value[0] == 0.5


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"def sigmoid(z)\n    return z\n", None),
        (bytes(range(256)) * 40, "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
    ],
)
def test_broken_python_files_get_a_message_not_a_crash(tmp_path, sandbox, content, problem) -> None:
    path = tmp_path / "carl.py"
    path.write_bytes(content)
    submission = load(path)
    assert problem is None or any(problem in p.message for p in submission.problems)
    result, case = sigmoid_of(sandbox, submission)
    assert case.error is not None and case.error["type"] == "NameError"
    assert all(not u.ok for u in result.load.units if content.strip())


def test_other_encodings_are_read_as_python_would(tmp_path, sandbox) -> None:
    path = tmp_path / "dora.py"
    path.write_bytes(("# -*- coding: latin-1 -*-\n# Ångström\n" + SIGMOID).encode("latin-1"))
    submission = load(path)
    assert not submission.problems and "Ångström" in submission.units[0]["source"]
    assert sigmoid_of(sandbox, submission)[1].value.value[0] == 0.5


def test_a_huge_file_is_capped(tmp_path) -> None:
    path = tmp_path / "eve.py"
    path.write_bytes(SIGMOID.encode() + b"#" * (FILE_CAP + 10))
    submission = load(path)
    assert len(submission.units[0]["source"]) == FILE_CAP
    assert any("only the first" in p.message for p in submission.problems)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"cells": 5}', '{"cells": [' * 50_000])
def test_corrupt_notebooks_are_reported(tmp_path, text) -> None:
    path = tmp_path / "fay.ipynb"
    path.write_text(text)
    submission = load(path)
    assert submission.units == []
    assert any("notebook could not be read" in p.message for p in submission.problems)


def test_folder_with_a_sibling_module_and_a_shadowing_numpy(tmp_path, sandbox) -> None:
    folder = tmp_path / "gus"
    folder.mkdir()
    (folder / "helpers.py").write_text(
        "import numpy as np\ndef logistic(z):\n    return 1 / (1 + np.exp(-z))\n"
    )
    (folder / "numpy.py").write_text("raise SystemExit('fake numpy')\n")
    (folder / "sitecustomize.py").write_text("raise SystemExit('fake sitecustomize')\n")
    (folder / "backprop.py").write_text(
        "from helpers import logistic\n\ndef sigmoid(z):\n    return logistic(z)\n"
    )
    submission = load(folder)
    assert submission.id == "gus" and set(submission.files) == {"helpers.py", "numpy.py", "sitecustomize.py"}
    result, case = sigmoid_of(sandbox, submission)
    assert result.load.units[0].ok, result.load.units
    assert case.value.value[0] == 0.5


def test_zip_and_nbgrader_tree_and_folder_of_submissions(tmp_path) -> None:
    with zipfile.ZipFile(tmp_path / "hal.zip", "w") as z:
        z.writestr("hal/backprop.py", SIGMOID)
        z.writestr("../../escape.py", "x = 1")
    (tmp_path / "ida.py").write_text(SIGMOID)
    (tmp_path / "notes.txt").write_text("not a submission")
    found = {s.id: s for s in discover([tmp_path])}
    assert set(found) == {"hal", "ida"}
    assert "def sigmoid" in found["hal"].units[0]["source"] and found["hal"].files == {}

    course = tmp_path / "course" / "submitted"
    for student in ("jo", "kim"):
        (course / student / "backprop").mkdir(parents=True)
        (course / student / "backprop" / "backprop.ipynb").write_text(notebook(code(SIGMOID)))
    assert [s.id for s in discover([course.parent])] == ["jo", "kim"]
    assert [s.id for s in discover([course])] == ["jo", "kim"]


def test_a_folder_without_code_says_so(tmp_path) -> None:
    (tmp_path / "lee").mkdir()
    (tmp_path / "lee" / "README.md").write_text("hi")
    submission = load(tmp_path / "lee")
    assert submission.units == [] and "No backprop.py" in submission.problems[0].message.format(
        **submission.problems[0].values
    )


def test_the_plain_process_fallback_still_runs_and_says_so() -> None:
    with Sandbox(isolation="process") as box:
        assert box.isolation.startswith("process")
        result = box.run([{"name": "m.py", "source": SIGMOID}], [Call("sigmoid", [[np.array([0.0])]])])
    assert result.isolation.startswith("process") and result.outcomes[0].results[0].value.value[0] == 0.5
