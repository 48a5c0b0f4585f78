"""The usage example of docs/face3d.md runs (STYLE.md 21)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

DOC = Path(__file__).resolve().parents[2] / "docs" / "face3d.md"


def test_docs_example_runs(astronaut, landmarker_model):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace = {"image": astronaut}
    exec(compile(code, str(DOC), "exec"), namespace)
    assert set(namespace["out"]) == {"shaded", "textured", "ncc", "depth", "mask"}
    face, fit = namespace["face"], namespace["fit"]
    np.testing.assert_allclose(fit.landmarks(), face.landmarks[:, :2], atol=1e-3)
    assert namespace["targets"].shape == (478, 2)
