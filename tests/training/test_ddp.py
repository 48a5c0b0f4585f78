"""Two processes under torchrun (Gloo, CPU) train the same weights as one process with the same global batch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TASKS, entry_env, read_stats, weights, write_config
from tiny_tasks import RegressionTask

from talkinghead.training import TrainingConfig, latest_checkpoint, run_training

#: Float rounding only: per-process means averaged vs one mean over the batch, over 8-12 Adam steps.
ATOL = 1e-5

TRAINING = dict(batch_size=8, log_every=1, checkpoint_every=4, progress=False)
TASK = dict(lr=0.02)


def torchrun(args: list[str], timeout: float = 240) -> subprocess.CompletedProcess:
    torchrun_bin = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    if torchrun_bin is None:
        pytest.skip("torchrun not installed")
    return subprocess.run([torchrun_bin, "--standalone", "--nproc-per-node", "2", "-m", "talkinghead.training",
                           *args], env=entry_env(), capture_output=True, text=True, timeout=timeout)


def test_two_processes_match_one(tmp_path, single_thread):
    training = TRAINING
    cfg = write_config(tmp_path / "run.json", training, TASK)
    two = tmp_path / "two"
    done = torchrun(["--task", f"{TASKS}:make_regression", "--config", str(cfg), "--out", str(two),
                     "--max-steps", "8"])
    assert done.returncode == 0, done.stderr[-3000:]

    one = tmp_path / "one"
    run_training(RegressionTask(**TASK), TrainingConfig(**training), one, max_steps=8)
    a = weights(latest_checkpoint(one) / "modules" / "model")
    b = weights(latest_checkpoint(two) / "modules" / "model")
    assert latest_checkpoint(two).name == "step-000000008"
    worst = max((a[k] - b[k]).abs().max().item() for k in a)
    assert worst < ATOL, worst
    assert any((a[k] - weights(two / "checkpoints" / "step-000000004" / "modules" / "model")[k]).abs().max() > 1e-3
               for k in a)  # training moved the weights: the comparison is not trivially equal
    # Process 0 alone writes the logs, with losses averaged over both processes.
    assert [s["step"] for s in read_stats(two)] == list(range(1, 9))
    assert read_stats(two)[0]["loss"] == pytest.approx(read_stats(one)[0]["loss"], abs=1e-6)
    assert {p.name for p in latest_checkpoint(two).glob("rng-rank-*")} == {"rng-rank-00000.pt", "rng-rank-00001.pt"}

    # Resume under torchrun and extend to 12 steps; one process does the same.
    done = torchrun(["--task", f"{TASKS}:make_regression", "--config", str(cfg), "--out", str(two),
                     "--max-steps", "12", "--resume"])
    assert done.returncode == 0, done.stderr[-3000:]
    run_training(RegressionTask(**TASK), TrainingConfig(**training), one, max_steps=12, resume=True)
    a = weights(latest_checkpoint(one) / "modules" / "model")
    b = weights(latest_checkpoint(two) / "modules" / "model")
    assert latest_checkpoint(two).name == "step-000000012"
    assert max((a[k] - b[k]).abs().max().item() for k in a) < ATOL
