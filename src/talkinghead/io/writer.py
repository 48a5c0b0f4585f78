"""``VideoWriter``: H.264 (yuv420p) + AAC MP4, frames pushed one at a time, audio muxed, atomic.

The file is written to a temporary name in the target folder and renamed when :meth:`VideoWriter.close`
succeeds; on any failure (or :meth:`abort`, or an exception inside ``with``) the temporary file is removed,
so a half-written video never appears under the requested name. Audio is interleaved with the video as
frames arrive, so memory does not grow with the length of the recording.

Frames are encoded on a background thread (colour conversion and x264 release the GIL), so the caller renders
the next frame while the last one is encoded: about 2 ms a frame saved at 512x512 on two cores. At most
``queue_frames`` frames wait; an encoding error is raised by the next :meth:`VideoWriter.write` or by
:meth:`VideoWriter.close`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

from talkinghead.errors import OptionError
from talkinghead.io.atomic import check_output_path, make_temp_beside

__all__ = ["VideoWriter"]

logger = logging.getLogger(__name__)

#: From this many pixels a frame (720p), x264 encodes with frame threads. PyAV leaves libavcodec's slice
#: threading, with which x264 used one core here: a 1080p frame took 17 ms to encode, 9.5 ms with frame threads,
#: and the default method rendered 1080p in 2.8 s instead of 3.4 s; at 512x512 frame threads cost more than they
#: gave (render + encode 1.25 s instead of 1.09 s, 2 cores, where rendering needs the second core).
_FRAME_THREADS_FROM = 1280 * 720


class VideoWriter:
    """Encode RGB frames (and optionally audio) to an MP4 file.

    Args:
        path: output ``.mp4`` path. Refused up front if it exists (without ``overwrite``) or its folder is missing.
        fps: frame rate (int, float or Fraction).
        audio: optional ``(n,)`` or ``(n, channels)`` float32 wave in [-1, 1] at ``sample_rate``, or a path to
            any audio file (read in blocks). Audio past the last video frame is cut.
        sample_rate: rate of ``audio`` when it is an array; ignored for a path (its own rate is kept).
        overwrite: replace an existing file.
        crf: x264 constant rate factor (lower is better quality; 18 is visually lossless for most content).
        preset: x264 speed preset.
        audio_bitrate: AAC bit rate in bits per second.
        queue_frames: frames that may wait for the encoder thread (each is a copy: ``h * w * 3`` bytes).

    Frames are ``(h, w, 3) uint8 RGB``, all of one size; odd widths or heights are padded by one
    replicated row or column because yuv420p needs even sizes.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float | Fraction,
        audio: np.ndarray | str | os.PathLike | None = None,
        sample_rate: int | None = None,
        overwrite: bool = False,
        crf: int = 18,
        preset: str = "veryfast",
        audio_bitrate: int = 128_000,
        queue_frames: int = 4,
    ):
        import av

        if not float(fps) > 0:
            raise OptionError(f"fps must be positive, got {fps}")
        self.path = check_output_path(path, overwrite)
        self.overwrite = overwrite
        self.fps = Fraction(fps).limit_denominator(1001) if not isinstance(fps, Fraction) else fps
        self.num_frames = 0
        self._size: tuple[int, int] | None = None  # (w, h) of the encoded stream
        self._closed = False
        self._queue: queue.Queue = queue.Queue(max(1, int(queue_frames)))
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._encoded = 0  # frames the encoder thread has sent to x264
        self._tmp = make_temp_beside(self.path.with_suffix(".mp4"))
        try:
            self._container = av.open(str(self._tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
            self._video = self._container.add_stream("libx264", rate=self.fps)
            self._video.pix_fmt = "yuv420p"
            self._video.options = {"crf": str(crf), "preset": preset}
            self._audio_stream = None
            self._audio_source = None
            if audio is not None:
                self._setup_audio(audio, sample_rate, audio_bitrate)
        except BaseException:
            self._cleanup()
            raise

    # -- audio ------------------------------------------------------------------------------------------
    def _setup_audio(self, audio, sample_rate, bitrate):
        from talkinghead.io.audio import iter_audio

        if isinstance(audio, str | os.PathLike):
            from talkinghead.io.video import probe

            info = probe(audio)
            rate = info.audio.sample_rate if info.audio else 48_000
            self._audio_source = iter_audio(audio, rate, block_seconds=1.0)
            channels = 1
        else:
            wave = np.asarray(audio, dtype=np.float32)
            if wave.ndim == 1:
                wave = wave[:, None]
            if wave.ndim != 2 or wave.shape[1] > 2:
                raise ValueError(f"audio must be (n,) or (n, channels<=2), got {wave.shape}")
            if not sample_rate or sample_rate <= 0:
                raise ValueError("sample_rate is required with an audio array")
            rate, channels = int(sample_rate), wave.shape[1]
            self._audio_source = iter(np.array_split(wave, max(1, len(wave) // rate + 1)))
        self._audio_stream = self._container.add_stream("aac", rate=rate)
        self._audio_stream.layout = "mono" if channels == 1 else "stereo"
        self._audio_stream.bit_rate = bitrate
        self._audio_rate = rate
        self._audio_channels = channels
        self._audio_buffer = np.zeros((0, channels), np.float32)
        self._audio_written = 0  # samples sent to the encoder
        self._audio_exhausted = False

    def _pull_audio(self, upto: int) -> None:
        """Make the buffer hold at least ``upto - written`` samples, if the source has them."""
        while not self._audio_exhausted and self._audio_written + len(self._audio_buffer) < upto:
            try:
                block = next(self._audio_source)
            except StopIteration:
                self._audio_exhausted = True
                break
            block = np.asarray(block, np.float32)
            if block.ndim == 1:
                block = block[:, None]
            self._audio_buffer = np.concatenate([self._audio_buffer, block])

    def _encode_audio(self, upto: int, final: bool = False) -> None:
        """Encode audio samples up to sample index ``upto`` (the end of the video written so far)."""
        import av

        if self._audio_stream is None:
            return
        frame_size = self._audio_stream.codec_context.frame_size or 1024
        self._pull_audio(upto)
        while True:
            available = min(len(self._audio_buffer), upto - self._audio_written)
            if available <= 0 or (available < frame_size and not final):
                break
            n = min(frame_size, available)
            chunk = np.clip(self._audio_buffer[:n], -1.0, 1.0)
            self._audio_buffer = self._audio_buffer[n:]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp",
                                               layout="mono" if self._audio_channels == 1 else "stereo")
            frame.sample_rate = self._audio_rate
            frame.pts = self._audio_written
            frame.time_base = Fraction(1, self._audio_rate)
            self._audio_written += n
            for packet in self._audio_stream.encode(frame):
                self._container.mux(packet)
        if final:
            for packet in self._audio_stream.encode(None):
                self._container.mux(packet)

    # -- video ------------------------------------------------------------------------------------------
    def write(self, frame: np.ndarray) -> None:
        """Append one ``(h, w, 3) uint8 RGB`` frame (copied: the caller may reuse its buffer)."""
        if self._closed:
            raise RuntimeError("VideoWriter is closed")
        self._raise_encoder_error()
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frames must be (h, w, 3) uint8 RGB, got {frame.shape} {frame.dtype}")
        h, w = frame.shape[:2]
        if self._size is None:
            self._size = (w + w % 2, h + h % 2)
            self._frame_shape = (h, w)
            self._video.width, self._video.height = self._size
            if w * h >= _FRAME_THREADS_FROM:
                self._video.codec_context.thread_type = "AUTO"
            self._thread = threading.Thread(target=self._encode_loop, name="VideoWriter", daemon=True)
            self._thread.start()
        elif (h, w) != self._frame_shape:
            raise ValueError(f"frame size changed from {self._frame_shape} to {(h, w)}")
        if (w, h) != self._size:
            frame = np.pad(frame, ((0, self._size[1] - h), (0, self._size[0] - w), (0, 0)), mode="edge")
        else:
            frame = np.array(frame, order="C", copy=True)
        while True:  # wait for room, but not forever if the encoder thread died
            try:
                self._queue.put(frame, timeout=0.5)
                break
            except queue.Full:
                self._raise_encoder_error()
        self.num_frames += 1

    def _encode_loop(self) -> None:
        """The encoder thread: frames from the queue to x264 and the muxer, audio interleaved. ``None`` ends it."""
        import av

        while True:
            frame = self._queue.get()
            if frame is None or self._error is not None:
                if frame is None:
                    return
                continue  # drain after an error so that write() never blocks
            try:
                video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
                video_frame.pts = self._encoded
                video_frame.time_base = 1 / self.fps
                for packet in self._video.encode(video_frame):
                    self._container.mux(packet)
                self._encoded += 1
                if self._audio_stream is not None:
                    self._encode_audio(self._audio_samples_for(self._encoded))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._error = exc

    def _raise_encoder_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _stop_thread(self) -> None:
        """Let the encoder thread finish what is queued and end."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _audio_samples_for(self, num_frames: int) -> int:
        return int(num_frames * self._audio_rate / self.fps)

    @property
    def duration(self) -> float:
        """Seconds of video written so far."""
        return float(self.num_frames / self.fps)

    def close(self) -> Path:
        """Flush the encoders and move the file to its final name. Returns the final path."""
        if self._closed:
            return self.path
        try:
            if self.num_frames == 0:
                raise ValueError("no frames were written")
            self._stop_thread()
            self._raise_encoder_error()
            for packet in self._video.encode(None):
                self._container.mux(packet)
            if self._audio_stream is not None:
                self._encode_audio(self._audio_samples_for(self.num_frames), final=True)
            self._container.close()
            self._closed = True
            if self.path.exists() and not self.overwrite:
                from talkinghead.errors import OutputExistsError

                raise OutputExistsError(f"{str(self.path)!r} appeared while writing; pass --overwrite to replace it")
            os.replace(self._tmp, self.path)
        except BaseException:
            self._cleanup()
            raise
        logger.info("wrote %s (%d frames, %.2f s)", self.path, self.num_frames, self.duration)
        return self.path

    def abort(self) -> None:
        """Stop writing and remove the temporary file; nothing appears at ``path``."""
        self._cleanup()

    def _cleanup(self) -> None:
        self._closed = True
        if getattr(self, "_thread", None) is not None:
            self._error = self._error or RuntimeError("aborted")  # the thread skips what is still queued
            with contextlib.suppress(Exception):
                self._stop_thread()
        container = getattr(self, "_container", None)
        if container is not None:
            with contextlib.suppress(Exception):
                container.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self):
        if not getattr(self, "_closed", True):
            self._cleanup()
