"""Lip-sync lag of the default method over many clips, next to real talkers measured the same way (issue #6).

One 6 s clip does not determine a lag: its loudness / mouth-opening correlation can be flat over several
frames. This script renders every (portrait, speech clip) pair, runs mediapipe's face landmarker on the
output (unsmoothed), and measures two lags per clip with ``talkinghead.metrics``:

- ``loudness``: the shift that best correlates the inner-lip gap with the speech loudness
  (:func:`~talkinghead.metrics.loudness_correlations`);
- ``viseme``: the shift that maximises the open-vowel vs /p b m f v/ contrast of the gap
  (:func:`~talkinghead.metrics.viseme_contrast`), the phones timed by the audio front-end;

(``> 0``: the mouth lags the sound). Per portrait it reports the per-clip lags and the lag of the profile
averaged over clips (correlations, or d'), which is what many clips say together. The same measures on the
real talking videos of ``../shared/media/video`` (their own faces and audio) show what real lips give.

Usage::

    .venv/bin/python scripts/default/lag.py [--media ../shared/media] [--out out/lag] [--size 512]
        [--portraits photo_woman.jpg ...] [--clips 20]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PORTRAITS = ("photo_woman.jpg", "photo_einstein.jpg", "photo_grayscale_man.jpg", "painting_pearl_earring.jpg",
             "sculpture_terracotta.jpg", "cartoon_3d_boy.jpg", "painting_full_body_small_face.jpg")
MAX_LAG = 8


def profiles(video: Path, audio: Path, speech_cache: dict) -> dict:
    """Loudness-correlation and viseme-d' profiles (lags -MAX_LAG..MAX_LAG) of one video against ``audio``."""
    from talkinghead.metrics import loudness_correlations, mouth_opening, viseme_contrast
    from talkinghead.metrics.analysis import analyze_face, analyze_speech

    face = analyze_face(video)  # mediapipe, unsmoothed
    key = (str(audio), face.fps)
    if key not in speech_cache:
        speech_cache[key] = analyze_speech(audio, face.fps)
    speech = speech_cache[key]
    opening = mouth_opening(face.landmarks)
    loud = np.full(len(opening), np.nan)
    n = min(len(opening), len(speech.loudness))
    loud[:n] = speech.loudness[:n]
    r = loudness_correlations(opening, loud, MAX_LAG)
    contrast = viseme_contrast(opening, speech.phones, face.fps, max_offset=MAX_LAG)
    return {"video": video.name, "frames": len(opening), "face": float(np.isfinite(opening).mean()),
            "loudness_r": r, "viseme_d": contrast.by_offset}


def best(profile: np.ndarray) -> int | None:
    return int(np.nanargmax(profile)) - MAX_LAG if np.isfinite(profile).any() else None


def summarize(name: str, rows: list[dict]) -> dict:
    """Per-clip best lags and the best lag of the averaged profiles."""
    out = {"name": name, "clips": len(rows)}
    for kind in ("loudness_r", "viseme_d"):
        lags = [best(r[kind]) for r in rows]
        lags = [x for x in lags if x is not None]
        stack = np.array([r[kind] for r in rows])
        counts = np.isfinite(stack).sum(axis=0)
        mean = np.where(counts > 0, np.nansum(stack, axis=0) / np.maximum(counts, 1), np.nan)
        label = kind.split("_")[0]
        out[f"{label}_lags"] = lags
        out[f"{label}_within_1"] = round(float(np.mean(np.abs(lags) <= 1)), 2) if lags else None
        out[f"{label}_median"] = float(np.median(lags)) if lags else None
        out[f"{label}_pooled"] = best(mean)
        out[f"{label}_pooled_profile"] = [round(float(v), 3) for v in mean]
    return out


def line(s: dict) -> str:
    return (f"{s['name']:<36} {s['clips']:>5}  loudness: pooled {s['loudness_pooled']:>+3d}, median "
            f"{s['loudness_median']:+5.1f}, |lag|<=1 in {100 * s['loudness_within_1']:3.0f}%   viseme: pooled "
            f"{s['viseme_pooled']:>+3d}, median {s['viseme_median']:+5.1f}, |lag|<=1 in "
            f"{100 * s['viseme_within_1']:3.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "lag")
    parser.add_argument("--portraits", nargs="*", default=list(PORTRAITS))
    parser.add_argument("--clips", type=int, default=20, help="how many LibriSpeech clips (sorted by name)")
    parser.add_argument("--size", type=int, default=512, help="output size of the renders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="skip the real videos")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from talkinghead.api import generate

    args.out.mkdir(parents=True, exist_ok=True)
    clips = sorted((args.media / "audio" / "librispeech").glob("*.flac"))[: args.clips]
    cache: dict = {}
    summaries, everything = [], {}
    if not args.no_real:
        rows = []
        for video in sorted((args.media / "video").glob("talk_*.mp4")):
            rows.append(profiles(video, video, cache))
        everything["real videos"] = rows
        summaries.append(summarize("real videos (own audio)", rows))
        print(line(summaries[-1]), flush=True)
    for portrait in args.portraits:
        rows = []
        for clip in clips:
            video = args.out / f"{Path(portrait).stem}__{clip.stem}.mp4"
            if not video.exists():
                generate(args.media / "image" / portrait, clip, video, seed=args.seed, size=args.size)
            rows.append(profiles(video, clip, cache))
        everything[portrait] = rows
        summaries.append(summarize(portrait, rows))
        print(line(summaries[-1]), flush=True)
    everything_rows = [r for rows in everything.values() for r in rows if r["video"].count("__")]
    if everything_rows:
        summaries.append(summarize("all renders", everything_rows))
        print(line(summaries[-1]), flush=True)
    report = {"summaries": summaries, "clips": {k: [{**r, "loudness_r": [round(float(v), 3) for v in r["loudness_r"]],
                                                     "viseme_d": [round(float(v), 3) for v in r["viseme_d"]]}
                                                    for r in rows] for k, rows in everything.items()}}
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out / 'report.json'}")


if __name__ == "__main__":
    main()
