"""Viseme contrast, its offset, the loudness lag, and LMD / LipLMD from landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.audio.phoneset import Phone
from talkinghead.metrics import METRICS
from talkinghead.metrics.lip_sync import (
    dprime,
    loudness_correlations,
    loudness_lag,
    mouth_opening,
    phone_frames,
    viseme_contrast,
)

FPS = 25.0


def _phones(seed: int = 0, seconds: float = 12.0) -> list[Phone]:
    """Alternating open vowels and lip closers of random lengths with other phones between them."""
    rng = np.random.default_rng(seed)
    phones, t = [], 0.0
    labels = ["AA", "T", "M", "IH", "EH", "P", "S", "AE", "B", "N", "F", "AO"]
    while t < seconds:
        d = float(rng.uniform(0.06, 0.2))
        phones.append(Phone(labels[len(phones) % len(labels)], t, t + d))
        t += d
    return phones


def _opening_from(phones: list[Phone], n: int, lag: int = 0, seed: int = 0) -> np.ndarray:
    """A mouth that opens on open vowels and closes on lip closers, ``lag`` frames late, plus noise."""
    target = np.full(n, 0.025)
    target[phone_frames(phones, FPS, n, {"AA", "AE", "AO", "EH"})] = 0.05
    target[phone_frames(phones, FPS, n, {"P", "B", "M", "F", "V"})] = 0.005
    shifted = np.roll(target, lag)
    return shifted + np.random.default_rng(seed).normal(0, 0.004, n)


def _landmarks_with_gap(gap: np.ndarray) -> np.ndarray:
    lm = np.zeros((len(gap), 478, 3))
    lm[:, 10, 1] = 100.0  # forehead
    lm[:, 152, 1] = 300.0  # chin: face height 200 px
    lm[:, 13, 1] = 250.0
    lm[:, 14, 1] = 250.0 + 200.0 * gap
    return lm


def test_mouth_opening_is_gap_over_face_height():
    gap = np.array([0.0, 0.02, 0.05])
    lm = _landmarks_with_gap(gap)
    lm[1] *= 3.0  # scale-invariant
    lm[2] = np.nan
    out = mouth_opening(lm)
    assert out[:2] == pytest.approx([0.0, 0.02])
    assert np.isnan(out[2])


def test_dprime_definition():
    a, b = np.array([1.0, 3.0]), np.array([0.0, 0.0, 2.0, 2.0])
    assert dprime(a, b) == pytest.approx((2.0 - 1.0) / np.sqrt(0.5 * (1.0 + 1.0)))
    assert np.isnan(dprime(a, np.array([1.0])))


def test_phone_frames_use_frame_centres_and_times():
    phones = [Phone("AA", 0.0, 0.05), Phone("M", 0.05, 0.2)]
    assert phone_frames(phones, FPS, 5, {"AA"}).tolist() == [True, False, False, False, False]
    assert phone_frames(phones, FPS, 6, {"M"}).tolist() == [False, True, True, True, True, False]
    late = phone_frames(phones, FPS, 2, {"M"}, times=np.array([0.06, 0.3]))
    assert late.tolist() == [True, False]


@pytest.mark.parametrize("lag", [0, 3, -2])
def test_offset_that_maximises_contrast_is_the_mouths_lag(lag):
    phones = _phones()
    n = int(12 * FPS)
    result = viseme_contrast(_opening_from(phones, n, lag), phones, FPS, max_offset=6)
    assert result.offset == lag
    assert result.best_contrast > 3.0
    assert len(result.by_offset) == 13 and result.by_offset[6] == pytest.approx(result.contrast)
    assert result.gap_open > 0.04 or lag != 0
    unrelated = viseme_contrast(_opening_from(_phones(seed=1), n, lag, seed=2), phones, FPS)
    assert abs(unrelated.contrast) < 0.6


def test_loudness_lag():
    rng = np.random.default_rng(0)
    loud = np.convolve(rng.normal(size=300), np.ones(5) / 5, "same")
    opening = np.roll(loud, 2) + rng.normal(0, 0.05, 300)
    lag, r = loudness_lag(opening, loud)
    assert lag == 2 and r > 0.9
    profile = loudness_correlations(opening, loud, max_lag=4)
    assert profile.shape == (9,) and int(np.nanargmax(profile)) == 4 + 2 and profile[6] == pytest.approx(r)
    assert profile[4] < r - 0.3  # lag 0 is clearly worse on this signal


def test_loudness_correlations_skip_unscored_shifts():
    short = loudness_correlations(np.arange(14.0), np.arange(14.0), max_lag=8)
    assert np.isfinite(short[8]) and np.isnan(short[0]) and np.isnan(short[16])  # <= 10 frames in common
    flat = loudness_correlations(np.ones(50), np.arange(50.0))
    assert np.isnan(flat).all()
    lag, r = loudness_lag(np.ones(50), np.arange(50.0))
    assert lag == 0 and np.isnan(r)


def test_viseme_contrast_metric_and_lmd_metrics():
    phones = _phones()
    n = int(12 * FPS)
    lm = _landmarks_with_gap(_opening_from(phones, n))
    lm[:, 33, 0], lm[:, 263, 0] = 100.0, 200.0  # put the eyes 100 px apart (contour centroids differ a bit)
    result = METRICS["viseme_contrast"](landmarks=lm, phones=phones, fps=FPS, unrelated_input=1)
    assert result["viseme_contrast"] > 3.0 and result["viseme_offset"] == 0
    assert result.per_frame["mouth_opening"].shape == (n,)

    assert METRICS["lmd"](landmarks=lm, ref_landmarks=lm)["lmd"] == 0.0
    moved = lm.copy()
    from talkinghead.face import landmark_groups as groups

    moved[:, list(groups.LIPS), 0] += 5.0
    moved[0] = np.nan  # frames without a face in either are left out
    lip = METRICS["lip_lmd"](landmarks=moved, ref_landmarks=lm)
    face = METRICS["lmd"](landmarks=moved, ref_landmarks=lm)
    assert lip.details["frames"] == n - 1 and np.isnan(lip.per_frame["lip_lmd"][0])
    assert face["lmd"] == pytest.approx(lip["lip_lmd"] * len(groups.LIPS) / 468)
    # normalised by the reference's inter-ocular distance: scaling both videos leaves it unchanged
    assert METRICS["lip_lmd"](landmarks=moved * 2, ref_landmarks=lm * 2)["lip_lmd"] == pytest.approx(lip["lip_lmd"])


# --- real talking videos -----------------------------------------------------------------------------------

CLIPS = ("talk_1", "talk_2", "talk_3", "talk_4", "talk_5")


@pytest.fixture(scope="session")
def real_clips(media_dir):
    """Each real talking video analysed once: mouth opening, frame times, fps, the phones of its own audio
    and those phones 1 s later (what the audio delayed by 1 s gives; the delayed files themselves are
    scored end to end in docs/evaluate.md's report)."""
    from talkinghead.metrics.analysis import ClipAnalyzer

    out = {}
    with ClipAnalyzer() as analyzer:
        for name in CLIPS:
            path = media_dir / "video" / f"{name}.mp4"
            face = analyzer.face(path)
            own = analyzer.speech(path, face.fps).phones
            delayed = [Phone(p.label, p.start + 1.0, p.end + 1.0) for p in own]
            out[name] = {"opening": mouth_opening(face.landmarks), "times": face.times, "fps": face.fps,
                         "own": own, "delayed": delayed}
    return out


@pytest.mark.real_media
def test_viseme_contrast_high_on_real_videos_near_zero_when_audio_does_not_match(real_clips):
    def contrast(name, phones):
        clip = real_clips[name]
        return viseme_contrast(clip["opening"], phones, clip["fps"], times=clip["times"]).contrast

    own = np.array([contrast(n, real_clips[n]["own"]) for n in CLIPS])
    delayed = np.array([contrast(n, real_clips[n]["delayed"]) for n in CLIPS])
    swapped = np.array([contrast(n, real_clips[CLIPS[(i + 1) % len(CLIPS)]]["own"]) for i, n in enumerate(CLIPS)])
    print("own", own.round(2), "delayed 1 s", delayed.round(2), "swapped", swapped.round(2))
    assert (own > 0.7).all() and own.mean() > 1.0
    assert abs(delayed.mean()) < 0.6 and abs(swapped.mean()) < 0.6
    assert own.mean() - max(delayed.mean(), swapped.mean()) > 0.9
