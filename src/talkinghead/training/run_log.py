"""The run's logs on process 0: ``stats.jsonl``, image grids (PNG), optional TensorBoard.

``stats.jsonl`` has one JSON object per logged step: ``step``, ``samples`` (seen by all processes together),
``time_s`` (since this invocation started), ``sec_per_step``, ``samples_per_s``, ``lr/<optimizer>``, and each
loss term averaged over the steps since the last line, the micro-batches and the processes. Keys of a
multi-phase task are ``<phase>/<term>``. When a run resumes, lines after the checkpoint's step are dropped so
the file reads as one uninterrupted run.

Shapes: n images, h/w size.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from talkinghead.errors import DependencyMissingError
from talkinghead.io.atomic import atomic_write_text

__all__ = ["RunLog", "image_grid", "check_tensorboard", "truncate_stats"]

logger = logging.getLogger(__name__)

STATS = "stats.jsonl"


def check_tensorboard() -> None:
    """Raise :class:`DependencyMissingError` if TensorBoard logging cannot work (checked before training)."""
    if importlib.util.find_spec("tensorboard") is None:
        raise DependencyMissingError(
            "TensorBoard logging needs the tensorboard package: pip install 'talkinghead[train]' "
            "(or train without --tensorboard)"
        )


def image_grid(images: torch.Tensor, columns: int | None = None, padding: int = 2) -> np.ndarray:
    """(n, 3, h, w) float in [0, 1] (or (n, 1, h, w)) -> (H, W, 3) uint8 RGB grid, white padding."""
    images = images.detach().float().clamp(0, 1).cpu()
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    n, _, h, w = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = torch.ones(3, rows * (h + padding) + padding, columns * (w + padding) + padding)
    for i in range(n):
        r, c = divmod(i, columns)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[:, top : top + h, left : left + w] = images[i]
    return (grid.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def truncate_stats(run_dir: Path, step: int) -> None:
    """Drop stats lines logged after ``step`` (work lost since the checkpoint a run resumes from)."""
    path = Path(run_dir) / STATS
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line)["step"] <= step:
                kept.append(line)
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut short by a kill
    atomic_write_text(path, "".join(line + "\n" for line in kept), overwrite=True)


class RunLog:
    """Writes stats lines, image grids and TensorBoard events (only instantiate on process 0)."""

    def __init__(self, run_dir: Path, tensorboard: bool = False):
        self.run_dir = Path(run_dir)
        self.stats_path = self.run_dir / STATS
        self.writer = None
        if tensorboard:
            check_tensorboard()
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(log_dir=str(self.run_dir / "tensorboard"))

    def scalars(self, step: int, values: dict[str, Any]) -> None:
        line = json.dumps({"step": step, **values}, sort_keys=False)
        with open(self.stats_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        if self.writer is not None:
            for key, value in values.items():
                if isinstance(value, (int, float)) and key != "samples":
                    self.writer.add_scalar(key, value, step)
            self.writer.flush()

    def images(self, step: int, grids: dict[str, torch.Tensor]) -> None:
        from talkinghead.io import write_image

        folder = self.run_dir / "images"
        folder.mkdir(exist_ok=True)
        for name, images in grids.items():
            grid = image_grid(images)
            safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
            write_image(folder / f"step-{step:09d}-{safe}.png", grid, overwrite=True)
            if self.writer is not None:
                self.writer.add_image(name, grid, step, dataformats="HWC")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
