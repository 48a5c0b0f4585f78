"""Training task of IP-LAP's audio-to-landmark stage (Sec. 3.1, loss Sec. 3.1.2, Eqs. 10-12).

One sample is a window of ``T`` frames of one clip and ``N_l`` reference frames of the same clip, away from the
window (:class:`~talkinghead.data.WindowDataset`). The generator sees the window's mel windows, its pose-prior
points (:data:`~.landmarks.POSE`, x and y) and the references' 131 points (:data:`~.landmarks.ALL`), and
predicts the window's content points (:data:`~.landmarks.CONTENT`)::

    L = L_1 + lambda_c L_c,   lambda_c = 1                                         (Eq. 12)

with L_1 (Eq. 10) the per-frame L1 error of lip and jaw points, and L_c (Eq. 11) the L2 error of their
frame-to-frame motion, each summed over the lip and the jaw group. Logged besides: ``lip_error_px``, the mean
distance between predicted and true lip points in pixels of a 128 px crop (the paper's face size), for humans.

The references are random frames of the clip (seeded per sample), not the paper's spread over mouth openness
(:func:`~.landmarks.choose_references`, used at inference): random draws cover the range over many samples
and keep the dataset's sampling in one place.

Shape legend: b batch, t window frames (T), r reference frames (N_l), 478 mediapipe landmarks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from talkinghead.data import WindowDataset
from talkinghead.errors import OptionError
from talkinghead.losses import LandmarkContinuityLoss, LandmarkL1Loss, weighted_sum
from talkinghead.methods.ip_lap.audio_to_landmark import LandmarkGenerator
from talkinghead.methods.ip_lap.landmarks import ALL, CONTENT, NUM_LIP, POSE
from talkinghead.training import TrainingContext, TrainingTask, module_options

__all__ = ["LandmarkTask", "landmark_inputs", "LIP_ERROR_SIZE"]

#: crop side (px) at which ``lip_error_px`` is reported (IP-LAP renders 128 x 128 faces, Sec. 4.1)
LIP_ERROR_SIZE = 128


def landmark_inputs(batch: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor,
                                                                   torch.Tensor]:
    """The generator's inputs and target from a :class:`WindowDataset` batch.

    Returns:
        mel (b, t, 80, 16); pose prior (b, t, 74, 2); references (b, r, 131, 2); target content (b, t, 57, 2),
        all points x, y in crop coordinates over the crop side.
    """
    landmarks, refs = batch["landmarks"][..., :2], batch["ref_landmarks"][..., :2]
    return batch["mel"], landmarks[..., list(POSE), :], refs[..., list(ALL), :], landmarks[..., list(CONTENT), :]


class LandmarkTask(TrainingTask):
    """IP-LAP stage 1: trains ``landmark_generator`` (:class:`LandmarkGenerator`) with Eq. 12.

    Args:
        data_dir: a preprocessed dataset (``manifest.json``, ``clips/``).
        model: :class:`LandmarkGenerator` kwargs (defaults: the paper's d = 512, T = 5, N_l = 15); its
            ``window`` and ``num_refs`` also set the samples' T and N_l.
        lr: Adam learning rate.
        continuity_weight: lambda_c of Eq. 12 (paper: 1).
        split: the dataset split to train on.
        seed: seed of the dataset's reference draws.
    """

    def __init__(self, data_dir: str | os.PathLike, model: Mapping[str, Any] | None = None, lr: float = 1e-4,
                 continuity_weight: float = 1.0, split: str = "train", seed: int = 0):
        self.data_dir = Path(data_dir)
        self.model_options = module_options(model, LandmarkGenerator, "landmark generator")
        if self.model_options["window"] < 2:
            raise OptionError(f"the landmark stage trains on windows of at least 2 frames (Eq. 11), got "
                              f"window={self.model_options['window']}")
        self.lr, self.continuity_weight, self.split, self.seed = float(lr), float(continuity_weight), split, seed
        self.l1 = LandmarkL1Loss()
        self.continuity = LandmarkContinuityLoss()
        self._dataset: WindowDataset | None = None

    def config(self) -> dict[str, Any]:
        return {"data_dir": str(self.data_dir), "model": dict(self.model_options), "lr": self.lr,
                "continuity_weight": self.continuity_weight, "split": self.split, "seed": self.seed}

    def build(self, ctx: TrainingContext | None = None) -> dict[str, nn.Module]:
        self.generator = LandmarkGenerator(**self.model_options)
        return {"landmark_generator": self.generator}

    def configure_optimizers(self, modules: Mapping[str, nn.Module]) -> dict[str, torch.optim.Optimizer]:
        return {"landmark_generator": torch.optim.Adam(modules["landmark_generator"].parameters(), lr=self.lr)}

    def dataset(self) -> WindowDataset:
        if self._dataset is None:
            window, num_refs = self.model_options["window"], self.model_options["num_refs"]
            self._dataset = WindowDataset(self.data_dir, self.split, window=window, num_refs=num_refs, seed=self.seed,
                                          with_frames=False).require_samples("a smaller window")
        return self._dataset

    def losses(self, prediction: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """Eq. 12 over content points (b, t, 57, 2): ``{"loss", "l1", "continuity"}``.

        Eq. 10's L1 norm is a sum over points, so one call on lips + jaw is the sum of the two groups; Eq. 11's
        L2 norms are taken per group and added.
        """
        lips = slice(0, NUM_LIP)
        jaw = slice(NUM_LIP, None)
        terms = {
            "l1": self.l1(prediction, target),  # Eq. 10
            "continuity": self.continuity(prediction[:, :, lips], target[:, :, lips])
            + self.continuity(prediction[:, :, jaw], target[:, :, jaw]),  # Eq. 11
        }
        return weighted_sum(terms, {"l1": 1.0, "continuity": self.continuity_weight})  # Eq. 12

    def training_step(self, batch: Any, step: int, phase: str = "main") -> dict[str, torch.Tensor]:
        mel, pose, refs, target = landmark_inputs(batch)
        prediction = self.generator(mel, pose, refs)
        result = self.losses(prediction, target)
        with torch.no_grad():
            distance = (prediction[:, :, :NUM_LIP] - target[:, :, :NUM_LIP]).float().norm(dim=-1)
            result["lip_error_px"] = distance.mean() * LIP_ERROR_SIZE
        return result
