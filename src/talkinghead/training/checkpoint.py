"""Run-folder checkpoints: complete, atomic, resumable (DESIGN.md "Checkpoints").

::

    RUN_DIR/checkpoints/step-000001000/
      modules/<name>/config.json, model.safetensors     the task's modules (save_pretrained folders)
      ema/<name>/config.json, model.safetensors         EMA copies, if any
      training_state.pt                                 optimizers, LR schedulers, loss scalers (process 0)
      rng-rank-00000.pt ...                             each process's random generator states
      meta.json                                         step, samples, world size, batch size, seed

A checkpoint is written into ``checkpoints/.partial-step-.../`` and renamed when every process has written
its part, so a run killed at any moment (kill -9) leaves either a complete checkpoint or none; ``--resume``
takes the newest complete one. The ``.pt`` files hold only tensors, numbers and strings and are read back
with ``torch.load(weights_only=True)``: nothing is unpickled.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import torch

__all__ = ["CHECKPOINTS", "checkpoint_path", "list_checkpoints", "latest_checkpoint", "read_meta", "load_state"]

logger = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
_NAME = re.compile(r"^step-(\d{9})$")


def checkpoint_path(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"step-{step:09d}"


def partial_path(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f".partial-step-{step:09d}"


def list_checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints of a run, oldest first, as (step, folder)."""
    folder = Path(run_dir) / CHECKPOINTS
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and (path / "meta.json").is_file():
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(run_dir: Path) -> Path | None:
    checkpoints = list_checkpoints(run_dir)
    return checkpoints[-1][1] if checkpoints else None


def read_meta(checkpoint: Path) -> dict[str, Any]:
    return json.loads((Path(checkpoint) / "meta.json").read_text(encoding="utf-8"))


def load_state(path: Path) -> dict[str, Any]:
    """A ``.pt`` state file of a checkpoint, read without unpickling objects."""
    return torch.load(path, map_location="cpu", weights_only=True)


def prune_checkpoints(run_dir: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest complete checkpoints, and stale partial ones."""
    checkpoints = list_checkpoints(run_dir)
    for _, path in checkpoints[: max(0, len(checkpoints) - keep)]:
        shutil.rmtree(path, ignore_errors=True)
        logger.debug("deleted old checkpoint %s", path)


def remove_partials(run_dir: Path) -> None:
    """Remove checkpoints that a killed run left half-written."""
    folder = Path(run_dir) / CHECKPOINTS
    if folder.is_dir():
        for path in folder.glob(".partial-*"):
            shutil.rmtree(path, ignore_errors=True)
