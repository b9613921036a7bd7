"""README's main command, as the library function it wraps, and the CLI around it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.demo import run_demo


def test_the_demo_generates_grades_and_reports(tmp_path) -> None:
    results, report = run_demo(tmp_path, "en")
    scores = {r.id: r.score for r in results}
    assert scores == {"ada": 100.0, "ben": 85.0, "cy": 0.0, "dee": 0.0, "eve": 0.0}
    assert (tmp_path / "assignment" / "backprop.py").is_file()
    assert (tmp_path / "results" / "summary.png").stat().st_size > 10_000
    assert "missing_transpose" in report
    ben = next(r for r in results if r.id == "ben")
    assert [s.id for s in ben.steps if s.misconceptions] == ["hidden_delta"]


def test_the_demo_speaks_chinese(tmp_path) -> None:
    _, report = run_demo(tmp_path, "zh")
    assert "常见错误" in report and "一个会出错的小输入" in report


def test_the_cli_lists_its_commands_and_runs_check(tmp_path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["--help"]).output
    assert all(name in help_text for name in ("demo", "grade", "check", "generate", "derive"))
    stub = tmp_path / "backprop.py"
    assert runner.invoke(main, ["generate", "--out", str(tmp_path), "--format", "py"]).exit_code == 0
    checked = runner.invoke(main, ["check", str(stub)])
    assert checked.exit_code == 1 and "not implemented yet" in checked.output


def test_html_feedback_escapes_what_the_student_controls() -> None:
    from backprop_lab.feedback import to_html

    page = to_html("Raised ValueError: <script>alert(1)</script>\n\n```\n<img src=x onerror=y>\n```\n", "x")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_the_demo_keeps_every_path_it_prints(tmp_path, monkeypatch) -> None:
    """Without --out the demo's folder is a new temporary one, kept: what it names can be opened."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shown = CliRunner().invoke(main, ["demo"])
    assert shown.exit_code == 0, shown.output
    paths = [
        Path(p)
        for p in re.findall(r"(/\S+?)/?(?=[\s)]|$)", shown.output, re.M)
        if p.startswith(str(tmp_path))
    ]
    assert {p.name for p in paths} >= {"assignment", "submissions", "results", "report.html"}
    assert all(p.exists() for p in paths), [p for p in paths if not p.exists()]
    kept = re.search(r"The demo's files are kept in (\S+)/ ", shown.output)
    assert kept and Path(kept[1]).parent == tmp_path and (Path(kept[1]) / "results" / "report.html").is_file()
