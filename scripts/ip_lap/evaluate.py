"""IP-LAP vs the default method in the reconstruction setting (issue #9, "Show"; paper Sec. 4.3, Table 1).

Each held-out talking video (not used in training) is dubbed with its own speech by both methods; the outputs
are scored against the original video by ``talkinghead evaluate`` (PSNR, SSIM, LipLMD, CSIM-dlib, viseme
contrast, ...) into one report with both methods side by side.

Usage::

    .venv/bin/python scripts/ip_lap/evaluate.py VIDEO [VIDEO ...] --out out/ip_lap_eval [--checkpoint DIR]
    # the figures in docs/ip_lap.md:
    .venv/bin/python scripts/ip_lap/evaluate.py ../shared/media/video/talk_5.mp4 \\
        ../shared/media/video/landscape_1280x720_30fps.mp4 --out out/ip_lap_eval

Writes ``OUT/videos/<method>/<stem>.mp4``, ``OUT/reference/<stem>.mp4`` (links to the inputs) and
``OUT/report/metrics.json`` + ``report.html``. Generation is skipped for outputs that exist (delete them to redo).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

METRICS = "psnr,ssim,lip_lmd,lmd,csim_dlib,viseme_contrast,cpbd"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+", type=Path, help="held-out talking videos (with their speech)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--checkpoint", default=None, help="IP-LAP checkpoint (default: the bundled one)")
    parser.add_argument("--size", type=int, default=512, help="longer side of the generated videos")
    parser.add_argument("--metrics", default=METRICS, help="metric names for `talkinghead evaluate`")
    args = parser.parse_args()

    from talkinghead.api import generate
    from talkinghead.cli.main import main as cli

    reference = args.out / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    methods = {"ip_lap": {"checkpoint": args.checkpoint}, "default": {}}
    for video in args.videos:
        link = reference / f"{video.stem}.mp4"
        if not link.exists():
            os.symlink(video.resolve(), link)
        for method, options in methods.items():
            out = args.out / "videos" / method / f"{video.stem}.mp4"
            if out.exists():
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            result = generate(link, link, out, method=method, size=args.size, **options)
            print(f"{method:8s} {video.name}: {result.num_frames} frames in {time.perf_counter() - t0:.1f} s "
                  f"({', '.join(f'{k} {v:.1f}' for k, v in result.seconds.items())})", flush=True)
    return cli(["evaluate", str(args.out / "videos" / "ip_lap"), str(args.out / "videos" / "default"),
                "--label", "ip_lap", "--label", "default", "--reference", str(reference),
                "--protocol", "reconstruction", "--metrics", args.metrics, "-o", str(args.out / "report"),
                "--overwrite"])


if __name__ == "__main__":
    sys.exit(main())
