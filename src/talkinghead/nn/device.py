"""The one place a ``--device auto|cpu|cuda`` choice becomes a ``torch.device`` (STYLE.md 14: only the CLI, the
web UI and a method's options pick a device; modules follow their inputs)."""

from __future__ import annotations

import torch

from talkinghead.errors import OptionError

__all__ = ["select_device"]


def select_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA when available, else the CPU; otherwise any torch device name (``cpu``, ``cuda``,
    ``cuda:1``, ...).

    Raises:
        OptionError: not a device name, or a CUDA device without CUDA.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise OptionError(f"--device must be auto, cpu or cuda, got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise OptionError(f"--device {name}: no CUDA device is available (use --device cpu or auto)")
    return device
