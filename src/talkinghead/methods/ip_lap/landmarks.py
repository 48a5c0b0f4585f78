"""IP-LAP's landmark subsets (Sec. 4.1: n_l = 40 lip + n_j = 17 jaw content points, n_p = 74 pose points,
n_r = 131 = both) taken from mediapipe's 478 landmarks, and the choice of reference frames.

Paper: "n_l = 41, n_j = 16, n_r = 131, n_p = 74". The authors' public implementation splits the 131 points as
40 lip + 17 jaw (content, predicted from audio) and 74 pose points: 8 upper face-oval points + 20 eyebrow + 14
nose + 32 eye points (the pose prior, copied from the target frame). We follow the public split (deviation
listed in ``docs/ip_lap.md``): the 40-point lip set is mediapipe's full outer and inner lip contours.

Shape legend: ``p`` points, coordinates ``(..., p, 2)`` x right, y down, in crop coordinates divided by the
crop side (``WindowDataset.landmarks[..., :2]``).

Order of the 131 points (fixed: the networks see points by position)::

    0..39    LIPS       outer contour (20) then inner contour (20), landmark_groups order
    40..56   JAW        17 points of the face oval from the left jaw corner (361) over the chin to the right (132)
    57..64   UPPER_OVAL 4 oval points above each jaw corner (389, 356, 454, 323, 93, 234, 127, 162)
    65..84   BROWS      right brow (10) then left brow (10)
    85..98   NOSE       nose ridge (5) then the nostril line (9)
    99..130  EYES       right eye (16) then left eye (16)
"""

from __future__ import annotations

import numpy as np

from talkinghead.face import landmark_groups as g

__all__ = ["LIPS", "JAW", "UPPER_OVAL", "BROWS", "NOSE", "EYES", "CONTENT", "POSE", "ALL", "NUM_LIP",
           "NUM_JAW", "NUM_CONTENT", "NUM_POSE", "NUM_ALL", "split", "merge", "mouth_opening",
           "choose_references"]

LIPS: tuple[int, ...] = tuple(g.LIPS_OUTER) + tuple(g.LIPS_INNER)
JAW: tuple[int, ...] = tuple(g.FACE_OVAL[10:27])
UPPER_OVAL: tuple[int, ...] = tuple(g.FACE_OVAL[6:10]) + tuple(g.FACE_OVAL[27:31])
BROWS: tuple[int, ...] = tuple(g.RIGHT_BROW) + tuple(g.LEFT_BROW)
#: nose ridge from between the eyes to above the tip, then the line across the nostrils (right to left)
NOSE: tuple[int, ...] = (168, 6, 197, 195, 5) + (48, 115, 220, 45, 4, 275, 440, 344, 278)
EYES: tuple[int, ...] = tuple(g.RIGHT_EYE) + tuple(g.LEFT_EYE)

#: predicted from audio (Sec. 3.1): lips then jaw
CONTENT: tuple[int, ...] = LIPS + JAW
#: the pose prior (Sec. 3.1): copied from the target frame
POSE: tuple[int, ...] = UPPER_OVAL + BROWS + NOSE + EYES
#: the reference landmarks: content then pose
ALL: tuple[int, ...] = CONTENT + POSE

NUM_LIP, NUM_JAW = len(LIPS), len(JAW)
NUM_CONTENT, NUM_POSE, NUM_ALL = len(CONTENT), len(POSE), len(ALL)
assert (NUM_LIP, NUM_JAW, NUM_POSE, NUM_ALL) == (40, 17, 74, 131) and len(set(ALL)) == 131

#: inner-lip centre points (13 upper, 14 lower) as positions in ALL / CONTENT
_UPPER_INNER, _LOWER_INNER = ALL.index(g.INNER_LIP_CENTER[0]), ALL.index(g.INNER_LIP_CENTER[1])


def split(points478):
    """``(..., 478, c)`` -> (content ``(..., 57, c)``, pose ``(..., 74, c)``); numpy arrays or torch tensors."""
    return points478[..., list(CONTENT), :], points478[..., list(POSE), :]


def merge(content, pose):
    """Content ``(..., 57, c)`` and pose ``(..., 74, c)`` -> the 131 points ``(..., 131, c)`` in :data:`ALL`
    order (numpy or torch, whichever the inputs are)."""
    if isinstance(content, np.ndarray):
        return np.concatenate([content, pose], axis=-2)
    import torch

    return torch.cat([content, pose], dim=-2)


def mouth_opening(points131) -> np.ndarray:
    """Inner-lip gap ``(...,)``: distance between landmarks 13 and 14 (in the points' units)."""
    p = np.asarray(points131, np.float64)
    return np.linalg.norm(p[..., _UPPER_INNER, :2] - p[..., _LOWER_INNER, :2], axis=-1)


def choose_references(points131: np.ndarray, count: int) -> np.ndarray:
    """Indices of ``count`` frames spread over the range of mouth openness (Sec. 3.1: references "chosen across
    the range"; the public implementation sorts the frames by lip opening and takes evenly spaced ranks).

    Args:
        points131: ``(t, 131, 2)`` landmarks of the frames to choose from.
        count: how many (frames repeat when ``count > t``).

    Returns:
        ``(count,)`` int64 frame indices, ordered from the most closed mouth to the most open.
    """
    t = len(points131)
    if t == 0:
        raise ValueError("no frames to choose references from")
    order = np.argsort(mouth_opening(points131), kind="stable")
    ranks = np.round(np.linspace(0, t - 1, int(count))).astype(np.int64)
    return order[ranks].astype(np.int64)
