"""Extract mediapipe's canonical face mesh from the face landmarker bundle into a small .npz asset.

The bundle ``face_landmarker.task`` (a zip) holds ``geometry_pipeline_metadata_landmarks.binarypb``, a
``face_geometry.GeometryPipelineMetadata`` protobuf:

    message GeometryPipelineMetadata {
      optional Mesh3d canonical_mesh = 1;
      repeated WeightedLandmarkRef procrustes_landmark_basis = 2;
      optional InputSource input_source = 3;
    }
    message Mesh3d {                      // vertex_type VERTEX_PT: x, y, z, u, v per vertex
      optional VertexType vertex_type = 1;
      optional PrimitiveType primitive_type = 2;   // TRIANGLE
      repeated float vertex_buffer = 3;
      repeated uint32 index_buffer = 4;
    }
    message WeightedLandmarkRef { optional uint32 landmark_id = 1; optional float weight = 2; }

The wire format is parsed here directly (a few lines) so that neither this script nor the library needs
protobuf. Writes ``src/talkinghead/assets/face3d/canonical_mesh.npz`` with

    vertices            (468, 3) float32  canonical metric shape (cm), x to the image right, y up, z towards camera
    uvs                 (468, 2) float32  texture coordinates in [0, 1], v up (mediapipe's convention)
    triangles           (898, 3) int32    vertex indices, counter-clockwise seen from the front
    procrustes_ids      (k,) int32        landmarks used by mediapipe's pose Procrustes
    procrustes_weights  (k,) float32      their weights
    edges_<group>       (e, 2) int32      landmark edges of a feature contour, from mediapipe's
                                          ``FaceLandmarksConnections`` (groups: lips_outer, lips_inner, jaw,
                                          face_oval, eye_left, eye_right, brow_left, brow_right, nose,
                                          iris_left, iris_right; left/right are the subject's)
    source_sha256       ()  str           sha256 of the bundle it came from

Usage: ``python scripts/face3d/extract_mesh.py [--task PATH] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import hashlib
import struct
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "geometry_pipeline_metadata_landmarks.binarypb"
OUT = Path(__file__).resolve().parents[2] / "src/talkinghead/assets/face3d/canonical_mesh.npz"


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(buf: bytes):
    """Yield ``(field_number, wire_type, value)``; value is int (varint / fixed32 raw) or bytes (length-delimited)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        elif wire == 2:
            n, pos = _varint(buf, pos)
            value = buf[pos : pos + n]
            pos += n
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield field, wire, value


def _packed_varints(buf: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(buf):
        v, pos = _varint(buf, pos)
        out.append(v)
    return out


def parse_metadata(buf: bytes) -> dict[str, np.ndarray]:
    """Parse a GeometryPipelineMetadata message into arrays (see module docstring)."""
    floats: list[float] = []
    indices: list[int] = []
    ids: list[int] = []
    weights: list[float] = []
    for field, wire, value in _fields(buf):
        if field == 1:  # canonical_mesh
            for f, w, v in _fields(value):
                if f == 3:
                    floats.extend(struct.unpack(f"<{len(v) // 4}f", v) if w == 2 else struct.unpack("<f", v))
                elif f == 4:
                    indices.extend(_packed_varints(v) if w == 2 else [v])
        elif field == 2:  # procrustes_landmark_basis
            lid, weight = 0, 0.0
            for f, w, v in _fields(value):
                if f == 1:
                    lid = v
                elif f == 2:
                    weight = struct.unpack("<f", v)[0]
            ids.append(lid)
            weights.append(weight)
    vertex_buffer = np.asarray(floats, np.float32).reshape(-1, 5)
    return {
        "vertices": vertex_buffer[:, :3].copy(),
        "uvs": vertex_buffer[:, 3:].copy(),
        "triangles": np.asarray(indices, np.int32).reshape(-1, 3),
        "procrustes_ids": np.asarray(ids, np.int32),
        "procrustes_weights": np.asarray(weights, np.float32),
    }


#: inner lip contour (mediapipe indices): everything else in FACE_LANDMARKS_LIPS is the outer contour.
INNER_LIP = {78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 95, 88, 178, 87, 14, 317, 402, 318, 324}


def edge_groups(vertices: np.ndarray) -> dict[str, np.ndarray]:
    """Feature contours as edge lists, read from mediapipe's connection constants (no typed-in indices)."""
    from mediapipe.tasks.python.vision import FaceLandmarksConnections as C

    def edges(connections) -> np.ndarray:
        return np.array([(c.start, c.end) for c in connections], np.int32).reshape(-1, 2)

    lips = edges(C.FACE_LANDMARKS_LIPS)
    inner = np.isin(lips, list(INNER_LIP)).all(axis=1)
    oval = edges(C.FACE_LANDMARKS_FACE_OVAL)
    # The jaw line is the lower half of the oval: both ends below the ear tragus level (canonical y < 1 cm).
    jaw = oval[(vertices[oval, 1] < 1.0).all(axis=1)]
    return {
        "edges_lips_outer": lips[~inner],
        "edges_lips_inner": lips[inner],
        "edges_jaw": jaw,
        "edges_face_oval": oval,
        "edges_eye_left": edges(C.FACE_LANDMARKS_LEFT_EYE),
        "edges_eye_right": edges(C.FACE_LANDMARKS_RIGHT_EYE),
        "edges_brow_left": edges(C.FACE_LANDMARKS_LEFT_EYEBROW),
        "edges_brow_right": edges(C.FACE_LANDMARKS_RIGHT_EYEBROW),
        "edges_nose": edges(C.FACE_LANDMARKS_NOSE),
        "edges_iris_left": edges(C.FACE_LANDMARKS_LEFT_IRIS),
        "edges_iris_right": edges(C.FACE_LANDMARKS_RIGHT_IRIS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", type=Path, default=None, help="face_landmarker.task (default: the provisioned one)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output .npz (default: {OUT})")
    args = parser.parse_args()
    task = args.task
    if task is None:
        from talkinghead.assets import model_path

        task = model_path("face_landmarker")
    data = Path(task).read_bytes()
    with zipfile.ZipFile(task) as zf:
        mesh = parse_metadata(zf.read(MEMBER))
    assert mesh["vertices"].shape == (468, 3), mesh["vertices"].shape
    assert mesh["triangles"].shape == (898, 3), mesh["triangles"].shape
    args.out.parent.mkdir(parents=True, exist_ok=True)
    mesh.update(edge_groups(mesh["vertices"]))
    np.savez_compressed(args.out, source_sha256=np.array(hashlib.sha256(data).hexdigest()), **mesh)
    print(f"wrote {args.out}: {len(mesh['vertices'])} vertices, {len(mesh['triangles'])} triangles, "
          f"{len(mesh['procrustes_ids'])} procrustes landmarks")


if __name__ == "__main__":
    main()
