"""The default method's pipeline: source + speech -> talking video, streamed frame by frame (issue #6).

    source image --FaceAnalyzer--> face --FaceFitter--> fit --FaceRig--+
    speech ------iter_analyze----> SpeechFeatures --PhoneticMotionGenerator--> Motion --+--> targets
    targets --WarpRenderer (mesh warp + mouth interior, at the source's resolution)--> VideoWriter (+ audio)

A video source is dubbed: its frames are tracked as they are decoded, each frame's own head pose and expression
are kept and only the mouth follows the speech; when the speech is longer than the video, the video plays on
back and forth (frames of the later passes come from a compressed in-memory copy of the first pass).

Memory does not grow with the length of the speech beyond the per-frame motion arrays (~250 bytes per frame):
the audio is analysed chunk by chunk and only its per-frame features are kept, frames are encoded as they are
rendered, and the writer reads the audio file in blocks.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

import numpy as np

from talkinghead.errors import NoFaceError, OptionError
from talkinghead.audio.checks import read_transcript
from talkinghead.io import VideoWriter, check_output_path, iter_frames, probe
from talkinghead.methods.base import GenerateResult
from talkinghead.methods.default.config import DefaultConfig
from talkinghead.methods.sources import FrameStore, as_fraction, frame_progress, load_source, output_size, pingpong
from talkinghead.methods.sources import resize as _resize
from talkinghead.motion import Motion, PhoneticMotionGenerator, SpeechFeatures, relative_head_pose

__all__ = ["generate"]

logger = logging.getLogger(__name__)

def _generator(config: DefaultConfig, dubbing: bool) -> PhoneticMotionGenerator:
    if dubbing:  # the video brings its own head motion, blinks and brows
        return PhoneticMotionGenerator(mouth_scale=config.mouth_scale, head_motion=0.0, blink_rate=0.0, gestures=False)
    return PhoneticMotionGenerator(
        mouth_scale=config.mouth_scale,
        head_motion=0.0 if config.still else config.head_motion,
        blink_rate=config.blink_rate,
        gestures=config.gestures and not config.still,
    )


def _motion(audio, config: DefaultConfig, transcript, progress: bool, seconds: dict, dubbing: bool) -> Motion:
    """Analyse the speech and generate the motion, timing both stages into ``seconds``."""
    t0 = time.perf_counter()
    speech = SpeechFeatures.analyze(audio, config.fps, transcript, config.language, config.allow_silence, progress)
    seconds["audio"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    motion = _generator(config, dubbing=dubbing).generate(speech, seed=config.seed)
    seconds["motion"] = time.perf_counter() - t0
    return motion


def generate(
    source: str | os.PathLike,
    audio: str | os.PathLike,
    output: str | os.PathLike,
    config: DefaultConfig | None = None,
    *,
    overwrite: bool = False,
    save_motion: str | os.PathLike | None = None,
    progress: bool = False,
) -> GenerateResult:
    """Render a talking video with the default method.

    Args:
        source: a portrait image, or a video of a face (dubbing).
        audio: the speech (any format FFmpeg reads, or a video's audio track).
        output: the ``.mp4`` to write (atomically: nothing appears under this name unless it succeeds).
        config: the options (:class:`DefaultConfig`).
        overwrite: replace existing ``output`` / ``save_motion`` files.
        save_motion: also write the per-frame motion as JSON (:meth:`talkinghead.motion.Motion.save`).
        progress: show progress bars.

    Raises:
        NoFaceError, AmbiguousFaceError: no face, or several equal faces without ``face_index``.
        ImageReadError, VideoReadError, AudioReadError: unreadable inputs.
        AudioContentError: silent (without ``allow_silence``) or too short audio.
        OutputError, OutputExistsError: the output cannot be written, or exists without ``overwrite``.
    """
    config = config or DefaultConfig()
    output = check_output_path(output, overwrite)
    motion_path = check_output_path(save_motion, overwrite) if save_motion is not None else None
    transcript = read_transcript(config.transcript)
    kind, image = load_source(source)
    if kind == "image":
        result = _generate_from_image(image, str(source), audio, output, config, transcript, overwrite, progress)
    else:
        result = _generate_from_video(source, audio, output, config, transcript, overwrite, progress)
    if motion_path is not None:
        result.motion.save(motion_path, overwrite=overwrite)
        result = GenerateResult(result.output, result.motion, result.num_frames, result.fps, result.size,
                                result.seconds, motion_path)
    return result


def _refined(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """``(478, 3)`` landmarks with the inner lips moved off visible teeth (see ``refine_inner_lips``)."""
    from talkinghead.render.mouth_interior import refine_inner_lips

    out = np.array(landmarks, np.float64)
    out[:, :2] = refine_inner_lips(image, landmarks)[:, :2]
    return out


def _select(faces, config: DefaultConfig, what: str):
    from talkinghead.face import select_face

    return select_face(faces, config.face_index, what=what)


def _generate_from_image(image, name, audio, output, config, transcript, overwrite, progress) -> GenerateResult:
    from talkinghead.face import FaceAnalyzer
    from talkinghead.face3d import FaceFitter
    from talkinghead.render import FaceRig, WarpRenderer, canonical_topology

    seconds = {}
    t0 = time.perf_counter()
    size = output_size(image.shape[1], image.shape[0], config.size)
    image = np.ascontiguousarray(_resize(image, size))
    with FaceAnalyzer() as analyzer:
        face = _select(analyzer.detect(image), config, repr(name))
    landmarks = _refined(image, face.landmarks)
    fit = FaceFitter().fit(landmarks, face.image_size, face.blendshapes)
    rig = FaceRig(fit, landmarks)
    renderer = WarpRenderer(canonical_topology(), map_size=config.map_size)
    prepared = renderer.prepare(image, landmarks, keep_source_teeth=config.keep_source_teeth)
    seconds["face"] = time.perf_counter() - t0

    motion = _motion(audio, config, transcript, progress, seconds, dubbing=False)

    t0 = time.perf_counter()
    bar = frame_progress(motion.num_frames, progress, "rendering")
    with VideoWriter(output, fps=as_fraction(config.fps), audio=audio, overwrite=overwrite) as writer:
        for i in range(motion.num_frames):
            landmarks, mouth, eyes = rig.targets(motion.blendshapes[i], motion.head_pose[i], motion.head_translation[i])
            writer.write(renderer.render(prepared, landmarks, mouth, eyes))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    seconds["render"] = time.perf_counter() - t0
    logger.info("wrote %s: %d frames, %s", output, motion.num_frames,
                ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))
    return GenerateResult(output, motion, motion.num_frames, float(config.fps), size, seconds)


def _generate_from_video(source, audio, output, config, transcript, overwrite, progress) -> GenerateResult:
    from talkinghead.face import DEFAULT_AMBIGUITY_RATIO, FaceAnalyzer
    from talkinghead.face3d import FaceFitter
    from talkinghead.render import FaceRig, WarpRenderer, canonical_topology

    seconds = {}
    info = probe(source).video
    size = output_size(info.width, info.height, config.size)
    fps = float(config.fps)

    def frames() -> Iterator:
        for frame in iter_frames(source, fps=as_fraction(fps)):
            yield np.ascontiguousarray(_resize(frame.image, size))

    t0 = time.perf_counter()
    first = next(frames(), None)
    if first is None:
        raise NoFaceError(f"{str(source)!r} has no frames")
    with FaceAnalyzer() as analyzer:  # fail fast: no face, or two equal faces without --face-index
        _select(analyzer.detect(first), config, repr(str(source)))
    seconds["face"] = time.perf_counter() - t0

    motion = _motion(audio, config, transcript, progress, seconds, dubbing=True)

    t0 = time.perf_counter()
    total = motion.num_frames
    fitter = FaceFitter()
    renderer = WarpRenderer(canonical_topology(), map_size=config.map_size)
    palette = lids = None
    store = None
    source_frame = np.zeros(total, np.int64)
    poses = np.full((total, 3), np.nan, np.float32)
    bar = frame_progress(total, progress, "rendering")

    def render(i: int, image: np.ndarray, face) -> np.ndarray:
        nonlocal palette, lids
        if face is None:  # no face in this frame: it goes out as it came in
            return image
        landmarks = _refined(image, face.landmarks)
        fit = fitter.fit(landmarks, face.image_size, face.blendshapes)
        rig = FaceRig(fit, landmarks)
        prepared = renderer.prepare(image, landmarks, palette=palette, keep_source_teeth=config.keep_source_teeth,
                                    lids=lids)
        palette, lids = prepared.palette, prepared.lids
        poses[i] = face.pose
        targets, mouth, _ = rig.targets(motion.blendshapes[i], np.zeros(3))
        return renderer.render(prepared, targets, mouth)

    length = 0
    with VideoWriter(output, fps=as_fraction(fps), audio=audio, overwrite=overwrite) as writer:
        with FaceAnalyzer() as analyzer:
            ambiguity = DEFAULT_AMBIGUITY_RATIO if config.face_index is None else None
            for tracked in analyzer.track(frames(), fps=fps, face_index=config.face_index, ambiguity_ratio=ambiguity):
                if length >= total:
                    break
                if store is None and info.num_frames < total + 2:
                    store = FrameStore()  # the speech may outlast the video: keep the frames to play them back
                if store is not None:
                    store.add(tracked.image, tracked.face)
                source_frame[length] = length
                writer.write(render(length, tracked.image, tracked.face))
                length += 1
                if bar is not None:
                    bar.update(1)
        if length == 0:
            raise NoFaceError(f"{str(source)!r} has no frames")
        for i in range(length, total):
            k = pingpong(i, length)
            if store is None or k >= len(store.frames):
                raise OptionError("the video ended early and its frames were not kept")  # pragma: no cover
            image, face = store.get(k)
            source_frame[i] = k
            writer.write(render(i, image, face))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    seconds["render"] = time.perf_counter() - t0
    motion = Motion(motion.fps, motion.blendshapes, relative_head_pose(poses), motion.head_translation, motion.blink,
                    {"source_frame": source_frame}, motion.seed)
    logger.info("wrote %s: %d frames from %d video frames, %s", output, total, length,
                ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))
    return GenerateResult(output, motion, total, fps, size, seconds)
