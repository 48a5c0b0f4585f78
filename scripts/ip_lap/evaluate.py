"""IP-LAP vs the default method in the reconstruction setting (issue #9, "Show"; paper Sec. 4.3, Table 1).

Each held-out talking video (not used in training) is dubbed with its own speech by both methods; the outputs
are scored against the original video by ``talkinghead evaluate`` (PSNR, SSIM, LipLMD, CSIM-dlib, viseme
contrast, ...) into one report with both methods side by side.

Usage::

    .venv/bin/python scripts/ip_lap/evaluate.py VIDEO [VIDEO ...] --out out/ip_lap_eval [--checkpoint DIR]
    # the figures in docs/ip_lap.md (talk_5.mp4: the real talking clip held out of the bundled checkpoint's data)
    .venv/bin/talkinghead preprocess VIDEOS_DIR_WITH_TALK_5 out/heldout --size 128
    .venv/bin/python scripts/ip_lap/evaluate.py ../shared/media/video/talk_5.mp4 --out out/ip_lap_eval \\
        --heldout-data out/heldout

With ``--heldout-data DIR`` (a dataset of the held-out clips made by ``talkinghead preprocess``) it also reports
stage 1 alone (Table 3's landmark error): the mean lip-point error in pixels of a 128 px crop over every window,
for the trained generator and for its starting shape (the references' mean mouth moved with the head), and the
error of the mouth *opening* (inner-lip gap), which a shape that never moves cannot get right.

Writes ``OUT/videos/<method>/<stem>.mp4``, ``OUT/reference/<stem>.mp4`` (links to the inputs), a contact sheet
``OUT/sheet_<stem>.jpg`` (face crops: the original, then each method) and ``OUT/report/metrics.json`` +
``report.html``. Generation is skipped for outputs that exist (delete them to redo).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

METRICS = "psnr,ssim,lip_lmd,lmd,csim_dlib,viseme_contrast,cpbd"


def landmark_errors(data_dir: Path, checkpoint: str | None) -> dict[str, float]:
    """Stage 1 on every window of ``data_dir`` (all splits): lip-point and lip-gap errors, px at 128."""
    import numpy as np
    import torch

    from talkinghead.data import WindowDataset
    from talkinghead.methods.ip_lap import landmarks as L
    from talkinghead.methods.ip_lap.pipeline import load_models
    from talkinghead.methods.ip_lap.train_landmarks import landmark_inputs

    models = load_models(checkpoint, "cpu")
    generator = models.landmark_generator
    data = WindowDataset(data_dir, split=None, window=models.window, num_refs=models.num_landmark_refs,
                         stride=models.window, with_frames=False)
    upper, lower = L.CONTENT.index(13), L.CONTENT.index(14)
    sums = {"trained": np.zeros(2), "start shape": np.zeros(2)}
    count = 0
    with torch.inference_mode():
        for i in range(len(data)):
            batch = {k: v[None] for k, v in data[i].items()}
            mel, pose, refs, target = landmark_inputs(batch)
            for name, pred in (("trained", generator(mel, pose, refs)), ("start shape", generator.base_shape(pose, refs))):
                point = (pred[..., :L.NUM_LIP, :] - target[..., :L.NUM_LIP, :]).norm(dim=-1).mean()
                gap = lambda x: (x[..., lower, 1] - x[..., upper, 1])  # noqa: E731
                sums[name] += [float(point), float((gap(pred) - gap(target)).abs().mean())]
            count += 1
    out = {}
    for name, (point, gap) in sums.items():
        out[f"{name}: lip points"] = point / count * 128
        out[f"{name}: lip gap"] = gap / count * 128
    return out


def contact_sheet(reference: Path, outputs: dict[str, Path], path: Path, count: int = 5) -> None:
    """Face crops of ``count`` evenly spaced frames: one row for the reference, one per method (JPEG)."""
    import numpy as np

    from talkinghead.face import FaceAnalyzer
    from talkinghead.face.crop import crop_transform
    from talkinghead.io import iter_frames, write_image
    from talkinghead.methods.sources import resize

    rows = {"reference": reference, **outputs}
    frames = {name: [f.image for f in iter_frames(video, fps=25)] for name, video in rows.items()}
    n = min(len(v) for v in frames.values())
    picks = np.linspace(0, n - 1, count + 2).round().astype(int)[1:-1]
    first = frames["reference"][0]
    with FaceAnalyzer() as analyzer:
        face = analyzer.detect(first)[0]
    transform = crop_transform(face.landmarks, 192, (first.shape[1], first.shape[0]))
    size = (first.shape[1], first.shape[0])  # every video at the reference's size, so one crop fits all
    grid = [np.concatenate([transform.warp(resize(frames[name][i], size)) for i in picks], axis=1) for name in rows]
    write_image(path, np.concatenate(grid, axis=0), overwrite=True)
    print(f"contact sheet ({' / '.join(rows)} rows, frames {list(picks)}): {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+", type=Path, help="held-out talking videos (with their speech)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--checkpoint", default=None, help="IP-LAP checkpoint (default: the bundled one)")
    parser.add_argument("--size", type=int, default=None, help="longer side of the generated videos (default: the "
                        "original's, so that the ground truth needs no resizing)")
    parser.add_argument("--metrics", default=METRICS, help="metric names for `talkinghead evaluate`")
    parser.add_argument("--heldout-data", type=Path, default=None,
                        help="preprocessed dataset of the held-out clips: also report stage 1's landmark error")
    args = parser.parse_args()

    if args.heldout_data is not None:
        for name, value in landmark_errors(args.heldout_data, args.checkpoint).items():
            print(f"stage 1, held-out windows, {name}: {value:.3f} px at 128 px", flush=True)

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
    for video in args.videos:
        contact_sheet(reference / f"{video.stem}.mp4",
                      {m: args.out / "videos" / m / f"{video.stem}.mp4" for m in methods},
                      args.out / f"sheet_{video.stem}.jpg")
    return cli(["evaluate", str(args.out / "videos" / "ip_lap"), str(args.out / "videos" / "default"),
                "--label", "ip_lap", "--label", "default", "--reference", str(reference),
                "--protocol", "reconstruction", "--metrics", args.metrics, "-o", str(args.out / "report"),
                "--overwrite"])


if __name__ == "__main__":
    sys.exit(main())
