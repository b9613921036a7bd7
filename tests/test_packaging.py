"""One import package, layered: the wheel installs only backprop_lab, and no layer imports one above it."""

from __future__ import annotations

import ast
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Bottom to top; the application is the package's own top-level modules.
LAYERS = {"solutions": 0, "exercises": 1, "graders": 2}
APPLICATION = 3


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "backprop_lab":
        return None
    return LAYERS.get(parts[1], APPLICATION) if len(parts) > 1 else APPLICATION


def imports_of(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def package_files() -> dict[str, Path]:
    """module name → file, for every module of the package in this checkout."""
    modules = {}
    for folder, package in (("backprop_lab", ""), *((name, name) for name in LAYERS)):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in (package, *relative.parts) if p and p != "__init__"]
            modules[".".join(["backprop_lab", *parts])] = path
    return modules


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = []
    for module, path in package_files().items():
        if "sandbox.inside" in module:
            continue  # runs inside the sandbox and imports nothing of the project (checked below)
        for imported in imports_of(path):
            target = layer_of(imported)
            if target is not None and target > layer_of(module):
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_the_sandboxed_worker_imports_nothing_of_the_project() -> None:
    inside = [m for m in package_files() if "sandbox.inside" in m]
    assert inside and all(
        not name.startswith("backprop_lab") for m in inside for name in imports_of(package_files()[m])
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("backprop_lab-*.whl"))


def test_the_wheel_holds_backprop_lab_and_nothing_else(wheel) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        names = set(archive.namelist())
    assert {t for t in tops if not t.endswith(".dist-info")} == {"backprop_lab"}
    assert {
        "backprop_lab/solutions/backprop.py",
        "backprop_lab/graders/sandbox/inside/worker.py",
        "backprop_lab/exercises/locale/zh/LC_MESSAGES/backprop_lab.mo",
        "backprop_lab/exercises/backprop/templates/notes.zh.md.in",
    } <= names


def test_the_installed_wheel_runs_the_demo_outside_the_checkout(wheel, tmp_path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The test environment's dependencies, without its editable backprop-lab: a path in a .pth
    # file is added to sys.path, but the .pth files inside it (the editable finder) are not run.
    ours = {os.path.realpath(p) for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]}
    Path(purelib, "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(purelib)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    shadow = subprocess.run(
        [python, "-c", "import solutions"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert shadow.returncode != 0 and "No module named 'solutions'" in shadow.stderr
    demo = subprocess.run(
        [python, "-c", "from backprop_lab.cli import main; main()", "demo", "--out", str(tmp_path / "demo")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    located = subprocess.run(
        [python, "-c", "import backprop_lab.graders as g; print(g.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert located.startswith(purelib) and "ada" in demo.stdout
