"""Landmark distances (LMD and its variants) on arrays; the landmarker is wired in by the evaluation.

* LMD (Chen, Li, Maddox, Duan & Xu, "Lip movements generation at a glance", ECCV 2018), used by OSM-Net:
  the mean Euclidean distance between corresponding landmarks of generated and ground-truth frames.
* LipLMD (IP-LAP, "following [37]": Xie et al., ACM MM 2021): the same on the lip landmarks, normalised.
* M-LMD / F-LMD (ControlTalk, after Chen et al., CVPR 2019): on the mouth landmarks / on all face landmarks.

None of the papers states the normaliser or the resolution precisely; pixel distances depend on the frame
size, so :func:`landmark_distance` takes an optional per-frame ``scale`` (e.g. :func:`interocular_distance`
of the reference) and the evaluation states which it used. Shape legend: t frames, k landmarks, d 2 or 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from talkinghead.errors import InputError

__all__ = ["landmark_distance", "interocular_distance"]


def landmark_distance(
    pred: np.ndarray,
    ref: np.ndarray,
    *,
    indices: Sequence[int] | None = None,
    scale: np.ndarray | float | None = None,
) -> np.ndarray:
    """Per-frame mean Euclidean distance between corresponding landmarks.

    Args:
        pred, ref: (t, k, d) landmark coordinates of generated and reference frames (same units; pixels for
            the papers' LMD).
        indices: the landmarks to compare (all when None): lip, mouth or face index sets of the landmarker.
        scale: None, a float, or (t,) per-frame normaliser the distances are divided by (e.g. the reference's
            inter-ocular distance, to make the value independent of the frame size).

    Returns:
        (t,) float64 distances; the papers report their mean over frames (and videos).
    """
    pred = np.asarray(pred, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if pred.ndim != 3 or pred.shape != ref.shape:
        raise InputError(f"landmarks: expected two (t, k, d) arrays of one shape, got {pred.shape} and {ref.shape}")
    if indices is not None:
        idx = np.asarray(indices, dtype=np.intp)
        pred, ref = pred[:, idx], ref[:, idx]
    distance = np.linalg.norm(pred - ref, axis=-1).mean(axis=1)
    if scale is not None:
        scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), distance.shape)
        if not (scale > 0).all():
            raise InputError("landmark distance: the normalising scale must be positive in every frame")
        distance = distance / scale
    return distance


def interocular_distance(landmarks: np.ndarray, left_eye: Sequence[int], right_eye: Sequence[int]) -> np.ndarray:
    """(t,) distance between the centroids of two eye landmark sets of (t, k, d) landmarks."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    left = landmarks[:, np.asarray(left_eye, dtype=np.intp)].mean(axis=1)
    right = landmarks[:, np.asarray(right_eye, dtype=np.intp)].mean(axis=1)
    return np.linalg.norm(left - right, axis=-1)
