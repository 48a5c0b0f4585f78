"""`talkinghead doctor`: what is installed, what is missing, and the command that fixes it."""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import sys

from talkinghead import __version__
from talkinghead.assets import MODEL_FILES, model_status
from talkinghead.paths import models_dir

HELP = "check the installation: versions, device, model files and how to fix what is missing"
DESCRIPTION = """Report Python and package versions, the compute device, and every model file with its sha256.
Exits 0 when everything the default pipeline needs is present, 1 otherwise, printing the command that fixes each problem."""

#: (distribution, what needs it, install hint)
PACKAGES = [
    ("numpy", "everything", "make install"),
    ("av", "media I/O", "make install"),
    ("pillow", "image reading", "make install"),
    ("mediapipe", "face analysis", "make install"),
    ("opencv-contrib-python", "image warping", "make install"),
    ("pocketsphinx", "phone recognition and alignment", "make install"),
    ("espeakng-loader", "speech synthesis (tests, demo, synthetic corpus)", "make install"),
    ("torch", "trained methods", "pip install torch==2.13.0"),
    ("safetensors", "checkpoints", "make install"),
    ("scipy", "signal processing", "make install"),
]
OPTIONAL = [
    ("gradio", "web UI (`talkinghead serve`)", "pip install -e '.[web]'"),
    ("scikit-image", "metrics", "pip install -e '.[eval]'"),
    ("face-recognition-models", "CSIM-dlib metric", "pip install -e '.[eval]'"),
    ("tensorboard", "training logs", "pip install -e '.[train]'"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-verify", action="store_true", help="skip sha256 checks of model files (faster)")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _device() -> str:
    try:
        import torch
    except ImportError:
        return "cpu (torch not installed)"
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return f"cuda ({names}); --device auto picks it"
    return f"cpu ({torch.get_num_threads()} threads); no CUDA device"


def run(args: argparse.Namespace) -> int:
    problems: list[tuple[str, str]] = []
    print(f"talkinghead {__version__}")
    print(f"python      {platform.python_version()} ({sys.executable})")
    print(f"platform    {platform.platform()}")
    print(f"device      {_device()}")
    print("\npackages")
    for dist, what, fix in PACKAGES:
        version = _version(dist)
        print(f"  {'ok ' if version else 'MISSING'} {dist:24s} {version or '-':12s} {what}")
        if not version:
            problems.append((f"package {dist} is missing", fix))
    for dist, what, fix in OPTIONAL:
        version = _version(dist)
        print(f"  {'ok ' if version else 'opt'} {dist:24s} {version or 'not installed':12s} {what}")
    print(f"\nmodel files in {models_dir()}")
    for name, spec in MODEL_FILES.items():
        state, digest = model_status(name, verify=not args.no_verify)
        shown = digest or ("not checked" if state == "ok" else "-")
        print(f"  {state.upper() if state != 'ok' else 'ok ':7s} {spec.filename:24s} sha256 {shown}")
        print(f"          {spec.description}; license {spec.license}")
        if state != "ok" and spec.required:
            fix = "talkinghead fetch-models" + (" --force" if state == "corrupt" else "")
            problems.append((f"model {spec.filename} is {state}", fix))
    if problems:
        print("\nto fix:")
        for what, fix in problems:
            print(f"  {what}: run `{fix}`")
        return 1
    print("\nall green")
    return 0
