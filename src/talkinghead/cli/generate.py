"""`talkinghead generate`: render a talking video from a portrait or a face video and a speech recording.

The method options are generated from the methods' config dataclasses (STYLE.md 7): every field becomes a
``--flag`` with its one-line help, ``Literal`` fields get choices and booleans become switches. Only options
given on the command line override the config's defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import typing

from talkinghead.methods import METHODS

HELP = "render a talking video from a portrait or video and a speech recording"
DESCRIPTION = """Render a talking video: SOURCE (a portrait photo, painting or rendering, or a video of a face)
speaking AUDIO (a speech recording in any common format), written to OUT.mp4 with the audio.

The default method needs no trained weights and runs faster than real time on a CPU: the mouth follows the
speech's phones, the head moves like people's heads do when they talk (a different motion per --seed), the eyes
blink. A video source is dubbed: its own head motion and expression are kept, only the mouth follows AUDIO, and it
plays back and forth when AUDIO is longer.

examples:
  talkinghead generate portrait.jpg speech.wav -o out.mp4
  talkinghead generate portrait.jpg speech.wav -o out.mp4 --seed 3 --head-motion 0.5 --size 512
  talkinghead generate interview.mp4 new_speech.wav -o dubbed.mp4 --transcript speech.txt
"""

logger = logging.getLogger(__name__)


def _config_fields() -> dict[str, dataclasses.Field]:
    """Every option field of every registered method, first declaration wins (shared fields are declared once)."""
    out: dict[str, dataclasses.Field] = {}
    for method in METHODS.values():
        cls = method.config_class()
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name not in out:
                out[f.name] = (f, hints[f.name])
    return out


def _scalar_type(hint):
    """``int | None`` -> int; ``Literal[...]`` -> (str, choices); ``bool`` -> bool."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return str, typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _scalar_type(args[0])
    return hint, None


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown, description (with its examples) kept as written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = _Formatter
    parser.add_argument("source", metavar="SOURCE", help="portrait image, or a video of a face to dub")
    parser.add_argument("audio", metavar="AUDIO", help="speech recording (wav, mp3, flac, ... or a video's audio)")
    parser.add_argument("-o", "--output", metavar="OUT.mp4", required=True, default=argparse.SUPPRESS,
                        help="video to write")
    parser.add_argument("--method", default="default", choices=sorted(METHODS), help="how to render")
    parser.add_argument("--save-motion", metavar="motion.json", default=argparse.SUPPRESS,
                        help="also write the per-frame motion (blendshapes, head pose) as JSON")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars (they show only on a terminal)")
    group = parser.add_argument_group("method options")
    for name, (field, hint) in _config_fields().items():
        flag = field.metadata.get("flag") or "--" + name.replace("_", "-")
        kind, choices = _scalar_type(hint)
        help_text = field.metadata.get("help", "")
        if kind is bool:
            if field.default:
                group.add_argument("--no-" + flag[2:], dest=name, action="store_false", default=argparse.SUPPRESS,
                                   help=f"turn off: {help_text}")
            else:
                group.add_argument(flag, dest=name, action="store_true", default=argparse.SUPPRESS, help=help_text)
            continue
        default_text = "" if field.default is None else f" (default: {field.default})"
        # SUPPRESS: an option not given stays out of the namespace, and the config's default applies
        group.add_argument(flag, dest=name, type=kind, choices=choices, default=argparse.SUPPRESS,
                           metavar=field.metadata.get("metavar"), help=help_text + default_text)


def run(args: argparse.Namespace) -> int:
    from talkinghead.api import generate

    method = METHODS[args.method]
    names = {f.name for f in dataclasses.fields(method.config_class())}
    options = {name: getattr(args, name) for name in _config_fields() if getattr(args, name, None) is not None}
    ignored = sorted(set(options) - names)
    if ignored:
        logger.warning("method %s ignores: %s", args.method, ", ".join("--" + n.replace("_", "-") for n in ignored))
    options = {k: v for k, v in options.items() if k in names}
    result = generate(args.source, args.audio, args.output, method=args.method, overwrite=args.overwrite,
                      save_motion=getattr(args, "save_motion", None),
                      progress=not args.no_progress and sys.stderr.isatty(), **options)
    print(f"wrote {result.output} ({result.num_frames} frames, {result.size[0]}x{result.size[1]}, "
          f"{result.num_frames / result.fps:.2f} s)")
    if result.motion_path is not None:
        print(f"wrote {result.motion_path}")
    return 0
