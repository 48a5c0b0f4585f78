"""IP-LAP inference: source + speech -> talking video (Sec. 3, Fig. 2; paste-back Fig. 3).

    source --FaceAnalyzer.track--> per frame: 478 landmarks -> 128 px aligned crop + its 131 points
    speech --melspectrogram--> one 80x16 mel window per output frame
    stage 1 (LandmarkGenerator, Sec. 3.1): T-frame windows of [N_l reference | T audio | T pose-prior] tokens
        -> lip and jaw points of every output frame (``--mouth-scale`` scales their displacement)
    stage 2 (LandmarkRenderer, Sec. 3.2): masked lower-half target + 2k+1 target sketches + N reference
        images and sketches + the frame's mel -> the 128 px face
    paste-back: the face blended into the full frame through a Gaussian-smoothed face mask (Fig. 3)

A video source is dubbed (its frames are completed; its head motion and blinks are kept); when the speech
outlasts it, it plays back and forth. A portrait source is first given head motion, blinks and brow gestures
by the shared motion model and warp renderer (the default method's, mouth at rest; ``--still`` or
``--head-motion 0 --blink-rate 0`` give static frames), and that "video" is then dubbed the same way: the paper
animates videos only (docs/ip_lap.md lists this as an addition).

Two passes over the source: the first tracks the face and keeps, per frame, the crop transform, the 131 points
and a JPEG copy of the 128 px crop (about 5 kB); the references are chosen from all of them (N_l for
landmarks, N for images, spread over the range of mouth openness, Sec. 3.1 / Sec. 4.1). The second pass renders
and writes in batches of ``--batch-size`` frames, re-decoding the video (or, when the video is played back and
forth, reading the first pass's JPEG copies of the full frames).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkinghead.errors import AudioContentError, ModelMissingError, NoFaceError
from talkinghead.io import VideoWriter, check_output_path, iter_frames, probe, read_audio
from talkinghead.methods.base import GenerateResult
from talkinghead.methods.ip_lap import landmarks as L
from talkinghead.methods.ip_lap.config import IPLAPConfig
from talkinghead.methods.sources import (FrameStore, as_fraction, frame_progress, load_source, output_size,
                                         pingpong, resize)

__all__ = ["generate", "IPLAPModels", "load_models", "bundled_checkpoint", "SourceTrack"]

logger = logging.getLogger(__name__)

#: side of the face crops the networks see (Sec. 4.1: H = W = 128)
CROP_SIZE = 128
SAMPLE_RATE = 16_000


def bundled_checkpoint() -> Path:
    """The small checkpoint shipped with the package (see docs/ip_lap.md for what it was trained on)."""
    return Path(__file__).resolve().parents[2] / "assets" / "ip_lap"


@dataclass
class IPLAPModels:
    """Both stages, loaded from one checkpoint folder."""

    landmark_generator: object
    renderer: object
    device: object

    @property
    def window(self) -> int:
        return int(self.landmark_generator.config["window"])

    @property
    def num_landmark_refs(self) -> int:
        return int(self.landmark_generator.config["num_refs"])

    @property
    def image_size(self) -> int:
        return int(self.renderer.config.get("image_size", CROP_SIZE))

    @property
    def num_sketches(self) -> int:
        return int(self.renderer.config.get("num_sketches", 5))


def load_models(checkpoint: str | os.PathLike | None = None, device: str = "auto") -> IPLAPModels:
    """Load ``checkpoint/landmark_generator`` and ``checkpoint/renderer`` (default: :func:`bundled_checkpoint`).

    A folder written by ``talkinghead train ip_lap --out RUN`` is accepted as ``RUN`` (its stages' ``final/``
    folders are used) as well as the folder holding the two module folders.

    Raises:
        ModelMissingError: the folder or one of its parts is missing.
    """
    if checkpoint is None:
        logger.warning("IP-LAP runs with its bundled checkpoint: a demonstration trained on a CPU on 11 faces "
                       "(docs/ip_lap.md); expect a blurred face with bright or dark blotches, and a wrong face on "
                       "people it was not trained on. Train your own (`talkinghead train ip_lap`) and pass "
                       "--checkpoint")
    root = Path(checkpoint) if checkpoint is not None else bundled_checkpoint()
    if not root.is_dir():
        raise ModelMissingError(f"IP-LAP checkpoint {str(root)!r} does not exist; give the folder that "
                                "`talkinghead train ip_lap --out DIR` wrote")
    parts = {}
    for name, stage in (("landmark_generator", "landmarks"), ("renderer", "renderer")):
        for candidate in (root / stage / "final" / name, root / name):  # a run folder, or the module folders
            if (candidate / "config.json").is_file() and (candidate / "model.safetensors").is_file():
                parts[name] = candidate
                break
        else:
            raise ModelMissingError(f"IP-LAP checkpoint {str(root)!r} has no {name}/ folder (config.json + "
                                    "model.safetensors); train both stages with `talkinghead train ip_lap`")
    from talkinghead.nn.device import select_device

    dev = select_device(device)
    stamps = tuple((str(f), f.stat().st_mtime_ns) for f in (parts["landmark_generator"] / "model.safetensors",
                                                             parts["renderer"] / "model.safetensors"))
    return _load(stamps, str(dev))


@functools.lru_cache(maxsize=2)
def _load(stamps: tuple[tuple[str, int], ...], device: str) -> IPLAPModels:
    """The two modules of a checkpoint, kept loaded while their weight files are unchanged (a web page or a
    batch of calls does not rebuild them per request)."""
    import torch

    from talkinghead.methods.ip_lap.audio_to_landmark import LandmarkGenerator
    from talkinghead.methods.ip_lap.renderer import LandmarkRenderer
    from talkinghead.nn import from_pretrained

    (generator_weights, _), (renderer_weights, _) = stamps
    generator = from_pretrained(LandmarkGenerator, Path(generator_weights).parent, device=device).eval()
    renderer = from_pretrained(LandmarkRenderer, Path(renderer_weights).parent, device=device).eval()
    return IPLAPModels(generator, renderer, torch.device(device))


# -- the source ------------------------------------------------------------------------------------------


@dataclass
class SourceTrack:
    """First-pass results per source frame (``n`` frames).

    Attributes:
        points: ``(n, 131, 2)`` float32 in crop coordinates / crop side (NaN where no face).
        crop_landmarks: ``(n, 478, 2)`` float32 crop pixels (for the paste-back mask; NaN where no face).
        matrices: ``(n, 2, 3)`` crop transforms (image -> crop; NaN where no face).
        blendshapes: ``(n, 52)`` the tracked expression (zeros where no face).
        poses: ``(n, 3)`` tracked head pose, degrees (yaw, pitch, roll; NaN where no face).
        crops: JPEG copies of the 128 px crops (``None`` where no face).
        frames: JPEG copies of the full frames, kept only when the video must play back and forth.
        image_size: ``(w, h)`` of the (resized) frames.
    """

    points: np.ndarray
    crop_landmarks: np.ndarray
    matrices: np.ndarray
    blendshapes: np.ndarray
    poses: np.ndarray
    crops: FrameStore
    frames: FrameStore | None
    image_size: tuple[int, int]

    @property
    def num_frames(self) -> int:
        return len(self.points)

    @property
    def valid(self) -> np.ndarray:
        return np.isfinite(self.points[:, 0, 0])

    def filled_points(self) -> np.ndarray:
        """``points`` with faceless frames taken from the nearest frame with a face."""
        valid = np.flatnonzero(self.valid)
        frames = np.arange(self.num_frames)
        after = valid[np.minimum(np.searchsorted(valid, frames), len(valid) - 1)]  # first face at or after
        before = valid[np.maximum(np.searchsorted(valid, frames, side="right") - 1, 0)]  # last at or before
        nearest = np.where(np.abs(frames - before) <= np.abs(after - frames), before, after)  # ties: earlier
        return self.points[nearest]


def _track(frames: Iterator[np.ndarray], fps: float, config: IPLAPConfig, limit: int, keep_frames: bool,
           size: int, name: str) -> SourceTrack:
    from talkinghead.face import DEFAULT_AMBIGUITY_RATIO, FaceAnalyzer
    from talkinghead.face.crop import crop_transform

    points, crop_lms, matrices, shapes, poses = [], [], [], [], []
    crops, store = FrameStore(quality=95), (FrameStore(quality=95) if keep_frames else None)
    image_size = None
    with FaceAnalyzer() as analyzer:
        ambiguity = DEFAULT_AMBIGUITY_RATIO if config.face_index is None else None
        for tracked in analyzer.track(frames, fps=fps, face_index=config.face_index, ambiguity_ratio=ambiguity):
            image = tracked.image
            image_size = (image.shape[1], image.shape[0])
            if store is not None:
                store.add(image)
            face = tracked.face
            if face is None:
                points.append(np.full((L.NUM_ALL, 2), np.nan, np.float32))
                crop_lms.append(np.full((478, 2), np.nan, np.float32))
                matrices.append(np.full((2, 3), np.nan))
                shapes.append(np.zeros(52, np.float32))
                poses.append(np.full(3, np.nan, np.float32))
                crops.add(np.zeros((size, size, 3), np.uint8))
                crops.faces[-1] = None
            else:
                transform = crop_transform(face.landmarks, size, image_size)
                in_crop = transform.to_crop(np.asarray(face.landmarks)[:, :2]).astype(np.float32)
                crop_lms.append(in_crop)
                points.append(in_crop[list(L.ALL)] / np.float32(size))
                matrices.append(transform.matrix)
                shapes.append(np.asarray(face.blendshapes, np.float32))
                poses.append(np.asarray(face.pose, np.float32))
                crops.add(transform.warp(image), True)
            if len(points) >= limit:
                break
    if not points:
        raise NoFaceError(f"{name} has no frames")
    track = SourceTrack(np.stack(points), np.stack(crop_lms), np.stack(matrices).astype(np.float64),
                        np.stack(shapes), np.stack(poses), crops, store, image_size)
    if not track.valid.any():
        raise NoFaceError(f"no face found in any frame of {name}; use a video that shows a face")
    return track


def _portrait_motion_frames(image: np.ndarray, audio, config: IPLAPConfig, total: int, name: str):
    """A ``frames()`` callable yielding ``total`` renders of the portrait with head motion, blinks and gestures
    from the shared motion model (mouth at rest), the same frames on every call."""
    from talkinghead.audio.checks import read_transcript
    from talkinghead.face import FaceAnalyzer, select_face
    from talkinghead.face3d import FaceFitter
    from talkinghead.motion import PhoneticMotionGenerator, SpeechFeatures
    from talkinghead.render import FaceRig, WarpRenderer, canonical_topology

    with FaceAnalyzer() as analyzer:
        face = select_face(analyzer.detect(image), config.face_index, what=name)
    fit = FaceFitter().fit(face.landmarks, face.image_size, face.blendshapes)
    rig = FaceRig(fit, face.landmarks)
    renderer = WarpRenderer(canonical_topology())
    prepared = renderer.prepare(image, face.landmarks)
    speech = SpeechFeatures.analyze(audio, float(config.fps), read_transcript(config.transcript), config.language,
                                    config.allow_silence)
    motion = PhoneticMotionGenerator(mouth_scale=0.0, head_motion=config.head_motion, blink_rate=config.blink_rate,
                                     gestures=True).generate(speech, seed=config.seed)

    def frames() -> Iterator[np.ndarray]:
        for i in range(total):
            j = min(i, motion.num_frames - 1)
            landmarks, mouth, eyes = rig.targets(motion.blendshapes[j], motion.head_pose[j],
                                                 motion.head_translation[j])
            yield renderer.render(prepared, landmarks, mouth, eyes)

    return frames


# -- the audio -------------------------------------------------------------------------------------------


def _mel(audio, config: IPLAPConfig) -> tuple[np.ndarray, int]:
    """The mel-spectrogram of the speech and the number of output frames."""
    from talkinghead.audio import melspectrogram
    from talkinghead.audio.checks import check_speech

    wave = read_audio(audio, SAMPLE_RATE)
    try:
        check_speech(wave, SAMPLE_RATE, name=repr(str(audio)))
    except AudioContentError:
        if not config.allow_silence or len(wave) < SAMPLE_RATE * 0.2:
            raise
        logger.info("the audio is silent: rendering a closed mouth (--allow-silence)")
    frames = max(1, int(math.ceil(len(wave) / SAMPLE_RATE * float(config.fps))))
    return melspectrogram(wave), frames


# -- stage 1 ---------------------------------------------------------------------------------------------


def predict_content(models: IPLAPModels, mel_windows: np.ndarray, pose: np.ndarray, refs: np.ndarray,
                    mouth_scale: float = 1.0, neutral: np.ndarray | None = None, batch: int = 32) -> np.ndarray:
    """Stage 1 over a whole sequence (Sec. 3.1): lip and jaw points of every frame.

    Args:
        mel_windows: ``(t, 80, 16)`` per-frame mel windows.
        pose: ``(t, 74, 2)`` pose-prior points per frame.
        refs: ``(N_l, 131, 2)`` reference points.
        mouth_scale: scales the displacement of the prediction from ``neutral``.
        neutral: ``(57, 2)`` the closed-mouth content (default: the first reference's).

    Returns:
        ``(t, 57, 2)`` float32 (lips then jaw), crop coordinates / crop side.
    """
    import torch

    t, window = len(pose), models.window
    starts = list(range(0, t, window))
    index = np.minimum(np.asarray(starts)[:, None] + np.arange(window)[None, :], t - 1)  # (w, T), last padded
    dev = models.device
    ref_t = torch.from_numpy(np.ascontiguousarray(refs, np.float32)).to(dev)[None]
    out = np.zeros((t, L.NUM_CONTENT, 2), np.float32)
    with torch.inference_mode():
        for b0 in range(0, len(index), batch):
            idx = index[b0:b0 + batch]
            mel_b = torch.from_numpy(np.ascontiguousarray(mel_windows[idx], np.float32)).to(dev)
            pose_b = torch.from_numpy(np.ascontiguousarray(pose[idx], np.float32)).to(dev)
            pred = models.landmark_generator(mel_b, pose_b, ref_t.expand(len(idx), -1, -1, -1)).float().cpu().numpy()
            for row, frames in zip(pred, idx):
                out[frames] = row  # padded tail frames repeat the last frame: same value written twice
    neutral = refs[0, :L.NUM_CONTENT] if neutral is None else neutral
    return (neutral + float(mouth_scale) * (out - neutral)).astype(np.float32)


# -- stage 2 and paste-back ------------------------------------------------------------------------------


def _paste_mask(crop_landmarks: np.ndarray, content: np.ndarray, size: int) -> np.ndarray:
    """The face region to paste (Fig. 3): the source's face oval united with the oval over the predicted jaw."""
    from talkinghead.face.masks import face_mask

    predicted = np.array(crop_landmarks, np.float32)
    predicted[list(L.JAW)] = content[L.NUM_LIP:] * size
    return np.maximum(face_mask(crop_landmarks, (size, size)), face_mask(predicted, (size, size)))


class _Renderer:
    """Stage 2 in batches, with the references prepared once."""

    def __init__(self, models: IPLAPModels, ref_images: np.ndarray, ref_points: np.ndarray):
        import torch

        from talkinghead.methods.ip_lap.sketch import draw_sketches

        self.models = models
        size = models.image_size
        dev = models.device
        images = torch.from_numpy(ref_images).to(dev).permute(0, 3, 1, 2).float().div(255.0)[None]
        sketches = torch.from_numpy(draw_sketches(ref_points, size)).to(dev)[None]
        with torch.inference_mode():  # G_a's reference encoder does not depend on the frame: once per video
            self.references = models.renderer.encode_references(images, sketches)
        self.size = size

    def __call__(self, crops: np.ndarray, sketch_points: np.ndarray, mels: np.ndarray) -> np.ndarray:
        """``(b, s, s, 3) uint8`` source crops, ``(b, 2k+1, 131, 2)`` target points, ``(b, 80, 16)`` mel ->
        ``(b, s, s, 3) uint8`` generated faces."""
        import torch

        from talkinghead.methods.ip_lap.renderer import mask_lower_half
        from talkinghead.methods.ip_lap.sketch import draw_sketches

        dev = self.models.device
        target = torch.from_numpy(np.ascontiguousarray(crops)).to(dev).permute(0, 3, 1, 2).float().div(255.0)
        sketches = torch.from_numpy(draw_sketches(sketch_points, self.size)).to(dev)
        mel = torch.from_numpy(np.ascontiguousarray(mels, np.float32)).to(dev)
        with torch.inference_mode():
            out = self.models.renderer(mask_lower_half(target), sketches, None, None, mel,
                                       references=self.references)
        image = out.image.float().clamp(0, 1).mul(255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
        return np.ascontiguousarray(image)


def _reference_count(config: IPLAPConfig, valid_frames: int) -> int:
    if config.references is not None:
        return int(config.references)
    return int(max(1, min(config.max_references, round(valid_frames / 5))))  # Sec. 4.1: 1/5 of the video


def generate(
    source: str | os.PathLike,
    audio: str | os.PathLike,
    output: str | os.PathLike,
    config: IPLAPConfig | None = None,
    *,
    overwrite: bool = False,
    save_motion: str | os.PathLike | None = None,
    progress: bool = False,
) -> GenerateResult:
    """Render a talking video with IP-LAP.

    Args:
        source: a video of a face (dubbing, the paper's setting) or a portrait image (given head motion and
            blinks first, unless ``config.still``).
        audio: the speech (any format FFmpeg reads, or a video's audio track).
        output: the ``.mp4`` to write (atomically).
        config: the options (:class:`IPLAPConfig`); ``config.checkpoint`` picks the weights.
        overwrite: replace existing ``output`` / ``save_motion`` files.
        save_motion: also write the per-frame motion as JSON: the source frames' tracked blendshapes and
            head pose, with the predicted lip and jaw points in ``extras["content_points"]`` (``(t, 57, 2)``).
        progress: show progress bars.

    Raises:
        ModelMissingError: the checkpoint is missing or incomplete.
        NoFaceError, AmbiguousFaceError, ImageReadError, VideoReadError, AudioReadError, AudioContentError,
        OutputError, OutputExistsError: as for every method.
    """
    from talkinghead.audio import mel_windows
    from talkinghead.face.compositor import Compositor
    from talkinghead.face.crop import CropTransform
    from talkinghead.motion import Motion, relative_head_pose

    config = config or IPLAPConfig()
    output = check_output_path(output, overwrite)
    motion_path = check_output_path(save_motion, overwrite) if save_motion is not None else None
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    models = load_models(config.checkpoint, config.device)
    size = models.image_size
    seconds["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    mel, total = _mel(audio, config)
    windows = mel_windows(mel, np.arange(total), float(config.fps))
    seconds["audio"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    kind, image = load_source(source)
    fps = float(config.fps)
    name = repr(str(source))
    moving = kind == "image" and not config.still and (config.head_motion > 0 or config.blink_rate > 0)
    if kind == "image":
        out_size = output_size(image.shape[1], image.shape[0], config.size)
        still = np.ascontiguousarray(resize(image, out_size))
    if moving:
        frames = _portrait_motion_frames(still, audio, config, total, name)
        track = _track(frames(), fps, config, total, False, size, name)
        source_frame = np.arange(total, dtype=np.int64)
    elif kind == "image":
        track = _track(iter([still]), fps, config, 1, False, size, name)
        source_frame = np.zeros(total, np.int64)
    else:
        info = probe(source).video
        out_size = output_size(info.width, info.height, config.size)
        keep = info.num_frames < total + 2  # the speech may outlast the video: keep frames to play them back

        def frames() -> Iterator[np.ndarray]:
            for frame in iter_frames(source, fps=as_fraction(fps)):
                yield np.ascontiguousarray(resize(frame.image, out_size))

        track = _track(frames(), fps, config, total, keep, size, name)
        source_frame = np.array([pingpong(i, track.num_frames) for i in range(total)], np.int64)
    seconds["face"] = time.perf_counter() - t0

    # stage 1: references across the range of mouth openness (Sec. 3.1), pose prior from each output frame
    t0 = time.perf_counter()
    valid = np.flatnonzero(track.valid)
    filled = track.filled_points()
    landmark_refs = valid[L.choose_references(track.points[valid], models.num_landmark_refs)]
    pose = filled[source_frame][:, len(L.CONTENT):]
    content = predict_content(models, windows, pose, track.points[landmark_refs], config.mouth_scale,
                              neutral=track.points[landmark_refs[0], :L.NUM_CONTENT])
    points = L.merge(content, pose)  # (t, 131, 2): the target sketches' landmarks
    seconds["motion"] = time.perf_counter() - t0

    # stage 2: N reference images (Sec. 4.1: 1/5 of the video), rendered in batches, pasted back (Fig. 3)
    t0 = time.perf_counter()
    count = _reference_count(config, len(valid))
    image_refs = valid[L.choose_references(track.points[valid], count)]
    render = _Renderer(models, np.stack([track.crops.get(k)[0] for k in image_refs]), track.points[image_refs])
    k = (models.num_sketches - 1) // 2
    compositor = Compositor()
    bar = frame_progress(total, progress, "rendering")

    def source_frames() -> Iterator[np.ndarray]:
        if kind == "image" and not moving:
            for _ in range(total):
                yield still
            return
        decoded = 0
        for frame in frames():  # the first pass, decoded again (no JPEG copy)
            if decoded >= min(total, track.num_frames):
                break
            yield frame
            decoded += 1
        for i in range(decoded, total):  # played back and forth from the kept copies
            if track.frames is None:
                raise NoFaceError(f"{name} ended after {decoded} frames, fewer than its header said")
            yield track.frames.get(source_frame[i])[0]

    with VideoWriter(output, fps=as_fraction(fps), audio=audio, overwrite=overwrite) as writer:
        batch: list[tuple[int, np.ndarray]] = []

        def flush():
            rows = [i for i, _ in batch if track.valid[source_frame[i]]]
            generated = {}
            if rows:
                crops = np.stack([track.crops.get(source_frame[i])[0] for i in rows])
                neighbours = np.clip(np.asarray(rows)[:, None] + np.arange(-k, k + 1)[None, :], 0, total - 1)
                generated = dict(zip(rows, render(crops, points[neighbours], windows[rows])))
            for i, frame in batch:
                j = source_frame[i]
                if i in generated:
                    transform = CropTransform.from_matrix(track.matrices[j], size, track.image_size)
                    mask = _paste_mask(track.crop_landmarks[j], content[i], size)
                    frame = compositor.paste(frame, generated[i], transform, mask)
                writer.write(frame)
                if bar is not None:
                    bar.update(1)
            batch.clear()

        written = 0
        for frame in source_frames():
            batch.append((written, frame))
            written += 1
            if len(batch) >= config.batch_size:
                flush()
        flush()
    if bar is not None:
        bar.close()
    seconds["render"] = time.perf_counter() - t0
    if written < total:  # pragma: no cover - the first pass saw these frames
        raise NoFaceError(f"{name} ended after {written} of {total} frames")

    motion = Motion(fps, track.blendshapes[source_frame], relative_head_pose(track.poses[source_frame]),
                    np.zeros((total, 3), np.float32), np.zeros(total, np.float32),
                    {"source_frame": source_frame, "content_points": content}, config.seed)
    if motion_path is not None:
        motion.save(motion_path, overwrite=overwrite)
    logger.info("wrote %s: %d frames, %s", output, total, ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))
    return GenerateResult(output, motion, total, fps, out_size, seconds, motion_path)
