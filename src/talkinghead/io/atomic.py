"""Atomic output: write to a temporary file in the target folder, rename on success.

DESIGN.md: "No partial output file is left: write to a temporary file in the target folder, rename when
complete." and "nothing a user owns is ever overwritten without --overwrite".
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from talkinghead.errors import OutputError, OutputExistsError

__all__ = ["check_output_path", "make_temp_beside", "atomic_output", "atomic_write_text", "atomic_write_bytes"]


def check_output_path(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Validate an output path before any work is done; return it as a ``Path``.

    Raises:
        OutputExistsError: ``path`` exists and ``overwrite`` is false.
        OutputError: the folder is missing or ``path`` is a directory.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"output path {str(path)!r} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output folder {str(parent)!r} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"output folder {str(parent)!r} is not writable")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{str(path)!r} already exists; pass --overwrite to replace it")
    return path


def make_temp_beside(path: Path) -> Path:
    """Create an empty temporary file next to ``path`` (same folder, same suffix), with the permissions a
    normal new file would get (``mkstemp`` alone gives 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds, delete it if not.

    The temporary name keeps the suffix of ``path`` so format-by-extension writers still work.
    """
    path = check_output_path(path, overwrite)
    tmp_path = make_temp_beside(path)
    try:
        yield tmp_path
        if path.exists() and not overwrite:  # appeared while we worked
            raise OutputExistsError(f"{str(path)!r} already exists; pass --overwrite to replace it")
        os.replace(tmp_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def atomic_write_bytes(path: str | os.PathLike, data: bytes, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; return the final path."""
    with atomic_output(path, overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; return the final path."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite)
