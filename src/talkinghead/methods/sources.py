"""What every method does with its source before its own work: tell an image from a video, choose the output
size, play a video back and forth when the speech outlasts it, and keep the frames of the first pass for that.

Shared by the methods' pipelines (they never import each other, STYLE.md 2).
"""

from __future__ import annotations

import os
from fractions import Fraction

import cv2
import numpy as np

from talkinghead.errors import ImageReadError, MediaReadError
from talkinghead.io import probe, read_image

__all__ = ["DEFAULT_MAX_SIZE", "load_source", "output_size", "resize", "pingpong", "as_fraction", "FrameStore",
           "frame_progress"]

#: longest side of the output when no size is asked for (larger sources are scaled down)
DEFAULT_MAX_SIZE = 1920
_IMAGE_FORMATS = ("image2", "gif", "webp", "tiff", "bmp")


def output_size(width: int, height: int, size: int | None) -> tuple[int, int]:
    """``(w, h)`` of the output: the longer side ``size`` (default: the source's, at most 1920), even numbers."""
    longer = max(width, height)
    target = min(longer, DEFAULT_MAX_SIZE) if size is None else int(size)
    scale = target / longer
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` at ``size = (w, h)`` (area filter when shrinking, cubic when enlarging; unchanged if equal)."""
    if (image.shape[1], image.shape[0]) == size:
        return image
    shrink = size[0] < image.shape[1]
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


def load_source(source: str | os.PathLike) -> tuple[str, np.ndarray | None]:
    """``("image", rgb)`` or ``("video", None)``, telling them apart by content.

    Raises:
        ImageReadError: neither a readable image nor a video.
    """
    try:
        info = probe(source)
        video = info.video is not None and info.video.num_frames > 1 and not (
            info.format.endswith("_pipe") or info.format in _IMAGE_FORMATS)
    except MediaReadError:
        video = False
    if video:
        return "video", None
    try:
        return "image", read_image(source)
    except ImageReadError as exc:
        raise ImageReadError(f"{exc} (the source must be a portrait image or a video with a face)") from None


def as_fraction(fps: float) -> Fraction:
    """A frame rate as the ``Fraction`` the video writer and reader take (NTSC rates kept exact)."""
    return Fraction(fps).limit_denominator(1001)


def pingpong(index: int, length: int) -> int:
    """Source frame of output frame ``index`` when a ``length``-frame video plays back and forth."""
    if length <= 1:
        return 0
    period = 2 * (length - 1)
    k = index % period
    return k if k < length else period - k


class FrameStore:
    """JPEG-compressed copies of decoded frames (and anything per frame), for a later random-access pass."""

    def __init__(self, quality: int = 95):
        self.quality = int(quality)
        self.frames: list[bytes] = []
        self.faces: list = []

    def __len__(self) -> int:
        return len(self.frames)

    def add(self, image: np.ndarray, face=None) -> None:
        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        self.frames.append(data.tobytes())
        self.faces.append(face)

    def get(self, k: int) -> tuple[np.ndarray, object]:
        image = cv2.imdecode(np.frombuffer(self.frames[k], np.uint8), cv2.IMREAD_COLOR)
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), self.faces[k]


def frame_progress(total: int, enabled: bool, desc: str):
    """A tqdm bar counting frames, or ``None`` when ``enabled`` is false."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="frame", desc=desc)
