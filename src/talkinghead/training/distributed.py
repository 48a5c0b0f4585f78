"""Processes under ``torchrun``: rank, world size, device, and the few collectives the loop needs.

After NVlabs/edm ``torch_utils/distributed.py``: ``torchrun --nproc-per-node N`` sets RANK, WORLD_SIZE,
LOCAL_RANK and MASTER_ADDR/PORT; the process group uses NCCL on GPUs and Gloo on CPUs. Run as a plain
``python`` process (no such variables), everything here is a no-op for a world of one.

Gradients are averaged over processes by :func:`all_reduce_mean_` on one flattened buffer per optimizer step
(as NVlabs/stylegan3's training loop does) rather than by wrapping modules in ``DistributedDataParallel``:
it works unchanged with several optimizers, phases that train different modules (GANs), frozen parts and
gradient accumulation, and costs one all-reduce per step.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.distributed as dist

from talkinghead.nn.device import select_device

__all__ = ["DistributedInfo", "init_distributed", "all_reduce_mean_", "broadcast_", "barrier", "torch_threads"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistributedInfo:
    """Where this process stands: its rank among ``world_size`` processes and its device."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    #: This call created the process group (and must destroy it).
    initialized_here: bool

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device: str = "auto") -> DistributedInfo:
    """Join the torchrun process group if there is one; pick the device (``auto``: cuda if available)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = select_device(device).type == "cuda"
    if use_cuda:
        torch_device = torch.device("cuda", local_rank % torch.cuda.device_count())
        torch.cuda.set_device(torch_device)
    else:
        torch_device = torch.device("cpu")
    initialized_here = False
    if dist.is_available() and dist.is_initialized():
        rank, world_size = dist.get_rank(), dist.get_world_size()
    elif world_size > 1:
        backend = "nccl" if use_cuda else "gloo"
        kwargs = {"device_id": torch_device} if use_cuda else {}
        dist.init_process_group(backend=backend, init_method="env://", **kwargs)
        initialized_here = True
        logger.info("process %d of %d joined the %s process group on %s", rank, world_size, backend, torch_device)
    return DistributedInfo(rank, world_size, local_rank, torch_device, initialized_here)


def _active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def all_reduce_mean_(tensors: list[torch.Tensor]) -> None:
    """Average tensors over processes, in place, with one all-reduce over a flattened copy."""
    if not _active() or not tensors:
        return
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for t in tensors:
        t.copy_(flat[offset : offset + t.numel()].view_as(t))
        offset += t.numel()


def broadcast_(tensors: list[torch.Tensor], src: int = 0) -> None:
    """Copy tensors from process ``src`` to all others, in place (one broadcast per dtype)."""
    if not _active() or not tensors:
        return
    by_dtype: dict[torch.dtype, list[torch.Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    for group in by_dtype.values():
        flat = torch.cat([t.reshape(-1) for t in group])
        dist.broadcast(flat, src)
        offset = 0
        for t in group:
            t.copy_(flat[offset : offset + t.numel()].view_as(t))
            offset += t.numel()


def barrier() -> None:
    """Wait for every process (no-op for one process)."""
    if _active():
        dist.barrier()


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Use ``count`` CPU threads for torch inside the block (None: leave as is), then restore.

    N processes on one machine share its cores: give each ``cores / N`` threads (torchrun sets
    OMP_NUM_THREADS=1 by default), or small CPU jobs spend their time in spinning threads.
    """
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
