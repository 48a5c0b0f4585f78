"""``FaceModel``: mediapipe's canonical topology with a per-subject identity and an ARKit-52 expression basis.

The stand-in for the BFM / FaceVerse 3DMM of MergeTalk (Sec. II-A), OSM-Net (Eq. 1) and VividTalk (Sec. 3):

    S = S_id + sum_k beta_k B_k,        x_cam = scale * R @ S + t,        pixels = camera.project(x_cam)

``S_id`` is the subject's neutral shape (a full ``(478, 3)`` shape, not a PCA code: no identity data set can be
had offline), ``beta`` the 52 ARKit blendshape weights in [0, 1] (``talkinghead.blendshapes.ARKIT_NAMES``
order) and ``B`` the basis fitted from real talking videos by ``scripts/face3d/fit_basis.py``
(``assets/face3d/expression_basis.npz``; docs/face3d.md lists where each shape comes from). All 478 landmarks
are modelled: the 468 mesh vertices and the 10 iris points, which move with the same pose.

Shape legend: ``n`` = 478 landmarks, ``v`` = 468 mesh vertices, ``k`` = 52 blendshapes. Canonical space is
centimetres, x to the subject's left, y up, z out of the face (see :mod:`talkinghead.face3d.camera`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from talkinghead.blendshapes import ARKIT_NAMES
from talkinghead.face3d.camera import Camera, Pose
from talkinghead.face3d.mesh import NUM_LANDMARKS, CanonicalMesh, asset_path, load_canonical_mesh

__all__ = ["FaceModel"]


class FaceModel:
    """Linear face model (Eq. 1 of the papers) on mediapipe's 478-landmark topology.

    Attributes:
        mesh: the canonical mesh (triangles, UVs) of the first 468 points.
        mean_shape: ``(n, 3)`` float32, the average neutral face of the fitting subjects (cm).
        basis: ``(k, n, 3)`` float32, displacement per unit of each blendshape (cm).
        sources: ``(k,)`` where each shape comes from: ``"fitted"``, ``"fitted (single variable)"``,
            ``"geometric"`` or ``"zero"``.
        mirror: ``(n,)`` int, the mirror partner (x -> -x) of each landmark.
        report: the fitting script's statistics (held-out errors, per-shape stability), a dict.
        basis_matrix: ``(k, n * 3)`` float64 view of ``basis`` for least-squares products (read-only).
    """

    def __init__(self, mean_shape: np.ndarray, basis: np.ndarray, mesh: CanonicalMesh | None = None,
                 sources=None, mirror: np.ndarray | None = None, report: dict | None = None):
        self.mesh = mesh or load_canonical_mesh()
        self.mean_shape = np.asarray(mean_shape, np.float32)
        self.basis = np.asarray(basis, np.float32)
        if self.mean_shape.shape != (NUM_LANDMARKS, 3) or self.basis.shape != (52, NUM_LANDMARKS, 3):
            raise ValueError(f"expected mean (478, 3) and basis (52, 478, 3), got {self.mean_shape.shape}, "
                             f"{self.basis.shape}")
        self.sources = tuple(sources) if sources is not None else ("fitted",) * 52
        self.mirror = None if mirror is None else np.asarray(mirror, np.int64)
        self.report = report or {}
        self.basis_matrix = self.basis.reshape(52, -1).astype(np.float64)
        self.basis_matrix.setflags(write=False)

    @classmethod
    def load(cls, path: str | Path | None = None) -> FaceModel:
        """The committed model (``assets/face3d/expression_basis.npz``) or one written by the fitting script."""
        if path is None:
            return _default_model()
        return cls._from_npz(Path(path))

    @classmethod
    def _from_npz(cls, source) -> FaceModel:
        """``source``: a path or a binary file object of an ``.npz`` written by ``scripts/face3d/fit_basis.py``."""
        data = dict(np.load(source, allow_pickle=False))
        report = json.loads(str(data["report"])) if "report" in data else {}
        return cls(data["mean_shape"], data["basis"], sources=[str(s) for s in data["sources"]],
                   mirror=data.get("mirror"), report=report)

    @property
    def names(self) -> tuple[str, ...]:
        """The 52 blendshape names, in basis order (ARKit)."""
        return ARKIT_NAMES

    @functools.cached_property
    def face_height(self) -> float:
        """Forehead top (landmark 10) to chin (152) in the mean shape, cm: the unit of relative errors."""
        return float(np.linalg.norm(self.mean_shape[10, :2] - self.mean_shape[152, :2]))

    def expression(self, beta: np.ndarray) -> np.ndarray:
        """``sum_k beta_k B_k``: ``(..., k)`` -> ``(..., n, 3)`` float64 displacement in cm."""
        beta = np.asarray(beta, np.float64)
        return (beta @ self.basis_matrix).reshape(beta.shape[:-1] + (NUM_LANDMARKS, 3))

    def shape(self, identity: np.ndarray | None = None, beta: np.ndarray | None = None) -> np.ndarray:
        """Eq. 1 in canonical space: ``identity (n, 3)`` (default the mean) + expression -> ``(..., n, 3)`` float64."""
        base = np.asarray(self.mean_shape if identity is None else identity, np.float64)
        return base if beta is None else base + self.expression(beta)

    def camera_points(self, identity: np.ndarray | None, beta: np.ndarray | None, pose: Pose) -> np.ndarray:
        """``(n, 3)`` float64 camera-space points of the posed face."""
        return pose.apply(self.shape(identity, beta))

    def project(self, identity: np.ndarray | None, beta: np.ndarray | None, pose: Pose, camera: Camera) -> np.ndarray:
        """The fast path to warp targets: ``(n, 2)`` float64 pixels (x right, y down) of the 478 landmarks.

        Args:
            identity: ``(n, 3)`` subject neutral shape (``FaceFit.identity``), ``None`` for the mean face.
            beta: ``(52,)`` blendshape weights, ARKit order, ``None`` for neutral.
            pose: canonical -> camera similarity.
            camera: the image's camera (``Camera.mediapipe(w, h)``, possibly cropped / resized).
        """
        return camera.project(self.camera_points(identity, beta, pose))

    def mirror_beta(self, beta: np.ndarray) -> np.ndarray:
        """``(..., 52)`` weights of the mirror-image expression (Left and Right swapped)."""
        from talkinghead.face3d.basis_fit import swap_left_right

        return np.asarray(beta)[..., swap_left_right()]


@functools.lru_cache(maxsize=1)
def _default_model() -> FaceModel:
    with asset_path("expression_basis.npz").open("rb") as f:
        return FaceModel._from_npz(f)
