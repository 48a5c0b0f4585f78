"""Warp targets: the source's fitted face model driven by a :class:`Motion` row (the default method's renderer;
IP-LAP uses it to give a portrait head motion and blinks before completing the mouth).

Shape legend: ``n`` = 478 landmarks, ``k`` = 11 points of an inner-lip polyline.

The source face is fitted once (:class:`talkinghead.face3d.FaceFitter`: identity, expression ``beta``, pose). Its
expression is neutralised where speech drives it: the mouth's opening and shaping weights are set to zero, while
a smile, the brows and the eyes stay the person's own (a smiling or open-mouthed source still closes its lips on
/p b m/). Each frame's expression is that rest expression plus the motion's weights, saturating at 1
(``rest + (1 - rest) * motion``); its pose is the source pose rotated about the neck by the motion's angles.
:meth:`FaceRig.targets` returns the projected 478 landmarks and the mouth polylines, including the edges of the
upper teeth (fixed to the skull, behind the rest position of the lips) and of the lower teeth (carried by the
jaw's share of the lower lip's motion).
"""

from __future__ import annotations

import numpy as np

from talkinghead.blendshapes import INDEX, MOUTH_NAMES
from talkinghead.face3d import FaceFit, Pose
from talkinghead.face3d.camera import euler_to_rotation
from talkinghead.render.eyelids import LEFT_UPPER_LID, RIGHT_UPPER_LID, EyeShape
from talkinghead.render.mouth_interior import MouthShape
from talkinghead.render.warp_renderer import LOWER_INNER_LIP, UPPER_INNER_LIP

__all__ = ["FaceRig", "NEUTRALISED", "neutralise"]

#: blendshapes the speech drives, zeroed in the source's rest expression; a smile, dimples and frowns are the
#: person's expression and stay
NEUTRALISED = np.array([INDEX[n] for n in MOUTH_NAMES if not n.startswith(("mouthSmile", "mouthDimple", "mouthFrown"))])
#: inner-lip gap of the rest face at the lips' centre (cm): lips together, as a face at rest holds them
REST_LIP_GAP = 0.1
#: smallest inner-lip gap ``mouthClose`` may leave (cm): lips pressed together, not through each other
MIN_LIP_GAP = 0.02
#: upper and lower eyelid centre of each eye (subject's left: 386 / 374, right: 159 / 145)
BLINK_LIDS = {"eyeBlinkLeft": (386, 374), "eyeBlinkRight": (159, 145)}
#: the neck pivot of head rotations, in canonical space (cm; below and behind the face's centre)
NECK_PIVOT = np.array([0.0, -7.0, -4.0])
#: incisal edge of the upper teeth relative to the rest line of the upper inner lip (cm; y up, z out of the face)
UPPER_TEETH_OFFSET = np.array([0.0, -0.22, -0.5])
#: incisal edge of the lower teeth at rest, relative to the same line (overbite: above the upper edge, further back)
LOWER_TEETH_OFFSET = np.array([0.0, -0.04, -0.75])
#: share of the lower lip's jawOpen displacement the lower incisors follow (they sit closer to the hinge)
LOWER_TEETH_JAW = 0.9


def neutralise(beta: np.ndarray) -> np.ndarray:
    """``(52,)`` the rest expression: ``beta`` with the speech-driven weights zeroed."""
    rest = np.array(beta, np.float64)
    rest[NEUTRALISED] = 0.0
    return rest


class FaceRig:
    """Targets for one fitted face.

    Args:
        fit: the source face's fit (identity, expression, pose, camera).
        source_landmarks: ``(n, 2+)`` the detected pixels the fit came from (targets are offsets from them, so
            that a still motion reproduces the source exactly).
    """

    def __init__(self, fit: FaceFit, source_landmarks: np.ndarray):
        self.fit = fit
        self.model = fit.model
        self.rest = neutralise(fit.beta)
        self.identity = self._closed_identity(np.asarray(fit.identity, np.float64))
        self._blink_gain = self._blink_gains()
        close = self.model.basis[INDEX["mouthClose"]].astype(np.float64)
        self._close_per_unit = close[list(LOWER_INNER_LIP[1:-1]), 1] - close[list(UPPER_INNER_LIP[1:-1]), 1]
        self._residual = np.asarray(source_landmarks, np.float64)[:, :2] - fit.landmarks()
        s = fit.pose
        self.pivot = s.apply(NECK_PIVOT[None])[0]  # camera space
        jaw = self.model.basis[INDEX["jawOpen"]][list(LOWER_INNER_LIP)].astype(np.float64)
        self._jaw_teeth = LOWER_TEETH_JAW * jaw  # (k, 3) per unit jawOpen
        self._upper_idx = list(UPPER_INNER_LIP)
        self._lower_idx = list(LOWER_INNER_LIP)

    def _closed_identity(self, identity: np.ndarray) -> np.ndarray:
        """The identity with its lips closed at rest.

        The fit explains the source's expression only as far as the basis reaches: a wide smile with parted
        lips leaves part of the opening in the identity shape, and a speaking face must be able to close its
        lips (/p b m/). Whatever inner-lip gap the rest shape has beyond :data:`REST_LIP_GAP` is closed along
        the model's ``mouthClose`` shape.
        """
        rest = self.model.shape(identity, self.rest)
        centre_up, centre_lo = UPPER_INNER_LIP[5], LOWER_INNER_LIP[5]
        excess = (rest[centre_up, 1] - rest[centre_lo, 1]) - REST_LIP_GAP
        close = self.model.basis[INDEX["mouthClose"]].astype(np.float64)
        per_unit = close[centre_lo, 1] - close[centre_up, 1]
        if excess <= 0 or per_unit <= 0:
            return identity
        return identity + close * (excess / per_unit)

    def _blink_gains(self) -> np.ndarray:
        """``(52,)`` gain of each blendshape's motion: 1, except for ``eyeBlink*``, scaled so that a full blink
        closes this person's eye (the basis' blink is an average one: it leaves wide or smiling eyes half open)."""
        gain = np.ones(52)
        rest = self.model.shape(self.identity, self.rest)
        for name, (upper, lower) in BLINK_LIDS.items():
            k = INDEX[name]
            direction = self.model.basis[k].astype(np.float64)
            closing = direction[upper, 1] - direction[lower, 1]  # how much one unit lowers the lid onto the other
            gap = (rest[upper, 1] - rest[lower, 1]) / max(1e-6, 1.0 - self.rest[k])
            if closing < -1e-3 and gap > 0:
                gain[k] = float(np.clip(gap / -closing, 1.0, 3.0))
        return gain

    def _limit_closure(self, beta: np.ndarray) -> np.ndarray:
        """Limit ``mouthClose`` so that the lips meet and do not pass through each other.

        ARKit's ``mouthClose`` closes the lips *against an open jaw*; curves that set it with the jaw closed
        (bilabials) would push the lips ``2.6 cm`` per unit past each other in the fitted basis, which a 2D
        warp shows as an open mouth with the lips swapped. The weight is cut to what closes the gap left by
        the other shapes, down to :data:`MIN_LIP_GAP` at the lips' centre.
        """
        k = INDEX["mouthClose"]
        if beta[k] <= 0:
            return beta
        up, lo = UPPER_INNER_LIP[1:-1], LOWER_INNER_LIP[1:-1]
        without = beta.copy()
        without[k] = 0.0
        shape = self.model.shape(self.identity[list(up + lo)], None) + np.tensordot(
            without, self.model.basis[:, list(up + lo)].astype(np.float64), axes=1)
        gap = shape[: len(up), 1] - shape[len(up):, 1]  # (9,) upper minus lower, cm
        close = self._close_per_unit  # (9,) gap reduction per unit of mouthClose
        ok = close > 1e-3
        allowed = np.min((np.maximum(gap[ok] - MIN_LIP_GAP, 0.0)) / close[ok]) if ok.any() else beta[k]
        out = beta.copy()
        out[k] = min(beta[k], float(allowed))
        return out

    def _uncross(self, shape: np.ndarray) -> np.ndarray:
        """Inner-lip points whose lower lip rose above the upper one meet at their midpoint instead."""
        up, lo = list(UPPER_INNER_LIP[1:-1]), list(LOWER_INNER_LIP[1:-1])
        crossed = shape[up, 1] < shape[lo, 1] + MIN_LIP_GAP
        if crossed.any():
            shape = shape.copy()
            mid = 0.5 * (shape[up, 1] + shape[lo, 1])
            shape[np.array(up)[crossed], 1] = mid[crossed] + MIN_LIP_GAP / 2
            shape[np.array(lo)[crossed], 1] = mid[crossed] - MIN_LIP_GAP / 2
        return shape

    def expression(self, shapes: np.ndarray) -> np.ndarray:
        """``(52,)`` the frame's expression: rest + motion, saturating at 1 (blinks scaled to close the eye)."""
        shapes = np.clip(np.asarray(shapes, np.float64), 0.0, 1.0)
        return self.rest + (1.0 - self.rest) * shapes * self._blink_gain

    def pose(self, head_pose: np.ndarray, translation: np.ndarray | None = None) -> Pose:
        """The source pose rotated about the neck by ``head_pose`` ``(yaw, pitch, roll)`` degrees, then moved by
        ``translation`` ``(3,)`` cm in camera space."""
        rot = euler_to_rotation(*(float(a) for a in head_pose))
        s = self.fit.pose
        t = rot @ (s.translation - self.pivot) + self.pivot
        if translation is not None:
            t = t + np.asarray(translation, np.float64)
        return Pose(rot @ s.rotation, t, s.scale)

    def targets(self, shapes: np.ndarray, head_pose: np.ndarray, translation: np.ndarray | None = None,
                teeth: bool = True) -> tuple[np.ndarray, MouthShape, list[EyeShape]]:
        """Target landmarks, mouth polylines and blinking lids of one frame.

        Args:
            shapes: ``(52,)`` motion blendshapes (ARKit order, [0, 1]).
            head_pose: ``(3,)`` degrees added to the source's pose.
            translation: ``(3,)`` cm, or ``None``.
            teeth: include the teeth edges in the mouth shape.

        Returns:
            ``(n, 2)`` float64 target pixels, the :class:`MouthShape` and the eyes' :class:`EyeShape` list (empty
            without a blink), all in the same pixels.
        """
        beta = self._limit_closure(self.expression(shapes))
        pose = self.pose(head_pose, translation)
        shape = self._uncross(self.model.shape(self.identity, beta))  # (n, 3) canonical
        points, extra = [shape], {}

        def add(name: str, pts: np.ndarray) -> None:
            extra[name] = (sum(len(p) for p in points), len(pts))
            points.append(pts)

        if teeth:
            rest = self.model.shape(self.identity, self.rest)[self._upper_idx]  # the lips' rest line
            add("upper_teeth", rest + UPPER_TEETH_OFFSET)
            add("lower_teeth", rest + LOWER_TEETH_OFFSET + self._jaw_teeth * beta[INDEX["jawOpen"]])
        blinks = {}
        for name, lid in (("eyeBlinkLeft", LEFT_UPPER_LID), ("eyeBlinkRight", RIGHT_UPPER_LID)):
            k = INDEX[name]
            amount = float(np.clip(shapes[k], 0, 1))
            if amount > 0.05:
                blinks[name] = (lid, amount)
                add(name, shape[list(lid)] - self.model.basis[k][list(lid)] * (beta[k] - self.rest[k]))
        projected = self.fit.camera.project(pose.apply(np.concatenate(points)))

        def get(name: str, residual_index) -> np.ndarray:
            start, count = extra[name]
            return projected[start: start + count] + self._residual[residual_index]

        n = len(shape)
        landmarks = projected[:n] + self._residual
        mouth = MouthShape(
            upper_lip=landmarks[self._upper_idx],
            lower_lip=landmarks[self._lower_idx],
            upper_teeth=get("upper_teeth", self._upper_idx) if teeth else None,
            lower_teeth=get("lower_teeth", self._upper_idx) if teeth else None,
        )
        eyes = [EyeShape(get(name, list(lid)), landmarks[list(lid)], amount) for name, (lid, amount) in blinks.items()]
        return landmarks, mouth, eyes
