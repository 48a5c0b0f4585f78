"""Prosodic events (pitch accents, phrase onsets) and the brow raises and nods that go with them.

Shape legend: ``t`` frames.

Speakers mark stressed syllables and the start of a phrase with their face: the brows lift and the head dips
or lifts slightly, not every time. Accents are local maxima of the pitch contour (in semitones around the
speaker's median) that rise above their neighbourhood and coincide with loud voiced frames; phrase onsets are
the starts of voice activity after a pause. Each event becomes a smooth pulse; which events are marked, and
how strongly, is drawn from the generator passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

__all__ = ["ProsodyEvent", "find_events", "ProsodyGestures", "pulse"]


@dataclass(frozen=True)
class ProsodyEvent:
    """``kind`` is ``"accent"`` or ``"onset"``; ``frame`` its index; ``strength`` in [0, 1]."""

    kind: str
    frame: int
    strength: float


def _semitones(f0: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Pitch in semitones around the median of voiced frames; NaN where unvoiced."""
    f0 = np.asarray(f0, np.float64)
    ok = voiced & np.isfinite(f0) & (f0 > 0)
    out = np.full(len(f0), np.nan)
    if ok.sum() >= 3:
        out[ok] = 12 * np.log2(f0[ok] / np.median(f0[ok]))
    return out


def find_events(
    f0: np.ndarray,
    voiced: np.ndarray,
    loudness: np.ndarray,
    fps: float,
    min_pause_s: float = 0.25,
    accent_semitones: float = 1.0,
    min_gap_s: float = 0.35,
    speaking: np.ndarray | None = None,
) -> list[ProsodyEvent]:
    """Accents and phrase onsets of a speech track.

    Args:
        f0: ``(t,)`` pitch in Hz (0 or NaN where unvoiced).
        voiced: ``(t,)`` bool, periodic voicing (where ``f0`` is meaningful).
        loudness: ``(t,)`` loudness (any log scale).
        fps: frame rate.
        min_pause_s: silence before a voiced stretch for it to count as a phrase onset.
        accent_semitones: how far a pitch peak must rise above its 0.6 s neighbourhood.
        min_gap_s: minimum distance between two accents.
        speaking: ``(t,)`` bool voice activity, for phrase onsets (default: ``voiced``).
    """
    voiced = np.asarray(voiced, bool)
    active = voiced if speaking is None else np.asarray(speaking, bool)
    t = len(voiced)
    events: list[ProsodyEvent] = []
    # phrase onsets: voice activity after a pause (the first phrase counts too)
    pause = int(round(min_pause_s * fps))
    silent_run = pause
    for i in range(t):
        if active[i]:
            if silent_run >= pause:
                events.append(ProsodyEvent("onset", i, 1.0))
            silent_run = 0
        else:
            silent_run += 1
    semis = _semitones(f0, voiced)
    if np.isfinite(semis).sum() >= 3:
        filled = np.where(np.isfinite(semis), semis, np.nanmin(semis))
        window = max(3, int(round(0.6 * fps)) | 1)
        local_peak = filled >= maximum_filter1d(filled, size=max(3, int(round(min_gap_s * fps)) | 1)) - 1e-9
        baseline = uniform_filter1d(filled, size=window)
        rise = filled - baseline
        loud = np.asarray(loudness, np.float64)
        loud_ok = loud >= np.median(loud[voiced]) if voiced.any() else np.ones(t, bool)
        last = -10**9
        for i in np.flatnonzero(local_peak & np.isfinite(semis) & (rise >= accent_semitones) & loud_ok):
            if i - last >= min_gap_s * fps:
                events.append(ProsodyEvent("accent", int(i), float(np.clip(rise[i] / (3 * accent_semitones), 0.2, 1.0))))
                last = i
    events.sort(key=lambda e: e.frame)
    return events


def pulse(num_frames: int, center: float, rise: float, fall: float) -> np.ndarray:
    """A smooth bump ``(t,)`` float64 peaking at 1 at frame ``center``: raised-cosine rise and fall (in frames)."""
    i = np.arange(num_frames, dtype=np.float64)
    out = np.zeros(num_frames)
    up = (i >= center - rise) & (i <= center)
    out[up] = 0.5 - 0.5 * np.cos(np.pi * (i[up] - (center - rise)) / max(rise, 1e-6))
    down = (i > center) & (i <= center + fall)
    out[down] = 0.5 + 0.5 * np.cos(np.pi * (i[down] - center) / max(fall, 1e-6))
    return out


@dataclass(frozen=True)
class ProsodyGestures:
    """Turn prosodic events into brow raises and head nods.

    Attributes:
        brow_probability: chance that an accent lifts the brows (onsets: twice this, capped at 1).
        brow_amplitude: ``browInnerUp`` weight of a strong marked event (outer brows take 60 % of it).
        nod_probability: chance that an accent comes with a nod.
        nod_degrees: downward pitch of a strong nod in degrees (onsets lift the chin by half of it instead).
    """

    brow_probability: float = 0.45
    brow_amplitude: float = 0.35
    nod_probability: float = 0.5
    nod_degrees: float = 2.0

    def sample(self, events: list[ProsodyEvent], num_frames: int, fps: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Returns ``(brow (t,), nod_pitch_deg (t,))`` float32: brow raise weight in [0, 1] and pitch offsets in
        degrees (the package's sign, :mod:`talkinghead.face.geometry`: > 0 lifts the chin, < 0 dips it)."""
        brow = np.zeros(num_frames)
        nod = np.zeros(num_frames)
        for event in events:
            u_brow, u_nod, size = rng.random(), rng.random(), rng.uniform(0.6, 1.0)
            strength = event.strength * size
            if event.kind == "onset":
                if u_brow < min(1.0, 2 * self.brow_probability):
                    brow = np.maximum(brow, self.brow_amplitude * strength * pulse(num_frames, event.frame + 0.1 * fps, 0.15 * fps, 0.5 * fps))
                if u_nod < self.nod_probability:
                    nod += 0.5 * self.nod_degrees * strength * pulse(num_frames, event.frame + 0.15 * fps, 0.2 * fps, 0.5 * fps)
            else:
                if u_brow < self.brow_probability:
                    brow = np.maximum(brow, self.brow_amplitude * strength * pulse(num_frames, event.frame, 0.12 * fps, 0.35 * fps))
                if u_nod < self.nod_probability:
                    # a dip of the chin that lands on the stressed syllable, then a slower return
                    nod -= self.nod_degrees * strength * pulse(num_frames, event.frame + 0.04 * fps, 0.15 * fps, 0.3 * fps)
        return np.clip(brow, 0, 1).astype(np.float32), nod.astype(np.float32)
