"""Fit the default method's head-motion statistics from real talking videos.

Runs the face analyzer (``talkinghead.face.analyze_video``: tracked, smoothed landmarks, the head pose from
them, blendshapes) on every video of ``--videos`` (default ``../shared/media/video``), keeps the videos where
the person talks (the inner-lip gap moves: its 90th percentile is above 2 % of the face height), measures the
loudness of each video's own audio per frame (RMS in dB) and the blink rate, and fits
:func:`talkinghead.motion.fit_head_motion` to the pose tracks. Writes
``src/talkinghead/assets/default/head_motion.json`` and prints the per-video figures.

Usage: ``.venv/bin/python scripts/default/fit_head_motion.py [--videos DIR] [--out PATH]``
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from talkinghead.blendshapes import INDEX
from talkinghead.errors import AudioReadError, AudioContentError
from talkinghead.face.analyzer import FaceAnalyzer, analyze_video
from talkinghead.io import read_audio
from talkinghead.motion.blink import count_blinks
from talkinghead.motion.head_motion import PoseTrack, fit_head_motion

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "src/talkinghead/assets/default/head_motion.json"
TALKING_GAP = 0.02  # 90th percentile of the inner-lip gap over face height above this: the person talks


def loudness_db(path: Path, times: np.ndarray, sample_rate: int = 16000) -> np.ndarray | None:
    """RMS level in dB of the file's audio in a 40 ms window around each time, or None without audio."""
    try:
        wave = read_audio(path, sample_rate=sample_rate)
    except (AudioReadError, AudioContentError):
        return None
    half = int(0.02 * sample_rate)
    out = []
    for t in times:
        c = int(t * sample_rate)
        seg = wave[max(c - half, 0): c + half]
        out.append(10 * np.log10(np.mean(seg.astype(np.float64) ** 2) + 1e-10) if len(seg) else -100.0)
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=Path, default=REPO.parent / "shared" / "media" / "video")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    tracks = []
    with FaceAnalyzer() as analyzer:
        for path in sorted(args.videos.glob("*.mp4")):
            track = analyze_video(path, analyzer=analyzer)
            ok = track.valid
            fps = float(track.fps)
            lm = track.landmarks[ok]
            face_h = np.linalg.norm(lm[:, 10, :2] - lm[:, 152, :2], axis=1)
            gap = np.linalg.norm(lm[:, 13, :2] - lm[:, 14, :2], axis=1) / face_h
            closure = 0.5 * (track.blendshapes[:, INDEX["eyeBlinkLeft"]] + track.blendshapes[:, INDEX["eyeBlinkRight"]])
            blinks = count_blinks(closure, fps) / (len(track) / fps) * 60
            talking = np.percentile(gap, 90) > TALKING_GAP
            pose = track.pose[ok]
            print(f"{path.name:32s} frames {len(track):4d} fps {fps:5.2f} face {ok.mean():4.0%} "
                  f"gap p10/p90 {np.percentile(gap, 10):.3f}/{np.percentile(gap, 90):.3f} "
                  f"pose std (yaw, pitch, roll) {np.round(pose.std(0), 2)} blinks/min {blinks:5.1f} "
                  f"{'talking' if talking else 'not talking: skipped'}")
            if not talking or ok.mean() < 0.9:
                continue
            # bridge the (rare) lost frames by interpolation so that the track is evenly sampled
            idx = np.arange(len(track))
            angles = np.stack([np.interp(idx, idx[ok], track.pose[ok, k]) for k in range(3)], 1)
            tracks.append(PoseTrack(path.name, angles, fps, loudness_db(path, track.times), blinks))
    stats = fit_head_motion(tracks)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    stats.save(args.out)
    print(f"fitted on {len(tracks)} videos: std {stats.std_deg} deg, spread {stats.log_std_spread}, "
          f"AR {stats.ar}, loudness gain {stats.loudness_gain} (measured slope {stats.speed_loudness_slope}), "
          f"blinks/min median {stats.blinks_per_min}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
