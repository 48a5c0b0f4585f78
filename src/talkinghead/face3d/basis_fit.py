"""Fitting a linear ARKit-52 expression basis from real landmark sequences (the data side of ``FaceModel``).

MergeTalk (Sec. II-A), OSM-Net (Eq. 1) and VividTalk (Sec. 3) drive a 3DMM whose expression basis came with
the model (BFM / FaceVerse). None can be had offline (DESIGN.md), so ours is learnt from talking videos: each
frame's 478 landmarks are mapped to canonical space (:mod:`talkinghead.face3d.metric`), and per-vertex
displacements are regressed on mediapipe's 52 blendshape scores, per-subject neutral removed:

    P_f = N_s(f) + sum_k b_fk B_k + noise            (Eq. 1 with S_id = N_s, beta = mediapipe's scores)

solved as a fixed-effects ridge regression (centre P and b per subject, then ridge). Priors make the solution
usable with little data:

- *symmetry*: every frame is also used mirrored (x -> -x, landmarks swapped with their mirror partner, Left and
  Right scores swapped), so paired shapes are exact mirror images and unpaired ones are symmetric;
- *locality*: a soft region prior (a large extra ridge penalty outside the region) keeps Left shapes on the
  subject's left, eye and brow shapes above the nose, mouth and jaw shapes below the eyes; without it the
  regression moves the brows with ``jawOpen`` because speakers raise their brows as they open their mouths;
- *single-variable shapes* (``jawOpen``): fitted alone first (simple regression, which keeps the displacement of
  co-activated shapes and so the data's overall mouth-opening slope), the others on what it leaves.

Shapes that the data barely excites get geometric definitions (:func:`geometric_shapes`); the choice is made by
``scripts/face3d/fit_basis.py`` from the excitation and split-half stability computed here.

Shape legend: ``N`` frames, ``n`` = 478 landmarks, ``k`` = 52 blendshapes, ``s`` subjects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from talkinghead.blendshapes import ARKIT_NAMES, INDEX
from talkinghead.face3d.mesh import NUM_VERTICES

__all__ = [
    "mirror_map", "swap_left_right", "mirror_frames", "region_prior", "fit_expression_basis",
    "subject_neutrals", "predict", "landmark_error", "shape_stability", "geometric_shapes", "REGION_GROUPS",
]

#: blendshape name prefixes of each region of the locality prior
REGION_GROUPS = {
    "upper": ("eye", "brow", "cheekSquint", "noseSneer"),
    "lower": ("jaw", "mouth", "cheekPuff", "tongue"),
}


def mirror_map(points: np.ndarray, exact: int = NUM_VERTICES) -> np.ndarray:
    """``(n,)`` index of each point's mirror partner (x -> -x): nearest neighbour of the mirrored point.

    Args:
        points: ``(n, 3)`` a symmetric shape in canonical space (x = 0 is the mid-plane).
        exact: the first ``exact`` points are matched among themselves, the rest (iris) among themselves.
    """
    points = np.asarray(points, np.float64)
    out = np.empty(len(points), np.int64)
    for lo, hi in ((0, exact), (exact, len(points))):
        if hi <= lo:
            continue
        block = points[lo:hi]
        mirrored = block * np.array([-1.0, 1.0, 1.0])
        d = np.linalg.norm(mirrored[:, None] - block[None], axis=-1)
        out[lo:hi] = lo + d.argmin(1)
    return out


def swap_left_right() -> np.ndarray:
    """``(52,)`` permutation of ARKit indices that swaps each Left shape with its Right partner."""
    def partner(name: str) -> str:
        return name.replace("Left", "#").replace("Right", "Left").replace("#", "Right")

    return np.array([INDEX[partner(n)] for n in ARKIT_NAMES])


def mirror_frames(canonical: np.ndarray, scores: np.ndarray, mirror: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mirror images of frames: ``(N, n, 3)`` shapes and ``(N, 52)`` scores (Left/Right swapped)."""
    return canonical[:, mirror] * np.array([-1.0, 1.0, 1.0]), scores[:, swap_left_right()]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def region_prior(mean_shape: np.ndarray, midline: float = 0.5, eye_floor: float = 0.0, mouth_ceiling: float = 1.5,
                 softness: float = 0.35) -> np.ndarray:
    """``(52, n)`` in [0, 1]: where each shape may move (1) or is held still by the ridge (0).

    Args:
        mean_shape: ``(n, 3)`` canonical shape (cm) whose x and y define the regions.
        midline: Left shapes may move points with x > -midline (Right: x < midline), cm.
        eye_floor: eye, brow, cheekSquint and noseSneer shapes move points above this y (cm; the nose tip is
            at about -0.5, the lower eyelid at 2.3).
        mouth_ceiling: jaw, mouth and cheekPuff shapes move points below this y (cm).
        softness: width of the sigmoid transitions, cm.
    """
    x, y = mean_shape[:, 0], mean_shape[:, 1]
    out = np.ones((52, len(mean_shape)))
    for k, name in enumerate(ARKIT_NAMES):
        if "Left" in name:
            out[k] *= _sigmoid((x + midline) / softness)
        if "Right" in name:
            out[k] *= _sigmoid((midline - x) / softness)
        if name.startswith(REGION_GROUPS["upper"]):
            out[k] *= _sigmoid((y - eye_floor) / softness)
        if name.startswith(REGION_GROUPS["lower"]):
            out[k] *= _sigmoid((mouth_ceiling - y) / softness)
    return out


def _center(canonical: np.ndarray, scores: np.ndarray, subjects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pc = np.array(canonical, np.float64)
    bc = np.array(scores, np.float64)
    for s in np.unique(subjects):
        m = subjects == s
        pc[m] -= pc[m].mean(0)
        bc[m] -= bc[m].mean(0)
    return pc, bc


def fit_expression_basis(
    canonical: np.ndarray,
    scores: np.ndarray,
    subjects: np.ndarray,
    *,
    ridge: float = 0.3,
    region_penalty: float = 1e3,
    mirror: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    single_variable: Sequence[str] = ("jawOpen",),
) -> np.ndarray:
    """Fixed-effects ridge regression of canonical landmark displacements on blendshape scores.

    Minimises ``sum_f |P_f - N_s(f) - b_f B|^2 + sum_{k,v} (ridge + region_penalty (1 - prior_kv)) |B_kv|^2``
    over ``B`` and the per-subject neutrals ``N_s`` (eliminated by centring each subject).

    Args:
        canonical: ``(N, n, 3)`` landmarks in canonical space, cm.
        scores: ``(N, 52)`` blendshape scores, ARKit order.
        subjects: ``(N,)`` int subject (video) id of each frame.
        ridge: base ridge penalty (in units of score^2 x frames).
        region_penalty: extra penalty where ``prior`` is 0 (see :func:`region_prior`).
        mirror: ``(n,)`` mirror partner of each landmark (:func:`mirror_map`); if given, mirrored frames are
            added (symmetry prior).
        prior: ``(52, n)`` locality prior; default all ones (no locality).
        single_variable: shapes fitted first, each alone by simple regression (masked by ``prior``).

    Returns:
        ``(52, n, 3)`` float64 basis, cm per unit score.
    """
    canonical = np.asarray(canonical, np.float64)
    scores = np.asarray(scores, np.float64)
    subjects = np.asarray(subjects)
    n = canonical.shape[1]
    if mirror is not None:
        mp, ms = mirror_frames(canonical, scores, mirror)
        canonical = np.concatenate([canonical, mp])
        scores = np.concatenate([scores, ms])
        subjects = np.concatenate([subjects, subjects.max() + 1 + subjects])
    prior = np.ones((52, n)) if prior is None else np.asarray(prior, np.float64)
    pc, bc = _center(canonical, scores, subjects)
    basis = np.zeros((52, n, 3))
    fixed = [INDEX[name] for name in single_variable]
    for k in fixed:
        x = bc[:, k]
        if x @ x <= 0:
            continue
        basis[k] = np.tensordot(x, pc, 1) / (x @ x) * prior[k][:, None]
        pc = pc - x[:, None, None] * basis[k]
    active = np.array([k for k in range(52) if k not in fixed])
    xa = bc[:, active]
    gram = xa.T @ xa
    xty = np.tensordot(xa.T, pc, 1)  # (a, n, 3)
    for v in range(n):  # per-landmark penalties: one small (a x a) solve each
        penalty = ridge + region_penalty * (1.0 - prior[active, v])
        basis[active, v] = np.linalg.solve(gram + np.diag(penalty), xty[:, v])
    return basis


def subject_neutrals(canonical: np.ndarray, scores: np.ndarray, subjects: np.ndarray, basis: np.ndarray) -> dict:
    """Per-subject neutral shape ``N_s = mean(P) - mean(b) B``: subject id -> ``(n, 3)``."""
    return {s: canonical[subjects == s].mean(0) - np.tensordot(scores[subjects == s].mean(0), basis, 1)
            for s in np.unique(subjects)}


def predict(neutral: np.ndarray, scores: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Eq. 1 in canonical space: ``(n, 3)`` neutral + ``(N, 52)`` scores -> ``(N, n, 3)``."""
    return neutral + np.tensordot(scores, basis, 1)


def landmark_error(pred: np.ndarray, target: np.ndarray, face_height: float, index=None) -> float:
    """Mean 2D (x, y) landmark distance in % of ``face_height`` over frames and the landmarks ``index``."""
    sel = slice(None) if index is None else np.asarray(index)
    return float(np.linalg.norm((pred - target)[:, sel, :2], axis=-1).mean() / face_height * 100.0)


def shape_stability(basis_a: np.ndarray, basis_b: np.ndarray) -> np.ndarray:
    """``(52,)`` cosine similarity of each shape between two fits (0 where either is zero)."""
    a = basis_a.reshape(52, -1)
    b = basis_b.reshape(52, -1)
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    return np.where(na * nb > 0, (a * b).sum(1) / np.maximum(na * nb, 1e-12), 0.0)


def _gauss(points: np.ndarray, centre: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-np.sum((points - centre) ** 2, axis=-1) / (2 * sigma**2))


def geometric_shapes(mean_shape: np.ndarray, basis: np.ndarray, groups) -> dict[str, np.ndarray]:
    """Blendshapes defined geometrically, for shapes real talking data does not excite.

    Each is a displacement field ``(n, 3)`` in cm at score 1, built from smooth regional weights on the mean
    shape and, where it is the natural reference, from the fitted shapes (the jaw region from ``jawOpen``, the
    upper eyelid from ``eyeBlink``). Magnitudes are typical full-activation amplitudes of ARKit rigs. Left is
    the subject's left (+x).

    Args:
        mean_shape: ``(n, 3)`` canonical neutral shape.
        basis: ``(52, n, 3)`` the fitted basis (``jawOpen`` and ``eyeBlink*`` are read).
        groups: the landmark groups module (``talkinghead.face.landmark_groups``): lip contours, corners.

    Returns:
        name -> ``(n, 3)`` float64 for jawForward, jawLeft, jawRight, mouthClose, mouthLeft, mouthRight,
        mouthFrown*, mouthDimple*, mouthStretch*, mouthRoll*, mouthPress*, mouthShrug*, mouthPucker,
        mouthFunnel, cheekPuff, cheekSquint*, noseSneer*, eyeWide*,
        eyeLook* (the iris turned by 30 degrees about the eyeball centre, 1.2 cm behind it), tongueOut.
    """
    p = np.asarray(mean_shape, np.float64)
    n = len(p)
    jaw = basis[INDEX["jawOpen"]]
    chin = np.linalg.norm(jaw[groups.CHIN])
    w_jaw = np.clip(np.linalg.norm(jaw, axis=1) / max(chin, 1e-9), 0.0, 1.0)  # 1 at the chin, 0 above the mouth
    lips = np.array(groups.LIPS)
    d_lips = np.linalg.norm(p[:, None] - p[None, lips], axis=-1).min(1)
    w_lips = np.exp(-(d_lips**2) / (2 * 0.8**2))
    corner_r, corner_l = (p[i] for i in groups.MOUTH_CORNERS)
    w_corner_r, w_corner_l = _gauss(p, corner_r, 0.9), _gauss(p, corner_l, 0.9)
    out: dict[str, np.ndarray] = {}
    out["jawForward"] = w_jaw[:, None] * np.array([0.0, 0.0, 1.0])
    out["jawLeft"] = w_jaw[:, None] * np.array([1.0, 0.0, 0.0])
    out["jawRight"] = w_jaw[:, None] * np.array([-1.0, 0.0, 0.0])
    out["mouthLeft"] = w_lips[:, None] * np.array([1.0, 0.0, 0.0])
    out["mouthRight"] = w_lips[:, None] * np.array([-1.0, 0.0, 0.0])
    # mouthClose: lips meet halfway across the gap jawOpen opens, whatever the jaw does (ARKit semantics).
    upper_i, lower_i = groups.INNER_LIP_CENTER
    gap = jaw[lower_i] - jaw[upper_i]
    half = len(groups.LIPS_INNER) // 2
    lower = set(groups.LIPS_INNER[1:half]) | set(groups.LIPS_OUTER[1:half])
    upper = set(groups.LIPS_INNER[half + 1:]) | set(groups.LIPS_OUTER[half + 1:])
    corner_x = abs(corner_l[0])
    close = np.zeros((n, 3))
    for i in lower | upper:
        taper = float(np.clip(1.0 - (p[i, 0] / corner_x) ** 2, 0.0, 1.0))
        close[i] = (-0.5 if i in lower else 0.5) * gap * taper
    out["mouthClose"] = close
    for side, w, sx in (("Left", w_corner_l, 1.0), ("Right", w_corner_r, -1.0)):
        out[f"mouthFrown{side}"] = w[:, None] * np.array([0.0, -0.5, 0.0])
        out[f"mouthDimple{side}"] = w[:, None] * np.array([0.3 * sx, 0.1, -0.3])
        out[f"mouthStretch{side}"] = w[:, None] * np.array([0.5 * sx, -0.3, 0.0])
        cheek = np.array([sx * 3.5, 0.7, 3.7])  # under the eye, over the cheekbone
        out[f"cheekSquint{side}"] = _gauss(p, cheek, 1.2)[:, None] * np.array([0.0, 0.35, 0.1])
        ala = np.array([sx * 1.7, -1.0, 5.0])
        out[f"noseSneer{side}"] = _gauss(p, ala, 0.7)[:, None] * np.array([0.0, 0.3, 0.05])
        blink = basis[INDEX[f"eyeBlink{side}"]]
        eye = np.array(groups.LEFT_EYE if side == "Left" else groups.RIGHT_EYE)
        eye_y = p[eye, 1].mean()
        upper_lid = (p[:, 1] > eye_y) & (blink[:, 1] < 0)
        out[f"eyeWide{side}"] = -0.3 * blink * upper_lid[:, None]
    # Lip roll: the lip turns in over the teeth (its outer contour goes towards the inner one and back).
    taper_all = np.clip(1.0 - (p[:, 0] / corner_x) ** 2, 0.0, 1.0)
    rolls = (("mouthRollLower", groups.LIPS_OUTER[1:half], groups.LIPS_INNER[1:half], 1.0),
             ("mouthRollUpper", groups.LIPS_OUTER[half + 1:], groups.LIPS_INNER[half + 1:], -1.0))
    for name, outer, inner, sy in rolls:
        roll = np.zeros((n, 3))
        roll[list(outer)] = np.array([0.0, 0.35 * sy, -0.35])
        roll[list(inner)] = np.array([0.0, 0.1 * sy, -0.3])
        out[name] = roll * taper_all[:, None]
    if n > NUM_VERTICES:  # eye look: rotate the iris points about the eyeball centre
        for side, centre_i, ring, sx in (("Left", groups.LEFT_IRIS_CENTER, groups.LEFT_IRIS, 1.0),
                                         ("Right", groups.RIGHT_IRIS_CENTER, groups.RIGHT_IRIS, -1.0)):
            iris = np.array((centre_i,) + tuple(ring))
            ball = p[centre_i] - np.array([0.0, 0.0, 1.2])
            a = np.radians(30.0)
            # "In" turns the eye towards the nose: -x for the left eye, +x for the right one.
            for direction, axis, angle in (("In", 1, -sx * a), ("Out", 1, sx * a), ("Up", 0, -a), ("Down", 0, a)):
                c, s_ = np.cos(angle), np.sin(angle)
                rot = (np.array([[c, 0, s_], [0, 1, 0], [-s_, 0, c]]) if axis == 1
                       else np.array([[1, 0, 0], [0, c, -s_], [0, s_, c]]))
                d = np.zeros((n, 3))
                d[iris] = (p[iris] - ball) @ rot.T + ball - p[iris]
                out[f"eyeLook{direction}{side}"] = d
    # mouthPress: the lips pressed together on one side (lower lip pushed up, upper lip down, both thinner).
    for side, sx in (("Left", 1.0), ("Right", -1.0)):
        w_side = _sigmoid(sx * p[:, 0] / 0.3) * taper_all
        press = np.zeros((n, 3))
        press[list(groups.LIPS_OUTER[1:half])] = np.array([0.0, 0.25, 0.0])
        press[list(groups.LIPS_INNER[1:half])] = np.array([0.0, 0.1, 0.0])
        press[list(groups.LIPS_OUTER[half + 1:])] = np.array([0.0, -0.1, 0.0])
        out[f"mouthPress{side}"] = press * w_side[:, None]
    # Shrugs (chin raiser / upper-lip raise), pucker (lips forward and narrow), funnel (lips forward and apart).
    lower_lip = list(groups.LIPS_OUTER[1:half]) + list(groups.LIPS_INNER[1:half])
    upper_lip = list(groups.LIPS_OUTER[half + 1:]) + list(groups.LIPS_INNER[half + 1:])
    chin = w_jaw * (p[:, 1] < p[groups.LIPS_OUTER[half // 2], 1])  # below the lower lip
    shrug = chin[:, None] * np.array([0.0, 0.25, 0.15])
    shrug[lower_lip] = np.array([0.0, 0.3, 0.2])
    out["mouthShrugLower"] = shrug
    shrug = np.zeros((n, 3))
    shrug[upper_lip] = np.array([0.0, 0.2, 0.1])
    out["mouthShrugUpper"] = shrug * taper_all[:, None]
    lips_all = list(groups.LIPS)
    pucker = w_lips[:, None] * np.array([0.0, 0.0, 0.5])
    pucker[lips_all, 0] -= 0.35 * np.sign(p[lips_all, 0]) * (1.0 - taper_all[lips_all])
    out["mouthPucker"] = pucker
    funnel = w_lips[:, None] * np.array([0.0, 0.0, 0.4])
    funnel[list(groups.LIPS_INNER[1:half]), 1] -= 0.3 * taper_all[list(groups.LIPS_INNER[1:half])]
    funnel[list(groups.LIPS_INNER[half + 1:]), 1] += 0.3 * taper_all[list(groups.LIPS_INNER[half + 1:])]
    out["mouthFunnel"] = funnel
    puff = np.zeros((n, 3))
    for sx in (-1.0, 1.0):
        centre = np.array([sx * 4.0, -3.0, 3.5])
        puff += _gauss(p, centre, 1.5)[:, None] * np.array([sx * 0.6, 0.0, 0.3])
    out["cheekPuff"] = puff
    out["tongueOut"] = np.zeros((n, 3))
    return out
