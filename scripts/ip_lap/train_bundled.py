"""Reproduce the IP-LAP checkpoint bundled in ``src/talkinghead/assets/ip_lap`` (docs/ip_lap.md).

It was trained on the real talking videos of ``../shared/media/video`` except the held-out ``talk_5.mp4`` and
``landscape_1280x720_30fps.mp4`` (the evaluation clips of ``scripts/ip_lap/evaluate.py``), with the ``small``
preset on every clip (``--split all``), on the 2-core CPU of the development machine::

    .venv/bin/python scripts/ip_lap/train_bundled.py [--media ../shared/media] [--work out/iplap_bundled]

which runs, in order (each step resumes where an interrupted run stopped):

    talkinghead preprocess WORK/videos WORK/data --size 128
    talkinghead train ip_lap --data WORK/data --out WORK/run --preset small --split all --resume

and copies ``WORK/run/landmarks/final/landmark_generator`` and ``WORK/run/renderer/final/renderer`` into the
package's ``assets/ip_lap`` (``--install``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: speaker folder -> video file under MEDIA/video (one speaker each)
TRAINING_VIDEOS = {"talk1": "talk_1.mp4", "talk2": "talk_2.mp4", "talk3": "talk_3.mp4", "talk4": "talk_4.mp4",
                   "portrait": "portrait_hevc_1080x1920.mp4"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media", help="../shared/media")
    parser.add_argument("--work", type=Path, default=REPO / "out" / "iplap_bundled", help="working folder")
    parser.add_argument("--install", action="store_true", help="copy the trained modules into the package")
    args = parser.parse_args()

    from talkinghead.cli.main import main as cli

    videos = args.work / "videos"
    for speaker, name in TRAINING_VIDEOS.items():
        link = videos / speaker / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            os.symlink((args.media / "video" / name).resolve(), link)
    data, run = args.work / "data", args.work / "run"
    if cli(["preprocess", str(videos), str(data), "--size", "128", "--no-progress"]) != 0:
        return 2
    if cli(["train", "ip_lap", "--data", str(data), "--out", str(run), "--preset", "small", "--split", "all",
            "--resume"]) != 0:
        return 2
    if args.install:
        target = REPO / "src" / "talkinghead" / "assets" / "ip_lap"
        for part in ("landmarks/final/landmark_generator", "renderer/final/renderer"):
            destination = target / Path(part).name
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(run / part, destination)
            print(f"installed {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
