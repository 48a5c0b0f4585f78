"""`talkinghead serve`: the web UI."""

from __future__ import annotations

import argparse
from pathlib import Path

from talkinghead.errors import OptionError

HELP = "start the web UI (upload a portrait and speech, download the talking video)"
DESCRIPTION = """Start the web page on this machine. It binds to loopback (127.0.0.1) unless --host says otherwise:
--host 0.0.0.0 exposes it to your network. Models load once; requests queue and render one at a time.
Needs the [web] extra: pip install -e '.[web]'."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=7860, help="TCP port")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for uploads and results (default: a new temporary folder)")
    parser.add_argument("--max-upload-mb", type=int, default=50, help="largest accepted upload in megabytes")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="compute device")


def run(args: argparse.Namespace) -> int:
    from talkinghead.web.app import WebConfig, launch

    if not 0 < args.port < 65536:
        raise OptionError(f"--port must be 1-65535, got {args.port}")
    if args.max_upload_mb <= 0:
        raise OptionError(f"--max-upload-mb must be positive, got {args.max_upload_mb}")
    config = WebConfig(host=args.host, port=args.port, workdir=args.workdir, max_upload_mb=args.max_upload_mb,
                       device=args.device)
    print(f"talkinghead web UI on http://{args.host}:{args.port} (Ctrl+C stops it)", flush=True)
    launch(config, block=True)
    return 0
