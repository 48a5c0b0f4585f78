"""CSIM: cosine similarity of identity embeddings between generated frames and the reference face.

IP-LAP, MergeTalk ("ID") and VividTalk report it with ArcFace embeddings (Deng et al., CVPR 2019); MergeTalk
maps it to [0, 1] as (1 + cos) / 2. Two embedders:

* ``csim``: ArcFace from the user's weight file (:mod:`~talkinghead.metrics.arcface`), on faces already
  aligned to the 112x112 template.
* ``csim_dlib``: offline stand-in needing no user file: dlib's ResNet face descriptor (128-d, King, "Dlib-ml:
  A Machine Learning Toolkit", JMLR 10, 2009; model from the ``face_recognition_models`` package, public
  domain / CC0), on full frames, with dlib's HOG face detector and 5-point shape predictor. Needs the
  ``dlib`` module: PyPI's ``dlib`` is a source distribution only (it compiles, slowly); ``dlib-bin`` is a
  binary build of the same module. Its values are not comparable with ArcFace CSIM.

Shape legend: t frames, d embedding size.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from talkinghead.errors import DependencyMissingError, InputError, NoFaceError
from talkinghead.metrics.arcface import load_arcface
from talkinghead.metrics.frames import as_frames, iter_frame_batches
from talkinghead.metrics.registry import MetricResult, WeightFile, register_metric
from talkinghead.metrics.weights import cached_model

__all__ = ["cosine_similarity", "identity_similarity", "dlib_face_descriptors"]


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of (t, d) and (t, d) or (1, d) / (d,) embeddings: (t,) in [-1, 1]."""
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a.shape[1] != b.shape[1] or len(b) not in (1, len(a)):
        raise InputError(f"CSIM: embeddings of shapes {a.shape} and {b.shape} do not pair up")
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    if not (norms > 0).all():
        raise InputError("CSIM: an embedding is the zero vector")
    return (a * b).sum(axis=1) / norms


def identity_similarity(pred: np.ndarray, ref: np.ndarray, *, name: str) -> MetricResult:
    """CSIM from (t, d) generated-face embeddings (rows of NaN for frames without a face) and (1 or t, d)
    reference embeddings: per-frame cosine, mean over frames with a face."""
    pred = np.atleast_2d(np.asarray(pred, dtype=np.float64))
    ref = np.atleast_2d(np.asarray(ref, dtype=np.float64))
    found = np.isfinite(pred).all(axis=1)
    if len(ref) == len(pred) and len(ref) > 1:
        found &= np.isfinite(ref).all(axis=1)
    values = np.full(len(pred), np.nan)
    if found.any():
        values[found] = cosine_similarity(pred[found], ref[found] if len(ref) == len(pred) else ref)
    return MetricResult(
        {name: float(np.nanmean(values)) if found.any() else float("nan")},
        per_frame={name: values},
        details={"frames_without_face": float((~found).sum())},
    )


@register_metric(
    "csim",
    kind="frame_pair",
    inputs=("pred_faces", "ref_faces"),
    higher_is_better=True,
    definition="""Cosine similarity between ArcFace embeddings of each generated face and the reference
    face (ground-truth frame or source image), both aligned to the 112x112 five-point template; averaged
    over frames. MergeTalk's "ID" is (1 + CSIM) / 2.""",
    reference="Deng, Guo, Xue & Zafeiriou, ArcFace: Additive Angular Margin Loss for Deep Face Recognition, "
    "CVPR 2019; CSIM as in IP-LAP (Zhong et al., CVPR 2023) and VividTalk.",
    papers=("ip_lap", "mergetalk", "vividtalk"),
    weights=(
        WeightFile(
            "arcface",
            "ArcFace recognition model: insightface .onnx (e.g. w600k_r50.onnx, needs onnxruntime) or an "
            "arcface_torch IResNet state dict (.pth / .safetensors)",
        ),
    ),
)
def csim_metric(
    *, pred_faces: np.ndarray, ref_faces: np.ndarray, arcface: str | os.PathLike, device="cpu"
) -> MetricResult:
    embed = cached_model(load_arcface, arcface, device=str(device))
    pred = np.concatenate([embed(batch) for batch in iter_frame_batches(as_frames(pred_faces, name="pred_faces"), 32)])
    return identity_similarity(pred, embed(as_frames(ref_faces)), name="csim")


def _dlib_model_file(name: str) -> str:
    """Path of a model file inside the ``face_recognition_models`` package, found without importing it
    (its ``__init__`` needs the deprecated ``pkg_resources``)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyMissingError(
            "CSIM-dlib needs the face_recognition_models package: `pip install face-recognition-models`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise DependencyMissingError(f"face_recognition_models is installed but lacks {name}; reinstall it")
    return str(path)


@functools.lru_cache(maxsize=1)
def _dlib_models():
    try:
        import dlib
    except ImportError:
        raise DependencyMissingError(
            "CSIM-dlib needs the dlib module: `pip install dlib-bin` (binary) or `pip install dlib` (compiles)"
        ) from None
    detector = dlib.get_frontal_face_detector()
    shapes = dlib.shape_predictor(_dlib_model_file("shape_predictor_5_face_landmarks.dat"))
    recogniser = dlib.face_recognition_model_v1(_dlib_model_file("dlib_face_recognition_resnet_model_v1.dat"))
    return detector, shapes, recogniser


def dlib_face_descriptors(images: np.ndarray, *, upsample: int = 1, detect_size: int | None = 400) -> np.ndarray:
    """dlib's 128-d face descriptor of the main face of each image: the detection with the highest HOG score
    among those at least half as large (in area) as the largest. Taking the largest alone is fragile: on
    the astronaut portrait a badge on the suit is detected as a face of the same size (within a pixel) as
    the real one, with a score of 0.03 against 0.6-1.3, and won on a rendered frame detected at 400 px
    (identity distance 0.74 instead of about 0.35).

    Args:
        images: (t, h, w, 3) uint8 RGB (or one (h, w, 3) image).
        upsample: times the HOG detector upsamples the image (finds smaller faces, slower).
        detect_size: the HOG detector runs on a copy whose longer side is at most this many pixels (the
            box is scaled back; the 5 points and the descriptor use the full image). HOG on a 700 px frame
            upsampled once takes about a second; at 400 px about a fifth of that. None: full size.

    Returns:
        (t, 128) float64; rows of NaN where no face was found.
    """
    import cv2

    detector, shapes, recogniser = _dlib_models()
    dlib = sys.modules["dlib"]
    images = as_frames(images)
    out = np.full((len(images), 128), np.nan)
    for i, image in enumerate(images):
        image = np.ascontiguousarray(image)
        scale = 1.0
        small = image
        if detect_size is not None and max(image.shape[:2]) > detect_size:
            scale = detect_size / max(image.shape[:2])
            small = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                               interpolation=cv2.INTER_AREA)
        faces, scores, _ = detector.run(small, upsample, 0.0)
        if len(faces) == 0:
            continue
        largest = max(r.width() * r.height() for r in faces)
        face = max((r for r in zip(faces, scores) if r[0].width() * r[0].height() >= 0.5 * largest),
                   key=lambda r: r[1])[0]
        if scale != 1.0:
            face = dlib.rectangle(round(face.left() / scale), round(face.top() / scale),
                                  round(face.right() / scale), round(face.bottom() / scale))
        out[i] = np.asarray(recogniser.compute_face_descriptor(image, shapes(image, face)))
    return out


@register_metric(
    "csim_dlib",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=True,
    definition="""Offline identity similarity: cosine similarity between dlib ResNet face descriptors
    (128-d) of the main HOG-detected face (the best score among those at least half as large as the largest)
    of each generated frame and of the reference (ground-truth frame or source image); averaged over frames
    with a detected face. Not comparable with ArcFace CSIM.""",
    reference="King, Dlib-ml: A Machine Learning Toolkit, JMLR 10, 2009 (dlib_face_recognition_resnet_model_v1); "
    "stand-in for the papers' ArcFace CSIM.",
    requires=("dlib", "face_recognition_models"),
)
def csim_dlib_metric(*, pred: np.ndarray, ref: np.ndarray) -> MetricResult:
    ref_desc = dlib_face_descriptors(ref)
    if not np.isfinite(ref_desc).all(axis=1).any():
        raise NoFaceError("CSIM-dlib: no face found in the reference image; give a frontal, well-lit face")
    return identity_similarity(dlib_face_descriptors(pred), ref_desc, name="csim_dlib")
