"""mediapipe's canonical face model, read from the landmarker bundle.

``face_landmarker.task`` holds ``geometry_pipeline_metadata_landmarks.binarypb``: the 468-vertex canonical
mesh (centimetres; x to the subject's left, y up, z out of the face), its UVs and 898 triangles, and the 33
landmarks (with weights) of the weighted Procrustes fit mediapipe uses for the head pose.
``scripts/face3d/extract_mesh.py`` stores it as the asset :func:`talkinghead.face3d.load_canonical_mesh` reads.
"""

from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass

import numpy as np

__all__ = ["GeometryMetadata", "read_geometry_metadata"]


@dataclass(frozen=True)
class GeometryMetadata:
    """mediapipe's canonical face model as stored in ``face_landmarker.task``.

    Attributes:
        vertices: ``(468, 3)`` float32 canonical positions in cm.
        uvs: ``(468, 2)`` float32 texture coordinates in [0, 1].
        triangles: ``(898, 3)`` int32 vertex indices.
        landmark_ids: ``(33,)`` int64 ids of the Procrustes basis.
        landmark_weights: ``(33,)`` float32 weights of the basis.
    """

    vertices: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray
    landmark_ids: np.ndarray
    landmark_weights: np.ndarray


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(buf: bytes):
    """Yield ``(field number, wire type, value)`` of a protobuf message (value: int or bytes)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _floats(items) -> list[float]:
    out: list[float] = []
    for wire, value in items:
        if wire == 5:
            out.append(struct.unpack("<f", value)[0])
        else:  # packed
            out.extend(struct.unpack(f"<{len(value) // 4}f", value))
    return out


def _uints(items) -> list[int]:
    out: list[int] = []
    for wire, value in items:
        if wire == 0:
            out.append(value)
        else:  # packed
            j = 0
            while j < len(value):
                v, j = _varint(value, j)
                out.append(v)
    return out


def read_geometry_metadata(model_path: str | os.PathLike | None = None) -> GeometryMetadata:
    """Parse ``geometry_pipeline_metadata_landmarks.binarypb`` from a ``face_landmarker.task`` bundle.

    The message is ``GeometryPipelineMetadata {canonical_mesh = 1 (Mesh3d: vertex_buffer = 3 as x, y, z, u, v
    per vertex; index_buffer = 4); procrustes_landmark_basis = 2 (landmark_id = 1, weight = 2)}``; a small
    wire-format reader avoids a protobuf dependency.

    Args:
        model_path: the ``.task`` file; default the provisioned ``face_landmarker`` model.
    """
    if model_path is None:
        from talkinghead.assets import model_path as provisioned

        model_path = provisioned("face_landmarker")
    with zipfile.ZipFile(model_path) as zf:
        data = zf.read("geometry_pipeline_metadata_landmarks.binarypb")
    mesh = b""
    ids, weights = [], []
    for number, _, value in _fields(data):
        if number == 1:
            mesh = value
        elif number == 2:
            entry = {n: (w, v) for n, w, v in _fields(value)}
            ids.append(entry.get(1, (0, 0))[1])  # proto2 default: an absent landmark_id is 0
            weights.append(_floats([entry[2]])[0] if 2 in entry else 0.0)
    vertex_items = [(w, v) for n, w, v in _fields(mesh) if n == 3]
    index_items = [(w, v) for n, w, v in _fields(mesh) if n == 4]
    buffer = np.array(_floats(vertex_items), dtype=np.float32).reshape(-1, 5)
    triangles = np.array(_uints(index_items), dtype=np.int32).reshape(-1, 3)
    return GeometryMetadata(buffer[:, :3].copy(), buffer[:, 3:].copy(), triangles,
                            np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32))
