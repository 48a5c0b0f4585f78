"""The training loop's options: one frozen dataclass, recorded in every run folder (STYLE.md 7, 15-16).

Method options (learning rates, loss weights, model sizes) belong to the method's task, not here; this is what
every method's training shares: how many steps, the batch, seeds, precision, logging and checkpoints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from talkinghead.errors import OptionError

__all__ = ["TrainingConfig"]


@dataclass(frozen=True)
class TrainingConfig:
    """Options of :func:`talkinghead.training.run_training`."""

    #: Optimizer steps to train for; the run ends (and exports ``final/``) at this step.
    max_steps: int = 1000
    #: Global batch per optimizer step, over all processes and accumulation rounds.
    batch_size: int = 16
    #: Samples per process per forward pass; None: batch_size / processes (no accumulation). Gradient
    #: accumulation rounds = batch_size / (batch_per_process * processes), which must be a whole number.
    batch_per_process: int | None = None
    #: Seed of everything: weights are initialised from it (same in every process), data order from it,
    #: and process r's generators from seed * processes + r.
    seed: int = 0
    #: Mixed precision on GPU: bf16 where supported, else fp16 with loss scaling (auto); fp32 turns it off.
    #: The CPU always trains in fp32.
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    #: Where to train: cuda if available (one GPU per process under torchrun), else cpu.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    #: DataLoader worker processes per training process (0: load in the training process).
    num_workers: int = 0
    #: Shuffle the data (a fresh permutation per epoch, from the seed).
    shuffle: bool = True
    #: Append averaged losses to stats.jsonl every this many steps.
    log_every: int = 10
    #: Save a resumable checkpoint every this many steps (and at the last step).
    checkpoint_every: int = 500
    #: Complete checkpoints to keep (oldest deleted first); at least 1.
    keep_checkpoints: int = 2
    #: Half-life of the exponential moving average of the task's ``ema_modules``, in steps (0: no EMA).
    ema_halflife_steps: float = 0.0
    #: EMA warm-up (EDM): the half-life is at most this fraction of the steps done so far (0: no warm-up).
    ema_rampup: float = 0.05
    #: Clip the global gradient norm of each phase to this value (None: no clipping).
    max_grad_norm: float | None = None
    #: Save image grids from the task's ``visualize`` every this many steps (0: never).
    image_every: int = 0
    #: Also write scalars and image grids for TensorBoard (needs ``pip install 'talkinghead[train]'``).
    tensorboard: bool = False
    #: Show a progress bar (process 0 only).
    progress: bool = True

    def __post_init__(self):
        positive = ("max_steps", "batch_size", "log_every", "checkpoint_every", "keep_checkpoints")
        for name in positive:
            if getattr(self, name) < 1:
                raise OptionError(f"training option {name} must be at least 1, got {getattr(self, name)}")
        if self.batch_per_process is not None and self.batch_per_process < 1:
            raise OptionError(f"batch_per_process must be at least 1, got {self.batch_per_process}")
        for name in ("num_workers", "image_every", "ema_halflife_steps", "ema_rampup"):
            if getattr(self, name) < 0:
                raise OptionError(f"training option {name} must not be negative, got {getattr(self, name)}")
        if self.precision not in ("auto", "fp32", "bf16", "fp16"):
            raise OptionError(f"precision must be auto, fp32, bf16 or fp16, got {self.precision!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise OptionError(f"device must be auto, cpu or cuda, got {self.device!r}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingConfig:
        """Build from a JSON object; unknown keys are an :class:`OptionError` naming the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise OptionError(f"unknown training options {unknown}; known: {sorted(known)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
