"""Methods trained in several stages, run one after the other into sub-folders of one run folder.

IP-LAP trains audio-to-landmark, then landmark-to-video (Sec. 3); VividTalk trains its head-pose codebook in a
reconstruction phase, then a mapping phase with the codebook and decoder frozen (Sec. 3.2, Fig. 4). Each stage
is a :class:`TrainingTask` with its own :class:`TrainingConfig`; a stage's task is made only when the stages
before it are finished, and is handed their ``final/`` folders::

    RUN_DIR/<stage>/                  a run folder per stage (config.json, stats.jsonl, checkpoints, final/)

With ``resume=True`` finished stages are skipped and the first unfinished one resumes from its newest
checkpoint. Each stage can also be run on its own with :func:`run_training`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from talkinghead.training.config import TrainingConfig
from talkinghead.training.loop import FINAL, run_training
from talkinghead.training.task import TrainingTask

__all__ = ["Stage", "run_stages"]


@dataclass(frozen=True)
class Stage:
    """One stage: its name (sub-folder), how to make its task, and its loop options."""

    name: str
    #: Called with {earlier stage name: its final/ folder}; returns the task for this stage.
    make_task: Callable[[dict[str, Path]], TrainingTask]
    config: TrainingConfig = field(default_factory=TrainingConfig)


def _finished(stage_dir: Path, max_steps: int) -> bool:
    meta = stage_dir / FINAL / "meta.json"
    return meta.is_file() and json.loads(meta.read_text(encoding="utf-8"))["step"] >= max_steps


def run_stages(stages: Sequence[Stage], out_dir: str | os.PathLike, *, resume: bool = False,
               max_steps: int | None = None) -> dict[str, Path]:
    """Train ``stages`` in order into ``out_dir/<stage.name>``; return {stage name: its final/ folder}.

    ``max_steps`` overrides every stage's ``config.max_steps`` (quick tests, smoke runs).
    """
    out_dir = Path(out_dir)
    names = [stage.name for stage in stages]
    if len(set(names)) != len(names):
        raise ValueError(f"stage names must be unique, got {names}")
    finished: dict[str, Path] = {}
    for stage in stages:
        stage_dir = out_dir / stage.name
        steps = max_steps if max_steps is not None else stage.config.max_steps
        if not (resume and _finished(stage_dir, steps)):
            run_training(stage.make_task(dict(finished)), stage.config, stage_dir, resume=resume, max_steps=steps)
        finished[stage.name] = stage_dir / FINAL
    return finished
