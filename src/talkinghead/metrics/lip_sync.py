"""Offline lip-sync figures that need no trained weights: viseme contrast and the offset that maximises it.

SyncNet's LSE (:mod:`talkinghead.metrics.lse`) needs the user's ``syncnet_v2.model``. These figures need
only the face landmarker and the audio front-end's timed phones:

* **mouth opening**: the inner-lip gap, the distance between landmarks 13 and 14 (centre of the inner upper
  and lower lip) over the face height (landmarks 10, top of the forehead, to 152, the chin), in the image
  plane. Real speech: about 4-6 % of the face height at open vowels, 1-2.5 % at /p b m/ (DESIGN.md).
* **viseme contrast**: how well the mouth separates the sounds that most need it. With ``A`` the mouth
  openings of the frames whose centre lies inside an open vowel (AA AE AH AO AW AY EH) and ``B`` those inside
  a lip-closing consonant (bilabials P B M and labiodentals F V: lips shut or on the teeth),
  ``d' = (mean A - mean B) / sqrt((var A + var B) / 2)`` (population variances). The labiodentals are
  included because a 5 s clip has only 0-4 frames of /p b m/, too few for a spread (measured on the five
  real talking videos). There, lips that follow their audio gave d' 1.49-2.00 (mean 1.72); the same
  videos with their audio delayed by 1 s or with another clip's audio gave -1.8 to 0.8 (means -0.28 and
  0.13). One short clip is a noisy sample: compare means over clips.
* **viseme offset**: the shift ``k`` (frames, searched over ``-max_offset..max_offset``) whose d' is largest
  when the mouth at frame ``i`` is compared with the phones at frame ``i - k``; ``k > 0``: the mouth lags
  the audio (as SyncNet's AV offset).
* **loudness lag**: the shift that best correlates the mouth opening with the speech loudness (Pearson),
  a coarser second opinion that needs no phones.

Shape legend: t frames, k landmarks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from talkinghead.errors import InputError
from talkinghead.metrics.registry import Figure, MetricResult, register_metric

__all__ = [
    "OPEN_VOWELS",
    "LIP_CLOSERS",
    "mouth_opening",
    "phone_frames",
    "dprime",
    "VisemeContrast",
    "viseme_contrast",
    "loudness_lag",
    "loudness_correlations",
]

#: ARPAbet open vowels (viseme ``aa`` plus AO, AW, AY and EH, which open the jaw as wide)
OPEN_VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH"})
#: ARPAbet bilabials and labiodentals (visemes ``PP`` and ``FF``): the lips meet, or the lower lip touches
#: the upper teeth
LIP_CLOSERS = frozenset({"P", "B", "M", "F", "V"})

_UPPER_LIP, _LOWER_LIP = 13, 14
_FOREHEAD, _CHIN = 10, 152


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    """Inner-lip gap over face height per frame.

    Args:
        landmarks: (t, 478, 2 or 3) mediapipe landmarks in pixels (NaN where no face).

    Returns:
        (t,) float64, NaN where no face.
    """
    landmarks = np.asarray(landmarks, dtype=np.float64)
    if landmarks.ndim != 3 or landmarks.shape[1] <= _CHIN:
        raise InputError(f"mouth opening: expected (t, 478, d) mediapipe landmarks, got shape {landmarks.shape}")
    xy = landmarks[..., :2]
    face = np.linalg.norm(xy[:, _FOREHEAD] - xy[:, _CHIN], axis=-1)
    gap = np.linalg.norm(xy[:, _UPPER_LIP] - xy[:, _LOWER_LIP], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(face > 0, gap / face, np.nan)


def phone_frames(phones: Iterable, fps: float, num_frames: int, labels: Iterable[str],
                 times: np.ndarray | None = None) -> np.ndarray:
    """(t,) bool: frames whose centre lies inside a phone with one of ``labels``.

    ``phones`` are objects with ``label``, ``start`` and ``end`` (seconds), e.g. ``AudioTrack.phones``. A
    frame's centre is ``times[i] + 0.5 / fps`` (its presentation time; variable-frame-rate videos need them),
    or ``(i + 0.5) / fps`` without ``times``.
    """
    labels = frozenset(labels)
    if times is None:
        centres = (np.arange(num_frames) + 0.5) / float(fps)
    else:
        centres = np.asarray(times, dtype=np.float64)[:num_frames] + 0.5 / float(fps)
    mask = np.zeros(num_frames, dtype=bool)
    for phone in phones:
        if phone.label in labels:
            mask |= (centres >= phone.start) & (centres < phone.end)
    return mask


def dprime(a: np.ndarray, b: np.ndarray) -> float:
    """``(mean a - mean b) / sqrt((var a + var b) / 2)`` over the finite values; NaN with fewer than 2 each."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    spread = np.sqrt(0.5 * (a.var() + b.var()))
    return float((a.mean() - b.mean()) / spread) if spread > 0 else float("nan")


@dataclass(frozen=True)
class VisemeContrast:
    """Viseme contrast of one video (module docstring).

    Attributes:
        contrast: d' at offset 0 (the video as it plays).
        best_contrast: the largest d' over the searched offsets.
        offset: frames at which it is reached (> 0: the mouth lags the audio).
        by_offset: (2 * max_offset + 1,) d' for offsets -max_offset..max_offset.
        gap_open, gap_closed: mean mouth opening at open-vowel and at /p b m f v/ frames (offset 0).
        frames_open, frames_closed: how many frames of each kind (offset 0, with a face).
    """

    contrast: float
    best_contrast: float
    offset: int
    by_offset: np.ndarray
    gap_open: float
    gap_closed: float
    frames_open: int
    frames_closed: int


def _shift(mask: np.ndarray, k: int) -> np.ndarray:
    """``out[i] = mask[i - k]`` (False where ``i - k`` is outside)."""
    out = np.zeros_like(mask)
    if k >= 0:
        out[k:] = mask[: len(mask) - k]
    else:
        out[:k] = mask[-k:]
    return out


def viseme_contrast(opening: np.ndarray, phones: Sequence, fps: float, max_offset: int = 8,
                    times: np.ndarray | None = None) -> VisemeContrast:
    """d' of the mouth opening between open-vowel and bilabial frames, and the offset that maximises it.

    Args:
        opening: (t,) mouth opening per frame (:func:`mouth_opening`), NaN where no face.
        phones: timed phones of the audio the video goes with (``AudioTrack.phones``), seconds from the
            video's first frame.
        fps: frame rate of the video.
        max_offset: offsets searched, in frames either way (default 8: 0.32 s at 25 fps).
        times: (t,) presentation time of each frame in seconds (default ``i / fps``).
    """
    opening = np.asarray(opening, dtype=np.float64)
    if opening.ndim != 1:
        raise InputError(f"mouth opening: expected a (t,) series, got shape {opening.shape}")
    t = len(opening)
    open_mask = phone_frames(phones, fps, t, OPEN_VOWELS, times)
    closed_mask = phone_frames(phones, fps, t, LIP_CLOSERS, times)
    offsets = range(-max_offset, max_offset + 1)
    by_offset = np.array(
        [dprime(opening[_shift(open_mask, k)], opening[_shift(closed_mask, k)]) for k in offsets]
    )
    finite = np.isfinite(by_offset)
    best = int(np.nanargmax(by_offset)) if finite.any() else max_offset
    face = np.isfinite(opening)
    return VisemeContrast(
        contrast=float(by_offset[max_offset]),
        best_contrast=float(by_offset[best]),
        offset=best - max_offset,
        by_offset=by_offset,
        gap_open=float(np.nanmean(opening[open_mask])) if (open_mask & face).any() else float("nan"),
        gap_closed=float(np.nanmean(opening[closed_mask])) if (closed_mask & face).any() else float("nan"),
        frames_open=int((open_mask & face).sum()),
        frames_closed=int((closed_mask & face).sum()),
    )


def loudness_correlations(opening: np.ndarray, loudness: np.ndarray, max_lag: int = 8) -> np.ndarray:
    """Pearson correlation of the mouth opening with the loudness at each shift ``-max_lag..max_lag``.

    ``opening[i]`` is compared with ``loudness[i - lag]``; ``lag > 0``: the mouth lags the sound. Frames where
    either is not finite are left out; a shift with 10 or fewer frames in common (or no spread) is NaN.

    Returns:
        ``(2 * max_lag + 1,)`` float64, entry ``max_lag + lag`` for each lag (average them over clips to
        estimate one lag from many short clips).
    """
    a_all = np.asarray(opening, dtype=np.float64)
    b_all = np.asarray(loudness, dtype=np.float64)
    n = min(len(a_all), len(b_all))
    a_all, b_all = a_all[:n], b_all[:n]
    out = np.full(2 * max_lag + 1, np.nan)
    for lag in range(-max_lag, max_lag + 1):
        a = a_all[max(lag, 0): n + min(lag, 0)]
        b = b_all[max(-lag, 0): n - max(lag, 0)]
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() > 10 and a[ok].std() > 0 and b[ok].std() > 0:
            out[max_lag + lag] = float(np.corrcoef(a[ok], b[ok])[0, 1])
    return out


def loudness_lag(opening: np.ndarray, loudness: np.ndarray, max_lag: int = 8) -> tuple[int, float]:
    """The shift (frames) that best correlates the mouth opening with the loudness, and that correlation
    (:func:`loudness_correlations`; ties go to the most negative shift).

    Returns:
        ``(lag, r)``; ``(0, nan)`` when no shift could be scored.
    """
    r = loudness_correlations(opening, loudness, max_lag)
    if not np.isfinite(r).any():
        return 0, float("nan")
    best = int(np.nanargmax(r))
    return best - max_lag, float(r[best])


@register_metric(
    "viseme_contrast",
    kind="video",
    inputs=("landmarks", "phones", "fps"),
    figures=(
        Figure("viseme_contrast", True),
        Figure("viseme_contrast_best", True),
        Figure("viseme_offset", None, "frames"),
    ),
    definition="""Inner-lip gap (landmarks 13-14 over face height 10-152) compared between frames inside
    open vowels (AA AE AH AO AW AY EH) and inside /p b m f v/, the phones timed by the audio front-end from the
    audio the video goes with: d' = (mean open - mean closed) / sqrt((var open + var closed) / 2). Reported
    at offset 0 (viseme_contrast) and at the best offset within +-8 frames (viseme_contrast_best,
    viseme_offset; > 0: the mouth lags the audio). Real 5 s talking clips: 1.49-2.00 (mean 1.72); a mouth
    unrelated to the audio: about 0 on average (single short clips spread by about +-1).""",
    reference="Ours (offline stand-in for SyncNet's LSE; no paper of the five reports it).",
)
def viseme_contrast_metric(*, landmarks: np.ndarray, phones: Sequence, fps: float,
                           frame_times: np.ndarray | None = None) -> MetricResult:
    opening = mouth_opening(landmarks)
    result = viseme_contrast(opening, phones, fps, times=frame_times)
    return MetricResult(
        {
            "viseme_contrast": result.contrast,
            "viseme_contrast_best": result.best_contrast,
            "viseme_offset": float(result.offset),
        },
        per_frame={"mouth_opening": opening},
        details={
            "gap_open": result.gap_open,
            "gap_closed": result.gap_closed,
            "frames_open": float(result.frames_open),
            "frames_closed": float(result.frames_closed),
        },
    )
