"""kill -9 in the middle of training; --resume loses at most one checkpoint interval and then repeats the
uninterrupted run exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import torch
from conftest import TASKS, entry_env, read_stats, run_entry, weights, write_config
from tiny_tasks import RegressionTask

from talkinghead.training import TrainingConfig, latest_checkpoint, run_training

TRAINING = dict(max_steps=24, batch_size=4, log_every=1, checkpoint_every=4, progress=False, ema_halflife_steps=4.0)
TASK = dict(noise=0.1, dropout=0.2, use_batchnorm=True, use_scheduler=True)


def test_kill_and_resume(tmp_path, single_thread):
    run = tmp_path / "run"
    slow = write_config(tmp_path / "slow.json", TRAINING, {**TASK, "step_sleep": 0.1})
    args = ["--task", f"{TASKS}:make_regression", "--out", str(run)]
    process = subprocess.Popen([sys.executable, "-m", "talkinghead.training", *args, "--config", str(slow)],
                               env=entry_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        logged = 0
        while time.monotonic() < deadline and process.poll() is None:
            if (run / "stats.jsonl").exists():
                logged = max([s["step"] for s in read_stats(run)] or [0])
                if logged >= 10:
                    break
            time.sleep(0.05)
        assert process.poll() is None, f"training ended before the kill: {process.stderr.read()[-2000:]}"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    last_logged = max(s["step"] for s in read_stats(run))  # read after the kill: the true progress
    checkpoint = latest_checkpoint(run)
    resumed_step = int(checkpoint.name.split("-")[1])
    assert 0 <= last_logged - resumed_step <= TRAINING["checkpoint_every"]  # at most one interval lost

    fast = write_config(tmp_path / "fast.json", TRAINING, TASK)
    done = run_entry([*args, "--config", str(fast), "--resume"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"resumed from {checkpoint}" in done.stderr

    reference = tmp_path / "reference"
    run_training(RegressionTask(**TASK), TrainingConfig(**TRAINING), reference)
    for kind in ("modules", "ema"):
        a = weights(latest_checkpoint(reference) / kind / "model")
        b = weights(latest_checkpoint(run) / kind / "model")
        assert all(torch.equal(a[k], b[k]) for k in a), kind
    stats, expected = read_stats(run), read_stats(reference)
    assert [s["step"] for s in stats] == list(range(1, 25))
    assert [s["loss"] for s in stats] == [s["loss"] for s in expected]


def test_entry_reports_user_errors(tmp_path):
    done = run_entry(["--task", f"{TASKS}:no_such_factory", "--out", str(tmp_path / "run")])
    assert done.returncode == 2 and done.stderr.strip().endswith("has no 'no_such_factory' for --task")
    bad = write_config(tmp_path / "bad.json", {"max_stepz": 3}, {})
    done = run_entry(["--task", f"{TASKS}:make_regression", "--config", str(bad), "--out", str(tmp_path / "r")])
    assert done.returncode == 2 and "unknown training options ['max_stepz']" in done.stderr
