"""What a method provides to be trained: a :class:`TrainingTask` (one per training stage).

The loop (``loop.py``) owns processes, devices, precision, batching, gradient averaging, EMA, logs and
checkpoints; a task owns the science. A task, for one stage of one method:

- ``build(ctx)``: creates its modules from its own config and returns them by name (the loop seeds torch
  first, so every process builds identical weights, then moves them to ``ctx.device``);
- ``configure_optimizers(modules)``: optimizers by name (and optionally LR schedulers of the same names);
- ``dataset()``: a map-style dataset with a deterministic ``__getitem__(idx)``;
- ``training_step(batch, step, phase)``: the losses of one micro-batch, ``{"loss": total, **terms}``;
- ``phases()``: optional; several phases (GAN: generator then discriminator) each train some modules with
  one optimizer on the same batch;
- ``save`` / ``load``: its modules as ``config.json`` + ``model.safetensors`` folders (default: every
  module with :func:`talkinghead.nn.save_pretrained`; modules must mix in ``ConfigMixin`` or override).

Randomness inside a step (noise, sampling) must come from ``ctx.generator`` (per process, saved in
checkpoints) or torch's global generator (seeded per process, also saved): then a resumed run repeats an
uninterrupted one exactly. Multi-stage methods (IP-LAP's two stages, VividTalk's two phases of the head-pose
codebook) are several tasks run one after the other (``stages.py``); a later stage loads an earlier stage's
``final/`` folders in its ``build`` and freezes them with ``requires_grad_(False)``.
"""

from __future__ import annotations

import inspect
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import safetensors.torch
import torch
from torch import nn
from torch.utils.data import Dataset

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.nn.pretrained import WEIGHTS_NAME, save_pretrained
from talkinghead.training.config import TrainingConfig

__all__ = ["Phase", "TrainingContext", "TrainingTask", "module_options"]


def module_options(options: Mapping[str, Any] | None, cls: type, what: str,
                   fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A task's ``model=`` options for ``cls``: its constructor defaults filled in, ``fixed`` set by the task
    (e.g. the image size the task crops at). A task's config then records every size it builds with.

    Raises:
        OptionError: a name ``cls`` does not take, or a value that contradicts ``fixed``.
    """
    parameters = inspect.signature(cls.__init__).parameters
    defaults = {name: p.default for name, p in parameters.items() if name != "self"}
    options = dict(options or {})
    fixed = dict(fixed or {})
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise OptionError(f"unknown {what} options {unknown}; known: {sorted(defaults)}")
    for name, value in fixed.items():
        if name in options and options[name] != value:
            raise OptionError(f"{what} option {name}={options[name]!r} contradicts the task's {value!r}; drop it "
                              "or change the task option")
    return {**defaults, **options, **fixed}


@dataclass(frozen=True)
class Phase:
    """One optimisation phase of a step: ``optimizer`` updates the parameters of ``modules``.

    During a phase only its modules' trainable parameters require gradients, so a generator phase does not
    accumulate gradients in the discriminator and vice versa.
    """

    name: str
    optimizer: str
    modules: tuple[str, ...]
    #: Run this phase at steps where ``step % interval == 0`` (lazy regularisation).
    interval: int = 1


@dataclass
class TrainingContext:
    """What the loop tells a task about the process it runs in."""

    device: torch.device
    rank: int
    world_size: int
    #: Per-process generator on ``device`` (seed * world_size + rank); its state is checkpointed.
    generator: torch.Generator
    config: TrainingConfig
    run_dir: Path
    #: Autocast dtype in use (None: fp32).
    amp_dtype: torch.dtype | None = None
    #: Optimizer steps done so far (updated by the loop).
    step: int = 0


class TrainingTask(ABC):
    """One training stage of one method; see the module docstring."""

    #: Modules that get an exponential moving average (exported to ``final/`` instead of the raw weights).
    ema_modules: tuple[str, ...] = ()

    def config(self) -> dict[str, Any]:
        """The task's resolved options as JSON values (recorded in the run's config.json)."""
        return {}

    @abstractmethod
    def build(self, ctx: TrainingContext) -> dict[str, nn.Module]:
        """Create the modules (on CPU); keep references to use them in ``training_step``."""

    @abstractmethod
    def configure_optimizers(self, modules: Mapping[str, nn.Module]) -> dict[str, torch.optim.Optimizer]:
        """Optimizers by name, over the modules already moved to the training device."""

    def configure_schedulers(self, optimizers: Mapping[str, torch.optim.Optimizer]
                             ) -> dict[str, torch.optim.lr_scheduler.LRScheduler]:
        """Optional LR schedulers, keyed by the name of their optimizer; stepped once per optimizer step."""
        return {}

    @abstractmethod
    def dataset(self) -> Dataset:
        """The training data: a map-style dataset whose ``__getitem__(idx)`` is deterministic."""

    def collate_fn(self) -> Callable | None:
        """A DataLoader ``collate_fn`` (None: PyTorch's default)."""
        return None

    def phases(self) -> Sequence[Phase]:
        """The phases of a step, in order. Default (empty): one phase ``main`` that trains every module with
        the task's only optimizer."""
        return ()

    @abstractmethod
    def training_step(self, batch: Any, step: int, phase: str = "main") -> dict[str, torch.Tensor]:
        """Losses of one micro-batch: ``{"loss": scalar to minimise, **named terms}`` (see ``losses.weighted_sum``).

        The loop divides ``loss`` for accumulation, backpropagates, averages gradients over processes and
        steps the phase's optimizer. Terms are logged (averaged over micro-batches, processes and steps).
        Return the same keys in every process.
        """

    def visualize(self, batch: Any) -> dict[str, torch.Tensor]:
        """Optional image grids for the logs: name -> (n, 3, h, w) RGB in [0, 1]. Called on process 0."""
        return {}

    def save(self, folder: str | os.PathLike, modules: Mapping[str, nn.Module]) -> None:
        """Write each module to ``folder/<name>/`` (config.json + model.safetensors)."""
        for name, module in modules.items():
            save_pretrained(module, Path(folder) / name)

    def load(self, folder: str | os.PathLike, modules: Mapping[str, nn.Module]) -> None:
        """Load weights saved by :meth:`save` into the existing ``modules`` (strict; in place, any device)."""
        for name, module in modules.items():
            weights = Path(folder) / name / WEIGHTS_NAME
            if not weights.is_file():
                raise ModelMissingError(f"checkpoint lacks {str(weights)!r}; it is incomplete or from another task")
            device = next((t.device for t in module.state_dict().values()), torch.device("cpu"))
            safetensors.torch.load_model(module, str(weights), strict=True, device=str(device))
