"""Helpers for the training tests: read run folders, compare weights, run the module entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import safetensors.torch

from talkinghead.training import torch_threads

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TASKS = HERE / "tiny_tasks.py"


def read_stats(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "stats.jsonl").read_text().splitlines()]


def weights(folder: Path) -> dict:
    return safetensors.torch.load_file(str(Path(folder) / "model.safetensors"))


def entry_env() -> dict:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


def write_config(path: Path, training: dict, task: dict) -> Path:
    path.write_text(json.dumps({"training": training, "task": task}))
    return path


@pytest.fixture(autouse=True)
def single_thread():
    """One thread: tiny tensors, and spinning threads crawl on a shared CPU."""
    with torch_threads(1):
        yield


def run_entry(args: list[str], timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "talkinghead.training", *args], env=entry_env(),
                          capture_output=True, text=True, timeout=timeout, **kwargs)
