"""The geometry metadata parser reads mediapipe's canonical model from the landmarker bundle."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face.canonical import read_geometry_metadata


def test_read_geometry_metadata(landmarker_model):
    meta = read_geometry_metadata(landmarker_model)
    assert meta.vertices.shape == (468, 3) and meta.uvs.shape == (468, 2)
    assert meta.triangles.shape == (898, 3) and meta.triangles.max() == 467 and meta.triangles.min() == 0
    assert meta.landmark_ids.shape == (33,) and (meta.landmark_weights > 0).all()
    assert 0.9 < float(meta.landmark_weights.sum()) < 1.1
    weight = dict(zip(meta.landmark_ids.tolist(), meta.landmark_weights.tolist()))
    assert weight[4] == pytest.approx(0.0709, abs=1e-4)  # the nose tip, the first entry (id 4) of the basis
    assert weight[33] == weight[263] and weight[129] == weight[358]  # mirrored points weigh the same
    assert 0.0 <= meta.uvs.min() and meta.uvs.max() <= 1.0
    # metric: a face is ~15 cm wide, symmetric about x = 0
    assert 14 < np.ptp(meta.vertices[:, 0]) < 17
    assert abs(meta.vertices[:, 0].mean()) < 1e-3
