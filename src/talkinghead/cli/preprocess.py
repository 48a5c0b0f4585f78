"""`talkinghead preprocess`: turn a folder of talking videos into a training dataset (docs/data.md)."""

from __future__ import annotations

import argparse
import sys

HELP = "turn a folder of talking videos into a training dataset (crops, landmarks, fits, mel, phones)"
DESCRIPTION = """Turn a folder of talking videos (LRS2/LRS3, VoxCeleb2, HDTF layouts: any nesting of video files
with audio) into a training dataset: per clip, resampled to 25 fps, the tracked face's aligned crops, 478
landmarks, blendshapes, head pose, FaceModel fit, mel-spectrogram and phones; and manifest.json with splits
by speaker. See docs/data.md for the format.

Resumable: rerun the same command after an interruption and it continues where it stopped (finished clips
are never redone, half-written ones are discarded). Videos without a face, too short, or whose audio and
video lengths disagree are skipped, and the summary says why.

Examples:
  talkinghead preprocess ~/data/lrs3/trainval data/lrs3 --size 128 256 --workers 4
  talkinghead preprocess ~/data/HDTF/clips data/hdtf"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("videos_dir", metavar="VIDEOS_DIR", help="folder of talking videos with audio (any nesting)")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="dataset folder (an unfinished one is continued)")
    parser.add_argument("--size", type=int, nargs="+", default=[256], metavar="PX",
                        help="side(s) of the aligned face crops written, e.g. --size 128 256")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="processes (one face landmarker each)")
    parser.add_argument("--min-seconds", type=float, default=1.0, metavar="S",
                        help="shortest run of frames with a face that makes a clip")
    parser.add_argument("--max-length-gap", type=float, default=0.5, metavar="S",
                        help="skip videos whose audio and video lengths differ by more (out of sync)")
    parser.add_argument("--max-av-offset", type=int, default=None, metavar="FRAMES",
                        help="also skip clips whose estimated audio-video offset (lip gap vs loudness) is larger "
                             "(default: keep all; the estimate is recorded in meta.json)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split by speaker")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="process at most N of the remaining videos, then stop (continue by rerunning)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from talkinghead.data.preprocess import preprocess_folder

    options = clip_options(args, max_length_gap=args.max_length_gap, max_av_offset=args.max_av_offset)
    progress = not args.no_progress and sys.stderr.isatty()
    summary = preprocess_folder(args.videos_dir, args.out_dir, options, workers=args.workers, progress=progress,
                                seed=args.seed, limit=args.limit)
    print_summary(summary, args.out_dir)
    return 0


def clip_options(args: argparse.Namespace, **more):
    """``ClipOptions`` from ``--size`` and ``--min-seconds`` (shared with `talkinghead synth`), checked."""
    from talkinghead.data.clip_processor import ClipOptions
    from talkinghead.errors import OptionError

    if any(not 32 <= s <= 1024 for s in args.size):
        raise OptionError(f"--size must be between 32 and 1024 pixels, got {args.size}")
    if args.min_seconds <= 0:
        raise OptionError(f"--min-seconds must be positive, got {args.min_seconds}")
    return ClipOptions(crop_sizes=tuple(sorted(set(args.size))), min_seconds=args.min_seconds, **more)


def print_summary(summary, out_dir, noun: str = "videos") -> None:
    print(f"{summary.videos} {noun}: {summary.written} clips written, {summary.skipped} skipped this run, "
          f"{summary.already_done} done before")
    if summary.frames:
        print(f"{summary.frames} frames in {summary.seconds:.1f} s ({summary.frames_per_second:.1f} frames/s)")
    for r in summary.results:
        if r.status == "skipped":
            print(f"  skipped {r.source}: {r.reason} ({r.detail})")
    if summary.skipped_reasons:
        reasons = ", ".join(f"{k} {v}" for k, v in summary.skipped_reasons.items())
        print(f"skipped in total: {reasons}")
    print(f"dataset: {out_dir}/manifest.json")
