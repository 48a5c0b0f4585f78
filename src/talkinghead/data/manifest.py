"""``manifest.json``: the dataset's clips, their speakers and splits by speaker, derived from the clip folders.

The manifest is rebuilt from ``clips/*/meta.json`` and ``skipped/*.json`` at the end of every run and written
atomically, so it never disagrees with the folders and can be rebuilt at any time (:func:`build_manifest`).
Splits are by speaker (no speaker in two splits): speakers sorted, shuffled with ``numpy.random.default_rng(seed)``,
then ``test``, ``val``, the rest ``train``; with fewer than 3 speakers everything is ``train``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkinghead.data.clip import FORMAT_VERSION, FPS, TMP_PREFIX, json_text

__all__ = ["Manifest", "build_manifest", "load_manifest", "write_manifest", "split_speakers", "SPLITS"]

SPLITS = ("train", "val", "test")
MANIFEST = "manifest.json"


def split_speakers(speakers: list[str], seed: int = 0, val_fraction: float = 0.05,
                   test_fraction: float = 0.05) -> dict[str, str]:
    """{speaker: split}; at least one speaker each in val and test once there are 3 or more speakers."""
    names = sorted(set(speakers))
    n = len(names)
    order = [names[i] for i in np.random.default_rng(seed).permutation(n)]
    if n < 3:
        return {s: "train" for s in names}
    n_test = max(1, int(round(test_fraction * n)))
    n_val = max(1, int(round(val_fraction * n)))
    out = {}
    for i, s in enumerate(order):
        out[s] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return out


@dataclass(frozen=True)
class Manifest:
    """The parsed ``manifest.json``: ``root`` and its ``data`` dict (see docs/data.md)."""

    root: Path
    data: dict

    @property
    def clips(self) -> list[dict]:
        return self.data["clips"]

    def clip_ids(self, split: str | None = None) -> list[str]:
        """Clip ids of ``split`` (``train``, ``val``, ``test``) or of all splits, in manifest order."""
        if split is not None and split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return [c["id"] for c in self.clips if split is None or c["split"] == split]

    def clip_folder(self, clip_id: str) -> Path:
        return self.root / "clips" / clip_id


def build_manifest(root: str | os.PathLike, seed: int = 0, val_fraction: float = 0.05,
                   test_fraction: float = 0.05) -> dict:
    """The manifest of the dataset in ``root`` (``clips/``, ``skipped/``), derived from the folders alone."""
    root = Path(root)
    clips = []
    clips_dir = root / "clips"
    if clips_dir.is_dir():
        for folder in sorted(clips_dir.iterdir()):
            if folder.name.startswith(TMP_PREFIX) or not (folder / "meta.json").is_file():
                continue
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            clips.append({"id": folder.name, "speaker": meta["speaker"], "source": meta.get("source", ""),
                          "num_frames": int(meta["num_frames"]), "synthetic": "synth" in meta})
    skipped = []
    skipped_dir = root / "skipped"
    if skipped_dir.is_dir():
        for f in sorted(skipped_dir.glob("*.json")):
            skipped.append(json.loads(f.read_text(encoding="utf-8")))
    splits = split_speakers([c["speaker"] for c in clips], seed, val_fraction, test_fraction)
    for c in clips:
        c["split"] = splits[c["speaker"]]
    reasons: dict[str, int] = {}
    for s in skipped:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    return {
        "format_version": FORMAT_VERSION, "fps": FPS, "seed": seed,
        "val_fraction": val_fraction, "test_fraction": test_fraction,
        "speakers": {split: sorted(s for s, v in splits.items() if v == split) for split in SPLITS},
        "num_clips": {split: sum(c["split"] == split for c in clips) for split in SPLITS},
        "num_frames": {split: sum(c["num_frames"] for c in clips if c["split"] == split) for split in SPLITS},
        "clips": clips, "skipped": skipped, "skipped_reasons": dict(sorted(reasons.items())),
    }


def write_manifest(root: str | os.PathLike, **kwargs) -> dict:
    """Rebuild ``root/manifest.json`` from the folders (atomically); return it."""
    from talkinghead.io import atomic_write_text

    data = build_manifest(root, **kwargs)
    atomic_write_text(Path(root) / MANIFEST, json_text(data), overwrite=True)
    return data


def load_manifest(root: str | os.PathLike) -> Manifest:
    """Read ``root/manifest.json``.

    Raises:
        InputError: no manifest there (not a dataset folder, or its preprocessing never finished).
    """
    from talkinghead.errors import InputError

    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        raise InputError(f"{str(root)!r} has no {MANIFEST}; make a dataset with `talkinghead preprocess` "
                         "or `talkinghead synth` (a killed run writes it when rerun to the end)")
    return Manifest(root, json.loads(path.read_text(encoding="utf-8")))
