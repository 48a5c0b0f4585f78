"""`talkinghead evaluate`: score generated videos with the papers' metrics; metrics.json + report.html."""

from __future__ import annotations

import argparse
import logging

from talkinghead.errors import OptionError

HELP = "score generated videos with the papers' metrics (metrics.json + report.html)"
DESCRIPTION = """Score folders of generated videos with the papers' evaluation protocols and write metrics.json and
a self-contained report.html (tables, plots of mouth opening vs audio and head pose, per-clip scores, a
comparison across methods when several are given). Clips are matched to --reference and --audio files by file
name (stem). Reconstruction (every clip has a --reference, its ground truth): PSNR, SSIM, MS-SSIM, LMD,
LipLMD, CSIM, FID, LPIPS as well as the video metrics. Dubbing (no ground truth): lip sync (viseme contrast,
LSE), sharpness (CPBD), head motion, blinks, identity against the reference's first frame. Metrics whose weight
files are not given are listed as not computed; nothing is downloaded. Example: talkinghead evaluate out/ip_lap
out/default --label ip_lap --label default --reference data/test -o report/"""

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from talkinghead.metrics.evaluation import WEIGHT_FLAGS

    parser.add_argument("generated", nargs="+", metavar="GENERATED",
                        help="a folder of generated videos per method (or video files: together one method)")
    parser.add_argument("--reference", nargs="+", metavar="DIR_OR_FILE", default=None,
                        help="ground-truth (reconstruction) or source (dubbing) videos, matched by file name")
    parser.add_argument("--audio", nargs="+", metavar="DIR_OR_FILE", default=None,
                        help="the speech each clip was generated from, matched by file name "
                             "(default: the generated video's own audio track, else the reference's)")
    parser.add_argument("--label", action="append", default=None, metavar="NAME",
                        help="name of each method in the report, one per GENERATED folder (default: folder name)")
    parser.add_argument("--protocol", choices=("reconstruction", "dubbing"), default=None,
                        help="default: reconstruction when every clip has a reference, else dubbing")
    parser.add_argument("--metrics", default=None, metavar="NAMES",
                        help="comma-separated metric names (default: every one that can run; named ones "
                             "that cannot run are an error)")
    parser.add_argument("-o", "--output", required=True, metavar="REPORT_DIR",
                        help="folder for metrics.json and report.html (created if missing)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing report")
    parser.add_argument("--frame-step", type=int, default=1, metavar="N",
                        help="score pixel metrics (PSNR, SSIM, LPIPS, FID, CPBD, CSIM) on every N-th frame "
                             "(1: every frame, as the papers; landmark, lip-sync, pose, blink metrics use all)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (network metrics only)")
    weights = parser.add_argument_group("weight files (never downloaded; see docs/metrics.md)")
    for name, flag in sorted(WEIGHT_FLAGS.items()):
        weights.add_argument(flag, dest=f"weight_{name}", metavar="FILE", default=None, help=f"`{name}`")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from talkinghead.io import check_output_path
    from talkinghead.metrics.evaluation import AUDIO_SUFFIXES, WEIGHT_FLAGS, evaluate, find_videos, match_clips
    from talkinghead.metrics.report import write_report

    folders = [Path(p) for p in args.generated]
    if all(p.is_dir() for p in folders):
        groups = [[p] for p in folders]
    elif not any(p.is_dir() for p in folders):
        groups = [folders]
    else:
        raise OptionError("GENERATED: give folders (one per method) or video files (one method), not both")
    labels = args.label or [p[0].name if p[0].is_dir() else p[0].parent.name or "generated" for p in groups]
    if len(labels) != len(groups):
        raise OptionError(f"--label given {len(labels)} times for {len(groups)} methods; give one per folder")
    if len(set(labels)) != len(labels):
        raise OptionError(f"method labels must differ, got {labels}; use --label")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise OptionError(f"-o {out}: not a folder")
    for name in ("metrics.json", "report.html"):
        if out.is_dir():
            check_output_path(out / name, args.overwrite)  # fail before any work
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
    references = find_videos(args.reference) if args.reference else None
    audio = find_videos(args.audio, AUDIO_SUFFIXES) if args.audio else None
    methods = [(label, match_clips(find_videos(group), references, audio)) for label, group in zip(labels, groups)]
    weights = {name: getattr(args, f"weight_{name}") for name in WEIGHT_FLAGS}
    from talkinghead.nn.device import select_device

    device = select_device(args.device).type
    evaluation = evaluate(methods, metrics=metrics, weights=weights, protocol=args.protocol, device=device,
                          frame_step=args.frame_step)
    json_path, html_path = write_report(evaluation, out, overwrite=args.overwrite)
    for method in evaluation.methods:
        shown = ", ".join(f"{k} {v:.3g}" for k, v in method.values.items())
        print(f"{method.label} ({len(method.clips)} clips): {shown}")
    for name, reason in evaluation.skipped.items():
        print(f"not computed: {name}: {reason}")
    print(f"wrote {json_path} and {html_path}")
    return 0
