"""Benchmark of talkinghead.metrics: milliseconds per frame of each metric, at a chosen frame size, on CPU.

Weight metrics run with randomly initialised networks (timings do not depend on the weights' values), so
nothing needs to be provisioned. Frames are scikit-image's astronaut portrait and a noisy copy. Prints a
table; makes no assertions.

Usage: ``python benchmarks/bench_metrics.py [--size 256] [--frames 8] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import torch
from _timing import timed  # benchmarks/ is on sys.path when a script runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="frame side in pixels (default 256)")
    parser.add_argument("--frames", type=int, default=8, help="frames per call (default 8)")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per metric (default 3)")
    args = parser.parse_args()

    import cv2
    from skimage import data

    from talkinghead.metrics import LPIPS, METRICS, FIDInceptionV3, SyncNet, inception_statistics, lse

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    ref_frame = cv2.resize(data.astronaut(), (args.size, args.size), interpolation=cv2.INTER_AREA)
    ref = np.repeat(ref_frame[None], args.frames, axis=0)
    pred = np.clip(ref + rng.normal(0, 10, ref.shape), 0, 255).astype(np.uint8)
    lpips = LPIPS("alex")
    inception = FIDInceptionV3()
    syncnet = SyncNet()
    crops = np.repeat(cv2.resize(ref_frame, (224, 224))[None], args.frames + 5, axis=0)
    audio = rng.normal(0, 0.1, 16000 * (args.frames + 5) // 25).astype(np.float32)

    def pairs(score):
        from talkinghead.metrics.frames import per_frame_pairs

        return lambda: per_frame_pairs(score, pred, ref)

    cases = {
        "psnr": lambda: METRICS["psnr"](pred=pred, ref=ref),
        "ssim": lambda: METRICS["ssim"](pred=pred, ref=ref),
        "cpbd": lambda: METRICS["cpbd"](pred=pred),
        "lpips (alex, random)": pairs(lpips),
        "fid features (random)": lambda: inception_statistics(inception, pred),
        "lse (random SyncNet)": lambda: lse(syncnet, crops, audio),
    }
    if args.size >= 176:
        cases["ms_ssim"] = lambda: METRICS["ms_ssim"](pred=pred, ref=ref)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{args.frames} frames of {args.size}x{args.size} (LSE: {args.frames} windows of 224x224 crops)")
    print(f"{'metric':24s} {'ms/frame':>10s}")
    for name, fn in cases.items():
        print(f"{name:24s} {timed(fn, args.repeat)[0] * 1e3 / args.frames:10.1f}")


if __name__ == "__main__":
    main()
