"""The papers' evaluation protocols over folders of generated videos (``talkinghead evaluate``).

* **reconstruction** (IP-LAP Sec. 4.1, MergeTalk, OSM-Net, ControlTalk): each clip was generated from its
  own first frame (or video) and its own audio, so the real clip is ground truth; frame-pair metrics
  (PSNR, SSIM, LPIPS, LMD, LipLMD, CSIM) compare frame ``i`` of the generated video with frame ``i`` of the
  reference, FID compares the two sets of frames.
* **dubbing** (cross-identity, no ground truth): only the video metrics (lip sync, sharpness, head motion,
  blinks) and identity against the reference's first frame.

Clips are matched by file stem: ``gen/talk_1.mp4`` with ``ref/talk_1.mp4`` and ``audio/talk_1.wav``. The
audio a clip is scored against is, in order: ``--audio``'s file of that stem, the generated video's own
audio track, the reference's. Every video is analysed once (:class:`~talkinghead.metrics.analysis.ClipAnalyzer`)
and one mapping of inputs feeds every metric. A metric whose weight file or optional package is missing is
listed as not computed, unless it was asked for by name (then the run fails before any work).

Shape legend: t frames.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from talkinghead.errors import DependencyMissingError, InputError, ModelMissingError, OptionError
from talkinghead.metrics.analysis import AudioAnalysis, ClipAnalyzer, FaceAnalysis
from talkinghead.metrics.registry import METRICS, Metric, get_metric

__all__ = ["Clip", "ClipResult", "MethodResult", "Evaluation", "find_videos", "match_clips", "plan_metrics",
           "evaluate", "VIDEO_SUFFIXES", "IDENTITY_METRICS", "SUBSAMPLE"]

logger = logging.getLogger(__name__)

Protocol = Literal["reconstruction", "dubbing"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".aiff", ".aif") + VIDEO_SUFFIXES
#: metrics that compare identity: in the dubbing protocol they use the reference's first frame
IDENTITY_METRICS = ("csim", "csim_dlib")
#: slow per-frame metrics scored on every n-th frame (stated in the report)
SUBSAMPLE = {"cpbd": 5, "csim_dlib": 10}
#: weight-file keyword -> command-line flag
WEIGHT_FLAGS = {w.name: "--" + w.name.replace("_", "-") for m in METRICS.values() for w in m.weights}
#: ArcFace 5 points from mediapipe's landmarks, image-left first: iris centres, nose tip, mouth corners
_ARCFACE_POINTS = (468, 473, 1, 61, 291)


@dataclass(frozen=True)
class Clip:
    """One generated video with what it is scored against."""

    name: str
    video: Path
    reference: Path | None = None
    audio: Path | None = None


def find_videos(paths: Iterable[str | os.PathLike], suffixes: Sequence[str] = VIDEO_SUFFIXES) -> dict[str, Path]:
    """``stem -> path`` for the given files and the matching files directly inside the given folders."""
    found: dict[str, Path] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes and not p.name.startswith("."))
        elif path.is_file():
            files = [path]
        else:
            raise InputError(f"{str(path)!r} does not exist; give video files or folders of them")
        for file in files:
            if file.stem in found and found[file.stem] != file:
                raise InputError(f"two inputs are named {file.stem!r} ({found[file.stem]}, {file}); clips are "
                                 "matched by file name, so names must be unique")
            found[file.stem] = file
    return found


def match_clips(generated: Mapping[str, Path], references: Mapping[str, Path] | None = None,
                audio: Mapping[str, Path] | None = None) -> list[Clip]:
    """Pair each generated video with the reference and audio of the same stem (missing ones are ``None``)."""
    if not generated:
        raise InputError("no generated videos found (looked for " + ", ".join(VIDEO_SUFFIXES) + ")")
    references = references or {}
    audio = audio or {}
    if references:
        unmatched = sorted(set(generated) - set(references))
        if unmatched:
            logger.warning("no reference for %s: scored without one", ", ".join(unmatched))
    return [Clip(name, path, references.get(name), audio.get(name)) for name, path in sorted(generated.items())]


def _missing_requirement(metric: Metric, weights: Mapping[str, str | os.PathLike]) -> str | None:
    """Why ``metric`` cannot run (``needs FILE (--flag)``), or None."""
    import importlib.util

    for weight in metric.weights:
        path = weights.get(weight.name)
        if path is None or not Path(path).is_file():
            return f"needs {weight.description} ({WEIGHT_FLAGS[weight.name]} FILE)"
    for package in metric.requires:
        if importlib.util.find_spec(package) is None:
            return f"needs the Python package `{package}` (pip install {package.replace('_', '-')})"
    return None


def plan_metrics(names: Sequence[str] | None, weights: Mapping[str, str | os.PathLike],
                 protocol: Protocol) -> tuple[list[Metric], dict[str, str]]:
    """The metrics to compute and, for the others, why not.

    ``names`` None: every metric the protocol allows whose weight files and packages are present. Names
    given: exactly those; one that cannot run raises :class:`ModelMissingError` /
    :class:`DependencyMissingError`, one the protocol cannot compute raises :class:`OptionError`.
    """
    explicit = names is not None
    chosen = [get_metric(n) for n in names] if explicit else list(METRICS.values())
    selected, skipped = [], {}
    for metric in chosen:
        if protocol == "dubbing" and metric.kind in ("frame_pair", "distribution") \
                and metric.name not in IDENTITY_METRICS:
            reason = "needs ground-truth frames (reconstruction protocol)"
            if explicit:
                raise OptionError(f"metric {metric.name!r} {reason}; give --reference or leave it out")
            skipped[metric.name] = reason
            continue
        reason = _missing_requirement(metric, weights)
        if reason is not None:
            if explicit:
                error = DependencyMissingError if reason.startswith("needs the Python") else ModelMissingError
                raise error(f"metric {metric.name!r} {reason}")
            skipped[metric.name] = reason
            continue
        selected.append(metric)
    return selected, skipped


@dataclass
class ClipResult:
    """Scores of one clip and the series the report plots."""

    clip: Clip
    values: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    face: FaceAnalysis | None = None
    speech: AudioAnalysis | None = None
    series: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class MethodResult:
    """All clips of one method (one GENERATED argument)."""

    label: str
    clips: list[ClipResult]
    values: dict[str, float] = field(default_factory=dict)  # distribution metrics, and means of the rest


@dataclass
class Evaluation:
    """What :func:`evaluate` returns: the report writer's input."""

    protocol: str
    methods: list[MethodResult]
    metrics: list[Metric]
    skipped: dict[str, str]
    frame_step: int = 1

    def step(self, metric: Metric) -> int:
        """Every how many frames ``metric`` was scored."""
        if "pred" not in metric.inputs:
            return 1
        return max(self.frame_step, SUBSAMPLE.get(metric.name, 1))

    def to_json(self) -> dict:
        """The content of ``metrics.json`` (``inf`` as the string "inf", NaN as null)."""
        return {
            "protocol": self.protocol,
            "metrics": {m.name: {"kind": m.kind, "figures": {f.name: {"higher_is_better": f.higher_is_better,
                                                                      "unit": f.unit} for f in m.figures},
                                 "definition": m.definition, "reference": m.reference,
                                 "every_nth_frame": self.step(m)}
                        for m in self.metrics},
            "not_computed": dict(self.skipped),
            "methods": [
                {"label": method.label, "mean": _clean(method.values),
                 "clips": [{"name": c.clip.name, "video": str(c.clip.video),
                            "reference": str(c.clip.reference) if c.clip.reference else None,
                            "audio": c.speech.source if c.speech else None,
                            "phone_source": c.speech.phone_source if c.speech else None,
                            "frames": len(c.face) if c.face else 0,
                            "face_share": c.face.face_share if c.face else 0.0,
                            "scores": _clean(c.values), "notes": list(c.notes)} for c in method.clips]}
                for method in self.methods
            ],
        }


def _clean(values: Mapping[str, float]) -> dict:
    out = {}
    for k, v in values.items():
        v = float(v)
        out[k] = None if math.isnan(v) else ("inf" if v == math.inf else ("-inf" if v == -math.inf else v))
    return out


def size_ratio(video: str | os.PathLike, reference: str | os.PathLike) -> tuple[float, float] | None:
    """``(w_video / w_reference, h_video / h_reference)`` of two videos' frames, or ``None`` when equal."""
    from talkinghead.io import probe

    v, r = probe(video).video, probe(reference).video
    if (v.width, v.height) == (r.width, r.height):
        return None
    return v.width / r.width, v.height / r.height


def rescale_landmarks(landmarks: np.ndarray, factors: tuple[float, float]) -> np.ndarray:
    """Pixel landmarks ``(t, k, 2 or 3)`` of one frame size in another's pixels (z, in x's units, scales with x)."""
    out = np.array(landmarks, dtype=np.float64)
    out[..., 0] *= factors[0]
    out[..., 1] *= factors[1]
    if out.shape[-1] > 2:
        out[..., 2] *= factors[0]
    return out


def _read_frames(path: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """(t, h, w, 3) uint8 RGB frames of ``path``, resized to ``size`` (w, h) when given and different."""
    import cv2

    from talkinghead.io import iter_frames

    frames = []
    for frame in iter_frames(path):
        image = frame.image
        if size is not None and (image.shape[1], image.shape[0]) != tuple(size):
            image = cv2.resize(image, tuple(size), interpolation=cv2.INTER_AREA)
        frames.append(image)
    return np.stack(frames)


def _arcface_faces(frames: np.ndarray, face: FaceAnalysis) -> np.ndarray:
    from talkinghead.metrics.arcface import align_face

    out = np.zeros((len(frames), 112, 112, 3), np.uint8)
    for i, image in enumerate(frames[: len(face)]):
        if face.valid[i]:
            out[i] = align_face(image, face.landmarks[i, _ARCFACE_POINTS, :2])
    return out


def _sync_crops(frames: np.ndarray, face: FaceAnalysis) -> np.ndarray:
    """224x224 crops as syncnet_python's ``crop_video`` cuts them (half-size ``bs`` of the face box, 40 %
    padding: rows ``my - bs .. my + 1.8 bs``, columns ``mx +- 1.4 bs``), from the landmarks' bounding box
    (syncnet_python uses S3FD boxes, so crops differ somewhat)."""
    import cv2

    crops = np.zeros((len(face), 224, 224, 3), np.uint8)
    pts = face.landmarks[..., :2]
    for i in range(min(len(frames), len(face))):
        if not face.valid[i]:
            continue
        (x0, y0), (x1, y1) = pts[i].min(axis=0), pts[i].max(axis=0)
        bs, mx, my = max(x1 - x0, y1 - y0) / 2, (x0 + x1) / 2, (y0 + y1) / 2
        pad = int(bs * 1.4) + 1
        image = np.pad(frames[i], ((pad, pad), (pad, pad), (0, 0)), constant_values=110)
        r0, r1 = int(my - bs) + pad, int(my + bs * 1.8) + pad
        c0, c1 = int(mx - bs * 1.4) + pad, int(mx + bs * 1.4) + pad
        crops[i] = cv2.resize(image[r0:r1, c0:c1], (224, 224), interpolation=cv2.INTER_AREA)
    return crops


def _audio_for(clip: Clip, analyzer: ClipAnalyzer, fps: float) -> AudioAnalysis | None:
    from talkinghead.io import probe

    candidates = [clip.audio] if clip.audio is not None else []
    candidates += [p for p in (clip.video, clip.reference) if p is not None]
    for path in candidates:
        if path == clip.audio or probe(path).has_audio:
            return analyzer.speech(path, fps)
    return None


def _evaluate_clip(clip: Clip, metrics: list[Metric], protocol: Protocol, analyzer: ClipAnalyzer,
                   weights: Mapping, device: str, pooled: dict, frame_step: int) -> ClipResult:
    result = ClipResult(clip)
    face = result.face = analyzer.face(clip.video)
    inputs: dict = {**weights, "device": device, **face.inputs()}
    speech = result.speech = _audio_for(clip, analyzer, face.fps)
    if speech is not None:
        inputs.update(speech.inputs())
    ref_face = None
    if clip.reference is not None:
        ref_face = analyzer.face(clip.reference)
        ref_inputs = ref_face.inputs(prefix="ref_")
        factors = size_ratio(clip.video, clip.reference)
        if factors is not None:  # landmarks are pixels: compare them at the generated video's size
            ref_inputs["ref_landmarks"] = rescale_landmarks(ref_inputs["ref_landmarks"], factors)
            result.notes.append("reference landmarks scaled to the generated size")
        inputs.update(ref_inputs)
    needs = {name for m in metrics for name in m.inputs}
    if needs & {"pred", "ref", "pred_faces", "ref_faces", "sync_crops"}:
        pred = _read_frames(clip.video)
        inputs["pred"] = pred
        if "sync_crops" in needs:
            inputs["sync_crops"] = _sync_crops(pred, face)
        if "pred_faces" in needs:
            inputs["pred_faces"] = _arcface_faces(pred, face)
        if clip.reference is not None and needs & {"ref", "ref_faces"}:
            ref = _read_frames(clip.reference, size=(pred.shape[2], pred.shape[1]))
            if ref.shape[1:] != pred.shape[1:]:
                result.notes.append("reference frames resized to the generated size")
            if "ref_faces" in needs:
                inputs["ref_faces"] = _arcface_faces(ref, ref_face)
            if protocol == "dubbing":
                ref = ref[:1]
                if "ref_faces" in inputs:
                    inputs["ref_faces"] = inputs["ref_faces"][:1]
            elif len(ref) != len(pred):
                n = min(len(ref), len(pred))
                result.notes.append(f"frame counts differ ({len(pred)} vs {len(ref)} reference): first {n} compared")
                pred, ref = pred[:n], ref[:n]
                inputs["pred"] = pred
                for key in ("pred_faces", "ref_faces", "sync_crops"):
                    if key in inputs and len(inputs[key]) > 1:
                        inputs[key] = inputs[key][:n]
            inputs["ref"] = ref
    for metric in metrics:
        missing = [name for name in metric.inputs if name not in inputs]
        if missing:
            result.notes.append(f"{metric.name}: no {', '.join(missing)}")
            for figure in metric.figures:
                result.values[figure.name] = float("nan")
            continue
        if metric.kind == "distribution":
            pooled.setdefault("pred", []).append(inputs["pred"][::frame_step])
            pooled.setdefault("ref", []).append(inputs["ref"][::frame_step])
            continue
        call = dict(inputs)
        step = max(frame_step, SUBSAMPLE.get(metric.name, 1)) if "pred" in metric.inputs else 1
        if step > 1:
            call["pred"] = inputs["pred"][::step]
            if "ref" in inputs and len(inputs["ref"]) > 1:
                call["ref"] = inputs["ref"][::step]
        started = time.perf_counter()
        try:
            scores = metric(**call)
        except InputError as exc:  # e.g. too few frames with a face for the pose metrics
            result.notes.append(f"{metric.name}: {exc}")
            scores = None
        logger.debug("%s %s: %.1f s", clip.name, metric.name, time.perf_counter() - started)
        for figure in metric.figures:
            result.values[figure.name] = float(scores.values[figure.name]) if scores else float("nan")
        if scores is not None:
            for key, series in scores.per_frame.items():
                result.series[key] = np.asarray(series)
            if metric.name == "viseme_contrast":
                from talkinghead.metrics.lip_sync import mouth_opening, viseme_contrast

                result.series["contrast_by_offset"] = viseme_contrast(
                    mouth_opening(face.landmarks), speech.phones, face.fps, times=face.times).by_offset
    return result


def evaluate(methods: Sequence[tuple[str, Sequence[Clip]]], *, metrics: Sequence[str] | None = None,
             weights: Mapping[str, str | os.PathLike] | None = None, protocol: Protocol | None = None,
             device: str = "cpu", frame_step: int = 1) -> Evaluation:
    """Score every clip of every method.

    Args:
        methods: ``(label, clips)`` per method (:func:`match_clips`).
        metrics: metric names (default: every one that can run; see :func:`plan_metrics`).
        weights: weight-file keyword (``syncnet``, ``lpips_heads``...) -> path.
        protocol: ``reconstruction`` or ``dubbing``; default reconstruction when every clip has a reference.
        device: torch device for the network metrics.
        frame_step: score the metrics that look at pixels on every n-th frame (1: every frame, the papers'
            protocol; CPBD and CSIM-dlib use at least :data:`SUBSAMPLE`). Landmark, lip-sync, pose and
            blink metrics always use every frame.
    """
    if frame_step < 1:
        raise OptionError(f"frame step must be at least 1, got {frame_step}")
    weights = {k: v for k, v in (weights or {}).items() if v is not None}
    all_clips = [c for _, clips in methods for c in clips]
    if protocol is None:
        protocol = "reconstruction" if all_clips and all(c.reference for c in all_clips) else "dubbing"
    if protocol not in ("reconstruction", "dubbing"):
        raise OptionError(f"unknown protocol {protocol!r}; use reconstruction or dubbing")
    if protocol == "reconstruction" and not all(c.reference for c in all_clips):
        raise OptionError("the reconstruction protocol needs a reference (ground truth) for every clip: "
                          "give --reference, or use --protocol dubbing")
    selected, skipped = plan_metrics(metrics, weights, protocol)
    results = []
    with ClipAnalyzer() as analyzer:
        for label, clips in methods:
            pooled: dict = {}
            clip_results = []
            for clip in clips:
                logger.info("%s: %s", label, clip.name)
                clip_results.append(_evaluate_clip(clip, selected, protocol, analyzer, weights, device, pooled,
                                                   frame_step))
            method = MethodResult(label, clip_results)
            for metric in selected:
                if metric.kind == "distribution" and pooled.get("pred"):
                    scores = metric(pred=np.concatenate(pooled["pred"]), ref=np.concatenate(pooled["ref"]),
                                    device=device, **weights)
                    method.values.update({k: float(v) for k, v in scores.values.items()})
                    continue
                for figure in metric.figures:
                    values = np.array([c.values.get(figure.name, np.nan) for c in clip_results], np.float64)
                    finite = values[~np.isnan(values)]
                    method.values[figure.name] = float(finite.mean()) if len(finite) else float("nan")
            results.append(method)
    return Evaluation(protocol, results, selected, skipped, frame_step)
