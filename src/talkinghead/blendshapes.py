"""The 52 ARKit blendshape names, in ARKit's order, and conversion from mediapipe's order.

Every blendshape vector in this package (``SourceFace.blendshapes``, audio mouth curves, ``Motion``) is
``(..., 52)`` in ``ARKIT_NAMES`` order, values in [0, 1]. This is the order of
``ARFaceAnchor.BlendShapeLocation`` as Live Link Face writes its CSV columns, so exports need no reordering.
mediapipe's FaceLandmarker reports 52 categories in its own (alphabetical) order, the first being
``_neutral`` and with no ``tongueOut``: :func:`from_mediapipe` maps them (tongueOut becomes 0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ARKIT_NAMES", "MEDIAPIPE_NAMES", "INDEX", "from_mediapipe", "MOUTH_NAMES", "EYE_NAMES", "BROW_NAMES"]

ARKIT_NAMES: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft", "eyeSquintLeft",
    "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpRight",
    "eyeSquintRight", "eyeWideRight", "jawForward", "jawRight", "jawLeft", "jawOpen", "mouthClose",
    "mouthFunnel", "mouthPucker", "mouthRight", "mouthLeft", "mouthSmileLeft", "mouthSmileRight",
    "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft",
    "mouthStretchRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
    "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)
assert len(ARKIT_NAMES) == 52

#: name -> index in ARKIT_NAMES
INDEX: dict[str, int] = {name: i for i, name in enumerate(ARKIT_NAMES)}

#: mediapipe FaceLandmarker's category order (face_blendshapes.tflite output).
MEDIAPIPE_NAMES: tuple[str, ...] = ("_neutral",) + tuple(sorted(n for n in ARKIT_NAMES if n != "tongueOut"))
assert len(MEDIAPIPE_NAMES) == 52

_MP_TO_ARKIT = np.array([INDEX[n] for n in MEDIAPIPE_NAMES[1:]])

MOUTH_NAMES = tuple(n for n in ARKIT_NAMES if n.startswith(("jaw", "mouth", "tongue", "cheekPuff")))
EYE_NAMES = tuple(n for n in ARKIT_NAMES if n.startswith("eye"))
BROW_NAMES = tuple(n for n in ARKIT_NAMES if n.startswith("brow"))


def from_mediapipe(scores: np.ndarray) -> np.ndarray:
    """``(..., 52)`` scores in mediapipe's order -> ``(..., 52)`` float32 in ARKit order (tongueOut = 0)."""
    scores = np.asarray(scores, dtype=np.float32)
    out = np.zeros(scores.shape[:-1] + (52,), np.float32)
    out[..., _MP_TO_ARKIT] = scores[..., 1:]
    return out
