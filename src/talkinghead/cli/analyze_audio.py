"""`talkinghead analyze-audio`: phones, visemes, mouth cues and ARKit blendshape curves from speech."""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
from fractions import Fraction

from talkinghead.errors import OptionError

HELP = "phones, visemes, Rhubarb mouth cues or ARKit blendshape curves from a speech recording"
DESCRIPTION = """Analyse a speech recording (any audio format FFmpeg reads, or the audio track of a video) and write
timed phones and words (phones-json), visemes per frame (visemes-json, the 15 Oculus LipSync visemes), Rhubarb
Lip Sync mouth cues with shapes A-H and X (rhubarb-tsv, rhubarb-json) or a Live Link Face CSV of the 52 ARKit
blendshapes per frame, mouth from the audio plus random blinks (arkit-csv). With --transcript (English) phones
come from forced alignment; without one, from word recognition with a phone-loop fallback; other languages
(--language fr, zh, ...) use the phone loop. Long recordings are processed in chunks cut at pauses, with flat
memory. Example: talkinghead analyze-audio speech.wav --transcript "Hello there." --format rhubarb-tsv -o
cues.tsv"""

logger = logging.getLogger(__name__)

FORMAT_NAMES = ("phones-json", "visemes-json", "rhubarb-tsv", "rhubarb-json", "arkit-csv")


def _fps(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a frame rate: {text!r} (use 25, 29.97 or 30000/1001)") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(f"frame rate must be in (0, 1000], got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("audio", metavar="AUDIO", help="speech recording (audio file or video with audio)")
    parser.add_argument("--format", required=True, choices=FORMAT_NAMES, default=argparse.SUPPRESS,
                        help="what to write")
    parser.add_argument("-o", "--output", metavar="OUT", default="-", help="output file; - for standard output")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    parser.add_argument("--transcript", metavar="TEXT|FILE", default=argparse.SUPPRESS,
                        help="the words spoken (English), or a UTF-8 text file holding them; enables forced alignment")
    parser.add_argument("--language", default="en",
                        help="language of the speech; anything but English is decoded with the phone loop")
    parser.add_argument("--fps", type=_fps, default=Fraction(25), help="video frame rate of per-frame outputs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random blinks (arkit-csv)")
    parser.add_argument("--blink-rate", type=float, default=17.0, help="mean blinks per minute (arkit-csv; 0: none)")
    parser.add_argument("--amplitude", type=float, default=1.0, help="scale of mouth opening (1 = natural)")
    parser.add_argument("--chunk-seconds", type=float, default=30.0,
                        help="longest stretch decoded at once; long recordings are cut at pauses")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (shown on a terminal)")


def run(args: argparse.Namespace) -> int:
    from talkinghead.audio import iter_analyze
    from talkinghead.audio.checks import read_transcript
    from talkinghead.audio.export import FORMATS
    from talkinghead.io import atomic_output, check_output_path

    if not 0.0 <= args.amplitude <= 3.0:
        raise OptionError(f"--amplitude must be between 0 and 3, got {args.amplitude}")
    if not 0.0 <= args.blink_rate <= 120.0:
        raise OptionError(f"--blink-rate must be between 0 and 120 per minute, got {args.blink_rate}")
    transcript = read_transcript(getattr(args, "transcript", None))
    to_file = args.output != "-"
    if to_file:
        check_output_path(args.output, args.overwrite)  # fail before any work
    fps = float(args.fps)
    progress = not args.no_progress and sys.stderr.isatty()
    tracks = iter_analyze(args.audio, fps, transcript, language=args.language, progress=progress,
                          chunk_seconds=args.chunk_seconds, amplitude=args.amplitude)
    writer_cls = FORMATS[args.format]

    first = next(tracks)  # reading and checking errors surface before anything is written

    def write(stream) -> None:
        blink = None
        if args.blink_rate > 0:  # the motion stage's blink model (talkinghead.audio draws no blinks itself)
            from talkinghead.motion.blink import BlinkModel, BlinkSchedule

            blink = BlinkSchedule(BlinkModel(rate_per_min=args.blink_rate), fps, seed=args.seed)
        writer = writer_cls(stream, fps, sound_file=str(args.audio), blink=blink)
        for track in itertools.chain([first], tracks):
            writer.add(track)
        writer.finish()

    if to_file:
        with atomic_output(args.output, args.overwrite) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
                write(stream)
        logger.info("wrote %s", args.output)
    else:
        try:
            write(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as the docs recommend
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return 0
