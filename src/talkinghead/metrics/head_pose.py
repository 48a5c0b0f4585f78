"""Head-pose spread: OSM-Net's diversity (std of Euler angles) and VividTalk's HPD (variance of the pose norm).

Both score how much the head moves in one generated video, from per-frame Euler angles ``(t, 3)`` in
degrees (pitch, yaw, roll). The papers estimate the angles with Hopenet (OSM-Net) or their face tracker
(VividTalk); here they come from the face analyser's head transform. Shape legend: t frames.
"""

from __future__ import annotations

import numpy as np

from talkinghead.errors import InputError
from talkinghead.metrics.registry import MetricResult, register_metric

__all__ = ["pose_diversity", "head_pose_diversity"]

ANGLES = ("pitch", "yaw", "roll")


def _check_pose(pose: np.ndarray) -> np.ndarray:
    pose = np.asarray(pose, dtype=np.float64)
    if pose.ndim != 2 or pose.shape[1] != 3 or len(pose) < 2:
        raise InputError(f"head pose: expected (t, 3) Euler angles with t >= 2, got shape {pose.shape}")
    if not np.isfinite(pose).all():
        raise InputError("head pose: angles contain NaN or inf (frames without a face?); drop those frames")
    return pose


def pose_diversity(pose: np.ndarray) -> tuple[float, np.ndarray]:
    """OSM-Net's diversity: the standard deviation over time of each Euler angle, averaged over the angles.

    Args:
        pose: (t, 3) float, degrees, (pitch, yaw, roll).

    Returns:
        ``(diversity, per_angle)``: the mean of the three standard deviations (population std) in degrees,
        and the (3,) per-angle values.
    """
    per_angle = _check_pose(pose).std(axis=0)
    return float(per_angle.mean()), per_angle


def head_pose_diversity(pose: np.ndarray) -> float:
    """VividTalk's HPD: the variance over time of the norm of the Euler-angle vector, in degrees^2.

    Args:
        pose: (t, 3) float, degrees, (pitch, yaw, roll).
    """
    return float(np.linalg.norm(_check_pose(pose), axis=1).var())


@register_metric(
    "pose_diversity",
    kind="video",
    inputs=("pose",),
    higher_is_better=True,
    definition="""Head-motion diversity: standard deviation over the video's frames of each Euler angle
    (pitch, yaw, roll, degrees), averaged over the three angles.""",
    reference="OSM-Net (Liu et al.), Sec. IV, evaluation metrics ('generation diversity'), with angles from a "
    "pose estimator "
    "(Hopenet: Ruiz, Chong & Rehg, CVPR Workshops 2018).",
    papers=("osm_net",),
)
def pose_diversity_metric(*, pose: np.ndarray) -> MetricResult:
    value, per_angle = pose_diversity(pose)
    return MetricResult(
        {"pose_diversity": value}, details={f"std_{name}": float(v) for name, v in zip(ANGLES, per_angle)}
    )


@register_metric(
    "hpd",
    kind="video",
    inputs=("pose",),
    higher_is_better=True,
    definition="""Head pose diversity (HPD): variance over the video's frames of the Euclidean norm of the
    Euler-angle vector (pitch, yaw, roll) in degrees, so in degrees^2.""",
    reference="VividTalk (Sun et al.), Sec. 4, 'Metrics' (HPD).",
    papers=("vividtalk",),
)
def hpd_metric(*, pose: np.ndarray) -> MetricResult:
    return MetricResult({"hpd": head_pose_diversity(pose)})
