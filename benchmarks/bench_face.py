"""Benchmark of talkinghead.face: analysis time per frame at 512x512 and 1920x1080, and the per-frame stages.

1. ``detect`` on a still image (tile proposals + crop refinement + verification), per image.
2. ``track`` per video frame in the steady state (tracking-region landmarker + gap bridging + zero-lag
   smoothing + pose), and its start-up cost per video (graph creation, a full ``detect`` of the first frame,
   from runs of n and 2n frames), on a moving face: the real talk_2.mp4 (../shared/media) placed in a 512x512
   and a 1920x1080 frame when present, else skimage's astronaut swaying in those frames.
3. Per-frame helpers at 512 crop size: ``align_crop``, ``face_mask`` + ``Compositor.paste`` into the frame.

Times are wall-clock, best of ``--repeat`` runs (first, warm-up call excluded). Prints a table; makes no
assertions. BLAS threads are pinned to one (small matrices; a busy machine's thread pool only adds noise).

Usage: ``python benchmarks/bench_face.py [--frames 60] [--repeat 3]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("TALKINGHEAD_MEDIA", REPO.parent / "shared" / "media"))
SIZES = {"512x512": (512, 512), "1920x1080": (1920, 1080)}


def _background(width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    small = rng.integers(40, 215, size=(height // 40 + 1, width // 40 + 1, 3), dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _source_frames(n: int) -> tuple[list[np.ndarray], float, str]:
    """``n`` RGB frames of a talking face and their fps: talk_2.mp4 if present, else a swaying astronaut."""
    video = MEDIA / "video" / "talk_2.mp4"
    if video.is_file():
        from talkinghead.io import iter_frames

        frames = [f.image for _, f in zip(range(n), iter_frames(video))]
        return frames, 25.0, "talk_2.mp4 (real)"
    from skimage import data

    image = data.astronaut()
    out = []
    for i in range(n):
        m = cv2.getRotationMatrix2D((225, 125), 3 * np.sin(i / 8), 1.0)
        m[:, 2] += (10 * np.sin(i / 10), 4 * np.cos(i / 13))
        out.append(cv2.warpAffine(image, m, (512, 512), borderMode=cv2.BORDER_REFLECT))
    return out, 25.0, "astronaut, swaying (synthetic)"


def _place(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The source frame in a canvas of ``size``: resized to 512x512 for 512, at 2/3 of the height for 1080p."""
    width, height = size
    if (width, height) == (512, 512):
        return np.ascontiguousarray(cv2.resize(frame, (512, 512), interpolation=cv2.INTER_AREA))
    side = int(height * 2 / 3)
    canvas = _background(width, height)
    y0, x0 = (height - side) // 2, (width - side) // 2
    canvas[y0:y0 + side, x0:x0 + side] = cv2.resize(frame, (side, side), interpolation=cv2.INTER_AREA)
    return canvas


def _best_ms(fn, repeat: int) -> tuple[float, float]:
    """``(wall, cpu)`` ms of the best of ``repeat`` timed calls after a warm-up. On a shared machine the minimum
    wall time is the figure least disturbed by other processes; CPU time (this process, all its threads,
    mediapipe's included) hardly depends on them at all."""
    fn()  # warm-up (graph creation, first inference)
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return 1000 * best[0], 1000 * best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="video frames per tracking run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure (the best is shown)")
    args = parser.parse_args()

    from talkinghead.face import Compositor, FaceAnalyzer, align_crop, face_mask

    frames, fps, source = _source_frames(args.frames)
    print(f"talkinghead.face benchmark  python {platform.python_version()}  {platform.machine()}  "
          f"{os.cpu_count()} cpus  source: {source}, {len(frames)} frames")
    print(f"{'':44s} {'512x512':>16s} {'1920x1080':>16s}")
    print(f"{'stage':44s} {'wall':>8s}{'cpu':>8s} {'wall':>8s}{'cpu':>8s}")
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    with FaceAnalyzer() as analyzer:
        for label, size in SIZES.items():
            video = [_place(f, size) for f in frames]
            still = video[0]
            faces = analyzer.detect(still)
            if not faces:
                raise SystemExit(f"no face found at {label}: benchmark input is broken")
            face = faces[0]
            rows.setdefault("detect, still image (ms/image)", {})[label] = _best_ms(
                lambda: analyzer.detect(still), args.repeat)

            def track_all(sequence):
                found = sum(t.face is not None for t in analyzer.track(sequence, fps=fps))
                assert found == len(sequence), (found, len(sequence))

            # a run costs start-up (graph creation, a full detect() on the first frame) + n * steady state:
            # time n and 2n frames (the clip, then played backwards: no jump) and take the difference
            once = _best_ms(lambda: track_all(video), args.repeat)
            twice = _best_ms(lambda: track_all(video + video[::-1]), args.repeat)
            per_frame = tuple((b - a) / len(video) for a, b in zip(once, twice))
            rows.setdefault("track, per frame (ms)", {})[label] = per_frame
            rows.setdefault("track, start-up per video (ms)", {})[label] = tuple(2 * a - b for a, b in zip(once, twice))

            crop_box = {}

            def crop():
                crop_box["crop"], crop_box["t"] = align_crop(still, face.landmarks, 512)

            rows.setdefault("align_crop 512 (ms)", {})[label] = _best_ms(crop, args.repeat * 10)
            lm = crop_box["t"].to_crop(face.landmarks)
            compositor = Compositor()

            def paste():
                compositor.paste(still, crop_box["crop"], crop_box["t"], face_mask(lm, (512, 512)))

            rows.setdefault("face_mask + Compositor.paste 512 (ms)", {})[label] = _best_ms(paste, args.repeat * 10)
    for name, values in rows.items():
        cells = "".join(f"{v:8.1f}" if v >= 0 else f"{'noisy':>8s}"  # a difference of two timings can go < 0
                        for pair in (values["512x512"], values["1920x1080"]) for v in pair)
        print(f"{name:44s} {cells[:16]} {cells[16:]}")


if __name__ == "__main__":
    main()
