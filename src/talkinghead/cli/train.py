"""`talkinghead train`: train a method on a dataset, stage by stage (docs/training.md, docs/data.md)."""

from __future__ import annotations

import argparse

HELP = "train a method on a dataset made by `preprocess` or `synth`"
DESCRIPTION = """Train METHOD's trained parts on a dataset folder (made by `talkinghead preprocess` or `talkinghead
synth`), stage after stage (for example IP-LAP's landmark generator, then its renderer) into RUN_DIR/<stage>,
each stage's final weights in RUN_DIR/<stage>/final. --resume continues an interrupted run from the newest
checkpoint and skips finished stages. Several processes: `torchrun --nproc-per-node N -m talkinghead train ...`.

Examples:
  talkinghead train ip_lap --data data/lrs2 --out runs/iplap --preset paper
  talkinghead train ip_lap --data data/tiny --out runs/smoke --preset tiny --max-steps 20
  talkinghead train ip_lap --data data/lrs2 --out runs/iplap --preset paper --resume"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("method", metavar="METHOD",
                        help="a method with trained parts (see `talkinghead generate --help`)")
    parser.add_argument("--data", required=True, metavar="DIR", help="dataset folder (with manifest.json)")
    parser.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder (one sub-folder per stage)")
    parser.add_argument("--preset", default="tiny", metavar="NAME",
                        help="model size and schedule: tiny (a smoke run on a CPU), paper (the paper's), or "
                             "another the method lists (ip_lap: small, the bundled checkpoint's)")
    parser.add_argument("--split", default="train", choices=("train", "val", "test", "all"),
                        help="clips of the dataset to train on (all: every split, e.g. for a final model)")
    parser.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in RUN_DIR")
    parser.add_argument("--max-steps", type=int, default=None, metavar="N",
                        help="optimizer steps of every stage (default: the preset's)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from talkinghead.data.manifest import load_manifest
    from talkinghead.errors import OptionError
    from talkinghead.methods import get_method
    from talkinghead.training import run_stages

    method = get_method(args.method)
    make_stages = method.training_function()
    if args.preset not in method.presets:
        raise OptionError(f"method {method.name!r} has no preset {args.preset!r}; presets: {', '.join(method.presets)}")
    if args.max_steps is not None and args.max_steps < 1:
        raise OptionError(f"--max-steps must be at least 1, got {args.max_steps}")
    load_manifest(args.data)  # a clear error before any model is built
    stages = make_stages(Path(args.data), args.preset, split=None if args.split == "all" else args.split)
    finals = run_stages(stages, args.out, resume=args.resume, max_steps=args.max_steps)
    for name, folder in finals.items():
        print(f"{name}: {folder}")
    return 0
