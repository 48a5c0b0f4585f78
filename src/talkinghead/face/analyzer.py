"""FaceAnalyzer: every face in an image, and one face followed through a video, from mediapipe's FaceLandmarker.

Images (:meth:`FaceAnalyzer.detect`):

1. *propose*: mediapipe's face detector runs over a pyramid of overlapping tiles read from downscaled copies
   of the image (:mod:`talkinghead.face.tiles`), so a face that is a few percent of a full-body portrait or
   a group photo is found; overlapping proposals are suppressed;
2. *refine*: for each proposal the FaceLandmarker (IMAGE mode) runs on an upright square crop of the
   full-resolution image around it (the face about 40% of the crop, resampled to ``refine_size``); its
   landmarks are mapped back to the image and the head transform is recomputed for the full image
   (:func:`talkinghead.face.geometry.facial_transform`, mediapipe's geometry pipeline);
3. *verify*: the detector scores an aligned crop of the refined face; this is ``DetectedFace.score``. mediapipe
   happily fits a face mesh to a dog; the dog scores 0.73 here, human photos, paintings, sculptures and 3D
   cartoons 0.88-0.96 (measured on ../shared/media), so faces below ``min_confidence`` (0.8) are dropped.

Videos (:meth:`FaceAnalyzer.track`): the face chosen in the first frame that has one is followed by a
VIDEO-mode (tracking) FaceLandmarker on a square region that moves with the face (so small faces in large
frames work, and other faces do not distract it); when it is lost the whole frame is searched again
every few frames. Landmarks are smoothed and short gaps bridged by :class:`~talkinghead.face.tracking.TrackSmoother`.

mediapipe's landmarker must be closed explicitly (its ``__del__`` at interpreter exit raises): use the
analyzer as a context manager or call :meth:`FaceAnalyzer.close`.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator
from fractions import Fraction

import cv2
import numpy as np

from talkinghead.blendshapes import from_mediapipe
from talkinghead.errors import NoFaceError, OptionError
from talkinghead.face import _mediapipe as mpw
from talkinghead.face.crop import CropTransform, crop_transform
from talkinghead.face.detected_face import DetectedFace, select_face
from talkinghead.face.tiles import TILE_PIXELS, suppress_overlaps, tile_levels, tile_origins
from talkinghead.face.tracking import FaceTrack, RawFace, SmoothingConfig, TrackedFrame, TrackSmoother

__all__ = ["FaceAnalyzer", "analyze_video", "DEFAULT_MIN_CONFIDENCE"]

logger = logging.getLogger(__name__)

#: faces scoring below this are not taken for human faces (see the module doc)
DEFAULT_MIN_CONFIDENCE = 0.8
#: detector threshold for proposals (low: the verification step decides)
_PROPOSAL_CONFIDENCE = 0.5
#: crop side around a proposal, in detector-box sizes (the face fills ~40%, inside the detector's range)
_REFINE_CONTEXT = 2.5
#: crop sides for verification, in canonical face heights, and their size in pixels
_VERIFY_SCALES = (1.6, 2.0, 2.8)
_VERIFY_SIZE = 256
#: tracking region side in face sizes; it is re-sized when the face size drifts by more than this ratio
_ROI_CONTEXT = 2.2
_ROI_RESIZE_RATIO = 1.15
#: the region is re-centred when the face centre is off by this fraction of its side
_ROI_RECENTER = 0.06
#: frames without a detection in the tracking region before the whole frame is searched, and how often then
_ROI_MISSES = 2
_REDETECT_EVERY = 5


def _check_image(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        raise ValueError(f"expected an (h, w, 3) uint8 RGB image, got {type(image).__name__} {shape}")
    return image


def _shrink(image: np.ndarray, factor: float) -> np.ndarray:
    """Downscale by ``factor`` < 1 for detection: an integer box average (OpenCV's fast path), then bilinear."""
    h, w = image.shape[:2]
    k = int(1.0 / factor)
    if k > 1:
        image = cv2.resize(image[: h // k * k, : w // k * k], (w // k, h // k), interpolation=cv2.INTER_AREA)
    return cv2.resize(image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_LINEAR)


def _landmarks_array(landmarks, size: int) -> np.ndarray:
    """mediapipe NormalizedLandmarks of a square ``size`` crop -> ``(478, 3)`` crop pixels (z * width)."""
    return np.array([[p.x, p.y, p.z] for p in landmarks], dtype=np.float64) * size


class FaceAnalyzer:
    """Faces in images and videos from mediapipe's FaceLandmarker (Tasks API). A context manager.

    Args:
        model_path: the ``face_landmarker.task`` bundle; default the provisioned one (``fetch-models``).
        max_faces: most faces returned per image.
        min_confidence: faces scoring below this (``DetectedFace.score``) are not returned.
        min_face_size: smallest face searched for, in pixels; default 1/16 of the image's short side.
            Smaller values search finer tiles (slower).
        refine_size: side of the crop the landmarks are computed on, pixels.
        roi_size: side of the tracking region fed to the video landmarker, pixels.
        smoothing: temporal smoothing and gap bridging for :meth:`track`.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        max_faces: int = 4,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        min_face_size: float | None = None,
        refine_size: int = 512,
        roi_size: int = 384,
        smoothing: SmoothingConfig = SmoothingConfig(),
    ):
        if max_faces < 1:
            raise OptionError(f"max_faces must be at least 1, got {max_faces}")
        if not 0.0 <= min_confidence <= 1.0:
            raise OptionError(f"min_confidence must be in [0, 1], got {min_confidence}")
        if min_face_size is not None and min_face_size <= 0:
            raise OptionError(f"min_face_size must be positive, got {min_face_size}")
        self.model_path = mpw.resolve_model_path(model_path)
        self.max_faces = max_faces
        self.min_confidence = min_confidence
        self.min_face_size = min_face_size
        self.refine_size = refine_size
        self.roi_size = roi_size
        self.smoothing = smoothing
        self._landmarker = None  # IMAGE mode, created on first use
        self._detector = None
        self._first_calls: set[str] = set()

    # -- lifecycle -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Release mediapipe's graphs (safe to call twice)."""
        for name in ("_landmarker", "_detector"):
            task = getattr(self, name)
            if task is not None:
                with mpw.quiet_native_stderr():
                    task.close()
                setattr(self, name, None)

    def __enter__(self) -> FaceAnalyzer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _image_landmarker(self):
        if self._landmarker is None:
            self._landmarker = mpw.create_landmarker(self.model_path, video=False, num_faces=2)
        return self._landmarker

    def _face_detector(self):
        if self._detector is None:
            # low threshold: the same detector gives proposals (filtered here) and verification scores
            self._detector = mpw.create_detector(self.model_path, min_confidence=0.05)
        return self._detector

    def _run(self, key: str, fn, *args):
        """Call a mediapipe task; its first call per task prints native start-up chatter, captured here."""
        if key in self._first_calls:
            return fn(*args)
        self._first_calls.add(key)
        with mpw.quiet_native_stderr():
            return fn(*args)

    # -- images ----------------------------------------------------------------------------------------

    def detect(self, image: np.ndarray) -> list[DetectedFace]:
        """All human faces in one image, largest first (at most ``max_faces``).

        Args:
            image: ``(h, w, 3) uint8`` RGB.

        Returns:
            faces scoring at least ``min_confidence``; an empty list when there is none (use
            :func:`~talkinghead.face.select_face` to turn that into a ``NoFaceError``).
        """
        return [f for f in self.detect_all(image) if f.score >= self.min_confidence][: self.max_faces]

    def detect_all(self, image: np.ndarray) -> list[DetectedFace]:
        """Like :meth:`detect`, but also the face-like candidates scoring below ``min_confidence``."""
        image = _check_image(image)
        proposals = self._propose(image)
        faces: list[DetectedFace] = []
        for box, _ in proposals[: 4 * self.max_faces]:
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            if any(f.bbox[0] <= cx <= f.bbox[2] and f.bbox[1] <= cy <= f.bbox[3] for f in faces):
                continue  # a second proposal on a face already refined
            face = self._refine(image, box)
            if face is not None and all(face.iou(f) < 0.5 for f in faces):
                faces.append(face)
        faces.sort(key=lambda f: f.size, reverse=True)
        for f in faces:
            logger.debug("face candidate %r", f)
        return faces

    def _propose(self, image: np.ndarray) -> list[tuple[tuple[float, float, float, float], float]]:
        """Detector boxes ``((x0, y0, x1, y1), score)`` over the tile pyramid, best first, overlaps removed."""
        h, w = image.shape[:2]
        min_face = self.min_face_size or max(16.0, min(w, h) / 16)
        detector = self._face_detector()
        boxes, scores = [], []
        for side in tile_levels((w, h), min_face):
            factor = min(1.0, TILE_PIXELS / side)
            level = image if factor == 1.0 else _shrink(image, factor)
            tile = max(1, round(side * factor))
            lh, lw = level.shape[:2]
            for y in tile_origins(lh, tile):
                for x in tile_origins(lw, tile):
                    patch = level[y:y + tile, x:x + tile]
                    result = self._run("detector", detector.detect, mpw.mp_image(patch))
                    for det in result.detections:
                        score = det.categories[0].score
                        if score < _PROPOSAL_CONFIDENCE:
                            continue
                        bb = det.bounding_box
                        boxes.append(((x + bb.origin_x) / factor, (y + bb.origin_y) / factor,
                                      (x + bb.origin_x + bb.width) / factor, (y + bb.origin_y + bb.height) / factor))
                        scores.append(score)
        keep = suppress_overlaps(boxes, scores)
        return [(boxes[i], scores[i]) for i in keep]

    def _refine(self, image: np.ndarray, box) -> DetectedFace | None:
        """Landmarks of the face in ``box`` from a crop of the full-resolution image."""
        h, w = image.shape[:2]
        center = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        side = _REFINE_CONTEXT * max(box[2] - box[0], box[3] - box[1])
        region = CropTransform.axis_aligned(center, side, self.refine_size, (w, h))
        crop = region.warp(image, interpolation=cv2.INTER_LINEAR)  # mediapipe resamples bilinearly anyway
        result = self._run("image_landmarker", self._image_landmarker().detect, mpw.mp_image(crop))
        picked = _nearest_face(result, self.refine_size)
        if picked is None:
            return None
        landmarks, blendshapes = picked
        landmarks = region.to_image(landmarks)
        return DetectedFace.from_landmarks(landmarks, blendshapes, (w, h), self.verify(image, landmarks))

    def verify(self, image: np.ndarray, landmarks: np.ndarray) -> float:
        """The human-face score of the face with these landmarks: the detector's mean best score over upright
        aligned crops at a few framings (the face fills 1/3 to 2/3 of the side; one framing alone can flatter
        an animal face, the mean is steadier). On ../shared/media (9 stills, 25 video frames) humans score
        0.88-0.96 (median 0.93), the dog 0.73; the margin is thin (one animal to calibrate on)."""
        h, w = image.shape[:2]
        scores = []
        for scale in _VERIFY_SCALES:
            region = crop_transform(landmarks, _VERIFY_SIZE, (w, h), scale=scale)
            crop = region.warp(image, interpolation=cv2.INTER_LINEAR)  # the interpolation it was calibrated with
            result = self._run("detector", self._face_detector().detect, mpw.mp_image(crop))
            best, c = 0.0, _VERIFY_SIZE / 2
            for det in result.detections:
                bb = det.bounding_box
                if abs(bb.origin_x + bb.width / 2 - c) < c / 2 and abs(bb.origin_y + bb.height / 2 - c) < c / 2:
                    best = max(best, det.categories[0].score)
            scores.append(best)
        return float(np.mean(scores))

    # -- videos ----------------------------------------------------------------------------------------

    def track(
        self,
        frames: Iterable,
        fps: float | Fraction | None = None,
        face_index: int | None = None,
        ambiguity_ratio: float | None = None,
    ) -> Iterator[TrackedFrame]:
        """Follow one face through video frames, streaming.

        Args:
            frames: ``(h, w, 3) uint8`` RGB arrays, or :class:`talkinghead.io.Frame` objects (their times
                are used), in order.
            fps: frame rate for bare arrays (required then; ignored for ``Frame`` objects).
            face_index: which face of the first frame that has faces (largest first, as ``detect``);
                default the largest.
            ambiguity_ratio: if given, raise ``AmbiguousFaceError`` when the first frame has faces of
                similar size and no ``face_index`` (see :func:`~talkinghead.face.select_face`).

        Yields:
            one :class:`~talkinghead.face.tracking.TrackedFrame` per input frame, in order, with the frame's
            image (so a generator of frames can be consumed once). Output lags input by at most
            ``smoothing.max_gap`` seconds.
        """
        tracker = _Tracker(self, face_index, ambiguity_ratio)
        smoother: TrackSmoother | None = None
        try:
            for i, item in enumerate(frames):
                if hasattr(item, "image"):
                    image, time = item.image, float(item.time)
                else:
                    if fps is None or not float(fps) > 0:
                        raise OptionError("track() needs a positive fps when given bare image arrays")
                    image, time = item, i / float(fps)
                image = _check_image(image)
                if smoother is None:
                    smoother = TrackSmoother((image.shape[1], image.shape[0]), self.smoothing)
                raw = tracker.step(image, time)
                yield from smoother.push(i, time, image, raw)
            if smoother is not None:
                yield from smoother.flush()
        finally:
            tracker.close()


def _nearest_face(result, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The face of a landmarker result closest to the centre of its square input of ``size`` pixels:
    ``(landmarks (478, 3) in input pixels, blendshapes (52,) ARKit order)``."""
    best, best_d = None, math.inf
    for k, lms in enumerate(result.face_landmarks):
        points = _landmarks_array(lms, size)
        d = float(np.linalg.norm(points[:, :2].mean(0) - (size - 1) / 2))
        if d < best_d:
            best, best_d = k, d
    if best is None:
        return None
    points = _landmarks_array(result.face_landmarks[best], size)
    shapes = np.array([c.score for c in result.face_blendshapes[best]], dtype=np.float32) \
        if result.face_blendshapes else np.zeros(52, np.float32)
    return points, from_mediapipe(shapes)


class _Tracker:
    """Per-frame raw detection of one face for :meth:`FaceAnalyzer.track` (no smoothing here)."""

    def __init__(self, analyzer: FaceAnalyzer, face_index: int | None, ambiguity_ratio: float | None):
        self.analyzer = analyzer
        self.face_index = face_index
        self.ambiguity_ratio = ambiguity_ratio
        self.landmarker = None
        self.region: CropTransform | None = None
        self.side = 0.0
        self.last: tuple[tuple[float, float], float] | None = None  # (centre, size) of the last detection
        self.score = 0.0
        self.misses = 0
        self.since_search = _REDETECT_EVERY - 1  # search the first frame
        self.acquired = False
        self.last_ms = -1

    def close(self) -> None:
        if self.landmarker is not None:
            with mpw.quiet_native_stderr():
                self.landmarker.close()
            self.landmarker = None

    def step(self, image: np.ndarray, time: float) -> RawFace | None:
        if self.region is not None:
            raw = self._follow(image, time)
            if raw is not None:
                return raw
        # Not in the tracking region (or none yet): while it keeps missing, search the whole frame every few
        # frames; the region stays, since a face that was covered usually reappears where it was.
        self.since_search += 1
        if self.since_search >= _REDETECT_EVERY:
            self.since_search = 0
            return self._search(image)
        return None

    def _follow(self, image: np.ndarray, time: float) -> RawFace | None:
        if self.landmarker is None:
            self.landmarker = mpw.create_landmarker(self.analyzer.model_path, video=True, num_faces=2)
        ms = max(int(round(time * 1000)), self.last_ms + 1)  # mediapipe needs increasing timestamps
        self.last_ms = ms
        size = self.analyzer.roi_size
        crop = self.region.warp(image, interpolation=cv2.INTER_LINEAR)
        result = self.analyzer._run(f"video_landmarker_{id(self.landmarker)}", self.landmarker.detect_for_video,
                                     mpw.mp_image(crop), ms)
        picked = _nearest_face(result, size)
        if picked is None:
            self.misses += 1
            if self.misses == _ROI_MISSES:
                logger.debug("tracking region lost the face at %.2f s; searching the whole frame too", time)
                self.since_search = _REDETECT_EVERY - 1  # search on this frame
            return None
        self.misses = 0
        landmarks = self.region.to_image(picked[0])
        self._move_region(landmarks, (image.shape[1], image.shape[0]))
        return RawFace(landmarks.astype(np.float32), picked[1], self.score)

    def _search(self, image: np.ndarray) -> RawFace | None:
        faces = self.analyzer.detect(image)
        if not faces:
            return None
        if not self.acquired:
            face = select_face(faces, self.face_index, self.ambiguity_ratio, what="the first video frame with faces")
            self.acquired = True
        else:  # re-acquire the same person: the face nearest where it was last seen, of a similar size
            (cx, cy), size = self.last
            near = [f for f in faces if 0.5 < f.size / size < 2.0
                    and math.hypot(f.center[0] - cx, f.center[1] - cy) < 1.5 * size]
            if not near:
                return None
            face = min(near, key=lambda f: math.hypot(f.center[0] - cx, f.center[1] - cy))
        self.score = face.score
        self.side = 0.0
        self.region = None
        self._move_region(face.landmarks, face.image_size)
        return RawFace(np.asarray(face.landmarks, np.float32), face.blendshapes, face.score)

    def _move_region(self, landmarks: np.ndarray, image_size: tuple[int, int]) -> None:
        """Keep the tracking region still while the face stays near its centre and keeps its size; move or
        resize it only past those margins, so between moves the region is a fixed resampling of the frame (as
        a full frame would be) and the video landmarker's own tracking sees the face's true motion."""
        x0, y0 = landmarks[:, :2].min(0)
        x1, y1 = landmarks[:, :2].max(0)
        size = float(max(x1 - x0, y1 - y0))
        center = ((x0 + x1) / 2, (y0 + y1) / 2)
        self.last = ((float(center[0]), float(center[1])), size)
        wanted = _ROI_CONTEXT * size
        if self.region is not None and self.side:
            rx, ry = self.region.to_image(np.array([(self.analyzer.roi_size - 1) / 2] * 2))
            off = max(abs(center[0] - rx), abs(center[1] - ry)) / self.side
            if off < _ROI_RECENTER and 1 / _ROI_RESIZE_RATIO < wanted / self.side < _ROI_RESIZE_RATIO:
                return
        self.side = wanted
        self.region = CropTransform.axis_aligned((float(center[0]), float(center[1])), self.side,
                                                 self.analyzer.roi_size, image_size)


def analyze_video(
    path: str | os.PathLike,
    analyzer: FaceAnalyzer | None = None,
    face_index: int | None = None,
    fps: float | Fraction | None = None,
    start: float = 0.0,
    end: float | None = None,
    ambiguity_ratio: float | None = None,
) -> FaceTrack:
    """Track one face through a video file and return the whole track as arrays.

    Args:
        path: a video file.
        analyzer: reuse an analyzer (default: a new one, closed at the end).
        face_index: which face of the first frame with faces (largest first).
        fps: resample the video to this rate (default: its own frames and times).
        start, end: time range in seconds.
        ambiguity_ratio: see :meth:`FaceAnalyzer.track`.

    Raises:
        VideoReadError: unreadable file.
        NoFaceError: no frame of the video has a face.
    """
    from talkinghead.io import iter_frames, probe

    info = probe(path).video
    rate = Fraction(fps) if fps is not None else (info.fps if info is not None else Fraction(25))
    own = analyzer is None
    analyzer = analyzer or FaceAnalyzer()
    try:
        track = FaceTrack.collect(analyzer.track(iter_frames(path, fps=fps, start=start, end=end),
                                                 face_index=face_index, ambiguity_ratio=ambiguity_ratio), rate)
    finally:
        if own:
            analyzer.close()
    if not track.valid.any():
        raise NoFaceError(f"no human face found in any frame of {str(path)!r}; check the video shows a face")
    return track
