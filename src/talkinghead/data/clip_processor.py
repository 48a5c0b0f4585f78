"""One talking video -> one clip folder (docs/data.md): resample to 25 fps, track the face, aligned crops,
landmarks, blendshapes, pose, FaceModel fit, mel, phones.

Shape legend: ``t`` frames at 25 fps, ``s`` crop side.

A video is skipped (nothing written but a reason) when it cannot be read, has no video or no audio
stream, its audio and video lengths differ by more than ``max_length_gap`` seconds (out of sync), no face is
found, the longest run of frames with a face is shorter than ``min_seconds``, or its audio is digital silence.
Frames where the face is lost for longer than the tracker bridges (0.5 s) cut the video: the longest run
with a face is kept (``meta.json`` says where it starts).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from talkinghead.data.clip import FPS, SAMPLE_RATE, ClipArrays, FrameFileWriter, clip_folder, write_clip
from talkinghead.data.layout import clip_id_of, speaker_of

__all__ = ["ClipOptions", "ClipResult", "SkipClip", "process_video", "SKIP_REASONS", "estimate_av_offset"]

logger = logging.getLogger(__name__)

#: why a video can be skipped
SKIP_REASONS = ("unreadable", "no video", "no audio", "out of sync", "no face", "too short", "silent audio")
_SAMPLES_PER_FRAME = SAMPLE_RATE // FPS


@dataclass(frozen=True)
class ClipOptions:
    """Per-clip preprocessing options (recorded in ``preprocess.json``; a resumed run must match them).

    Attributes:
        crop_sizes: sides of the aligned crops written (``frames_<s>.npy``).
        min_seconds: shortest run of frames with a face that makes a clip.
        max_length_gap: audio and video stream lengths may differ by this much, seconds.
        max_av_offset: skip clips whose estimated audio-video offset is larger, frames (``None``: keep all,
            the estimate is only recorded).
    """

    crop_sizes: tuple[int, ...] = (256,)
    min_seconds: float = 1.0
    max_length_gap: float = 0.5
    max_av_offset: int | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        d["crop_sizes"] = sorted(int(s) for s in self.crop_sizes)
        return d


class SkipClip(Exception):
    """A video that makes no clip; ``reason`` is one of :data:`SKIP_REASONS`."""

    def __init__(self, reason: str, detail: str = ""):
        assert reason in SKIP_REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class ClipResult:
    """What became of one video: ``status`` ``"written"`` or ``"skipped"`` (with ``reason`` and ``detail``);
    ``frames`` decoded at 25 fps; ``seconds`` of wall time."""

    clip_id: str
    source: str
    speaker: str
    status: str
    reason: str = ""
    detail: str = ""
    frames: int = 0
    kept_frames: int = 0
    seconds: float = 0.0


def _longest_run(valid: np.ndarray) -> tuple[int, int]:
    """``[start, end)`` of the longest run of True (the first one on ties); ``(0, 0)`` if none."""
    padded = np.concatenate([[False], valid, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    if len(edges) == 0:
        return 0, 0
    starts, ends = edges[::2], edges[1::2]
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


def estimate_av_offset(landmarks: np.ndarray, loudness_db: np.ndarray, max_lag: int = 5) -> tuple[int, float]:
    """Audio-video offset from the correlation of the inner-lip gap with the audio level.

    Returns ``(lag, correlation)``: the lag in frames (positive: the mouth moves after the sound) with the
    highest correlation between the lip gap (landmarks 13-14 over face height 10-152) and the loudness in dB.
    A rough check, not SyncNet: speech opens the mouth with the sound, so in-sync clips peak near 0.
    """
    lm = np.asarray(landmarks, np.float64)
    height = np.linalg.norm(lm[:, 10, :2] - lm[:, 152, :2], axis=-1) + 1e-6
    gap = np.linalg.norm(lm[:, 13, :2] - lm[:, 14, :2], axis=-1) / height
    level = np.maximum(np.asarray(loudness_db, np.float64), -60.0)
    n = min(len(gap), len(level))
    if n < 2 * max_lag + 10:
        return 0, 0.0
    gap, level = gap[:n], level[:n]
    best = (0, -2.0)
    for lag in range(-max_lag, max_lag + 1):
        a = gap[max(0, lag):n + min(0, lag)]
        b = level[max(0, -lag):n - max(0, lag)]
        if a.std() < 1e-9 or b.std() < 1e-9:
            continue
        r = float(np.corrcoef(a, b)[0, 1])
        if r > best[1] + 1e-12:
            best = (lag, r)
    return best[0], (round(best[1], 4) if best[1] > -2 else 0.0)


def process_video(source: Path, relative: PurePosixPath, clips_dir: Path, options: ClipOptions, analyzer,
                  extra_meta: dict | None = None, clip_id: str | None = None, speaker: str | None = None,
                  extra_files: dict[str, Path] | None = None) -> ClipResult:
    """Turn ``source`` into ``clips_dir/<clip id>/``, or report why not.

    Args:
        source: the video file.
        relative: its path relative to the dataset root (gives the clip id and the speaker).
        clips_dir: folder of clip folders.
        options: see :class:`ClipOptions`.
        analyzer: a :class:`talkinghead.face.FaceAnalyzer`.
        extra_meta: more ``meta.json`` fields (``synth`` records its inputs).
        clip_id, speaker: override the ones derived from ``relative``.
        extra_files: ``{name: file}`` copied into the clip folder before it is renamed into place.
    """
    clip_id = clip_id or clip_id_of(relative)
    speaker = speaker or speaker_of(relative)
    t0 = time.perf_counter()
    base = dict(clip_id=clip_id, source=str(relative), speaker=speaker)
    counter = {"frames": 0}
    try:
        kept = _process(Path(source), clip_id, speaker, str(relative), Path(clips_dir), options, analyzer,
                        extra_meta or {}, counter, extra_files or {})
    except SkipClip as skip:
        return ClipResult(**base, status="skipped", reason=skip.reason, detail=skip.detail,
                          frames=counter["frames"], seconds=time.perf_counter() - t0)
    return ClipResult(**base, status="written", frames=counter["frames"], kept_frames=kept,
                      seconds=time.perf_counter() - t0)


def _process(source: Path, clip_id: str, speaker: str, relative: str, clips_dir: Path, options: ClipOptions,
             analyzer, extra_meta: dict, counter: dict, extra_files: dict[str, Path]) -> int:
    import shutil

    from talkinghead.errors import MediaReadError
    from talkinghead.face.crop import crop_transform
    from talkinghead.io import iter_frames, probe, read_audio

    try:
        info = probe(source)
    except MediaReadError as e:
        raise SkipClip("unreadable", str(e)) from None
    if info.video is None:
        raise SkipClip("no video", "the file has no video stream")
    if info.audio is None:
        raise SkipClip("no audio", "the file has no audio stream")
    gap = abs(info.video.duration - info.audio.duration)
    if gap > options.max_length_gap:
        raise SkipClip("out of sync", f"audio and video lengths differ by {gap:.2f} s")
    sizes = sorted({int(s) for s in options.crop_sizes}, reverse=True)
    largest = sizes[0]
    min_frames = max(1, int(round(options.min_seconds * FPS)))

    with clip_folder(clips_dir, clip_id) as tmp:
        writers = {s: FrameFileWriter(tmp, s) for s in sizes}
        faces, matrices, status = [], [], []
        image_size = (info.video.width, info.video.height)
        try:
            for tracked in analyzer.track(iter_frames(source, fps=FPS)):
                counter["frames"] += 1
                face = tracked.face
                status.append(tracked.status)
                if face is None:
                    for w in writers.values():
                        w.append(None)
                    faces.append(None)
                    matrices.append(np.full((2, 3), np.nan))
                    continue
                image_size = (tracked.image.shape[1], tracked.image.shape[0])
                transform = crop_transform(face.landmarks, largest, image_size)
                for s, w in writers.items():
                    w.append((transform if s == largest else transform.resized(s)).warp(tracked.image))
                faces.append(face)
                matrices.append(transform.matrix)
        except MediaReadError as e:
            raise SkipClip("unreadable", str(e)) from None
        finally:
            for w in writers.values():
                w.close()
        valid = np.array([f is not None for f in faces], bool)
        if not valid.any():
            raise SkipClip("no face", f"no face in any of {len(faces)} frames")
        a, b = _longest_run(valid)
        if b - a < min_frames:
            raise SkipClip("too short", f"{b - a} frames with a face, fewer than {min_frames}")

        wave = read_audio(source, SAMPLE_RATE)
        n = (b - a) * _SAMPLES_PER_FRAME
        segment = np.zeros(n, np.float32)
        piece = wave[a * _SAMPLES_PER_FRAME:a * _SAMPLES_PER_FRAME + n]
        segment[:len(piece)] = piece
        pcm = np.clip(np.round(segment * 32767.0), -32768, 32767).astype(np.int16)
        arrays, av = _clip_arrays(faces[a:b], np.stack(matrices[a:b]), pcm, image_size)
        if options.max_av_offset is not None and abs(av[0]) > options.max_av_offset:
            raise SkipClip("out of sync", f"estimated audio-video offset {av[0]} frames "
                                          f"(correlation {av[1]:.2f}), more than {options.max_av_offset}")
        for w in writers.values():
            w.finish(a, b)
        arrays.meta.update(
            id=clip_id, source=relative, speaker=speaker, image_size=[int(image_size[0]), int(image_size[1])],
            start_frame=int(a), source_frames=len(faces),
            frames_detected=int(sum(s == "detected" for s in status[a:b])),
            frames_bridged=int(sum(s == "bridged" for s in status[a:b])),
            av_offset_frames=int(av[0]), av_correlation=float(av[1]), **extra_meta)
        write_clip(tmp, arrays, tuple(sizes))
        for name, path in sorted(extra_files.items()):
            shutil.copyfile(path, tmp / name)
    return b - a


def _analyze_fresh(analyze, wave: np.ndarray):
    """``analyze`` in a new thread, so with a new pocketsphinx decoder (decoders are per thread).

    pocketsphinx carries its cepstral-mean estimate from one utterance to the next, so a decoder reused across
    clips made a clip's phones depend on the clips decoded before it (measured: phone boundaries 10 ms apart
    for the same clip after another one), and the dataset on the order and the number of workers.
    ``talkinghead.audio`` now starts each first pass from a fresh front-end; a fresh decoder per clip (about
    0.3 s to load) keeps clips independent whatever the decoder keeps between calls.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(analyze, wave, fps=FPS, sample_rate=SAMPLE_RATE).result()


def _clip_arrays(faces: list, matrices: np.ndarray, pcm: np.ndarray, image_size) -> tuple[ClipArrays, tuple]:
    from talkinghead.audio import analyze
    from talkinghead.errors import AudioContentError
    from talkinghead.face3d import FaceFitter

    landmarks = np.stack([f.landmarks for f in faces]).astype(np.float32)
    blendshapes = np.stack([f.blendshapes for f in faces]).astype(np.float32)
    pose = np.stack([f.pose for f in faces]).astype(np.float32)
    try:
        track = _analyze_fresh(analyze, pcm.astype(np.float32) / 32768.0)
    except AudioContentError as e:
        raise SkipClip("silent audio", str(e)) from None
    fit = FaceFitter().fit_sequence(landmarks, image_size, blendshapes)
    fit_arrays = {"identity": fit.identity.astype(np.float32), "betas": fit.betas.astype(np.float32),
                  "rotations": fit.rotations.astype(np.float32), "translations": fit.translations.astype(np.float32),
                  "scales": np.asarray(fit.scales, np.float32), "image_size": np.asarray(image_size, np.int32)}
    phones = [{"phone": p.label, "start": p.start, "end": p.end} for p in track.phones]
    words = [{"word": w.text, "start": w.start, "end": w.end} for w in track.words]
    av = estimate_av_offset(landmarks, track.loudness)
    arrays = ClipArrays(landmarks=landmarks, blendshapes=blendshapes, pose=pose, crop_matrices=matrices,
                        fit=fit_arrays, mel=track.mel, audio=pcm, phones=phones, words=words,
                        meta={"phone_source": track.phone_source})
    return arrays, av
