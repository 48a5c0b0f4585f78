"""Measure default-method outputs with detectors that are not ours to tune (issue #6, "Show").

For every (portrait, speech) pair it renders a video with ``talkinghead.generate`` (unless it exists), then runs
mediapipe's face landmarker on the output frames (tracked, *unsmoothed*) and reports:

- ``face``: share of output frames where a face is found;
- ``d'``: contrast of the inner-lip gap (landmarks 13-14 over the face height 10-152) between frames inside
  /p b m/ and frames inside open vowels (/aa ae ah ao aw ay eh/), the phones timed by the audio front-end;
- ``gap``: the mean gap at those two kinds of frames (real speech: ~1-2.5 % and ~4-6 %);
- ``lag``: the shift (frames) that best correlates the gap with the speech loudness (> 0: the mouth lags), with
  that correlation (``lag_r``) and the one at no shift (``lag0_r``): when they are close the clip does not
  determine the lag;
- ``identity``: dlib face-embedding distance (``face_recognition_models``' ResNet) between the source and output
  frames: mean and max over every 5th frame (the same person: < 0.6, dlib's own threshold);
- head-pose standard deviations (yaw, pitch, roll) and the blink rate, and the same for the real talking videos.

It also writes a contact sheet per output (face crops: most closed mouth, most open, a head turn, a blink).

Usage::

    .venv/bin/python scripts/default/evaluate.py [--media ../shared/media] [--out out/eval] [--audio FILE]
    .venv/bin/python scripts/default/evaluate.py --pairs examples/portrait.jpg:examples/speech.wav --out out/demo
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
BILABIAL = {"P", "B", "M"}
OPEN_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH"}
PORTRAITS = ("photo_woman.jpg", "photo_einstein.jpg", "photo_grayscale_man.jpg", "painting_pearl_earring.jpg",
             "sculpture_terracotta.jpg", "cartoon_3d_boy.jpg", "painting_full_body_small_face.jpg")


def track_output(path: Path):
    """The landmarker on every frame of ``path`` (VIDEO mode, no smoothing): a ``FaceTrack``."""
    from talkinghead.face import FaceAnalyzer, SmoothingConfig, analyze_video

    with FaceAnalyzer(smoothing=SmoothingConfig(enabled=False)) as analyzer:
        return analyze_video(path, analyzer=analyzer)


def lip_gap(landmarks: np.ndarray) -> np.ndarray:
    """``(t,)`` inner-lip gap over face height (``talkinghead.metrics.mouth_opening``; NaN where no face)."""
    from talkinghead.metrics import mouth_opening

    return mouth_opening(landmarks)


def phone_frames(audio: Path, fps: float, num_frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bilabial and open-vowel frame masks from the audio front-end's timed phones, and the loudness (dB)."""
    from talkinghead.audio import analyze
    from talkinghead.metrics.lip_sync import phone_frames as frames_inside

    track = analyze(audio, fps=fps)
    bilabial = frames_inside(track.phones, fps, num_frames, BILABIAL)
    open_vowel = frames_inside(track.phones, fps, num_frames, OPEN_VOWELS)
    loud = np.full(num_frames, np.nan)
    n = min(num_frames, track.num_frames)
    loud[:n] = track.loudness[:n]
    return bilabial, open_vowel, loud


def lag_report(gap: np.ndarray, loudness: np.ndarray, max_lag: int = 8) -> dict:
    """The best lag with its correlation and the correlation at lag 0: a best lag whose correlation is
    hardly above lag 0's is not determined by the clip (a flat correlation profile; see scripts/default/lag.py
    for the lag over many clips)."""
    from talkinghead.metrics import loudness_correlations

    r = loudness_correlations(gap, loudness, max_lag)
    if not np.isfinite(r).any():
        return {"lag": 0, "lag_r": float("nan"), "lag0_r": float("nan")}
    best = int(np.nanargmax(r))
    return {"lag": best - max_lag, "lag_r": round(float(r[best]), 3), "lag0_r": round(float(r[max_lag]), 3)}


class Identity:
    """dlib's face embedding (``face_recognition_models``: ResNet + 5-point shape predictor), as
    ``talkinghead.metrics.csim.dlib_face_descriptors`` computes it, the HOG detector at full size: on the
    512 px astronaut render, detecting on a 400 px copy moved one frame's distance from ~0.35 to 0.74)."""

    def embed(self, image: np.ndarray) -> np.ndarray | None:
        from talkinghead.metrics.csim import dlib_face_descriptors

        e = dlib_face_descriptors(image, detect_size=None)[0]
        return None if np.isnan(e).any() else e


def contact_sheet(video: Path, track, gap: np.ndarray, out: Path, tile: int = 256) -> None:
    """Face crops of the output: most closed and most open mouth, strongest head turn, a blink, as one JPEG."""
    from talkinghead.blendshapes import INDEX
    from talkinghead.io import iter_frames

    ok = np.isfinite(gap)
    picks = {}
    speak = np.where(ok, gap, np.nan)
    picks["mouth closed"] = int(np.nanargmin(speak))
    picks["mouth open"] = int(np.nanargmax(speak))
    yaw = np.where(ok, track.pose[:, 0] - np.nanmedian(track.pose[:, 0]), np.nan)
    picks["head turn"] = int(np.nanargmax(np.abs(yaw)))
    blink = 0.5 * (track.blendshapes[:, INDEX["eyeBlinkLeft"]] + track.blendshapes[:, INDEX["eyeBlinkRight"]])
    picks["blink"] = int(np.nanargmax(np.where(ok, blink, -1)))
    mid = np.flatnonzero(ok)
    picks["frame"] = int(mid[len(mid) // 3]) if len(mid) else 0
    wanted = {v: k for k, v in picks.items()}
    x0, y0, x1, y1 = np.nanmedian(track.bboxes, axis=0)
    cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, 0.75 * max(x1 - x0, y1 - y0)
    tiles = {}
    for frame in iter_frames(video):
        if frame.index in wanted:
            img = frame.image
            h, w = img.shape[:2]
            c = img[int(max(cy - half, 0)): int(min(cy + half, h)), int(max(cx - half, 0)): int(min(cx + half, w))]
            c = cv2.resize(c, (tile, tile), interpolation=cv2.INTER_AREA)
            label = f"{wanted[frame.index]} (#{frame.index})"
            cv2.putText(c, label, (6, tile - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
            cv2.putText(c, label, (6, tile - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
            tiles[frame.index] = c
    order = ["mouth closed", "mouth open", "frame", "head turn", "blink"]
    row = np.concatenate([tiles[picks[k]] for k in order if picks[k] in tiles], axis=1)
    cv2.imwrite(str(out), cv2.cvtColor(row, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])


def measure(source: Path, audio: Path, video: Path, identity: Identity | None, sheet: Path | None) -> dict:
    from talkinghead.blendshapes import INDEX
    from talkinghead.io import iter_frames, read_image
    from talkinghead.metrics.lip_sync import dprime
    from talkinghead.motion.blink import count_blinks

    track = track_output(video)
    fps = float(track.fps)
    n = len(track)
    gap = lip_gap(track.landmarks)
    bilabial, open_vowel, loud = phone_frames(audio, fps, n)
    closure = 0.5 * (track.blendshapes[:, INDEX["eyeBlinkLeft"]] + track.blendshapes[:, INDEX["eyeBlinkRight"]])
    result = {
        "source": source.name, "audio": audio.name, "frames": n,
        "face": float(track.valid.mean()),
        "gap_pbm": float(np.nanmean(gap[bilabial])) if bilabial.any() else None,
        "gap_open": float(np.nanmean(gap[open_vowel])) if open_vowel.any() else None,
        "n_pbm": int(bilabial.sum()), "n_open": int(open_vowel.sum()),
        "dprime": dprime(gap[open_vowel], gap[bilabial]),
        **lag_report(gap, loud),
        "pose_std": [round(float(v), 2) for v in np.nanstd(track.pose, axis=0)],
        "blinks_per_min": round(count_blinks(closure, fps) / (n / fps) * 60, 1),
    }
    if identity is not None:
        ref = identity.embed(read_image(source))
        dists = []
        for frame in iter_frames(video):
            if frame.index % 5 == 0 and track.valid[frame.index]:
                e = identity.embed(frame.image)
                if e is not None and ref is not None:
                    dists.append(float(np.linalg.norm(e - ref)))
        result["identity_mean"] = round(float(np.mean(dists)), 3) if dists else None
        result["identity_max"] = round(float(np.max(dists)), 3) if dists else None
    if sheet is not None:
        contact_sheet(video, track, gap, sheet)
    return result


def real_videos(folder: Path) -> list[dict]:
    """Head-pose spread and blink rate of the real talking videos, measured the same way."""
    from talkinghead.blendshapes import INDEX
    from talkinghead.motion.blink import count_blinks

    rows = []
    for path in sorted(folder.glob("*.mp4")):
        track = track_output(path)
        fps = float(track.fps)
        gap = lip_gap(track.landmarks)
        closure = 0.5 * (track.blendshapes[:, INDEX["eyeBlinkLeft"]] + track.blendshapes[:, INDEX["eyeBlinkRight"]])
        _, _, loud = phone_frames(path, fps, len(track))
        rows.append({"video": path.name, "frames": len(track), "talking": bool(np.nanpercentile(gap, 90) > 0.02),
                     **lag_report(gap, loud),
                     "pose_std": [round(float(v), 2) for v in np.nanstd(track.pose, axis=0)],
                     "blinks_per_min": round(count_blinks(closure, fps) / (len(track) / fps) * 60, 1)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media")
    parser.add_argument("--audio", type=Path, default=None, help="speech for every portrait (default: a LibriSpeech clip)")
    parser.add_argument("--pairs", nargs="*", default=None, help="SOURCE:AUDIO pairs instead of the shared portraits")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "eval")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-identity", action="store_true")
    parser.add_argument("--no-real", action="store_true", help="skip measuring the real videos")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from talkinghead.api import generate

    args.out.mkdir(parents=True, exist_ok=True)
    if args.pairs:
        pairs = [tuple(Path(x) for x in p.split(":")) for p in args.pairs]
    else:
        audio = args.audio or args.media / "audio" / "librispeech" / "1998-15444-0001.flac"
        pairs = [(args.media / "image" / name, audio) for name in PORTRAITS]
    identity = None if args.no_identity else Identity()
    rows = []
    for source, audio in pairs:
        video = args.out / f"{source.stem}__{audio.stem}.mp4"
        if not video.exists():
            result = generate(source, audio, video, seed=args.seed)
            print(f"{video.name}: rendered, {result.seconds}", flush=True)
        row = measure(source, audio, video, identity, args.out / f"{video.stem}_sheet.jpg")
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = {"outputs": rows}
    if not args.no_real:
        report["real_videos"] = real_videos(args.media / "video")
        for row in report["real_videos"]:
            print(json.dumps(row), flush=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out / 'report.json'}")


if __name__ == "__main__":
    main()
