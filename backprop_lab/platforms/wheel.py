"""The wheel of this very backprop-lab, shipped inside a platform's bundle.

A bundle must install the backprop-lab that wrote it, from no package index (backprop-lab
need not be published anywhere; its dependencies still come from PyPI). The wheel is made
from what is installed here:

- installed from a wheel or an sdist: the files its RECORD lists, packed again;
- installed editable from a checkout: built from a copy of the checkout by its own build
  backend (`pip wheel`), so the checkout gets no build/ folder.

Either way the wheel is written with fixed dates, sorted entries and a fresh RECORD: the same
installation gives the same bytes, and so does the bundle that carries it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from functools import cache
from importlib.metadata import Distribution, distributions
from pathlib import Path
from urllib.parse import unquote, urlparse

PROJECT = "backprop-lab"
NOT_PACKED = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}  # written by the installer
NOT_COPIED = (
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)


class WheelError(ValueError):
    """No wheel can be made of this installation: the instructor must give one with --install."""


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def pack(files: dict[str, bytes], dist_info: str) -> bytes:
    """A wheel holding `files` (archive name → bytes) and its RECORD, byte for byte reproducible."""
    record = f"{dist_info}/RECORD"
    lines = [_record_line(name, files[name]) for name in sorted(files)] + [f"{record},,"]
    entries = {**files, record: ("\n".join(lines) + "\n").encode()}
    buffer = tempfile.SpooledTemporaryFile()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    buffer.seek(0)
    return buffer.read()


def _tag(dist: Distribution) -> str:
    """The wheel's tag from its WHEEL file (`py3-none-any` for this pure-Python project)."""
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]  # fmt: skip
    if not tags:
        return "py3-none-any"
    return "-".join(".".join(sorted({tag.split("-")[i] for tag in tags})) for i in range(3))


def _file_name(dist: Distribution, tag: str) -> str:
    name = dist.metadata["Name"].replace("-", "_").lower()
    return f"{name}-{dist.version}-{tag}.whl"


def _installed_files(dist: Distribution) -> dict[str, bytes]:
    """What the installer put in site-packages, as the wheel held it (no bytecode, no scripts)."""
    files = {}
    for path in dist.files or []:
        parts = path.parts
        if parts[0] == ".." or "__pycache__" in parts or path.suffix == ".pyc":
            continue  # console scripts (rebuilt from entry_points.txt) and compiled bytecode
        if parts[0].endswith(".dist-info") and path.name in NOT_PACKED:
            continue
        files[path.as_posix()] = Path(dist.locate_file(path)).read_bytes()
    return files


def _checkout(dist: Distribution) -> Path | None:
    """The source folder of an editable install (PEP 610's direct_url.json), else None."""
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return None
    url = urlparse(direct.get("url", ""))
    if not direct.get("dir_info", {}).get("editable") or url.scheme != "file":
        return None
    return Path(unquote(url.path))


def _built_from(checkout: Path) -> tuple[str, dict[str, bytes]]:
    """The wheel the checkout's build backend makes, from a copy of the checkout."""
    with tempfile.TemporaryDirectory(prefix="backprop-lab-wheel-") as work:
        source, out = Path(work) / "source", Path(work) / "wheels"
        shutil.copytree(checkout, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        wheels = sorted(out.glob("*.whl"))
        if built.returncode != 0 or len(wheels) != 1:
            raise WheelError(
                f"building a wheel of {checkout} failed (give one with --install SPEC):\n"
                + built.stderr[-2000:]
            )
        with zipfile.ZipFile(wheels[0]) as archive:
            files = {n: archive.read(n) for n in archive.namelist() if not n.endswith(".dist-info/RECORD")}
        return wheels[0].name, files


@cache
def own_wheel() -> tuple[str, bytes]:
    """This backprop-lab as a wheel: its file name and its bytes (made once per process)."""
    # An installed one: a checkout's own *.egg-info (on sys.path when run from there) has no RECORD.
    dist = next((d for d in distributions(name=PROJECT) if d.read_text("RECORD") is not None), None)
    if dist is None:
        raise WheelError(
            f"{PROJECT} is not installed here, so no wheel of it can be bundled: give --install SPEC"
        )
    checkout = _checkout(dist)
    if checkout is not None:
        name, files = _built_from(checkout)
    else:
        name, files = _file_name(dist, _tag(dist)), _installed_files(dist)
    dist_info = {n.split("/")[0] for n in files if n.split("/")[0].endswith(".dist-info")}
    if len(dist_info) != 1 or not any(n.endswith(".py") for n in files):
        raise WheelError(f"the installed {PROJECT} lists no files (no RECORD): give --install SPEC")
    return name, pack(files, dist_info.pop())
