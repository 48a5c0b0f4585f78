"""Benchmark of the default method: compute per second of output, side by side with the I/O floor, and memory.

Prints, measured in one run on this machine:

- for a 512x512 portrait and for a 1920x1080 source: seconds of wall-clock compute per second of output video for
  the whole ``generate`` (and per stage: face analysis, audio analysis, motion, rendering + encoding), next to
  the *floor*: decoding the same inputs and encoding the same number of frames (the source image repeated) with
  the audio muxed, which every method pays;
- the speed-up over real time (output seconds / compute seconds);
- peak resident memory of ``talkinghead generate`` in a fresh process for a short and a long recording (the
  long one is the short one repeated): flat memory means the long run's peak is close to the short one's.

Usage::

    .venv/bin/python benchmarks/bench_default.py [--audio FILE] [--short-minutes 1] [--long-minutes 30]
        [--memory-size 256] [--skip-memory] [--skip-speed]

``--long-minutes`` defaults to 30 as the issue asks; it takes a while (the audio analysis dominates).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def floor_seconds(image_path: Path, audio_path: Path, num_frames: int, fps: float, out: Path) -> float:
    """Decode the inputs and encode ``num_frames`` frames of the source with the audio: the I/O floor."""
    from talkinghead.io import VideoWriter, read_audio, read_image

    t0 = time.perf_counter()
    image = read_image(image_path)
    read_audio(audio_path)
    with VideoWriter(out, fps=fps, audio=audio_path, overwrite=True) as writer:
        for _ in range(num_frames):
            writer.write(image)
    return time.perf_counter() - t0


def run_generate(image_path: Path, audio_path: Path, out: Path, **options) -> tuple[float, object]:
    from talkinghead.api import generate

    t0 = time.perf_counter()
    result = generate(image_path, audio_path, out, overwrite=True, **options)
    return time.perf_counter() - t0, result


def make_1080p(image: np.ndarray) -> np.ndarray:
    """The portrait scaled to 1080 rows on a 1920-wide canvas (edges mirrored): a full-HD source."""
    scaled = cv2.resize(image, (1080 * image.shape[1] // image.shape[0], 1080), interpolation=cv2.INTER_CUBIC)
    pad = (1920 - scaled.shape[1]) // 2
    return np.ascontiguousarray(cv2.copyMakeBorder(scaled, 0, 0, pad, 1920 - scaled.shape[1] - pad, cv2.BORDER_REFLECT))


def long_audio(audio_path: Path, minutes: float, out: Path) -> Path:
    from talkinghead.io import read_audio, write_audio

    wave = read_audio(audio_path, sample_rate=16000)
    reps = int(np.ceil(minutes * 60 * 16000 / len(wave)))
    write_audio(out, np.tile(wave, reps)[: int(minutes * 60 * 16000)], 16000, overwrite=True)
    return out


def peak_memory_mb(image: Path, audio: Path, out: Path, size: int) -> tuple[float, float]:
    """``(peak RSS in MB, seconds)`` of ``talkinghead generate`` in a fresh process."""
    cmd = [sys.executable, "-c", "from talkinghead.cli.main import entry; entry()", "generate", str(image), str(audio),
           "-o", str(out), "--overwrite", "--no-progress", "--size", str(size)]
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); dt = time.perf_counter() - t; "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt, r.returncode)")
    res = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    rss_kb, seconds, rc = res.stdout.split()
    if rc != "0":
        raise RuntimeError(res.stderr)
    return int(rss_kb) / 1024, float(seconds)


def helper_peak_mb(audio_path: Path) -> float:
    """Peak RSS of the phone-loop helper process (``talkinghead.audio.loop_worker``) after decoding a
    30 s chunk (the longest the analysis hands it), read from ``/proc``."""
    from talkinghead.audio.loop_worker import PhoneLoopWorker
    from talkinghead.io import read_audio

    wave = read_audio(audio_path, sample_rate=16000)
    wave = np.tile(wave, int(np.ceil(30 * 16000 / len(wave))))[: 30 * 16000]
    worker = PhoneLoopWorker()
    try:
        worker.submit(wave)
        worker.result()
        status = Path(f"/proc/{worker._proc.pid}/status").read_text()
    finally:
        worker.close()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audio", type=Path, default=REPO / "examples" / "speech.wav")
    parser.add_argument("--image", type=Path, default=REPO / "examples" / "portrait.jpg")
    parser.add_argument("--short-minutes", type=float, default=1.0)
    parser.add_argument("--long-minutes", type=float, default=30.0)
    parser.add_argument("--memory-size", type=int, default=256, help="output size of the memory runs")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    from talkinghead.io import probe, read_image, write_image

    print(f"cpus available: {len(os.sched_getaffinity(0))}, OpenCV threads: {cv2.getNumThreads()}")
    with tempfile.TemporaryDirectory(prefix="bench_default_") as tmp:
        tmp = Path(tmp)
        sources = {"512x512": args.image}
        hd = tmp / "portrait_1080p.png"
        write_image(hd, make_1080p(read_image(args.image)))
        sources["1920x1080"] = hd
        duration = probe(args.audio).duration
        print(f"audio: {args.audio.name}, {duration:.2f} s")
        if args.skip_speed:
            sources = {}
        print(f"{'source':>10} {'output s':>8} {'generate s/s':>12} {'x realtime':>10} {'floor s/s':>9} "
              f"{'gen/floor':>9}  stages (s per output s)")
        for name, path in sources.items():
            run_generate(path, args.audio, tmp / "warm.mp4", size=256)  # warm-up: imports, model load
            seconds, result = run_generate(path, args.audio, tmp / f"{name}.mp4")
            out_s = result.num_frames / result.fps
            floor = floor_seconds(path, args.audio, result.num_frames, result.fps, tmp / f"{name}_floor.mp4")
            stages = ", ".join(f"{k} {v / out_s:.3f}" for k, v in result.seconds.items())
            print(f"{name:>10} {out_s:8.2f} {seconds / out_s:12.3f} {out_s / seconds:10.2f} {floor / out_s:9.3f} "
                  f"{seconds / floor:9.2f}  {stages}", flush=True)
        if args.skip_memory:
            return
        print(f"peak memory of `talkinghead generate --size {args.memory_size}` in a fresh process:")
        print(f"  its phone-loop helper process (a second process, add it): peak RSS {helper_peak_mb(args.audio):.0f} MB")
        for minutes in (args.short_minutes, args.long_minutes):
            audio = long_audio(args.audio, minutes, tmp / f"speech_{minutes:g}min.wav")
            rss, seconds = peak_memory_mb(args.image, audio, tmp / "mem.mp4", args.memory_size)
            print(f"  {minutes:g} min of audio: peak RSS {rss:.0f} MB, {seconds:.0f} s wall "
                  f"({seconds / (minutes * 60):.3f} s per output s)", flush=True)


if __name__ == "__main__":
    main()
