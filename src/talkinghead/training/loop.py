"""One training loop for 1..N processes (STYLE.md 16), modelled on NVlabs/edm ``training/training_loop.py``.

Run it in one process (``python``), or in N under ``torchrun --nproc-per-node N`` (Gloo on CPU, NCCL on
GPU, one GPU per process): the same code, the same results up to float rounding for the same global batch.

Per optimizer step:

1. every process draws ``accumulation`` micro-batches of ``batch_per_process`` samples; together they are the
   global batch (see ``sampler.py``);
2. for each phase of the task (one, or e.g. generator then discriminator), only that phase's modules require
   gradients; each micro-batch's ``loss / accumulation`` is backpropagated under autocast (bf16 / fp16 on
   GPU, with a loss scaler for fp16); gradients are averaged over processes with one all-reduce; the global
   gradient norm is optionally clipped; a step with a non-finite gradient is skipped (in every process
   alike) and counted in the logs; the phase's optimizer and LR scheduler step;
3. buffers (BatchNorm statistics) are copied from process 0 to the others, as DDP does;
4. EMA copies follow their modules;
5. on schedule: averaged losses to ``stats.jsonl`` (process 0), image grids, a checkpoint.

The run folder holds ``config.json`` (the resolved options, seeds, world size), ``stats.jsonl``, ``log.txt``,
``checkpoints/step-N/`` (see ``checkpoint.py``), ``images/``, ``tensorboard/`` and, when ``max_steps`` is
reached, ``final/<module>/`` (EMA weights for EMA modules) for inference. ``resume=True`` continues from the
newest complete checkpoint and reproduces the uninterrupted run from there: weights, optimizer and scaler
states, every random generator, and the data position are restored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from talkinghead.errors import OptionError, OutputExistsError
from talkinghead.io.atomic import atomic_write_text
from talkinghead.training import checkpoint as ckpt
from talkinghead.training.config import TrainingConfig
from talkinghead.training.distributed import DistributedInfo, all_reduce_mean_, barrier, broadcast_, init_distributed
from talkinghead.training.ema import EMA, ema_beta
from talkinghead.training.run_log import RunLog, check_tensorboard, truncate_stats
from talkinghead.training.sampler import InfiniteSampler
from talkinghead.training.task import Phase, TrainingContext, TrainingTask

__all__ = ["run_training", "TrainingResult", "FINAL"]

logger = logging.getLogger(__name__)

FINAL = "final"


@dataclass(frozen=True)
class TrainingResult:
    """What :func:`run_training` returns (in every process)."""

    run_dir: Path
    #: Optimizer steps done (== max_steps unless interrupted).
    step: int
    #: Step of the checkpoint the run resumed from (None: started fresh).
    resumed_from: int | None
    #: The last averaged stats line (process 0; empty elsewhere or if nothing was logged).
    last_stats: dict[str, Any]


def run_training(task: TrainingTask, config: TrainingConfig | None, out_dir: str | os.PathLike, *,
                 resume: bool = False, max_steps: int | None = None) -> TrainingResult:
    """Train ``task`` into the run folder ``out_dir``; see the module docstring.

    Args:
        task: the method's stage to train.
        config: loop options (None: the defaults of :class:`TrainingConfig`).
        out_dir: run folder (created). Without ``resume`` it must not hold a previous run's logs or checkpoints.
        resume: continue from the newest complete checkpoint in ``out_dir`` (start fresh if there is none).
        max_steps: overrides ``config.max_steps`` (e.g. to extend a finished run, or for quick tests).

    Raises:
        OutputExistsError: ``out_dir`` holds a run and ``resume`` is false.
        OptionError: the batch does not divide over processes, or an option is invalid.
    """
    config = config or TrainingConfig()
    if max_steps is not None:
        config = replace(config, max_steps=max_steps)
    if config.tensorboard:
        check_tensorboard()  # in every process, before any collective, so all fail alike
    info = init_distributed(config.device)
    try:
        return _Trainer(task, config, Path(out_dir), info).run(resume)
    finally:
        if info.initialized_here:
            torch.distributed.destroy_process_group()


def _to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, Mapping):
        return type(batch)({k: _to_device(v, device) for k, v in batch.items()})
    if isinstance(batch, (list, tuple)) and not hasattr(batch, "_fields"):
        return type(batch)(_to_device(v, device) for v in batch)
    if hasattr(batch, "_fields"):  # namedtuple
        return type(batch)(*(_to_device(v, device) for v in batch))
    return batch


class _Trainer:
    def __init__(self, task: TrainingTask, config: TrainingConfig, run_dir: Path, info: DistributedInfo):
        self.task = task
        self.config = config
        self.run_dir = run_dir
        self.info = info
        self.device = info.device
        world = info.world_size
        per_process = config.batch_per_process or config.batch_size // world
        if per_process < 1 or config.batch_size % (per_process * world):
            raise OptionError(
                f"batch_size {config.batch_size} is not a multiple of batch_per_process {per_process} x "
                f"{world} processes; change --batch-size or the number of processes"
            )
        self.batch_per_process = per_process
        self.accumulation = config.batch_size // (per_process * world)
        self.amp_dtype, self.use_scaler = self._precision()
        self.rank_seed = config.seed * world + info.rank

    # ----------------------------------------------------------------------------------------- setup
    def _precision(self) -> tuple[torch.dtype | None, bool]:
        choice = self.config.precision
        if self.device.type != "cuda" or choice == "fp32":
            if choice in ("bf16", "fp16") and self.device.type != "cuda":
                logger.info("precision %s applies on GPU only; training in fp32 on %s", choice, self.device)
            return None, False
        if choice == "auto":
            choice = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return (torch.bfloat16, False) if choice == "bf16" else (torch.float16, True)

    def _check_run_dir(self, resume: bool) -> None:
        # Every process checks before any of them writes, so all raise alike.
        has_run = ckpt.latest_checkpoint(self.run_dir) is not None or (self.run_dir / "stats.jsonl").exists()
        if has_run and not resume:
            raise OutputExistsError(
                f"{str(self.run_dir)!r} already holds a training run; pass --resume to continue it or choose "
                "another --out"
            )

    def _check_shared_run_dir(self) -> None:
        """All processes must see the same run folder (one machine, or a shared filesystem)."""
        if self.info.world_size == 1:
            return
        token = torch.tensor([time.time_ns() % 2**62], dtype=torch.float64, device=self.device)
        broadcast_([token])
        marker = self.run_dir / ".run-token"
        if self.info.is_main:
            atomic_write_text(marker, str(int(token.item())), overwrite=True)
        barrier()
        try:
            same = marker.read_text(encoding="utf-8") == str(int(token.item()))
        except OSError:
            same = False
        agreed = torch.tensor([float(same)], device=self.device)
        all_reduce_mean_([agreed])
        if agreed.item() < 1:
            raise OptionError(f"not every process sees the run folder {str(self.run_dir)!r}; put it on a "
                              "filesystem shared by all processes")

    def _build(self) -> None:
        cfg, info = self.config, self.info
        torch.manual_seed(cfg.seed)  # identical initial weights in every process
        generator = torch.Generator(device=self.device)
        self.ctx = TrainingContext(device=self.device, rank=info.rank, world_size=info.world_size,
                                   generator=generator, config=cfg, run_dir=self.run_dir, amp_dtype=self.amp_dtype)
        modules = self.task.build(self.ctx)
        if not modules:
            raise ValueError(f"{type(self.task).__name__}.build returned no modules")
        self.modules: dict[str, nn.Module] = {name: m.to(self.device) for name, m in modules.items()}
        for module in self.modules.values():
            broadcast_([t for t in module.state_dict().values() if t.is_floating_point()])
        # Parameters the task left trainable; phases toggle only these (frozen parts stay frozen).
        self.trainable = {name: [p for p in m.parameters() if p.requires_grad] for name, m in self.modules.items()}
        # Modules with nothing to train (an earlier stage's frozen parts) stay in eval mode: their BatchNorm
        # statistics and dropout must not change.
        self.train_mode = [m for name, m in self.modules.items() if self.trainable[name]]
        for name, module in self.modules.items():
            if not self.trainable[name]:
                module.eval()
        self.optimizers = self.task.configure_optimizers(self.modules)
        self.schedulers = self.task.configure_schedulers(self.optimizers)
        phases = tuple(self.task.phases())
        if not phases:
            if len(self.optimizers) != 1:
                raise ValueError(f"{type(self.task).__name__} has optimizers {sorted(self.optimizers)}; "
                                 "define phases() to say which trains what")
            phases = (Phase("main", next(iter(self.optimizers)), tuple(self.modules)),)
        for phase in phases:
            if phase.optimizer not in self.optimizers or not set(phase.modules) <= set(self.modules):
                raise ValueError(f"phase {phase.name!r} names an unknown optimizer or module")
        self.phases = phases
        self.scalers = {p.name: torch.amp.GradScaler("cuda", enabled=self.use_scaler) for p in phases}
        self.emas = {name: EMA(self.modules[name]) for name in self.task.ema_modules} \
            if cfg.ema_halflife_steps > 0 else {}
        # Per-process randomness for the steps (STYLE.md 15): seed * world + rank.
        torch.manual_seed(self.rank_seed)
        np.random.seed(self.rank_seed % 2**32)
        random.seed(self.rank_seed)
        generator.manual_seed(self.rank_seed)

    # ------------------------------------------------------------------------------ checkpoint state
    def _rng_state(self) -> dict[str, Any]:
        np_state = np.random.get_state()
        py_state = random.getstate()
        state = {
            "torch": torch.get_rng_state(),
            "generator": self.ctx.generator.get_state(),
            "numpy_keys": torch.from_numpy(np_state[1].astype(np.int64)),
            "numpy_pos": int(np_state[2]),
            "numpy_has_gauss": int(np_state[3]),
            "numpy_cached_gauss": float(np_state[4]),
            "python_version": int(py_state[0]),
            "python_state": torch.tensor(py_state[1], dtype=torch.int64),
            "python_gauss": py_state[2],
        }
        if self.device.type == "cuda":
            state["cuda"] = torch.cuda.get_rng_state(self.device)
        return state

    def _set_rng_state(self, state: dict[str, Any]) -> None:
        torch.set_rng_state(state["torch"])
        self.ctx.generator.set_state(state["generator"])
        np.random.set_state(("MT19937", state["numpy_keys"].numpy().astype(np.uint32), state["numpy_pos"],
                             state["numpy_has_gauss"], state["numpy_cached_gauss"]))
        random.setstate((state["python_version"], tuple(state["python_state"].tolist()), state["python_gauss"]))
        if "cuda" in state and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["cuda"], self.device)

    def _save_checkpoint(self, step: int) -> None:
        info = self.info
        partial = ckpt.partial_path(self.run_dir, step)
        if info.is_main:
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
        barrier()
        torch.save(self._rng_state(), partial / f"rng-rank-{info.rank:05d}.pt")
        if info.is_main:
            self.task.save(partial / "modules", self.modules)
            if self.emas:
                self.task.save(partial / "ema", {name: ema.module for name, ema in self.emas.items()})
            torch.save({
                "optimizers": {k: v.state_dict() for k, v in self.optimizers.items()},
                "schedulers": {k: v.state_dict() for k, v in self.schedulers.items()},
                "scalers": {k: v.state_dict() for k, v in self.scalers.items()},
            }, partial / "training_state.pt")
        barrier()  # every process's rng file is written
        if info.is_main:
            meta = {"step": step, "samples": step * self.config.batch_size, "world_size": info.world_size,
                    "batch_size": self.config.batch_size, "seed": self.config.seed}
            atomic_write_text(partial / "meta.json", json.dumps(meta, indent=2) + "\n", overwrite=True)
            final = ckpt.checkpoint_path(self.run_dir, step)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(partial, final)  # the checkpoint appears complete or not at all
            ckpt.prune_checkpoints(self.run_dir, self.config.keep_checkpoints)
            logger.info("saved checkpoint %s", final)

    def _load_checkpoint(self, folder: Path) -> int:
        meta = ckpt.read_meta(folder)
        cfg, info = self.config, self.info
        if meta["batch_size"] != cfg.batch_size or meta["seed"] != cfg.seed:
            logger.warning("resuming with batch_size/seed %s/%s, checkpoint has %s/%s: the run will not repeat "
                           "an uninterrupted one", cfg.batch_size, cfg.seed, meta["batch_size"], meta["seed"])
        self.task.load(folder / "modules", self.modules)
        if self.emas:
            self.task.load(folder / "ema", {name: ema.module for name, ema in self.emas.items()})
        state = ckpt.load_state(folder / "training_state.pt")
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        for name, scheduler in self.schedulers.items():
            scheduler.load_state_dict(state["schedulers"][name])
        for name, scaler in self.scalers.items():
            if name in state["scalers"]:
                scaler.load_state_dict(state["scalers"][name])
        rng_file = folder / f"rng-rank-{info.rank:05d}.pt"
        if meta["world_size"] == info.world_size and rng_file.is_file():
            self._set_rng_state(ckpt.load_state(rng_file))
        else:
            logger.warning("checkpoint was written by %d processes, now %d: random generators are reseeded",
                           meta["world_size"], info.world_size)
            reseed = self.rank_seed + 7919 * meta["step"]
            torch.manual_seed(reseed)
            self.ctx.generator.manual_seed(reseed)
        return int(meta["step"])

    # --------------------------------------------------------------------------------------- training
    def _data(self, start_step: int) -> Iterator[Any]:
        dataset = self.task.dataset()
        sampler = InfiniteSampler(len(dataset), self.info.rank, self.info.world_size, self.config.seed,
                                  self.config.shuffle, start=start_step * self.config.batch_size)
        # Its own generator: making the iterator must not draw from torch's global RNG (checkpointed state).
        loader_generator = torch.Generator().manual_seed(self.rank_seed + 7919 * start_step)
        loader = DataLoader(dataset, batch_size=self.batch_per_process, sampler=sampler, generator=loader_generator,
                            num_workers=self.config.num_workers, collate_fn=self.task.collate_fn(),
                            pin_memory=self.device.type == "cuda",
                            persistent_workers=self.config.num_workers > 0)
        return iter(loader)

    def _autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def _run_phase(self, phase: Phase, micro_batches: list[Any], step: int, sums: dict[str, torch.Tensor]) -> None:
        for name, params in self.trainable.items():
            for p in params:
                p.requires_grad_(name in phase.modules)
        optimizer = self.optimizers[phase.optimizer]
        scaler = self.scalers[phase.name]
        optimizer.zero_grad(set_to_none=True)
        prefix = "" if len(self.phases) == 1 else f"{phase.name}/"
        for batch in micro_batches:
            with self._autocast():
                losses = self.task.training_step(batch, step, phase.name)
            if "loss" not in losses:
                raise KeyError(f"{type(self.task).__name__}.training_step must return a 'loss' entry")
            scaler.scale(losses["loss"] / self.accumulation).backward()
            for key, value in losses.items():
                value = value.detach().float().mean()
                sums[prefix + key] = sums.get(prefix + key, 0.0) + value / self.accumulation
        params = [p for name in phase.modules for p in self.trainable[name]]
        for p in params:  # a parameter unused in this process still takes part in the all-reduce
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        all_reduce_mean_([p.grad for p in params])
        scaler.unscale_(optimizer)
        max_norm = self.config.max_grad_norm if self.config.max_grad_norm is not None else math.inf
        total_norm = torch.nn.utils.clip_grad_norm_(params, max_norm) if params else torch.zeros(())
        finite = bool(torch.isfinite(total_norm))  # identical in every process after the all-reduce
        if self.use_scaler:
            scaler.step(optimizer)  # skips the step itself on inf/nan
            scaler.update()
        elif finite:
            optimizer.step()
        if not finite:
            sums[prefix + "skipped_steps"] = sums.get(prefix + "skipped_steps", 0.0) + 1.0
            logger.warning("step %d, phase %s: non-finite gradient, optimizer step skipped", step, phase.name)
        if phase.optimizer in self.schedulers:
            self.schedulers[phase.optimizer].step()

    def _reduce_stats(self, sums: dict[str, torch.Tensor], steps: int) -> dict[str, float]:
        if not sums:
            return {}
        keys = sorted(sums)
        values = torch.stack([torch.as_tensor(sums[k], dtype=torch.float32, device=self.device) for k in keys])
        all_reduce_mean_([values])
        return {k: v / steps for k, v in zip(keys, values.tolist(), strict=True)}

    def run(self, resume: bool) -> TrainingResult:
        cfg, info = self.config, self.info
        self._check_run_dir(resume)
        if info.is_main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            ckpt.remove_partials(self.run_dir)
        self._check_shared_run_dir()
        log_handler = self._attach_log_file() if info.is_main else None
        try:
            self._build()
            step, resumed_from = 0, None
            latest = ckpt.latest_checkpoint(self.run_dir) if resume else None
            if latest is not None:
                step = resumed_from = self._load_checkpoint(latest)
                logger.info("resumed from %s (step %d)", latest, step)
            elif resume:
                logger.info("no checkpoint in %s: starting from step 0", self.run_dir)
            if info.is_main:
                truncate_stats(self.run_dir, step)
                self._write_config(resumed_from)
            barrier()
            last = self._train(step)
            if info.is_main and self._last_step >= cfg.max_steps:
                self._export_final()
            barrier()
            return TrainingResult(self.run_dir, self._last_step, resumed_from, last)
        finally:
            if log_handler is not None:
                logging.getLogger("talkinghead").removeHandler(log_handler)
                log_handler.close()

    def _train(self, step: int) -> dict[str, Any]:
        cfg, info = self.config, self.info
        self._last_step = step
        if step >= cfg.max_steps:
            logger.info("already at step %d of %d: nothing to train", step, cfg.max_steps)
            return {}
        run_log = RunLog(self.run_dir, cfg.tensorboard) if info.is_main else None
        progress = None
        if info.is_main and cfg.progress:
            from tqdm.auto import tqdm

            progress = tqdm(total=cfg.max_steps, initial=step, unit="step", dynamic_ncols=True)
        data = self._data(step)
        sums: dict[str, torch.Tensor] = {}
        steps_since_log, start, log_start = 0, time.perf_counter(), time.perf_counter()
        last: dict[str, Any] = {}
        for module in self.train_mode:
            module.train()
        try:
            while step < cfg.max_steps:
                micro_batches = [_to_device(next(data), self.device) for _ in range(self.accumulation)]
                self.ctx.step = step
                for phase in self.phases:
                    if step % phase.interval == 0:
                        self._run_phase(phase, micro_batches, step, sums)
                for name, params in self.trainable.items():
                    for p in params:
                        p.requires_grad_(True)
                for module in self.modules.values():  # as DDP: process 0's buffers everywhere
                    broadcast_(list(module.buffers()))
                step += 1
                self._last_step = self.ctx.step = step
                if self.emas:
                    beta = ema_beta(step, cfg.ema_halflife_steps, cfg.ema_rampup)
                    for name, ema in self.emas.items():
                        ema.update(self.modules[name], beta)
                steps_since_log += 1
                if progress is not None:
                    progress.update(1)
                if step % cfg.log_every == 0 or step == cfg.max_steps:
                    values = self._reduce_stats(sums, steps_since_log)
                    elapsed = time.perf_counter() - log_start
                    if info.is_main:
                        last = {"samples": step * cfg.batch_size, "time_s": round(time.perf_counter() - start, 3),
                                "sec_per_step": elapsed / steps_since_log,
                                "samples_per_s": steps_since_log * cfg.batch_size / max(elapsed, 1e-9),
                                **{f"lr/{k}": o.param_groups[0]["lr"] for k, o in self.optimizers.items()},
                                **values}
                        run_log.scalars(step, last)
                        if progress is not None and "loss" in values:
                            progress.set_postfix(loss=f"{values['loss']:.4g}")
                    sums, steps_since_log, log_start = {}, 0, time.perf_counter()
                if cfg.image_every and step % cfg.image_every == 0 and info.is_main:
                    self._images(run_log, micro_batches[0], step)
                if step % cfg.checkpoint_every == 0 or step == cfg.max_steps:
                    self._save_checkpoint(step)
        finally:
            if progress is not None:
                progress.close()
            if run_log is not None:
                run_log.close()
        return last

    @torch.no_grad()
    def _images(self, run_log: RunLog, batch: Any, step: int) -> None:
        for module in self.modules.values():
            module.eval()
        try:
            with self._autocast():
                grids = self.task.visualize(batch)
            if grids:
                run_log.images(step, grids)
        finally:
            for module in self.train_mode:
                module.train()

    # ------------------------------------------------------------------------------------ run folder
    def _write_config(self, resumed_from: int | None) -> None:
        info = self.info
        resolved = {
            "training": self.config.to_dict(),
            "task": self.task.config(),
            "task_class": f"{type(self.task).__module__}.{type(self.task).__qualname__}",
            "world_size": info.world_size,
            "batch_per_process": self.batch_per_process,
            "accumulation": self.accumulation,
            "rank_seeds": [self.config.seed * info.world_size + r for r in range(info.world_size)],
            "device": str(self.device),
            "amp_dtype": None if self.amp_dtype is None else str(self.amp_dtype).removeprefix("torch."),
            "phases": [dataclasses.asdict(p) for p in self.phases],
            "resumed_from": resumed_from,
            "torch": torch.__version__,
        }
        atomic_write_text(self.run_dir / "config.json", json.dumps(resolved, indent=2, default=str) + "\n",
                          overwrite=True)

    def _export_final(self) -> None:
        final = self.run_dir / FINAL
        modules = {name: self.emas[name].module if name in self.emas else m for name, m in self.modules.items()}
        partial = self.run_dir / f".partial-{FINAL}"
        shutil.rmtree(partial, ignore_errors=True)
        self.task.save(partial, modules)
        atomic_write_text(partial / "meta.json", json.dumps({"step": self._last_step,
                                                              "ema": sorted(self.emas)}) + "\n", overwrite=True)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(partial, final)
        logger.info("exported %s", final)

    def _attach_log_file(self) -> logging.Handler:
        handler = logging.FileHandler(self.run_dir / "log.txt", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        logging.getLogger("talkinghead").addHandler(handler)  # records at the level the application set
        return handler
