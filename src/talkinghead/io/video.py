"""Probing media files and iterating video frames.

Frames come out as ``(h, w, 3) uint8 RGB`` with their presentation time in seconds, rotation metadata
applied (a phone video shot upright comes out upright). ``fps`` asks for a constant output rate: each
output time takes the latest decoded frame at or before it, so variable-frame-rate input is resampled the
way ``ffmpeg -vf fps`` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from talkinghead.errors import MediaReadError, OptionError, VideoReadError
from talkinghead.io._av import open_media

__all__ = ["VideoInfo", "AudioInfo", "MediaInfo", "Frame", "probe", "iter_frames"]


@dataclass(frozen=True)
class VideoInfo:
    """The first video stream of a file.

    ``width``/``height`` are the displayed size, after rotation; ``fps`` is the average frame rate;
    ``num_frames`` is the container's count, or an estimate from duration * fps when it has none.
    """

    width: int
    height: int
    fps: Fraction
    num_frames: int
    duration: float
    codec: str
    rotation: int
    pix_fmt: str | None


@dataclass(frozen=True)
class AudioInfo:
    """The first audio stream of a file."""

    sample_rate: int
    channels: int
    duration: float
    codec: str


@dataclass(frozen=True)
class MediaInfo:
    """What ``probe`` finds in a media file."""

    path: Path
    format: str
    duration: float
    video: VideoInfo | None
    audio: AudioInfo | None

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None


@dataclass(frozen=True)
class Frame:
    """One decoded video frame: ``image`` is ``(h, w, 3) uint8 RGB``, ``time`` in seconds from the start."""

    image: np.ndarray
    time: float
    index: int


def _stream_duration(stream, container) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe a media file without decoding it (except one frame, for the rotation).

    Raises:
        MediaReadError: missing, empty or unrecognised file.
    """
    with open_media(path, "media", MediaReadError) as container:
        video = audio = None
        if container.streams.video:
            vs = container.streams.video[0]
            fps = vs.average_rate or vs.guessed_rate or vs.base_rate or Fraction(25)
            duration = _stream_duration(vs, container)
            rotation = 0
            width, height = vs.codec_context.width, vs.codec_context.height
            try:
                first = next(container.decode(vs), None)
            except Exception:  # a frame that fails to decode leaves the metadata readable
                first = None
            if first is not None:
                rotation = int(round(first.rotation or 0)) % 360
                width, height = first.width, first.height
            if rotation in (90, 270):
                width, height = height, width
            num_frames = vs.frames or int(round(duration * float(fps)))
            video = VideoInfo(width, height, Fraction(fps), num_frames, duration, vs.codec_context.name,
                              rotation, vs.codec_context.format.name if vs.codec_context.format else None)
        if container.streams.audio:
            aus = container.streams.audio[0]
            audio = AudioInfo(aus.codec_context.sample_rate or 0, aus.codec_context.channels or 0,
                              _stream_duration(aus, container), aus.codec_context.name)
        duration = container.duration / 1_000_000 if container.duration else max(
            video.duration if video else 0.0, audio.duration if audio else 0.0)
        return MediaInfo(Path(path), container.format.name, duration, video, audio)


def _rotate(image: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a counter-clockwise display rotation (degrees, multiple of 90)."""
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def iter_frames(
    path: str | os.PathLike, fps: float | Fraction | None = None, start: float = 0.0, end: float | None = None
) -> Iterator[Frame]:
    """Decode the first video stream of ``path``.

    Args:
        path: a video file.
        fps: if given, resample to this constant rate (frames dropped or repeated; times are ``i / fps``);
            otherwise every decoded frame with its own timestamp (variable frame rate kept).
        start, end: time range in seconds (``end`` exclusive, ``None`` for the whole file).

    Yields:
        ``Frame`` with ``(h, w, 3) uint8 RGB`` images, rotation metadata applied.

    Raises:
        VideoReadError: missing, empty, undecodable file or no video stream.
    """
    if fps is not None and not float(fps) > 0:
        raise OptionError(f"fps must be positive, got {fps}")
    with open_media(path, "video", VideoReadError) as container:
        if not container.streams.video:
            raise VideoReadError(f"{str(path)!r} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        t0 = None
        index = 0
        previous: tuple[np.ndarray, float] | None = None
        gap = None  # last inter-frame interval, the duration given to the final frame
        next_time = start
        for frame in container.decode(stream):
            t = frame.time if frame.time is not None else (previous[1] + 1 / 25 if previous else 0.0)
            if t0 is None:
                t0 = t  # streams may start at a non-zero pts; times count from the first frame
            t -= t0
            image = _rotate(frame.to_ndarray(format="rgb24"), int(round(frame.rotation or 0)))
            if fps is None:
                if t < start - 1e-6:
                    continue
                if end is not None and t >= end - 1e-6:
                    return
                yield Frame(image, t, index)
                index += 1
                continue
            # Constant-rate resampling: emit the latest frame at or before each output time.
            while previous is not None and next_time < t - 1e-6:
                if end is not None and next_time >= end - 1e-6:
                    return
                yield Frame(previous[0], next_time, index)
                index += 1
                next_time = start + index / float(fps)
            if previous is not None:
                gap = t - previous[1]
            previous = (image, t)
        if fps is not None and previous is not None:
            # The last frame lasts as long as the interval before it (or one frame at the stream's rate).
            if not gap or gap <= 0:
                gap = 1.0 / float(stream.average_rate or stream.guessed_rate or 25)
            last_end = previous[1] + gap
            # Output frames whose interval mostly lies before the end (counts round like ffmpeg's fps filter).
            while next_time < last_end - 0.5 / float(fps) + 1e-6 and (end is None or next_time < end - 1e-6):
                yield Frame(previous[0], next_time, index)
                index += 1
                next_time = start + index / float(fps)
