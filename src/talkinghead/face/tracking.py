"""A face followed through a video: gap bridging, temporal smoothing, and the per-frame track.

Shape legend: ``t`` frames, 478 landmarks, 52 blendshapes.

:class:`TrackSmoother` turns per-frame raw detections (or ``None`` where the detector lost the face) into the
frames a pipeline uses, streaming:

- gaps up to ``max_gap`` are *bridged*: landmarks and blendshapes are interpolated linearly between the last
  detection before and the first after (a gap at the very start or end of the video holds the nearest one);
- longer gaps are *lost*: those frames carry no face (``None``) and a warning is logged; nothing is invented;
- landmarks are smoothed without lag (:mod:`talkinghead.face.smoothing`); the head transform and pose are
  recomputed from the smoothed landmarks (:func:`talkinghead.face.geometry.facial_transform`), so they are
  smoothed consistently. Blendshapes are passed as detected (blinks are a few frames long).

Frames come out in order, at most ``max_gap + rigid_window`` seconds after they went in; memory is bounded
by those frames, not by the video's length.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from talkinghead.face.detected_face import DetectedFace
from talkinghead.face.smoothing import LandmarkSmoother

__all__ = ["SmoothingConfig", "RawFace", "TrackedFrame", "TrackSmoother", "FaceTrack", "DETECTED", "BRIDGED", "LOST"]

logger = logging.getLogger(__name__)

#: per-frame status of a track
DETECTED, BRIDGED, LOST = "detected", "bridged", "lost"
_STATUS_CODES = {LOST: 0, DETECTED: 1, BRIDGED: 2}
_STATUS_NAMES = {v: k for k, v in _STATUS_CODES.items()}


@dataclass(frozen=True)
class SmoothingConfig:
    """Temporal smoothing and gap bridging of tracked faces.

    Attributes:
        rigid_window: half-window in seconds for the head's position, scale and roll (0: none).
        expression_window: half-window in seconds for the landmarks relative to the head (0: none).
        max_gap: longest run of frames without a detection that is bridged, seconds; longer runs are lost.
        enabled: ``False`` passes the raw landmarks through (gaps are still bridged).
    """

    rigid_window: float = 0.25
    expression_window: float = 0.1
    max_gap: float = 0.5
    enabled: bool = True


@dataclass(frozen=True, eq=False)
class RawFace:
    """One frame's unsmoothed detection: ``landmarks (478, 3)`` pixels, ``blendshapes (52,)``, ``score``."""

    landmarks: np.ndarray
    blendshapes: np.ndarray
    score: float


@dataclass(frozen=True, eq=False)
class TrackedFrame:
    """One video frame and the tracked face in it.

    Attributes:
        index: frame number from 0.
        time: seconds from the start.
        image: ``(h, w, 3) uint8`` RGB frame.
        face: the smoothed face, or ``None`` where it was lost longer than ``max_gap``.
        status: ``"detected"``, ``"bridged"`` (interpolated across a short gap) or ``"lost"``.
    """

    index: int
    time: float
    image: np.ndarray
    face: DetectedFace | None
    status: str


@dataclass
class _Pending:
    index: int
    time: float
    image: np.ndarray
    raw: RawFace | None


class TrackSmoother:
    """Bridge short gaps and smooth landmarks, frame by frame (see the module doc).

    Args:
        image_size: ``(width, height)`` of the frames.
        config: smoothing parameters.
    """

    def __init__(self, image_size: tuple[int, int], config: SmoothingConfig = SmoothingConfig()):
        self.image_size = image_size
        self.config = config
        self._smoother = LandmarkSmoother(config.rigid_window, config.expression_window) if config.enabled else None
        self._last: _Pending | None = None  # last frame with a detection, already passed on
        self._gap: list[_Pending] = []  # frames without detection since then, not yet passed on
        self._gap_lost = False  # the current gap already exceeded max_gap

    def push(self, index: int, time: float, image: np.ndarray, raw: RawFace | None) -> Iterator[TrackedFrame]:
        """Add one frame; yield every frame that is now final (in order)."""
        item = _Pending(index, time, image, raw)
        if raw is None:
            if self._gap_lost:
                yield self._lost(item)
                return
            self._gap.append(item)
            start = self._last.time if self._last is not None else self._gap[0].time
            if time - start > self.config.max_gap:
                yield from self._end_segment()
                self._report_lost()
                for pending in self._gap:
                    yield self._lost(pending)
                self._gap = []
            return
        for pending, interp in zip(self._gap, self._bridge(item)):
            yield from self._smooth(pending, interp, BRIDGED)
        self._gap = []
        self._gap_lost = False
        yield from self._smooth(item, raw, DETECTED)
        self._last = item

    def flush(self) -> Iterator[TrackedFrame]:
        """End of the video: emit the frames still waiting (a short trailing gap holds the last detection)."""
        for pending in self._gap:
            if self._last is not None:
                yield from self._smooth(pending, self._last.raw, BRIDGED)
            else:
                yield self._lost(pending)
        self._gap = []
        yield from self._end_segment()

    def _bridge(self, after: _Pending) -> list[RawFace]:
        """Interpolated detections for the frames in the current gap, ending at ``after``."""
        if self._last is None:  # leading gap: hold the first detection
            return [after.raw] * len(self._gap)
        a, b = self._last.raw, after.raw
        out = []
        for pending in self._gap:
            w = (pending.time - self._last.time) / (after.time - self._last.time)
            out.append(RawFace((1 - w) * a.landmarks + w * b.landmarks, (1 - w) * a.blendshapes + w * b.blendshapes,
                               min(a.score, b.score)))
        return out

    def _report_lost(self) -> None:
        self._gap_lost = True
        self._last = None
        first = self._gap[0]
        logger.warning("face lost from frame %d (%.2f s) for more than %.2f s; those frames carry no face",
                       first.index, first.time, self.config.max_gap)

    def _lost(self, item: _Pending) -> TrackedFrame:
        return TrackedFrame(item.index, item.time, item.image, None, LOST)

    def _smooth(self, item: _Pending, raw: RawFace, status: str) -> Iterator[TrackedFrame]:
        if self._smoother is None:
            yield self._emit(item, raw, raw.landmarks, status)
            return
        for (item_, raw_, status_), landmarks in self._smoother.push(item.time, raw.landmarks, (item, raw, status)):
            yield self._emit(item_, raw_, landmarks, status_)

    def _end_segment(self) -> Iterator[TrackedFrame]:
        if self._smoother is not None:
            for (item, raw, status), landmarks in self._smoother.flush():
                yield self._emit(item, raw, landmarks, status)

    def _emit(self, item: _Pending, raw: RawFace, landmarks: np.ndarray, status: str) -> TrackedFrame:
        face = DetectedFace.from_landmarks(landmarks, raw.blendshapes, self.image_size, raw.score)
        return TrackedFrame(item.index, item.time, item.image, face, status)


@dataclass(frozen=True, eq=False)
class FaceTrack:
    """A face through a whole video, as arrays (no images).

    Attributes:
        landmarks: ``(t, 478, 3)`` float32 smoothed pixel landmarks (NaN where lost).
        blendshapes: ``(t, 52)`` float32 ARKit order (NaN where lost).
        transforms: ``(t, 4, 4)`` float32 facial transforms (NaN where lost).
        pose: ``(t, 3)`` float32 yaw, pitch, roll in degrees (NaN where lost).
        bboxes: ``(t, 4)`` float32 ``x0, y0, x1, y1`` (NaN where lost).
        scores: ``(t,)`` float32 (0 where lost).
        status: ``(t,)`` uint8: 0 lost, 1 detected, 2 bridged.
        times: ``(t,)`` float64 seconds.
        fps: frame rate of the track.
        image_size: ``(width, height)``.
    """

    landmarks: np.ndarray
    blendshapes: np.ndarray
    transforms: np.ndarray
    pose: np.ndarray
    bboxes: np.ndarray
    scores: np.ndarray
    status: np.ndarray
    times: np.ndarray
    fps: Fraction
    image_size: tuple[int, int]

    def __len__(self) -> int:
        return len(self.times)

    @property
    def valid(self) -> np.ndarray:
        """``(t,)`` bool: frames with a face (detected or bridged)."""
        return self.status != _STATUS_CODES[LOST]

    @property
    def lost_segments(self) -> list[tuple[int, int]]:
        """``[(first, end)]`` frame ranges (end exclusive) where the face is lost."""
        lost = np.concatenate([[False], ~self.valid, [False]])
        edges = np.flatnonzero(np.diff(lost.astype(np.int8)))
        return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]

    def status_name(self, i: int) -> str:
        return _STATUS_NAMES[int(self.status[i])]

    def face(self, i: int) -> DetectedFace | None:
        """Frame ``i``'s face, or ``None`` where lost."""
        if not self.valid[i]:
            return None
        x0, y0, x1, y1 = (float(v) for v in self.bboxes[i])
        return DetectedFace(self.landmarks[i], self.blendshapes[i], self.transforms[i], *map(float, self.pose[i]),
                            (x0, y0, x1, y1), float(self.scores[i]), self.image_size)

    @classmethod
    def collect(cls, frames: Iterator[TrackedFrame], fps: float | Fraction,
                image_size: tuple[int, int] | None = None) -> FaceTrack:
        """Gather tracked frames into arrays (images are dropped as they go)."""
        rows: list[tuple] = []
        size = image_size
        for frame in frames:
            if size is None:
                size = (frame.image.shape[1], frame.image.shape[0])
            rows.append((frame.time, frame.face, _STATUS_CODES[frame.status]))
        t = len(rows)
        nan = np.float32(np.nan)
        out = dict(landmarks=np.full((t, 478, 3), nan, np.float32), blendshapes=np.full((t, 52), nan, np.float32),
                   transforms=np.full((t, 4, 4), nan, np.float32), pose=np.full((t, 3), nan, np.float32),
                   bboxes=np.full((t, 4), nan, np.float32), scores=np.zeros(t, np.float32))
        for i, (_, face, _) in enumerate(rows):
            if face is not None:
                out["landmarks"][i] = face.landmarks
                out["blendshapes"][i] = face.blendshapes
                out["transforms"][i] = face.transform
                out["pose"][i] = face.pose
                out["bboxes"][i] = face.bbox
                out["scores"][i] = face.score
        return cls(**out, status=np.array([r[2] for r in rows], np.uint8),
                   times=np.array([r[0] for r in rows], np.float64), fps=Fraction(fps).limit_denominator(1001000),
                   image_size=size or (0, 0))
