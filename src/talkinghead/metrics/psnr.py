"""Peak signal-to-noise ratio, per frame.

PSNR = 10 log10(R^2 / MSE), the MSE taken over all pixels and channels of a frame, R the data range.
Reported by IP-LAP (Table 1) and MergeTalk (Tables I, II) on generated vs ground-truth frames.
Shape legend: b batch, c channels, h height, w width.
"""

from __future__ import annotations

import numpy as np
import torch

from talkinghead.metrics.frames import per_frame_pairs
from talkinghead.metrics.registry import MetricResult, register_metric

__all__ = ["psnr"]


def psnr(pred: torch.Tensor, target: torch.Tensor, *, data_range: float = 1.0) -> torch.Tensor:
    """PSNR in dB of each image of a batch.

    Args:
        pred, target: (b, c, h, w) float, values in [0, data_range]; ``target`` may have b = 1.
        data_range: R, the span of possible values (1 for [0, 1] images, 255 for uint8 values).

    Returns:
        (b,) PSNR in dB; ``inf`` where the images are equal. Computed in the inputs' dtype and device.
    """
    mse = (pred - target).pow(2).flatten(1).mean(dim=1)
    return 10.0 * torch.log10(data_range**2 / mse)


@register_metric(
    "psnr",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=True,
    definition="""Peak signal-to-noise ratio 10 log10(255^2 / MSE) in dB between each generated frame and its
    ground-truth frame (uint8 RGB, MSE over all pixels and the three channels), averaged over frames.
    Equal frames give inf.""",
    reference="Standard definition; as used by IP-LAP (Zhong et al., CVPR 2023) and MergeTalk.",
    papers=("ip_lap", "mergetalk"),
)
def psnr_metric(*, pred: np.ndarray, ref: np.ndarray) -> MetricResult:
    values = per_frame_pairs(psnr, pred, ref, dtype=torch.float64)
    return MetricResult({"psnr": float(values.mean())}, per_frame={"psnr": values})
