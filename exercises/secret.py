"""A course's secret: the grading cases derive from it, so no student can compute them.

`generate` creates one in the instructor's folder (never among what students get);
`grade` reads it from `--secret-file` or the environment, or keeps one of its own in
its output folder so that reruns grade on the same cases.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENT = "BACKPROP_LAB_SECRET"
FILE_NAME = "course-secret.txt"


def new_secret() -> str:
    return secrets.token_hex(32)


def read_secret(path: Path) -> str:
    text = Path(path).read_text(encoding="utf-8").strip()
    if len(text) < 16:
        raise ValueError(f"{path}: a course secret has at least 16 characters")
    return text


def keep_secret(path: Path, secret: str | None = None) -> str:
    """The secret stored at path, created there (readable by its owner only) if there is none:
    `secret` if given, else a new one."""
    path = Path(path)
    if path.is_file():
        return read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secret or new_secret()
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(secret + "\n")
    return secret


def find_secret(secret_file: Path | None, fallback: Path) -> str:
    """`--secret-file`, else the environment variable, else the one kept at `fallback`."""
    if secret_file is not None:
        return read_secret(secret_file)
    if os.environ.get(ENVIRONMENT, "").strip():
        return os.environ[ENVIRONMENT].strip()
    return keep_secret(fallback)
