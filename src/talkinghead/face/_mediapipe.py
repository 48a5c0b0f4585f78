"""Thin, lazy access to mediapipe's Tasks API (FaceLandmarker, FaceDetector).

mediapipe is imported only when a landmarker is created (STYLE.md 6). Its native code (absl/TFLite) writes a
few warnings to the process's stderr when a graph is created, on its first inference and when it is closed
("Logging before InitGoogle", absl lines like ``W0000 ... inference_feedback_manager.cc``, LiteRT's
``INFO: [environment.cc] ...``). :func:`quiet_native_stderr` captures file descriptor 2 around those calls
only, turns the known messages into debug log records and writes anything else back to stderr, so nothing
from other libraries is lost and no global setting changes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from talkinghead.errors import DependencyMissingError, ModelMissingError

__all__ = ["mediapipe_modules", "quiet_native_stderr", "create_landmarker", "create_detector", "mp_image",
           "resolve_model_path"]

logger = logging.getLogger(__name__)

#: native messages that are mediapipe's start-up chatter
_NOISE = re.compile(r"^(WARNING: Logging before InitGoogle|[IWE]\d{4} |INFO: )")


def mediapipe_modules():
    """``(mediapipe, vision, BaseOptions)``, imported on first use."""
    try:
        import mediapipe
        from mediapipe.tasks.python import BaseOptions, vision
    except ImportError as exc:  # pragma: no cover - mediapipe is a core dependency
        raise DependencyMissingError(f"mediapipe is needed for face analysis ({exc}); run `make install`") from None
    return mediapipe, vision, BaseOptions


@contextlib.contextmanager
def quiet_native_stderr():
    """Capture native writes to fd 2 for the duration; log mediapipe's chatter at debug, re-emit the rest."""
    fd = 2  # native code writes to file descriptor 2 whatever sys.stderr is
    try:
        os.fstat(fd)
    except OSError:  # no stderr at all: nothing to redirect
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", "replace")
        other = []
        for line in text.splitlines():
            if _NOISE.match(line):
                logger.debug("mediapipe: %s", line)
            elif line.strip():
                other.append(line)
        if other:
            sys.stderr.write("\n".join(other) + "\n")


def resolve_model_path(model_path: str | os.PathLike | None) -> Path:
    """The landmarker bundle to use: ``model_path`` or the provisioned ``face_landmarker`` model."""
    if model_path is None:
        from talkinghead.assets import model_path as provisioned

        return provisioned("face_landmarker")
    path = Path(model_path)
    if not path.is_file():
        raise ModelMissingError(f"face landmarker model {str(path)!r} does not exist; run `talkinghead fetch-models`")
    return path


@functools.lru_cache(maxsize=4)
def _detector_bytes(bundle: str) -> bytes:
    """``face_detector.tflite`` from inside the landmarker bundle (the same detector the landmarker runs)."""
    try:
        with zipfile.ZipFile(bundle) as zf:
            return zf.read("face_detector.tflite")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelMissingError(
            f"{bundle} is not a face landmarker bundle ({exc}); run `talkinghead fetch-models --force`"
        ) from None


def create_landmarker(model_path: Path, video: bool, num_faces: int, min_confidence: float = 0.5):
    """A mediapipe FaceLandmarker with blendshapes, in IMAGE or VIDEO (tracking) mode. Caller closes it."""
    _, vision, BaseOptions = mediapipe_modules()
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_faces=num_faces,
        min_face_detection_confidence=min_confidence,
        min_face_presence_confidence=min_confidence,
        min_tracking_confidence=min_confidence,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=False,  # recomputed from (smoothed, full-image) landmarks
    )
    with quiet_native_stderr():
        return vision.FaceLandmarker.create_from_options(options)


def create_detector(model_path: Path, min_confidence: float):
    """A mediapipe FaceDetector (BlazeFace short range, from the landmarker bundle). Caller closes it."""
    _, vision, BaseOptions = mediapipe_modules()
    options = vision.FaceDetectorOptions(
        base_options=BaseOptions(model_asset_buffer=_detector_bytes(str(model_path))),
        running_mode=vision.RunningMode.IMAGE,
        min_detection_confidence=min_confidence,
    )
    with quiet_native_stderr():
        return vision.FaceDetector.create_from_options(options)


def mp_image(image: np.ndarray):
    """Wrap an ``(h, w, 3) uint8 RGB`` array as an ``mp.Image`` (copied if not C-contiguous: PyAV frames have
    padded rows, which mediapipe would read as garbage)."""
    mediapipe, _, _ = mediapipe_modules()
    return mediapipe.Image(image_format=mediapipe.ImageFormat.SRGB, data=np.ascontiguousarray(image, dtype=np.uint8))
