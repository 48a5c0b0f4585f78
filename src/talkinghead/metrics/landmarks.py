"""Landmark distances (LMD and its variants): array cores and the registered ``lmd`` / ``lip_lmd`` metrics.

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
from talkinghead.metrics.registry import MetricResult, register_metric

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


# --- the papers' figures from mediapipe's landmarks -------------------------------------------------------


def _lmd(landmarks: np.ndarray, ref_landmarks: np.ndarray, indices: Sequence[int]) -> tuple[float, np.ndarray, int]:
    """Mean normalised distance over frames with a face in both, the (t,) series (NaN elsewhere), frames used."""
    from talkinghead.face import landmark_groups as groups

    pred = np.asarray(landmarks, dtype=np.float64)[..., :2]
    ref = np.asarray(ref_landmarks, dtype=np.float64)[..., :2]
    t = min(len(pred), len(ref))
    pred, ref = pred[:t], ref[:t]
    series = np.full(t, np.nan)
    ok = np.isfinite(pred).all(axis=(1, 2)) & np.isfinite(ref).all(axis=(1, 2))
    if ok.any():
        scale = interocular_distance(ref[ok], groups.LEFT_EYE, groups.RIGHT_EYE)
        series[ok] = landmark_distance(pred[ok], ref[ok], indices=indices, scale=scale)
    value = float(series[ok].mean()) if ok.any() else float("nan")
    return value, series, int(ok.sum())


_LMD_CONVENTION = """mediapipe's landmarks in the image plane (x, y), each frame's distance divided by the
reference frame's inter-ocular distance (centroids of the two eye contours), mean over frames with a face in
both videos; frames are paired by index."""


@register_metric(
    "lmd",
    kind="frame_pair",
    inputs=("landmarks", "ref_landmarks"),
    higher_is_better=False,
    definition=f"""Landmark distance over the whole face (LMD; ControlTalk's F-LMD): mean Euclidean distance
    between the 468 face-mesh landmarks of each generated frame and of its ground-truth frame; {_LMD_CONVENTION}""",
    reference="Chen et al., 'Lip movements generation at a glance', ECCV 2018 (LMD); ControlTalk's F-LMD "
    "after Chen et al., CVPR 2019.",
    papers=("osm_net", "controltalk"),
)
def lmd_metric(*, landmarks: np.ndarray, ref_landmarks: np.ndarray) -> MetricResult:
    from talkinghead.face import landmark_groups as groups

    value, series, used = _lmd(landmarks, ref_landmarks, range(groups.NUM_MESH_VERTICES))
    return MetricResult({"lmd": value}, per_frame={"lmd": series}, details={"frames": float(used)})


@register_metric(
    "lip_lmd",
    kind="frame_pair",
    inputs=("landmarks", "ref_landmarks"),
    higher_is_better=False,
    definition=f"""Lip landmark distance (IP-LAP's LipLMD; ControlTalk's M-LMD): as LMD on the 40 lip landmarks
    (outer and inner lip contours); {_LMD_CONVENTION}""",
    reference="IP-LAP Sec. 4.1 (LipLMD, following Xie et al., ACM MM 2021); ControlTalk's M-LMD after Chen "
    "et al., CVPR 2019.",
    papers=("ip_lap", "controltalk"),
)
def lip_lmd_metric(*, landmarks: np.ndarray, ref_landmarks: np.ndarray) -> MetricResult:
    from talkinghead.face import landmark_groups as groups

    value, series, used = _lmd(landmarks, ref_landmarks, groups.LIPS)
    return MetricResult({"lip_lmd": value}, per_frame={"lip_lmd": series}, details={"frames": float(used)})
