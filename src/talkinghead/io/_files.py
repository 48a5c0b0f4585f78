"""Checks on input paths shared by the readers."""

from __future__ import annotations

import os
from pathlib import Path

from talkinghead.errors import MediaReadError

__all__ = ["check_input_file"]


def check_input_file(path: str | os.PathLike, kind: str, error: type[MediaReadError] = MediaReadError) -> Path:
    """Raise ``error`` with a clear message when ``path`` is missing, a folder or empty."""
    path = Path(path)
    if not path.exists():
        raise error(f"{kind} file {str(path)!r} does not exist")
    if path.is_dir():
        raise error(f"{str(path)!r} is a directory, not a {kind} file")
    if path.stat().st_size == 0:
        raise error(f"{kind} file {str(path)!r} is empty (0 bytes)")
    return path
