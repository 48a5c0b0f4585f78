"""Write copies of talking videos with another clip's audio (or their own delayed by 1 s), for ``evaluate``.

The mouth then no longer follows the sound, so lip-sync figures should fall to about zero::

    .venv/bin/python scripts/evaluate/swap_audio.py ../shared/media/video/talk_*.mp4 -o out/swapped
    talkinghead evaluate ../shared/media/video/talk_{1,2,3,4,5}.mp4 --label real ... (see docs/evaluate.md)

Clip ``i`` gets the audio of clip ``i + 1`` (cyclically), cut or padded with silence to its length.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=None, help="delay each clip's own audio by this many "
                        "seconds instead of swapping")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    from talkinghead.io import VideoWriter, iter_frames, probe, read_audio

    args.out.mkdir(parents=True, exist_ok=True)
    videos = sorted(args.videos)
    for i, video in enumerate(videos):
        info = probe(video).video
        if args.delay is None:
            wave = read_audio(videos[(i + 1) % len(videos)])
        else:
            own = read_audio(video)
            wave = np.concatenate([np.zeros(int(args.delay * 16000), np.float32), own])[: len(own)]
        frames = list(iter_frames(video, fps=info.fps))
        n = int(round(len(frames) / float(info.fps) * 16000))
        wave = np.pad(wave[:n], (0, max(0, n - len(wave))))
        with VideoWriter(args.out / video.name, info.fps, audio=wave, sample_rate=16000,
                         overwrite=args.overwrite) as writer:
            for frame in frames:
                writer.write(frame.image)
        print(args.out / video.name)


if __name__ == "__main__":
    main()
