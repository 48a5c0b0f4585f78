"""Checking and converting the frames metrics receive.

Shape legend: t frames, h height, w width, b batch.
Metrics take frames as ``(t, h, w, 3) uint8 RGB`` numpy arrays (what ``talkinghead.io`` reads) and run their
maths on ``(b, 3, h, w)`` float tensors in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import torch

from talkinghead.errors import InputError

__all__ = ["as_frames", "frames_to_tensor", "iter_frame_batches", "pair_frames", "per_frame_pairs"]


def as_frames(frames, *, name: str = "frames", allow_single: bool = True) -> np.ndarray:
    """Return ``frames`` as a ``(t, h, w, 3) uint8`` array; a single ``(h, w, 3)`` image becomes ``t = 1``.

    Raises :class:`InputError` for other shapes or dtypes.
    """
    arr = np.asarray(frames)
    if arr.ndim == 3 and allow_single:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[-1] != 3:
        raise InputError(f"{name}: expected (t, h, w, 3) RGB frames, got an array of shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise InputError(f"{name}: expected uint8 frames, got {arr.dtype}")
    if arr.shape[0] == 0:
        raise InputError(f"{name}: no frames")
    return arr


def pair_frames(pred, ref) -> tuple[np.ndarray, np.ndarray]:
    """Check that generated and reference frames pair up: same count (or one reference) and same size."""
    pred = as_frames(pred, name="pred")
    ref = as_frames(ref, name="ref")
    if pred.shape[1:] != ref.shape[1:]:
        raise InputError(f"pred frames are {pred.shape[1:3]}, ref frames {ref.shape[1:3]}: resize one to the other")
    if ref.shape[0] not in (1, pred.shape[0]):
        raise InputError(f"{pred.shape[0]} generated frames but {ref.shape[0]} reference frames")
    return pred, ref


def frames_to_tensor(
    frames: np.ndarray, *, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """``(t, h, w, 3) uint8 RGB`` -> ``(t, 3, h, w)`` float tensor in [0, 1], RGB."""
    tensor = torch.from_numpy(np.ascontiguousarray(frames)).to(device)
    return tensor.permute(0, 3, 1, 2).to(dtype) / 255.0


def iter_frame_batches(frames: np.ndarray | Iterable[np.ndarray], batch_size: int) -> Iterator[np.ndarray]:
    """Yield ``(b, h, w, 3) uint8`` batches from one array or from an iterable of arrays/single frames."""
    if isinstance(frames, np.ndarray):
        arr = as_frames(frames)
        for start in range(0, len(arr), batch_size):
            yield arr[start : start + batch_size]
        return
    pending: list[np.ndarray] = []
    for item in frames:
        pending.extend(as_frames(item))
        while len(pending) >= batch_size:
            yield np.stack(pending[:batch_size])
            pending = pending[batch_size:]
    if pending:
        yield np.stack(pending)


def per_frame_pairs(
    score: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    pred: np.ndarray,
    ref: np.ndarray,
    *,
    batch_size: int = 16,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> np.ndarray:
    """Apply ``score(pred_batch, ref_batch) -> (b,)`` over checked frame pairs in batches; return (t,) float64.

    Batches keep memory flat in the video's length. A single reference frame is paired with every frame.
    """
    pred, ref = pair_frames(pred, ref)
    out = []
    with torch.inference_mode():
        for start in range(0, len(pred), batch_size):
            p = frames_to_tensor(pred[start : start + batch_size], dtype=dtype, device=device)
            r = ref if len(ref) == 1 else ref[start : start + batch_size]
            r = frames_to_tensor(r, dtype=dtype, device=device)
            out.append(score(p, r).double().cpu().numpy())
    return np.concatenate(out)
