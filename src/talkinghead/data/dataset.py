"""Windowed training samples from a preprocessed dataset, deterministic in ``idx``.

Shape legend: ``t`` window frames, ``r`` reference frames, ``s`` crop side, 478 landmarks, 52 blendshapes,
``80 x 16`` mel window per frame (0.2 s centred on the frame, as Wav2Lip / IP-LAP / MergeTalk index it).

Sample ``idx`` is window ``start .. start + t`` of one clip (every start of every clip of the split, in
manifest order, ``stride`` apart), plus ``r`` reference frames of the same clip drawn *away from the window*:
at least ``ref_gap`` frames before its start or after its end (IP-LAP Sec. 3.2: references are other frames of
the same video; Wav2Lip draws its identity reference from a different window, so the target's mouth cannot be
copied). A clip too short to have such frames gives references outside the window, and failing that from it.
The references come from a generator seeded by ``(seed, idx)``: the same ``idx`` gives the same sample, in
any process, in any order.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkinghead.data.clip import Clip
from talkinghead.data.manifest import load_manifest

__all__ = ["WindowDataset", "reference_candidates"]


def reference_candidates(num_frames: int, start: int, window: int, gap: int) -> np.ndarray:
    """Frames at least ``gap`` away from ``[start, start + window)``; else any outside it; else the window."""
    frames = np.arange(num_frames)
    far = frames[(frames <= start - gap) | (frames >= start + window - 1 + gap)]
    if len(far):
        return far
    outside = frames[(frames < start) | (frames >= start + window)]
    return outside if len(outside) else frames[start:start + window]


class WindowDataset:
    """``T``-frame windows with reference frames (see the module doc). A map-style torch dataset.

    Args:
        root: dataset folder (``manifest.json``, ``clips/``).
        split: ``train``, ``val``, ``test`` or ``None`` (every clip).
        window: frames per sample (``T``; IP-LAP uses 5).
        size: crop side (one of the dataset's ``crop_sizes``).
        num_refs: reference frames per sample (IP-LAP: N = 3 for rendering).
        ref_gap: references are at least this many frames from the window (default ``window``).
        stride: frames between consecutive window starts.
        seed: seed of the reference draws.
        with_frames: load the image crops (``False``: landmark / audio models need only the arrays).

    Each item is a dict of tensors: ``frames (t, 3, s, s)`` float in [0, 1] RGB; ``landmarks (t, 478, 3)``
    float in crop coordinates divided by ``s`` (x, y in [0, 1] inside the crop, z scaled alike);
    ``blendshapes (t, 52)``; ``pose (t, 3)`` yaw, pitch, roll degrees; ``betas (t, 52)`` FaceModel
    expression; ``mel (t, 80, 16)``; ``ref_frames (r, 3, s, s)``; ``ref_landmarks (r, 478, 3)``;
    ``ref_indices (r,)``; ``frame_indices (t,)``; ``clip (,)`` index into :attr:`clips`.
    """

    def __init__(self, root: str | os.PathLike, split: str | None = "train", window: int = 5, size: int = 256,
                 num_refs: int = 1, ref_gap: int | None = None, stride: int = 1, seed: int = 0,
                 with_frames: bool = True):
        if window < 1 or stride < 1 or num_refs < 0:
            raise ValueError(f"window and stride must be >= 1 and num_refs >= 0, got {window}, {stride}, {num_refs}")
        self.root = Path(root)
        self.manifest = load_manifest(self.root)
        self.split = split
        self.window, self.size, self.num_refs, self.stride, self.seed = window, int(size), num_refs, stride, seed
        self.ref_gap = window if ref_gap is None else int(ref_gap)
        self.with_frames = with_frames
        self.clips = [Clip(self.manifest.clip_folder(cid)) for cid in self.manifest.clip_ids(split)]
        if with_frames:
            for clip in self.clips:
                if self.size not in clip.crop_sizes:
                    raise ValueError(f"clip {clip.id!r} has crops of {clip.crop_sizes} px, not {self.size}")
        starts = [np.arange(0, max(0, c.num_frames - window + 1), stride) for c in self.clips]
        self._clip_of = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)] + [np.zeros(0, int)])
        self._start_of = np.concatenate(starts + [np.zeros(0, int)])
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self._start_of)

    def require_samples(self, shorter: str = "a smaller window") -> WindowDataset:
        """``self``, after checking that it has samples (a training task's first step).

        Raises:
            InputError: the split has no clips, or none is as long as the window; the message says what to
                change (``shorter``: how to ask for shorter windows in the caller's terms).
        """
        from talkinghead.errors import InputError

        split = self.split
        if not self.clips:
            raise InputError(f"dataset {str(self.root)!r} has no clips in split {split!r} (tiny datasets of fewer "
                             "than 3 speakers put every clip in 'train'); pick another split")
        if not len(self):
            raise InputError(f"no clip of split {split!r} in {str(self.root)!r} has {self.window} frames; "
                             f"use {shorter} or longer clips")
        return self

    def _arrays(self, i: int) -> dict:
        """Per-clip arrays small enough to keep (landmarks in crop coordinates, mel)."""
        if i not in self._cache:
            clip = self.clips[i]
            self._cache[i] = {"landmarks": clip.landmarks_in_crop(self.size) / np.float32(self.size),
                              "betas": clip.fit["betas"], "mel": clip.mel}
        return self._cache[i]

    def __getitem__(self, idx: int) -> dict:
        import torch

        from talkinghead.audio import mel_windows

        if not 0 <= idx < len(self):
            raise IndexError(f"index {idx} out of range for {len(self)} windows")
        ci, start = int(self._clip_of[idx]), int(self._start_of[idx])
        clip, cached = self.clips[ci], self._arrays(ci)
        frames = np.arange(start, start + self.window)
        rng = np.random.default_rng([self.seed, idx])
        candidates = reference_candidates(clip.num_frames, start, self.window, self.ref_gap)
        refs = np.sort(rng.choice(candidates, self.num_refs, replace=len(candidates) < self.num_refs))
        item = {
            "landmarks": torch.from_numpy(np.array(cached["landmarks"][frames])),
            "blendshapes": torch.from_numpy(np.array(clip.blendshapes[frames])),
            "pose": torch.from_numpy(np.array(clip.pose[frames])),
            "betas": torch.from_numpy(np.array(cached["betas"][frames])),
            "mel": torch.from_numpy(mel_windows(cached["mel"], frames, clip.fps)),
            "ref_landmarks": torch.from_numpy(np.array(cached["landmarks"][refs])),
            "ref_indices": torch.from_numpy(refs.astype(np.int64)),
            "frame_indices": torch.from_numpy(frames.astype(np.int64)),
            "clip": torch.tensor(ci),
        }
        if self.with_frames:
            crops = clip.frames(self.size)
            item["frames"] = _to_float(crops[start:start + self.window])
            item["ref_frames"] = _to_float(crops[refs])
        return item


def _to_float(images: np.ndarray):
    import torch

    return torch.from_numpy(np.array(images)).permute(0, 3, 1, 2).float().div_(255.0)
