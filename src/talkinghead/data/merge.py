"""One dataset from several (real clips + the synthetic corpus, LRS2 + LRS3): the clip folders are linked, not
copied, into ``TARGET/clips`` and ``TARGET/manifest.json`` is rebuilt from them, splits by speaker as always.
The source datasets stay untouched and must stay where they are.
"""

from __future__ import annotations

import os
from pathlib import Path

from talkinghead.data.clip import TMP_PREFIX
from talkinghead.data.manifest import load_manifest, write_manifest
from talkinghead.errors import InputError, OutputExistsError

__all__ = ["merge_datasets"]


def merge_datasets(target: str | os.PathLike, sources: list[str | os.PathLike], seed: int = 0,
                   overwrite: bool = False) -> dict:
    """Link every clip of ``sources`` into ``target`` and write its manifest; return the manifest.

    Raises:
        InputError: a source is not a dataset, or two sources hold clips with the same id.
        OutputExistsError: ``target`` already holds clips and ``overwrite`` is false.
    """
    target = Path(target)
    clips_dir = target / "clips"
    if clips_dir.exists() and any(clips_dir.iterdir()):
        if not overwrite:
            raise OutputExistsError(f"{str(target)!r} already holds a dataset; choose another folder")
        for link in clips_dir.iterdir():
            if link.is_symlink():
                link.unlink()
    clips_dir.mkdir(parents=True, exist_ok=True)
    owner: dict[str, Path] = {}
    for source in map(Path, sources):
        manifest = load_manifest(source)  # a clear error for a folder that is no dataset
        for clip_id in manifest.clip_ids():
            if clip_id.startswith(TMP_PREFIX):
                continue
            if clip_id in owner:
                raise InputError(f"clip {clip_id!r} is in both {str(owner[clip_id])!r} and {str(source)!r}; "
                                 "merge datasets with distinct video names")
            owner[clip_id] = source
            os.symlink(manifest.clip_folder(clip_id).resolve(), clips_dir / clip_id)
    return write_manifest(target, seed=seed)
