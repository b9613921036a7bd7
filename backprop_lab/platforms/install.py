"""How a platform installs backprop-lab: SPEC, as the instructor gave it to `--install`."""

from __future__ import annotations

import shlex
from importlib.metadata import version
from pathlib import Path


def default_spec() -> str:
    """The released package at this version."""
    return f"backprop-lab=={version('backprop-lab')}"


def pip_arguments(spec: str | None, bundled: dict[str, Path], folder: str, reached_as: str) -> str:
    """SPEC as shell-quoted pip arguments (a requirement, a URL, index options, a path).

    A local wheel or sdist is shipped with the platform's files: it is added to `bundled`
    under `folder` and named as pip will reach it there (`reached_as` + folder). A local
    folder is named by its absolute path: it must exist where pip runs (a checkout, in tests).
    """
    words = []
    for word in shlex.split(spec or default_spec()):
        path = Path(word).expanduser()
        if path.is_file():
            bundled[f"{folder}/{path.name}"] = path
            words.append(f"{reached_as}{folder}/{path.name}")
        else:
            words.append(str(path.resolve()) if path.is_dir() else word)
    return " ".join(shlex.quote(word) for word in words)
