"""mediapipe's canonical face mesh: 468 vertices with UVs, 898 triangles, Procrustes weights, feature contours.

Read from ``assets/face3d/canonical_mesh.npz``, which ``scripts/face3d/extract_mesh.py`` derived from the face
landmarker bundle's geometry metadata; landmark groups (lips, eyes) come from
:mod:`talkinghead.face.landmark_groups` (the stand-in for the BFM / FaceVerse topology of MergeTalk Sec. II-A,
OSM-Net Eq. 1 and VividTalk Sec. 3; DESIGN.md, "What stands in").

Shape legend: ``v`` = 468 mesh vertices, ``n`` = 478 landmarks (mesh vertices then 10 iris points).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

__all__ = ["CanonicalMesh", "load_canonical_mesh", "NUM_VERTICES", "NUM_LANDMARKS", "asset_path"]

NUM_VERTICES = 468
NUM_LANDMARKS = 478


def asset_path(name: str):
    """Path of a committed face3d asset file (``src/talkinghead/assets/face3d/<name>``)."""
    return resources.files("talkinghead").joinpath("assets", "face3d", name)


@dataclass(frozen=True, eq=False)
class CanonicalMesh:
    """The canonical face mesh in canonical space (centimetres, x to the subject's left, y up, z out of the face).

    Attributes:
        vertices: ``(v, 3)`` float32 canonical (mean) shape.
        uvs: ``(v, 2)`` float32 texture coordinates in [0, 1], laid out like a frontal image: u to
            the image right, v down (forehead near v = 0.1, chin near 0.95).
        triangles: ``(898, 3)`` int32, counter-clockwise seen from the front.
        procrustes_ids, procrustes_weights: ``(k,)`` the landmarks and weights mediapipe's pose Procrustes uses.
        mouth_triangles: ``(898,)`` bool, the 18 triangles spanning the mouth opening (inner lips only); they
            are the cavity, not skin.
        eye_triangles: ``(898,)`` bool, the triangles spanning the eye openings (eyelid rims only).
    """

    vertices: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray
    procrustes_ids: np.ndarray
    procrustes_weights: np.ndarray
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
    from talkinghead.face import landmark_groups as groups

    with asset_path("canonical_mesh.npz").open("rb") as f:
        data = dict(np.load(f, allow_pickle=False))
    triangles = data["triangles"].astype(np.int64)
    inner_lip = list(groups.LIPS_INNER)
    eye_rims = list(groups.LEFT_EYE) + list(groups.RIGHT_EYE)
    arrays = {k: data[k] for k in ("vertices", "uvs")}
    for a in arrays.values():
        a.setflags(write=False)
    return CanonicalMesh(
        vertices=arrays["vertices"],
        uvs=arrays["uvs"],
        triangles=triangles,
        procrustes_ids=data["procrustes_ids"].astype(np.int64),
        procrustes_weights=data["procrustes_weights"].astype(np.float32),
        mouth_triangles=np.isin(triangles, inner_lip).all(axis=1),
        eye_triangles=np.isin(triangles, eye_rims).all(axis=1),
    )
