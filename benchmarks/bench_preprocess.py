"""Preprocessing throughput and the kill-and-resume check on a folder of real videos.

    python benchmarks/bench_preprocess.py [VIDEOS_DIR] [--size 256] [--workers 1 2] [--kill]

For each worker count: a clean `talkinghead preprocess` run, timed (frames decoded at 25 fps per second of
wall time), and compared with the first run byte for byte. With --kill: a run with the largest worker count
is killed (SIGKILL to its process group) while a clip is half-written, then rerun to the end, and its files
are compared with the clean run's, byte for byte. Default VIDEOS_DIR: ../shared/media/video.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def cli(videos: Path, out: Path, sizes: list[int], workers: int) -> list[str]:
    return [sys.executable, "-m", "talkinghead", "preprocess", str(videos), str(out), "--no-progress",
            "--workers", str(workers), "--size", *map(str, sizes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("videos", nargs="?", default=str(REPO.parent / "shared" / "media" / "video"))
    parser.add_argument("--size", type=int, nargs="+", default=[256])
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--kill", action="store_true", help="also kill a run halfway and compare after resuming")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    videos = Path(args.videos)
    print(f"videos: {videos}, crops {args.size}, {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as tmp:
        clean = None
        for workers in args.workers:
            out = Path(tmp) / f"clean-{workers}"
            t0 = time.perf_counter()
            done = subprocess.run(cli(videos, out, args.size, workers), env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if done.returncode:
                sys.exit(done.stderr)
            print(f"--- workers {workers}: {wall:.1f} s wall (process start and model loading included)")
            print(done.stdout.rstrip())
            if clean is not None:
                same = digest(out) == digest(clean)
                print(f"same bytes as workers {args.workers[0]}: {same}")
            clean = clean or out
        if args.kill:
            out = Path(tmp) / "killed"
            proc = subprocess.Popen(cli(videos, out, args.size, max(args.workers)), env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            killed = None
            while proc.poll() is None:
                finished = [p for p in (out / "clips").glob("*") if not p.name.startswith(".")] if out.exists() else []
                partial = list((out / "clips").glob(".tmp-*")) if out.exists() else []
                if finished and partial:
                    os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
                    killed = (len(finished), [p.name for p in partial])
                    break
                time.sleep(0.02)
            proc.wait()
            print(f"--- killed with {killed[0]} clip(s) finished and {killed[1]} half-written" if killed
                  else "--- the run ended before it could be killed")
            done = subprocess.run(cli(videos, out, args.size, 1), env=env, capture_output=True, text=True)
            print(done.stdout.rstrip())
            a, b = digest(clean), digest(out)
            print(f"resumed dataset == clean dataset, byte for byte: {a == b} ({len(a)} files)")
            if a != b:
                print("differing:", sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))[:10])


if __name__ == "__main__":
    main()
