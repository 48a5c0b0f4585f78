"""Exponential moving average of a module's weights, with EDM's half-life warm-up.

EDM (Karras et al. 2022, ``training_loop.py``) sets the EMA decay from a half-life, capped during warm-up::

    halflife = min(halflife_steps, step * rampup)         (rampup 0: no cap)
    beta     = 0.5 ** (1 / halflife)
    ema      = beta * ema + (1 - beta) * weights

Buffers (e.g. BatchNorm statistics) are copied, not averaged. The EMA copy is what ``final/`` exports for
the modules a task names in ``ema_modules``.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

__all__ = ["EMA", "ema_beta"]


def ema_beta(step: int, halflife_steps: float, rampup: float = 0.05) -> float:
    """Decay for the update after ``step`` optimizer steps (step >= 1)."""
    halflife = halflife_steps
    if rampup:
        halflife = min(halflife, step * rampup)
    return 0.5 ** (1.0 / max(halflife, 1e-8))


class EMA:
    """A frozen copy of ``module`` that follows its weights (``update`` after each optimizer step)."""

    def __init__(self, module: nn.Module):
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: nn.Module, beta: float) -> None:
        for ema_param, param in zip(self.module.parameters(), module.parameters(), strict=True):
            ema_param.lerp_(param.detach().to(ema_param.dtype), 1.0 - beta)
        for ema_buffer, buffer in zip(self.module.buffers(), module.buffers(), strict=True):
            ema_buffer.copy_(buffer)
