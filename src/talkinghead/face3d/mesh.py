"""mediapipe's canonical face mesh: 468 vertices with UVs, 898 triangles, Procrustes weights, feature contours.

Read from ``assets/face3d/canonical_mesh.npz``, which ``scripts/face3d/extract_mesh.py`` derived from the face
landmarker bundle's geometry metadata (the stand-in for the BFM / FaceVerse topology of MergeTalk Sec. II-A,
OSM-Net Eq. 1 and VividTalk Sec. 3; DESIGN.md, "What stands in").

Shape legend: ``v`` = 468 mesh vertices, ``n`` = 478 landmarks (mesh vertices then 10 iris points).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

__all__ = ["CanonicalMesh", "load_canonical_mesh", "NUM_VERTICES", "NUM_LANDMARKS", "asset_path", "SKETCH_GROUPS"]

NUM_VERTICES = 468
NUM_LANDMARKS = 478

#: Feature contours stored in the asset; left/right are the subject's (left = image right in a frontal view).
SKETCH_GROUPS: tuple[str, ...] = (
    "lips_outer", "lips_inner", "jaw", "eye_left", "eye_right", "brow_left", "brow_right", "nose",
    "iris_left", "iris_right", "face_oval",
)


def asset_path(name: str):
    """Path of a committed face3d asset file (``src/talkinghead/assets/face3d/<name>``)."""
    return resources.files("talkinghead").joinpath("assets", "face3d", name)


@dataclass(frozen=True, eq=False)
class CanonicalMesh:
    """The canonical face mesh in canonical space (centimetres, x to the subject's left, y up, z out of the face).

    Attributes:
        vertices: ``(v, 3)`` float32 canonical (mean) shape.
        uvs: ``(v, 2)`` float32 texture coordinates in [0, 1], v pointing up.
        triangles: ``(898, 3)`` int32, counter-clockwise seen from the front.
        procrustes_ids, procrustes_weights: ``(k,)`` the landmarks and weights mediapipe's pose Procrustes uses.
        edges: group name -> ``(e, 2)`` int32 landmark index pairs (see :data:`SKETCH_GROUPS`).
        mouth_triangles: ``(898,)`` bool, the 18 triangles spanning the mouth opening (inner lips only); they
            are the cavity, not skin.
        eye_triangles: ``(898,)`` bool, the triangles spanning the eye openings (eyelid rims only).
    """

    vertices: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray
    procrustes_ids: np.ndarray
    procrustes_weights: np.ndarray
    edges: dict[str, np.ndarray] = field(repr=False)
    mouth_triangles: np.ndarray = field(repr=False)
    eye_triangles: np.ndarray = field(repr=False)

    @property
    def skin_triangles(self) -> np.ndarray:
        """``(f, 3)`` the triangles that are skin (neither mouth opening nor eye opening)."""
        return self.triangles[~(self.mouth_triangles | self.eye_triangles)]

    def landmark_weights(self) -> np.ndarray:
        """``(v,)`` float64 Procrustes weights over all mesh vertices (zero outside the weighted set)."""
        w = np.zeros(NUM_VERTICES)
        w[self.procrustes_ids] = self.procrustes_weights
        return w


@functools.lru_cache(maxsize=1)
def load_canonical_mesh() -> CanonicalMesh:
    """Load (once) the committed canonical mesh asset."""
    with asset_path("canonical_mesh.npz").open("rb") as f:
        data = dict(np.load(f, allow_pickle=False))
    edges = {g: data[f"edges_{g}"].astype(np.int64) for g in SKETCH_GROUPS}
    triangles = data["triangles"].astype(np.int64)
    inner_lip = np.unique(np.concatenate([edges["lips_inner"].ravel()]))
    eye_rims = np.unique(np.concatenate([edges["eye_left"].ravel(), edges["eye_right"].ravel()]))
    arrays = {k: data[k] for k in ("vertices", "uvs")}
    for a in arrays.values():
        a.setflags(write=False)
    return CanonicalMesh(
        vertices=arrays["vertices"],
        uvs=arrays["uvs"],
        triangles=triangles,
        procrustes_ids=data["procrustes_ids"].astype(np.int64),
        procrustes_weights=data["procrustes_weights"].astype(np.float32),
        edges=edges,
        mouth_triangles=np.isin(triangles, inner_lip).all(axis=1),
        eye_triangles=np.isin(triangles, eye_rims).all(axis=1),
    )
