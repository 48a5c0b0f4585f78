"""Per-frame ARKit mouth blendshape curves from visemes, with coarticulation.

Each viseme has a target mouth pose (:data:`VISEME_POSES`, sparse ARKit weights). Poses are blended over
time with dominance functions after Cohen & Massaro, "Modeling coarticulation in synthetic visual
speech" (Models and Techniques in Computer Animation, 1993): segment ``k`` has a dominance
``D_k(t) = alpha_k * exp(-theta * d)`` where ``d`` is the distance from ``t`` to the segment (0 inside it),
with a look-ahead rate ``theta_before`` for times before the segment (anticipatory coarticulation) and a
carry-over rate ``theta_after`` for times after it; the pose is ``sum_k D_k P_k / sum_k D_k``. Lip rounding
(``ou``, ``oh``, ``CH``, ``RR``) anticipates over ~100 ms; lingual consonants (``DD``, ``kk``, ``nn``, ``SS``,
``TH``) have low dominance, so the lips keep the neighbouring vowels' shape while the tongue works.
Curves are averaged over 4 sub-samples per video frame, so phones shorter than a frame still count.

Hard constraints after blending: every frame of a ``PP`` (/p b m/) or ``FF`` (/f v/) segment, and for a
segment shorter than a frame the frame nearest to it, is set to that viseme's pose: lips always close for
bilabials and the lower lip always meets the teeth for labiodentals.

Loudness scales the opening channels (``jawOpen``, ``mouthLowerDown*``, ``mouthUpperUp*``) by
``0.7 + 0.5 * relative_loudness`` (0.7 for quiet speech, 1.2 at the recording's loud peaks).

Scale: open vowels reach ``jawOpen`` 0.22 at typical loudness (0.26 at the loudest), mid vowels ~0.15,
close vowels and consonants 0.02-0.1. This matches what mediapipe measures on real talking video
(DESIGN.md: mean 0.06, 95th percentile 0.19, normal speech about 0.2).
"""

from __future__ import annotations

import numpy as np

from talkinghead.audio.frames import frame_centers
from talkinghead.audio.visemes import VISEMES, VisemeSegment
from talkinghead.blendshapes import ARKIT_NAMES, INDEX

__all__ = ["VISEME_POSES", "DOMINANCE", "pose_matrix", "mouth_curves", "OPENING_CHANNELS"]


def _sym(**weights: float) -> dict[str, float]:
    """Expand ``mouthSmile=0.2`` into ``mouthSmileLeft`` and ``mouthSmileRight``."""
    out: dict[str, float] = {}
    for name, w in weights.items():
        if name in INDEX:
            out[name] = w
        else:
            out[name + "Left"] = out[name + "Right"] = w
    return out


#: viseme -> target ARKit weights (unlisted shapes are 0). ``sil`` is the rest pose: lips together.
VISEME_POSES: dict[str, dict[str, float]] = {
    "sil": {},
    "PP": _sym(jawOpen=0.02, mouthClose=0.6, mouthPress=0.4, mouthRollLower=0.15, mouthRollUpper=0.1,
               mouthShrugLower=0.1),
    "FF": _sym(jawOpen=0.05, mouthClose=0.15, mouthRollLower=0.55, mouthUpperUp=0.2, mouthShrugUpper=0.1,
               mouthPress=0.1),
    "TH": _sym(jawOpen=0.08, tongueOut=0.25, mouthLowerDown=0.1, mouthUpperUp=0.1),
    "DD": _sym(jawOpen=0.07, mouthLowerDown=0.15, mouthUpperUp=0.1, mouthStretch=0.1),
    "kk": _sym(jawOpen=0.1, mouthLowerDown=0.1, mouthStretch=0.15),
    "CH": _sym(jawOpen=0.05, mouthFunnel=0.45, mouthPucker=0.3, mouthUpperUp=0.25, mouthLowerDown=0.2,
               jawForward=0.1),
    "SS": _sym(jawOpen=0.03, mouthStretch=0.25, mouthSmile=0.15, mouthUpperUp=0.15, mouthLowerDown=0.15),
    "nn": _sym(jawOpen=0.07, mouthLowerDown=0.1, mouthUpperUp=0.05, mouthStretch=0.1),
    "RR": _sym(jawOpen=0.07, mouthFunnel=0.25, mouthPucker=0.3, mouthUpperUp=0.1),
    "aa": _sym(jawOpen=0.22, mouthLowerDown=0.3, mouthUpperUp=0.1, mouthStretch=0.05),
    "E": _sym(jawOpen=0.14, mouthStretch=0.3, mouthSmile=0.15, mouthLowerDown=0.25, mouthUpperUp=0.15),
    "ih": _sym(jawOpen=0.07, mouthStretch=0.35, mouthSmile=0.25, mouthUpperUp=0.15, mouthLowerDown=0.15),
    "oh": _sym(jawOpen=0.16, mouthFunnel=0.45, mouthPucker=0.25, mouthLowerDown=0.1),
    "ou": _sym(jawOpen=0.06, mouthPucker=0.65, mouthFunnel=0.3),
}

#: viseme -> (alpha, theta_before, theta_after): dominance magnitude and decay rates in 1/s.
DOMINANCE: dict[str, tuple[float, float, float]] = {
    "sil": (0.7, 30.0, 25.0),
    "PP": (1.0, 40.0, 40.0), "FF": (1.0, 40.0, 40.0),
    "TH": (0.4, 35.0, 35.0), "DD": (0.35, 35.0, 35.0), "kk": (0.35, 35.0, 35.0), "nn": (0.35, 35.0, 35.0),
    "SS": (0.5, 35.0, 35.0), "CH": (0.8, 15.0, 25.0), "RR": (0.7, 15.0, 25.0),
    "aa": (1.0, 25.0, 25.0), "E": (1.0, 25.0, 25.0), "ih": (1.0, 25.0, 25.0),
    "oh": (1.0, 12.0, 20.0), "ou": (1.0, 12.0, 20.0),
}

#: Channels whose amplitude loudness scales.
OPENING_CHANNELS: tuple[str, ...] = (
    "jawOpen", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight",
)
_SUBSAMPLES = 4
_REACH = 0.35  # seconds beyond which a segment's dominance is ignored (exp(-12 * 0.35) < 0.015)


def pose_matrix() -> np.ndarray:
    """``(15, 52)`` float32: row ``v`` is the target pose of viseme ``VISEMES[v]`` in ARKit order."""
    mat = np.zeros((len(VISEMES), len(ARKIT_NAMES)), np.float32)
    for v, name in enumerate(VISEMES):
        for shape, w in VISEME_POSES[name].items():
            mat[v, INDEX[shape]] = w
    return mat


def mouth_curves(segments: list[VisemeSegment], num_frames: int, fps: float, first: int = 0,
                 loudness: np.ndarray | None = None, amplitude: float = 1.0) -> np.ndarray:
    """ARKit mouth weights per video frame.

    Args:
        segments: contiguous viseme segments (absolute times), e.g. from :func:`viseme_segments`.
        num_frames: ``T``; fps: video frame rate; first: global index of the first frame.
        loudness: ``(T,)`` relative loudness in [0, 1] (:func:`~talkinghead.audio.loudness.relative_loudness`),
            or ``None`` for no loudness scaling.
        amplitude: extra factor on the opening channels (1 = natural).

    Returns:
        ``(T, 52)`` float32 in [0, 1], ARKit order; non-mouth shapes are 0.
    """
    out = np.zeros((num_frames, len(ARKIT_NAMES)), np.float32)
    if num_frames == 0:
        return out
    poses = pose_matrix()
    # sub-sample times: 4 per frame, at (i + (k + 0.5) / 4) / fps
    offsets = (np.arange(_SUBSAMPLES) + 0.5) / _SUBSAMPLES - 0.5
    times = (frame_centers(num_frames, fps, first)[:, None] + offsets[None, :] / float(fps)).reshape(-1)
    weighted = np.zeros((len(times), poses.shape[1]), np.float64)
    total = np.zeros(len(times), np.float64)
    for seg in segments:
        alpha, before, after = DOMINANCE[seg.viseme]
        a, b = np.searchsorted(times, [seg.start - _REACH, seg.end + _REACH])
        if a == b:
            continue
        t = times[a:b]
        dist_before = np.maximum(seg.start - t, 0.0)
        dist_after = np.maximum(t - seg.end, 0.0)
        dom = alpha * np.exp(-before * dist_before - after * dist_after)
        weighted[a:b] += dom[:, None] * poses[seg.id][None, :]
        total[a:b] += dom
    blended = np.where(total[:, None] > 1e-9, weighted / np.maximum(total, 1e-9)[:, None], 0.0)
    out[:] = blended.reshape(num_frames, _SUBSAMPLES, -1).mean(axis=1)

    gain = np.full(num_frames, float(amplitude), np.float32)
    if loudness is not None:
        gain *= 0.7 + 0.5 * np.clip(np.asarray(loudness, np.float32), 0.0, 1.0)
    opening = [INDEX[n] for n in OPENING_CHANNELS]
    out[:, opening] *= gain[:, None]

    centers = frame_centers(num_frames, fps, first)
    for seg in segments:  # hard constraints: closures are always reached
        if seg.viseme not in ("PP", "FF"):
            continue
        a, b = np.searchsorted(centers, [seg.start, seg.end])
        if a == b:
            k = int(np.round((seg.start + seg.end) / 2 * fps - 0.5)) - first
            if not 0 <= k < num_frames:
                continue
            a, b = k, k + 1
        out[a:b] = poses[seg.id]
    return np.clip(out, 0.0, 1.0)
