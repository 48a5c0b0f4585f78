"""Where the videos are and who speaks in them: LRS2/LRS3, VoxCeleb2 and HDTF folder layouts.

- VoxCeleb2: ``.../id00012/<youtube id>/00001.mp4``: the speaker is the ``idNNNNN`` folder.
- LRS3: ``trainval/<speaker youtube id>/00001.mp4``; LRS2: ``main/<programme id>/00001.mp4`` (LRS2 has no
  speaker labels; its programme folder is the closest grouping): the speaker is the mp4's parent folder.
- HDTF: flat ``WRA_KellyAyotte_000.mp4``: the speaker is the file name without its trailing ``_NNN``.
- A file directly in the root with no such suffix is its own speaker.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

__all__ = ["VIDEO_SUFFIXES", "find_videos", "speaker_of", "clip_id_of"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")
_VOXCELEB_ID = re.compile(r"^id\d{5}$")
_HDTF_SUFFIX = re.compile(r"^(.+?)_\d+$")


def find_videos(root: str | os.PathLike) -> list[PurePosixPath]:
    """Every video file under ``root`` (any nesting), as sorted POSIX paths relative to it.

    Hidden files and folders (``.name``) are skipped.
    """
    root = Path(root)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(VIDEO_SUFFIXES):
                found.append(PurePosixPath(Path(dirpath, name).relative_to(root).as_posix()))
    return sorted(found)


def speaker_of(relative: PurePosixPath | str) -> str:
    """The speaker id of a video from its path relative to the dataset root (see the module doc)."""
    rel = PurePosixPath(relative)
    for part in rel.parts[:-1]:
        if _VOXCELEB_ID.match(part):
            return part
    if len(rel.parts) > 1:
        return rel.parts[-2]
    match = _HDTF_SUFFIX.match(rel.stem)
    return match.group(1) if match else rel.stem


def clip_id_of(relative: PurePosixPath | str) -> str:
    """A folder name for a video: its relative path without the suffix, ``/`` replaced by ``__``.

    Characters other than letters, digits, ``-``, ``_`` and ``.`` become ``_``.
    """
    rel = PurePosixPath(relative)
    stem = "__".join([*rel.parts[:-1], rel.stem])
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem)
