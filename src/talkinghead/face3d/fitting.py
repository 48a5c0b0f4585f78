"""Fitting ``FaceModel`` to detected landmarks: identity, expression ``beta`` and pose, by least squares.

The stand-in for Deep3DFace's coefficient regression (MergeTalk Sec. II-A, OSM-Net Sec. 3.2): no network, the
fit is closed-form on mediapipe's output.

1. *Pose*: the detected pixels go through mediapipe's screen-to-metric step (:mod:`talkinghead.face3d.metric`)
   and a weighted Procrustes on the rigid upper-face points gives ``(R, t, scale)``; undoing it puts the
   landmarks ``P`` in canonical space, the frame the basis was fitted in.
2. *Expression*: ``beta = argmin |P - S_ref - B beta|^2 + lam |beta - beta_mp|^2`` over ``[0, 1]^52``, where
   ``beta_mp`` are mediapipe's blendshape scores (the prior; zero when not given) and ``S_ref`` the mean face
   (one image) or the subject's identity (video).
3. *Identity*: one image: ``S_id = P - B beta``, so the fit re-projects onto the detected landmarks exactly
   and ``beta = 0`` gives the neutralised face. Video: one ``S_id`` for all frames (mean of ``P_f - B beta_f``),
   alternated with steps 1-2 (pose re-estimated against the subject's own shape); then ``beta`` and the pose
   are smoothed in time with a Gaussian.

On the talking videos, the prior weight ``lam = 10`` makes per-frame identities the most consistent (docs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from talkinghead.face3d.camera import Camera, Pose
from talkinghead.face3d.metric import RIGID_POSE_WEIGHTS, landmarks_to_metric, weighted_procrustes
from talkinghead.face3d.mesh import NUM_LANDMARKS, NUM_VERTICES
from talkinghead.face3d.model import FaceModel

__all__ = ["FaceFit", "SequenceFit", "FaceFitter"]


@dataclass(frozen=True, eq=False)
class FaceFit:
    """One face fitted in one image.

    Attributes:
        identity: ``(478, 3)`` float32 the subject's neutral shape in canonical space (cm).
        beta: ``(52,)`` float32 expression in [0, 1], ARKit order.
        pose: canonical -> camera-space similarity (R, t, scale).
        camera: the camera of the image the face was fitted in.
        model: the face model (basis) the fit refers to.
    """

    identity: np.ndarray
    beta: np.ndarray
    pose: Pose
    camera: Camera
    model: FaceModel = field(repr=False)

    def shape(self, beta: np.ndarray | None = None) -> np.ndarray:
        """``(478, 3)`` float64 canonical shape with ``beta`` (default the fitted one)."""
        return self.model.shape(self.identity, self.beta if beta is None else beta)

    def camera_points(self, beta: np.ndarray | None = None, pose: Pose | None = None) -> np.ndarray:
        """``(478, 3)`` float64 camera-space points with an optional new expression and pose."""
        return (pose or self.pose).apply(self.shape(beta))

    def landmarks(self, beta: np.ndarray | None = None, pose: Pose | None = None,
                  camera: Camera | None = None) -> np.ndarray:
        """``(478, 2)`` float64 pixels: the fit re-projected, or with a new expression / pose / camera."""
        return self.model.project(self.identity, self.beta if beta is None else beta, pose or self.pose,
                                  camera or self.camera)

    def neutral_landmarks(self, pose: Pose | None = None) -> np.ndarray:
        """``(478, 2)`` pixels of the neutralised face (``beta = 0``) in this pose."""
        return self.landmarks(beta=np.zeros(52, np.float32), pose=pose)

    def replace(self, **changes) -> FaceFit:
        """A copy with some fields replaced (``fit.replace(beta=new_beta)``)."""
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class SequenceFit:
    """One face fitted over the frames of a video: one identity, per-frame expression and pose.

    Attributes:
        identity: ``(478, 3)`` float32 canonical neutral shape.
        betas: ``(t, 52)`` float32 expression per frame.
        rotations: ``(t, 3, 3)`` float64; translations ``(t, 3)`` float64; scales ``(t,)`` float64.
        camera: the video's camera.
        model: the face model.
    """

    identity: np.ndarray
    betas: np.ndarray
    rotations: np.ndarray
    translations: np.ndarray
    scales: np.ndarray
    camera: Camera
    model: FaceModel = field(repr=False)

    def __len__(self) -> int:
        return len(self.betas)

    def pose(self, t: int) -> Pose:
        """Pose of frame ``t``."""
        return Pose(self.rotations[t], self.translations[t], self.scales[t])

    def __getitem__(self, t: int) -> FaceFit:
        return FaceFit(self.identity, self.betas[t], self.pose(t), self.camera, self.model)

    def landmarks(self) -> np.ndarray:
        """``(t, 478, 2)`` float64 pixels of every frame."""
        shapes = self.model.shape(self.identity, self.betas)  # (t, n, 3)
        cam = np.einsum("tij,tnj->tni", self.rotations, shapes) * self.scales[:, None, None]
        return self.camera.project(cam + self.translations[:, None])


class FaceFitter:
    """Least-squares fitting of :class:`FaceModel` to mediapipe landmarks (see the module doc).

    Args:
        model: the face model; default the committed one.
        prior_weight: ``lam``, weight of mediapipe's blendshape scores against the landmark evidence
            (per unit score^2, against cm^2 summed over 478 landmarks).
        pose_weights: ``(468,)`` Procrustes weights of the pose; default the rigid upper-face points the
            basis was fitted with (changing it changes the canonical frame the basis lives in).
        pose_smoothing, beta_smoothing: Gaussian sigma in frames for video fits (0: none).
        iterations: identity / expression / pose alternations for video fits.
    """

    def __init__(self, model: FaceModel | None = None, *, prior_weight: float = 10.0,
                 pose_weights: np.ndarray | None = None, pose_smoothing: float = 1.0, beta_smoothing: float = 0.75,
                 iterations: int = 2):
        self.model = model or FaceModel.load()
        self.prior_weight = float(prior_weight)
        self.pose_weights = RIGID_POSE_WEIGHTS if pose_weights is None else np.asarray(pose_weights, np.float64)
        self.pose_smoothing = float(pose_smoothing)
        self.beta_smoothing = float(beta_smoothing)
        self.iterations = int(iterations)
        a = self.model.basis_matrix  # (52, n*3)
        self._normal = a @ a.T + self.prior_weight * np.eye(52)  # (52, 52) normal matrix of step 2

    # -- step 2: expression -------------------------------------------------------------------------------------
    def solve_beta(self, residual: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """Bounded ridge: ``argmin |residual - B beta|^2 + lam |beta - prior|^2`` over ``beta`` in [0, 1].

        Args:
            residual: ``(..., n, 3)`` canonical landmarks minus the reference (identity or mean) shape.
            prior: ``(..., 52)`` mediapipe scores; default zero.

        Returns:
            ``(..., 52)`` float64. Bounds by one active-set pass: clipped weights are fixed at the bound and
            the free ones re-solved.
        """
        r = np.asarray(residual, np.float64).reshape(*np.shape(residual)[:-2], -1)
        rhs = r @ self.model.basis_matrix.T
        if prior is not None:
            rhs = rhs + self.prior_weight * np.asarray(prior, np.float64)
        batch = rhs.reshape(-1, 52)
        out = np.linalg.solve(self._normal, batch.T).T
        for i in np.flatnonzero(((out < 0) | (out > 1)).any(1)):
            beta = out[i]
            for _ in range(3):
                bound = (beta < 0) | (beta > 1)
                if not bound.any():
                    break
                fixed = np.clip(beta, 0, 1)
                free = ~bound
                h = self._normal
                beta = fixed.copy()
                rhs_free = batch[i, free] - h[np.ix_(free, bound)] @ fixed[bound]
                beta[free] = np.linalg.solve(h[np.ix_(free, free)], rhs_free)
            out[i] = np.clip(beta, 0, 1)
        return out.reshape(rhs.shape)

    # -- one image -----------------------------------------------------------------------------------------------
    def fit(self, landmarks: np.ndarray, image_size: tuple[int, int], blendshapes: np.ndarray | None = None) -> FaceFit:
        """Fit one face in one image.

        Args:
            landmarks: ``(478, 3)`` pixels (x, y) and relative depth z in pixel units (``DetectedFace.landmarks``).
            image_size: ``(width, height)`` of the image.
            blendshapes: ``(52,)`` mediapipe scores in ARKit order (``DetectedFace.blendshapes``), the prior.

        Returns:
            :class:`FaceFit` whose :meth:`FaceFit.landmarks` equal ``landmarks[:, :2]`` (to float precision).
        """
        camera = Camera.mediapipe(*image_size)
        metric = self._metric(landmarks, camera)
        beta = self.solve_beta(metric.canonical - self.model.mean_shape, blendshapes)
        identity = metric.canonical - self.model.expression(beta)
        return FaceFit(identity.astype(np.float32), beta.astype(np.float32), metric.pose, camera, self.model)

    def fit_face(self, face) -> FaceFit:
        """Fit a ``talkinghead.face.DetectedFace`` (its landmarks, blendshapes and image size)."""
        return self.fit(face.landmarks, face.image_size, face.blendshapes)

    # -- a video -------------------------------------------------------------------------------------------------
    def fit_sequence(self, landmarks: np.ndarray, image_size: tuple[int, int],
                     blendshapes: np.ndarray | None = None) -> SequenceFit:
        """Fit one face over ``t`` frames: shared identity, per-frame expression and pose, smoothed in time.

        Args:
            landmarks: ``(t, 478, 3)`` pixels per frame (one face, tracked).
            image_size: ``(width, height)``.
            blendshapes: ``(t, 52)`` mediapipe scores per frame (ARKit order), the prior.
        """
        landmarks = np.asarray(landmarks, np.float64)
        if landmarks.ndim != 3 or landmarks.shape[1:] != (NUM_LANDMARKS, 3):
            raise ValueError(f"landmarks must be (t, 478, 3), got {landmarks.shape}")
        camera = Camera.mediapipe(*image_size)
        metrics = [self._metric(lm, camera) for lm in landmarks]
        cam_pts = np.stack([m.camera_space for m in metrics])
        canon = np.stack([m.canonical for m in metrics])
        poses = [m.pose for m in metrics]
        betas = self.solve_beta(canon - self.model.mean_shape, blendshapes)
        identity = np.mean(canon - self.model.expression(betas), axis=0)
        for _ in range(self.iterations):
            shapes = identity + self.model.expression(betas)
            poses = [weighted_procrustes(s[:NUM_VERTICES], c[:NUM_VERTICES], self.pose_weights)
                     for s, c in zip(shapes, cam_pts)]
            canon = np.stack([p.inverse_apply(c) for p, c in zip(poses, cam_pts)])
            betas = self.solve_beta(canon - identity, blendshapes)
            identity = np.mean(canon - self.model.expression(betas), axis=0)
        rotations = np.stack([p.rotation for p in poses])
        translations = np.stack([p.translation for p in poses])
        scales = np.array([p.scale for p in poses])
        if self.beta_smoothing > 0 and len(betas) > 1:
            betas = np.clip(_smooth(betas, self.beta_smoothing), 0, 1)
        if self.pose_smoothing > 0 and len(betas) > 1:
            rotations, translations, scales = _smooth_poses(rotations, translations, scales, self.pose_smoothing)
        return SequenceFit(identity.astype(np.float32), betas.astype(np.float32), rotations, translations, scales,
                           camera, self.model)

    def _metric(self, landmarks, camera):
        return landmarks_to_metric(landmarks, camera, self.model.mesh, pose_weights=self.pose_weights)


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(np.asarray(x, np.float64), sigma, axis=0, mode="nearest")


def _smooth_poses(rotations, translations, scales, sigma):
    """Gaussian smoothing of poses: rotation vectors relative to the mean rotation, translation, scale."""
    from scipy.spatial.transform import Rotation

    rot = Rotation.from_matrix(rotations)
    mean = rot.mean()
    rel = (mean.inv() * rot).as_rotvec()
    rotations = (mean * Rotation.from_rotvec(_smooth(rel, sigma))).as_matrix()
    return rotations, _smooth(translations, sigma), _smooth(scales, sigma)
