"""`talkinghead synth`: render a synthetic training corpus from portraits and speech (docs/data.md)."""

from __future__ import annotations

import argparse
import sys

HELP = "render a synthetic training corpus (portraits x speech, default method) in the dataset format"
DESCRIPTION = """Render every portrait x speech pair with the default method (random seed, head motion, blink
rate and mouth amplitude per render), then preprocess each render exactly as `talkinghead preprocess` does,
and keep the motion that drove every frame (motion.json) beside it. The result is a dataset in the same
format (docs/data.md); the portrait is the speaker of its clips, so splits keep identities apart.

Resumable: rerun the same command to continue an interrupted run.

Examples:
  talkinghead synth portraits/ speech/ data/synth --draws 2
  talkinghead synth portraits/ - data/synth --tts 20      # 20 sentences spoken by eSpeak NG voices"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("portraits_dir", metavar="PORTRAITS_DIR", help="folder of portrait images (any nesting)")
    parser.add_argument("audio_dir", metavar="AUDIO_DIR", help="folder of speech recordings, or - for none (--tts)")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="dataset folder (an unfinished one is continued)")
    parser.add_argument("--draws", type=int, default=1, metavar="K", help="renders per portrait x speech pair")
    parser.add_argument("--tts", type=int, default=0, metavar="N",
                        help="also speak N sentences with eSpeak NG (random voice, rate, pitch), kept in "
                             "OUT_DIR/speech")
    parser.add_argument("--render-size", type=int, default=512, metavar="PX", help="longer side of each render")
    parser.add_argument("--size", type=int, nargs="+", default=[256], metavar="PX", help="side(s) of the face crops")
    parser.add_argument("--min-seconds", type=float, default=1.0, metavar="S",
                        help="shortest run of frames with a face that makes a clip")
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw and of the split by speaker")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="render at most N of the remaining clips, then stop")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from talkinghead.cli.preprocess import clip_options, print_summary
    from talkinghead.data.synth import synthesize_corpus

    options = clip_options(args)
    summary = synthesize_corpus(args.portraits_dir, None if args.audio_dir == "-" else args.audio_dir, args.out_dir,
                                options, draws=args.draws, render_size=args.render_size, tts=args.tts, seed=args.seed,
                                progress=not args.no_progress and sys.stderr.isatty(), limit=args.limit)
    print_summary(summary, args.out_dir, noun="renders")
    return 0
