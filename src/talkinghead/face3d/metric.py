"""Detected landmarks -> metric camera space and canonical space (mediapipe's face geometry pipeline).

mediapipe's facial transformation matrix maps the canonical mesh into its metric camera space, not into image
coordinates (DESIGN.md, "Measured facts"). To put detected landmarks into the canonical frame this module
re-implements the pipeline's screen-to-metric step (mediapipe ``face_geometry/geometry_pipeline.cc``,
``ScreenToMetricSpaceConverter``): project x, y onto the near plane, estimate the face scale by weighted
Procrustes against the canonical mesh, turn the relative landmark depth into metric depth with that scale,
unproject, repeat once, and solve the final weighted Procrustes for the pose. Done this way the pose matches
mediapipe's own matrix to about 1e-4. The 10 iris points go through the same per-frame steps.

Landmarks in pixels: ``(n, 3)`` with x right, y down, and z the relative depth in the same pixel units as x
(mediapipe's normalised z times the image width), smaller = closer to the camera.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkinghead.face3d.camera import Camera, Pose, _nearest_rotation
from talkinghead.face3d.mesh import NUM_VERTICES, CanonicalMesh, load_canonical_mesh

__all__ = [
    "weighted_procrustes", "MetricLandmarks", "landmarks_to_metric", "RIGID_POSE_WEIGHTS", "NON_RIGID_POSE_POINTS",
]

_NEAR = 1.0  # mediapipe's perspective camera near plane

#: Points of mediapipe's Procrustes basis that move with expressions: jaw (136, 365), jaw angle (132, 361) and
#: cheeks (147, 376, 205, 425) follow jawOpen and smiles, which would tilt the estimated pose as the mouth opens.
NON_RIGID_POSE_POINTS = (132, 136, 147, 205, 361, 365, 376, 425)


def _rigid_weights() -> np.ndarray:
    w = load_canonical_mesh().landmark_weights()
    w[list(NON_RIGID_POSE_POINTS)] = 0.0
    w.setflags(write=False)
    return w


#: ``(468,)`` mediapipe's pose weights without :data:`NON_RIGID_POSE_POINTS`: the canonical frame of
#: ``FaceModel`` (its basis was fitted in it), which stays put when only the mouth moves.
RIGID_POSE_WEIGHTS = _rigid_weights()


def weighted_procrustes(source: np.ndarray, target: np.ndarray, weights: np.ndarray) -> Pose:
    """Similarity ``target ~ scale * R @ source + t`` minimising the weighted squared error.

    Args:
        source, target: ``(n, 3)`` corresponding points.
        weights: ``(n,)`` non-negative weights (zeros ignore a point).

    Returns:
        the :class:`Pose` (rotation, translation, scale); scale is the least-squares optimum for the rotation,
        as in mediapipe's ``procrustes_solver.cc``.
    """
    source = np.asarray(source, np.float64)
    target = np.asarray(target, np.float64)
    w = np.asarray(weights, np.float64)
    w = w / w.sum()
    mu_s = w @ source
    mu_t = w @ target
    cs = source - mu_s
    ct = target - mu_t
    cov = (ct * w[:, None]).T @ cs  # (3, 3) = sum_i w_i t_i s_i^T
    rotation = _nearest_rotation(cov)
    scale = float(np.sum((cs @ rotation.T) * ct * w[:, None]) / np.sum(cs * cs * w[:, None]))
    return Pose(rotation, mu_t - scale * rotation @ mu_s, scale)


@dataclass(frozen=True)
class MetricLandmarks:
    """Landmarks of one face in mediapipe's metric camera space and in canonical space.

    Attributes:
        camera_space: ``(n, 3)`` float64 centimetres in camera space; ``camera.project`` gives back the
            detected pixels exactly.
        pose: the weighted-Procrustes similarity from canonical to camera space (mediapipe's matrix).
        canonical: ``(n, 3)`` float64, ``pose`` undone: the face's shape in canonical space.
    """

    camera_space: np.ndarray
    pose: Pose
    canonical: np.ndarray


def landmarks_to_metric(
    landmarks: np.ndarray,
    camera: Camera,
    mesh: CanonicalMesh | None = None,
    canonical: np.ndarray | None = None,
    pose_weights: np.ndarray | None = None,
) -> MetricLandmarks:
    """Screen-to-metric conversion of one face's landmarks (mediapipe's geometry pipeline, see module doc).

    Args:
        landmarks: ``(n, 3)`` pixels (x, y) and relative depth z in pixel units, ``n >= 468`` (the first 468
            are the mesh vertices, any further ones, the iris, are carried along).
        camera: the camera of the image the landmarks were detected in (``Camera.mediapipe(w, h)``).
        mesh: the canonical mesh (its Procrustes weights); default the committed one.
        canonical: ``(468, 3)`` reference shape for the Procrustes steps; default the mesh vertices (what
            mediapipe uses, so the pose equals its matrix).
        pose_weights: ``(468,)`` weights of the final (pose) Procrustes; default mediapipe's. The scale steps
            always use mediapipe's weights.

    Returns:
        :class:`MetricLandmarks`.
    """
    mesh = mesh or load_canonical_mesh()
    ref = np.asarray(mesh.vertices if canonical is None else canonical, np.float64)
    weights = mesh.landmark_weights()
    lm = np.asarray(landmarks, np.float64)
    if lm.ndim != 2 or lm.shape[0] < NUM_VERTICES or lm.shape[1] != 3:
        raise ValueError(f"landmarks must be (n >= {NUM_VERTICES}, 3), got {lm.shape}")
    # ProjectXY: near-plane coordinates (near = 1, y up); z in the same units as x.
    xs = (lm[:, 0] - camera.cx) / camera.focal
    ys = (camera.cy - lm[:, 1]) / camera.focal
    zs = lm[:, 2] / camera.focal
    depth_offset = zs[:NUM_VERTICES].mean()

    def metric(scale: float | None) -> np.ndarray:
        if scale is None:  # first iteration: projected xy, relative z (handedness changed)
            return np.stack([xs, ys, -zs], axis=1)
        depth = (zs - depth_offset + _NEAR) / scale  # MoveAndRescaleZ
        return np.stack([xs * depth / _NEAR, ys * depth / _NEAR, -depth], axis=1)  # UnprojectXY, handedness

    scale1 = weighted_procrustes(ref, metric(None)[:NUM_VERTICES], weights).scale
    scale2 = weighted_procrustes(ref, metric(scale1)[:NUM_VERTICES], weights).scale
    camera_space = metric(scale1 * scale2)
    pose = weighted_procrustes(ref, camera_space[:NUM_VERTICES], weights if pose_weights is None else pose_weights)
    return MetricLandmarks(camera_space, pose, pose.inverse_apply(camera_space))
