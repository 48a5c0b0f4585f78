"""LSE-C and LSE-D: lip-sync confidence and distance from SyncNet embeddings, over audio-visual offsets.

Defined by Prajwal, Mukhopadhyay, Namboodiri & Jawahar, "A Lip Sync Expert Is All You Need for Speech to
Lip Generation In The Wild" (Wav2Lip), ACM MM 2020, Sec. 5, from the offset search of Chung & Zisserman,
"Out of time", ACCV Workshops 2016 (their ``SyncNetInstance.evaluate``), which we follow step for step:

1. every window of 5 frames starting at frame i (i = 0 .. t - 6; the reference leaves out the last window)
   is embedded by the video stream, and the 0.2 s of MFCCs starting at frame i by the audio stream;
2. for each offset k in -15 .. 15 frames, D(k) = mean over i of ||v_i - a_(i-k)|| (audio embeddings outside
   the clip are zero vectors, as the reference pads them);
3. LSE-D = min_k D(k) (lower is better), LSE-C = median_k D(k) - min_k D(k) (higher is better), and the
   offset k* at the minimum is the audio-visual offset.

Sign of the offset (as syncnet_python's "AV offset"): k* > 0 means the lips at frame i + k* match the audio
at frame i, i.e. the video lags the audio by k* frames. MergeTalk, OSM-Net, VividTalk, ControlTalk and
IP-LAP ("SyncScore" = LSE-C) report these. Shape legend: t frames, w windows, d embedding size, s offsets.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import median_filter

from talkinghead.errors import InputError, OptionError
from talkinghead.metrics.frames import as_frames
from talkinghead.metrics.registry import Figure, MetricResult, WeightFile, register_metric
from talkinghead.metrics.syncnet import SYNC_CROP, SYNC_FRAMES, SYNC_MFCC_STEPS, SyncNet, load_syncnet
from talkinghead.metrics.syncnet_mfcc import MFCC_RATE, SYNCNET_SAMPLE_RATE, syncnet_mfcc
from talkinghead.metrics.weights import cached_model

__all__ = ["SyncScores", "sync_scores", "sync_embeddings", "lse", "VSHIFT"]

logger = logging.getLogger(__name__)

VSHIFT = 15  # offsets searched: -15 .. 15 frames (0.6 s at 25 fps)


@dataclass(frozen=True)
class SyncScores:
    """Result of the offset search.

    Attributes:
        lse_d: min over offsets of the mean embedding distance (lower is better).
        lse_c: median minus min of those mean distances (higher is better).
        offset: offset in frames at the minimum (module docstring for the sign).
        offsets: (s,) the offsets searched, from +vshift down to -vshift (the reference's order).
        mean_distances: (s,) mean distance at each offset.
        frame_confidence: (w,) per-window confidence, median_k D(k) minus the window's distance at the best
            offset, median-filtered over 9 windows (the reference's framewise confidence).
    """

    lse_d: float
    lse_c: float
    offset: int
    offsets: np.ndarray
    mean_distances: np.ndarray
    frame_confidence: np.ndarray


def sync_scores(video: torch.Tensor, audio: torch.Tensor, *, vshift: int = VSHIFT) -> SyncScores:
    """Offset search over embeddings (steps 2-3 of the module docstring).

    Args:
        video: (w, d) video-window embeddings.
        audio: (w, d) audio-window embeddings, window i aligned with video window i.
        vshift: largest offset searched, in frames.
    """
    if video.ndim != 2 or video.shape != audio.shape or len(video) == 0:
        raise InputError(
            f"sync: expected two (w, d) embeddings of one shape, got {tuple(video.shape)} and {tuple(audio.shape)}"
        )
    video = video.double()
    audio = audio.double()
    windows = 2 * vshift + 1
    padded = F.pad(audio, (0, 0, vshift, vshift))  # zero vectors outside the clip, as the reference
    # dist[i, j] = ||v_i - a_(i + j - vshift)||; pairwise_distance adds the reference's eps of 1e-6.
    index = torch.arange(len(video))[:, None] + torch.arange(windows)[None, :]
    dist = F.pairwise_distance(video[:, None, :].expand(-1, windows, -1), padded[index])  # (w, s)
    mean = dist.mean(dim=0)
    best = int(torch.argmin(mean))
    median = torch.median(mean)  # torch's median: the lower middle value, as the reference
    # The reference's scipy.signal.medfilt(kernel_size=9): a centred median over zero-padded edges.
    frame_conf = median_filter((median - dist[:, best]).numpy(), size=9, mode="constant", cval=0.0)
    return SyncScores(
        lse_d=float(mean[best]),
        lse_c=float(median - mean[best]),
        offset=vshift - best,
        offsets=vshift - np.arange(windows),
        mean_distances=mean.numpy(),
        frame_confidence=frame_conf,
    )


def _check_audio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise InputError(f"sync: expected mono audio (n,), got shape {audio.shape}")
    if sample_rate != SYNCNET_SAMPLE_RATE:
        from talkinghead.audio.resample import resample

        audio = resample(audio, sample_rate, SYNCNET_SAMPLE_RATE).astype(np.float64)
    return audio


def sync_embeddings(
    model: SyncNet,
    crops: np.ndarray,
    audio: np.ndarray,
    *,
    sample_rate: int = SYNCNET_SAMPLE_RATE,
    fps: float = 25.0,
    batch_size: int = 20,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Embed the video windows and their audio windows (step 1 of the module docstring).

    Args:
        model: a :class:`SyncNet` (weights loaded for meaningful scores).
        crops: (t, 224, 224, 3) uint8 RGB face-track crops (converted to BGR 0-255 for the network).
        audio: (n,) float in [-1, 1], mono, at ``sample_rate`` (resampled to 16 kHz).
        fps: the video's frame rate; SyncNet was trained at 25 fps (other rates run, with a warning, but
            the 5-frame window then no longer spans 0.2 s).

    Returns:
        ``(video, audio)`` embeddings, each (w, 1024) float32 on the model's device,
        w = min(t, audio frames) - 5.
    """
    crops = as_frames(crops, name="sync_crops")
    if crops.shape[1:3] != (SYNC_CROP, SYNC_CROP):
        raise InputError(f"sync: face crops must be {SYNC_CROP}x{SYNC_CROP}, got {crops.shape[2]}x{crops.shape[1]}")
    if not fps > 0:
        raise OptionError(f"fps must be positive, got {fps}")
    if abs(fps - 25.0) > 1e-3:
        logger.warning("SyncNet was trained on 25 fps video; scores at %.3g fps are not comparable", fps)
    wave = _check_audio(audio, sample_rate)
    mfcc = torch.from_numpy(syncnet_mfcc(wave)).float()  # (13, f)
    audio_frames = int(len(wave) * fps // SYNCNET_SAMPLE_RATE)
    windows = min(len(crops), audio_frames) - SYNC_FRAMES
    if windows < 1:
        raise InputError(
            f"sync: need at least {SYNC_FRAMES + 1} frames with audio under them, got {len(crops)} frames and "
            f"{len(wave) / SYNCNET_SAMPLE_RATE:.2f} s of audio"
        )
    starts = np.round(np.arange(windows) * MFCC_RATE / fps).astype(int)  # 4 MFCC steps per frame at 25 fps
    mfcc = F.pad(mfcc, (0, max(0, int(starts[-1]) + SYNC_MFCC_STEPS - mfcc.shape[1])))
    param = next(model.parameters())
    video_emb, audio_emb = [], []
    with torch.inference_mode():
        for i0 in range(0, windows, batch_size):
            i1 = min(windows, i0 + batch_size)
            clip = torch.from_numpy(np.ascontiguousarray(crops[i0 : i1 + SYNC_FRAMES - 1, :, :, ::-1]))
            clip = clip.to(device=param.device, dtype=param.dtype).permute(3, 0, 1, 2)  # (3, t', h, w), BGR 0-255
            batch = clip.unfold(1, SYNC_FRAMES, 1).permute(1, 0, 4, 2, 3)  # (b, 3, 5, h, w)
            video_emb.append(model.forward_video(batch))
            mf = torch.stack([mfcc[:, s : s + SYNC_MFCC_STEPS] for s in starts[i0:i1]])[:, None]
            audio_emb.append(model.forward_audio(mf.to(device=param.device, dtype=param.dtype)))
    return torch.cat(video_emb), torch.cat(audio_emb)


def lse(
    model: SyncNet,
    crops: np.ndarray,
    audio: np.ndarray,
    *,
    sample_rate: int = SYNCNET_SAMPLE_RATE,
    fps: float = 25.0,
    vshift: int = VSHIFT,
) -> SyncScores:
    """LSE-C / LSE-D of one video (module docstring); arguments as :func:`sync_embeddings`."""
    video, audio_emb = sync_embeddings(model, crops, audio, sample_rate=sample_rate, fps=fps)
    return sync_scores(video.cpu(), audio_emb.cpu(), vshift=vshift)


@register_metric(
    "lse",
    kind="video",
    inputs=("sync_crops", "audio", "sample_rate", "fps"),
    figures=(Figure("lse_c", True), Figure("lse_d", False), Figure("av_offset", None, "frames")),
    definition="""Lip-sync error from SyncNet (syncnet_python's MFCC model): embeddings of 5-frame windows
    of 224x224 face crops and of the matching 0.2 s of 13 MFCCs; mean distance D(k) at each audio-visual
    offset k in -15..15 frames; LSE-D = min D, LSE-C = median D - min D, av_offset = argmin (frames, > 0
    when the video lags the audio). Needs 25 fps video for comparable numbers.""",
    reference="Prajwal, Mukhopadhyay, Namboodiri & Jawahar, A Lip Sync Expert Is All You Need for Speech to "
    "Lip Generation In The Wild, ACM MM 2020; SyncNet: Chung & Zisserman, Out of time: automated lip sync in "
    "the wild, ACCV Workshops 2016.",
    papers=("mergetalk", "osm_net", "vividtalk", "controltalk", "ip_lap"),
    weights=(
        WeightFile(
            "syncnet",
            "SyncNet evaluation weights `syncnet_v2.model` from syncnet_python (a plain state dict, keys "
            "netcnnaud.*, netfcaud.*, netcnnlip.*, netfclip.*), or the same as .safetensors",
        ),
    ),
)
def lse_metric(
    *, sync_crops: np.ndarray, audio: np.ndarray, sample_rate: int, fps: float, syncnet: str | os.PathLike, device="cpu"
) -> MetricResult:
    model = cached_model(load_syncnet, syncnet).to(device)
    scores = lse(model, sync_crops, audio, sample_rate=sample_rate, fps=fps)
    return MetricResult(
        {"lse_c": scores.lse_c, "lse_d": scores.lse_d, "av_offset": float(scores.offset)},
        per_frame={"sync_confidence": scores.frame_confidence},
    )
