"""Benchmark of IP-LAP inference at 128x128 faces: frames per second of each stage, side by side, per preset.

Stages timed per frame (the pipeline's own functions and modules, randomly initialised: the cost does not depend
on the weights): face tracking of a 512x512 video frame (mediapipe), the crop and its 131 points, stage 1
(audio-to-landmark, windows of T = 5 frames, batched), the 2k+1 target sketches, stage 2 (renderer, batches of 8
frames, N references), the paste-back into the 512x512 frame. Prints a table and the real-time factor at 25 fps
(above 1 = faster than real time); makes no assertions.

Usage: ``python benchmarks/bench_ip_lap.py [--threads 2] [--presets small paper] [--refs 1 5 10] [--frames 16]``
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
from _timing import timed  # benchmarks/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parents[1]


def _per_frame(fn, frames: int, repeat: int = 3) -> float:
    """Median seconds per frame of ``fn()``, which processes ``frames`` frames, after a warm-up call."""
    return timed(fn, repeat)[0] / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the target machine has 2 cores)")
    parser.add_argument("--presets", nargs="+", default=["small", "paper"], help="model sizes (training presets)")
    parser.add_argument("--refs", nargs="+", type=int, default=[1, 5, 10], help="reference images N")
    parser.add_argument("--frames", type=int, default=16, help="frames per timed call")
    parser.add_argument("--batch", type=int, default=8, help="frames per renderer call")
    args = parser.parse_args()

    import cv2
    import torch

    from talkinghead.audio import mel_windows, melspectrogram
    from talkinghead.face import FaceAnalyzer
    from talkinghead.face.compositor import Compositor
    from talkinghead.face.crop import crop_transform
    from talkinghead.io import read_audio, read_image
    from talkinghead.methods.ip_lap import landmarks as L
    from talkinghead.methods.ip_lap.audio_to_landmark import LandmarkGenerator
    from talkinghead.methods.ip_lap.pipeline import IPLAPModels, _paste_mask, _Renderer, predict_content
    from talkinghead.methods.ip_lap.renderer import LandmarkRenderer
    from talkinghead.methods.ip_lap.sketch import draw_sketches
    from talkinghead.methods.ip_lap.training import PRESETS

    torch.set_num_threads(args.threads)
    n = args.frames
    frame = cv2.resize(read_image(REPO / "examples" / "portrait.jpg"), (512, 512), interpolation=cv2.INTER_AREA)
    wave = read_audio(REPO / "examples" / "speech.wav", 16000)
    windows = mel_windows(melspectrogram(wave), np.arange(n), 25.0)
    with FaceAnalyzer() as analyzer:
        face = analyzer.detect(frame)[0]
        frames = [frame] * n
        track_s = _per_frame(lambda: list(analyzer.track(iter(frames), fps=25.0)), n, repeat=1)
    transform = crop_transform(face.landmarks, 128, (512, 512))
    crop_lms = transform.to_crop(np.asarray(face.landmarks)[:, :2]).astype(np.float32)
    points = np.repeat((crop_lms[list(L.ALL)] / 128)[None], n, 0)

    def crop_all():
        for _ in range(n):
            transform.warp(frame)
            transform.to_crop(np.asarray(face.landmarks)[:, :2])

    crop_s = _per_frame(crop_all, n)
    neighbours = np.clip(np.arange(n)[:, None] + np.arange(-2, 3)[None, :], 0, n - 1)
    sketch_s = _per_frame(lambda: draw_sketches(points[neighbours], 128), n)
    crops = np.repeat(transform.warp(frame)[None], n, 0)
    compositor = Compositor()
    paste_s = _per_frame(lambda: [compositor.paste(frame, crops[i], transform,
                                                   _paste_mask(crop_lms, points[i, :L.NUM_CONTENT], 128))
                                  for i in range(n)], n)

    print(f"IP-LAP inference, 128x128 faces in 512x512 frames, {args.threads} torch threads, "
          f"{platform.processor() or platform.machine()}, torch {torch.__version__}")
    print(f"{'stage':<44}{'ms/frame':>10}{'frames/s':>10}")
    shared = {"face tracking (mediapipe, 512 px frame)": track_s, "crop + 131 points": crop_s,
              "5 target sketches": sketch_s, "paste-back (Fig. 3 mask)": paste_s}
    for name, s in shared.items():
        print(f"{name:<44}{s * 1e3:>10.2f}{1 / s:>10.1f}")
    for preset in args.presets:
        torch.manual_seed(0)
        gen = LandmarkGenerator(**PRESETS[preset]["landmarks"][0]["model"]).eval()
        ren = LandmarkRenderer(**PRESETS[preset]["renderer"][0]["model"]).eval()
        models = IPLAPModels(gen, ren, torch.device("cpu"))
        pose = points[:, L.NUM_CONTENT:]
        refs = points[:15]
        stage1_s = _per_frame(lambda: predict_content(models, windows, pose, refs), n)
        print(f"{'[' + preset + '] stage 1 (audio-to-landmark)':<44}{stage1_s * 1e3:>10.2f}{1 / stage1_s:>10.1f}")
        for count in args.refs:
            render = _Renderer(models, np.repeat(crops[:1], count, 0), points[:count])
            b = args.batch

            def stage2():
                for i in range(0, n, b):
                    render(crops[i:i + b], points[neighbours[i:i + b]], windows[i:i + b])

            stage2_s = _per_frame(stage2, n, repeat=2)
            total = track_s + crop_s + stage1_s + stage2_s + paste_s  # sketches are drawn inside stage 2
            print(f"{f'[{preset}] stage 2 (renderer), N = {count}':<44}{stage2_s * 1e3:>10.2f}{1 / stage2_s:>10.1f}"
                  f"   whole pipeline {1 / total:5.1f} frames/s = {1 / total / 25:.2f}x real time")


if __name__ == "__main__":
    main()
