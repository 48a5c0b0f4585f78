"""Reproduce the IP-LAP checkpoint bundled in ``src/talkinghead/assets/ip_lap`` (docs/ip_lap.md).

It was trained, with the ``small`` preset on every clip (``--split all``) on the 2-core CPU of the development
machine, on two datasets merged into one:

- the real talking videos of ``../shared/media/video`` except the held-out ``talk_5.mp4`` (the evaluation
  clip of ``scripts/ip_lap/evaluate.py``) and ``landscape_1280x720_30fps.mp4`` (a face that does not speak its
  audio): 5 people, 33 s;
- a synthetic corpus (``talkinghead synth``): 6 portraits (5 of ``../shared/media/image`` and
  ``examples/portrait.jpg``) x 3 LibriSpeech recordings of ``../shared/media/audio/librispeech`` + 4 eSpeak NG
  sentences, rendered by the default method.

::

    .venv/bin/python scripts/ip_lap/train_bundled.py [--media ../shared/media] [--work out/iplap_bundled] [--install]

runs, in order (each step resumes where an interrupted run stopped)::

    talkinghead preprocess WORK/videos WORK/real --size 128
    talkinghead synth WORK/portraits WORK/speech WORK/synth --tts 4 --size 128 --render-size 384
    merge_datasets(WORK/all, [WORK/real, WORK/synth])
    talkinghead train ip_lap --data WORK/all --out WORK/run --preset small --split all --resume

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
#: portraits of the synthetic corpus (under MEDIA/image, and the repository's example)
PORTRAITS = ["photo_einstein.jpg", "photo_woman.jpg", "photo_grayscale_man.jpg", "painting_pearl_earring.jpg",
             "sculpture_terracotta.jpg"]
#: speech of the synthetic corpus (under MEDIA/audio/librispeech)
SPEECH = ["1688-142285-0001.flac", "1998-15444-0000.flac", "1998-15444-0001.flac"]


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        os.symlink(target.resolve(), link)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media", help="../shared/media")
    parser.add_argument("--work", type=Path, default=REPO / "out" / "iplap_bundled", help="working folder")
    parser.add_argument("--install", action="store_true", help="copy the trained modules into the package")
    args = parser.parse_args()

    from talkinghead.cli.main import main as cli
    from talkinghead.data import merge_datasets

    work = args.work
    for speaker, name in TRAINING_VIDEOS.items():
        _link(args.media / "video" / name, work / "videos" / speaker / name)
    for name in PORTRAITS:
        _link(args.media / "image" / name, work / "portraits" / name)
    _link(REPO / "examples" / "portrait.jpg", work / "portraits" / "astronaut.jpg")
    for name in SPEECH:
        _link(args.media / "audio" / "librispeech" / name, work / "speech" / name)
    run = work / "run"
    steps = [["preprocess", str(work / "videos"), str(work / "real"), "--size", "128", "--no-progress"],
             ["synth", str(work / "portraits"), str(work / "speech"), str(work / "synth"), "--tts", "4",
              "--size", "128", "--render-size", "384", "--no-progress"]]
    for step in steps:
        if cli(step) != 0:
            return 2
    merge_datasets(work / "all", [work / "real", work / "synth"], overwrite=True)
    if cli(["train", "ip_lap", "--data", str(work / "all"), "--out", str(run), "--preset", "small", "--split",
            "all", "--resume"]) != 0:
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
