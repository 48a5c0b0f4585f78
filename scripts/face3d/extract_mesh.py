"""Extract mediapipe's canonical face mesh from the face landmarker bundle into a small .npz asset.

The bundle ``face_landmarker.task`` holds ``geometry_pipeline_metadata_landmarks.binarypb`` (the canonical mesh
with UVs, its triangles and the pose Procrustes weights), parsed by
``talkinghead.face.canonical.read_geometry_metadata``. The asset lets ``talkinghead.face3d`` run without
the model file. Writes ``src/talkinghead/assets/face3d/canonical_mesh.npz`` with

    vertices            (468, 3) float32  canonical metric shape (cm), x to the subject's left, y up, z towards camera
    uvs                 (468, 2) float32  texture coordinates in [0, 1], u right, v down (image-like)
    triangles           (898, 3) int32    vertex indices, counter-clockwise seen from the front
    procrustes_ids      (k,) int32        landmarks used by mediapipe's pose Procrustes
    procrustes_weights  (k,) float32      their weights
    source_sha256       ()  str           sha256 of the bundle it came from

Usage: ``python scripts/face3d/extract_mesh.py [--task PATH] [--out PATH]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from talkinghead.assets import model_path, sha256_file
from talkinghead.face.canonical import read_geometry_metadata

OUT = Path(__file__).resolve().parents[2] / "src/talkinghead/assets/face3d/canonical_mesh.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", type=Path, default=None, help="face_landmarker.task (default: the provisioned one)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output .npz (default: {OUT})")
    args = parser.parse_args()
    task = args.task or model_path("face_landmarker")
    meta = read_geometry_metadata(task)
    assert meta.vertices.shape == (468, 3), meta.vertices.shape
    assert meta.triangles.shape == (898, 3), meta.triangles.shape
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        vertices=meta.vertices.astype(np.float32),
        uvs=meta.uvs.astype(np.float32),
        triangles=meta.triangles.astype(np.int32),
        procrustes_ids=meta.landmark_ids.astype(np.int32),
        procrustes_weights=meta.landmark_weights.astype(np.float32),
        source_sha256=np.array(sha256_file(task)),
    )
    print(f"wrote {args.out}: {len(meta.vertices)} vertices, {len(meta.triangles)} triangles, "
          f"{len(meta.landmark_ids)} Procrustes landmarks")


if __name__ == "__main__":
    main()
