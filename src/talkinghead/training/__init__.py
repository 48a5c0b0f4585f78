"""Training: one loop for 1..N processes under torchrun, checkpoints, resume, EMA, logs, seeds.

A method plugs in by writing a :class:`TrainingTask` per training stage (build modules and optimizers from its
config, ``training_step(batch, step, phase) -> {"loss": ..., **terms}``, a dataset, save/load of modules) and
calling :func:`run_training` (or :func:`run_stages` for several stages). See docs/training.md.
"""

from talkinghead.nn.pretrained import from_pretrained, save_pretrained
from talkinghead.training.checkpoint import latest_checkpoint, list_checkpoints
from talkinghead.training.config import TrainingConfig
from talkinghead.training.distributed import DistributedInfo, init_distributed, torch_threads
from talkinghead.training.ema import EMA, ema_beta
from talkinghead.training.loop import FINAL, TrainingResult, run_training
from talkinghead.training.run_log import image_grid
from talkinghead.training.sampler import InfiniteSampler
from talkinghead.training.stages import Stage, run_stages
from talkinghead.training.task import Phase, TrainingContext, TrainingTask, module_options

__all__ = [
    "EMA",
    "FINAL",
    "DistributedInfo",
    "InfiniteSampler",
    "Phase",
    "Stage",
    "TrainingConfig",
    "TrainingContext",
    "TrainingResult",
    "TrainingTask",
    "ema_beta",
    "from_pretrained",
    "image_grid",
    "init_distributed",
    "latest_checkpoint",
    "list_checkpoints",
    "module_options",
    "run_stages",
    "run_training",
    "save_pretrained",
    "torch_threads",
]
