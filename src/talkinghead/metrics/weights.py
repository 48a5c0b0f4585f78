"""Loading the user's weight files for the network metrics, safely.

Nothing is downloaded and no file the user hands in is unpickled as arbitrary objects (DESIGN.md,
"Contracts"): ``.safetensors`` files are read with safetensors; ``.pth``/``.pt``/``.model`` files with
``torch.load(weights_only=True)``, which accepts plain state dicts (tensors in nested dicts/lists) and refuses
anything else. Keys are matched strictly against the architecture, so a wrong file fails with a message that
names the file and the first mismatching keys instead of scoring with half-random weights.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import torch
from torch import nn

from talkinghead.errors import InputError, ModelMissingError

__all__ = ["load_state_dict", "assign_state_dict", "cached_model"]

logger = logging.getLogger(__name__)

M = TypeVar("M")


def load_state_dict(path: str | os.PathLike, *, what: str) -> dict[str, torch.Tensor]:
    """Read a state dict (name -> tensor) from a safetensors or torch file, on CPU.

    Args:
        path: the user's file.
        what: what the file should be, for messages ("SyncNet weights").

    A torch file holding ``{"state_dict": {...}}`` or ``{"model": {...}}`` (common checkpoint wrappers) is
    unwrapped. Raises :class:`ModelMissingError` when the file does not exist and :class:`InputError` when it
    is not a plain state dict.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelMissingError(f"{what}: file {path} does not exist; give the path of your copy (see docs/metrics.md)")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            state = load_file(str(path), device="cpu")
        except Exception as err:  # safetensors raises its own error types
            raise InputError(f"{what}: {path} is not a readable safetensors file ({err})") from err
    else:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # pickle/zip errors, or a pickle holding objects weights_only refuses
            raise InputError(
                f"{what}: {path} is not a plain state dict readable with torch.load(weights_only=True) ({err}); "
                "convert it to a state dict of tensors or to .safetensors"
            ) from err
        for wrapper in ("state_dict", "model", "net"):
            if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
                state = state[wrapper]
                break
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise InputError(f"{what}: {path} does not hold a mapping of parameter names to tensors")
    return dict(state)


def assign_state_dict(
    module: nn.Module,
    state: dict[str, torch.Tensor],
    *,
    what: str,
    strip_prefixes: Iterable[str] = (),
    ignore_prefixes: Iterable[str] = (),
) -> nn.Module:
    """Copy ``state`` into ``module``, requiring every parameter and buffer of ``module`` to be present.

    Args:
        strip_prefixes: prefixes removed from the file's keys before matching (``module.`` from DataParallel).
        ignore_prefixes: keys of the file starting with these are dropped (a classifier head we do not use).

    Extra keys left over after that, missing keys and shape mismatches raise :class:`InputError`.
    """
    strip = tuple(strip_prefixes)
    ignore = tuple(ignore_prefixes)
    cleaned: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        for prefix in strip:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        if ignore and key.startswith(ignore):
            continue
        if key.endswith("num_batches_tracked"):
            continue
        cleaned[key] = value
    expected = {k: v for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    missing = sorted(set(expected) - set(cleaned))
    unexpected = sorted(set(cleaned) - set(expected))
    if missing or unexpected:
        raise InputError(
            f"{what}: the file does not match the architecture (missing {len(missing)} keys, e.g. {missing[:3]}; "
            f"unexpected {len(unexpected)}, e.g. {unexpected[:3]}); see docs/metrics.md for the expected format"
        )
    for key, value in cleaned.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise InputError(
                f"{what}: parameter {key} has shape {tuple(value.shape)} in the file, "
                f"the architecture expects {tuple(expected[key].shape)}"
            )
    module.load_state_dict(cleaned, strict=False)
    return module


@functools.lru_cache(maxsize=8)
def _cached(loader: Callable[..., M], key: tuple, args: tuple, options: tuple) -> M:
    return loader(*args, **dict(options))


def cached_model(loader: Callable[..., M], *paths: str | os.PathLike, **options) -> M:
    """``loader(*paths, **options)``, reused while the files are unchanged (keyed on path, size, mtime).

    Metrics are called once per video; the networks behind them are loaded once per evaluation.
    """
    key_parts = []
    for p in paths:
        p = Path(p)
        st = p.stat() if p.is_file() else None
        key_parts.append((str(p.resolve()), st.st_size if st else -1, st.st_mtime_ns if st else -1))
    opts = tuple(sorted(options.items()))
    return _cached(loader, tuple(key_parts), tuple(paths), opts)
