"""Metrics of the five papers, by name (``METRICS``), with their definitions and references.

``METRICS[name](**inputs, **weight_paths)`` computes one metric and returns a :class:`MetricResult`; each
:class:`Metric` says what it is, where it is defined, which inputs (:data:`INPUTS`) and which user-supplied
weight files it needs. Nothing is downloaded. docs/metrics.md lists every metric and its offline status.
The functions behind the metrics (``ssim``, ``frechet_distance``, ``sync_scores``...) work on tensors and
arrays directly.
"""

from talkinghead.metrics.registry import (
    INPUTS,
    METRICS,
    Figure,
    Metric,
    MetricResult,
    WeightFile,
    get_metric,
    register_metric,
)

# Importing the metric modules registers their metrics (in the order a report lists them).
from talkinghead.metrics.psnr import psnr
from talkinghead.metrics.ssim import ms_ssim, ssim
from talkinghead.metrics.lpips import LPIPS, load_lpips
from talkinghead.metrics.fid import GaussianStats, feature_statistics, frechet_distance, inception_statistics
from talkinghead.metrics.inception import FIDInceptionV3, load_fid_inception
from talkinghead.metrics.csim import cosine_similarity, dlib_face_descriptors, identity_similarity
from talkinghead.metrics.arcface import IResNet, align_face, load_arcface
from talkinghead.metrics.lse import SyncScores, lse, sync_embeddings, sync_scores
from talkinghead.metrics.syncnet import SyncNet, load_syncnet
from talkinghead.metrics.syncnet_mfcc import syncnet_mfcc
from talkinghead.metrics.cpbd import cpbd
from talkinghead.metrics.head_pose import head_pose_diversity, pose_diversity
from talkinghead.metrics.blink import blink_rate, detect_blinks
from talkinghead.metrics.landmarks import interocular_distance, landmark_distance
from talkinghead.metrics.lip_sync import (
    VisemeContrast,
    loudness_correlations,
    loudness_lag,
    mouth_opening,
    viseme_contrast,
)

__all__ = [
    "METRICS",
    "INPUTS",
    "Metric",
    "MetricResult",
    "Figure",
    "WeightFile",
    "get_metric",
    "register_metric",
    "psnr",
    "ssim",
    "ms_ssim",
    "LPIPS",
    "load_lpips",
    "FIDInceptionV3",
    "load_fid_inception",
    "GaussianStats",
    "feature_statistics",
    "frechet_distance",
    "inception_statistics",
    "cosine_similarity",
    "identity_similarity",
    "dlib_face_descriptors",
    "IResNet",
    "align_face",
    "load_arcface",
    "SyncNet",
    "load_syncnet",
    "syncnet_mfcc",
    "SyncScores",
    "sync_scores",
    "sync_embeddings",
    "lse",
    "cpbd",
    "pose_diversity",
    "head_pose_diversity",
    "detect_blinks",
    "blink_rate",
    "landmark_distance",
    "interocular_distance",
    "mouth_opening",
    "viseme_contrast",
    "VisemeContrast",
    "loudness_lag",
    "loudness_correlations",
]
