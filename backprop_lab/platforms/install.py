"""How a platform installs backprop-lab: from the wheel bundled with its files, or as SPEC says.

Files a bundle ships map their name in the bundle to their bytes, or to the local file to copy.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from backprop_lab.platforms.wheel import own_wheel

Bundled = dict[str, Path | bytes]


def content(source: Path | bytes) -> bytes:
    """A bundled file's bytes."""
    return source if isinstance(source, bytes) else source.read_bytes()


def pip_arguments(spec: str | None, bundled: Bundled, folder: str, reached_as: str) -> str:
    """SPEC as shell-quoted pip arguments (a requirement, a URL, index options, a path).

    Without SPEC, the wheel of this backprop-lab is shipped: no package index need hold it.
    A local wheel or sdist in SPEC is shipped too. Either is added to `bundled` under `folder`
    and named as pip will reach it there (`reached_as` + folder). A local folder is named by
    its absolute path: it must exist where pip runs (a checkout, in tests).
    """
    if spec is None:
        name, wheel = own_wheel()
        bundled[f"{folder}/{name}"] = wheel
        return shlex.quote(f"{reached_as}{folder}/{name}")
    words = []
    for word in shlex.split(spec):
        path = Path(word).expanduser()
        if path.is_file():
            bundled[f"{folder}/{path.name}"] = path
            words.append(f"{reached_as}{folder}/{path.name}")
        else:
            words.append(str(path.resolve()) if path.is_dir() else word)
    return " ".join(shlex.quote(word) for word in words)
