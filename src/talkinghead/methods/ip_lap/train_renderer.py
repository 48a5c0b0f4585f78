"""Training task of IP-LAP's landmark-to-video stage (Sec. 3.2, loss Sec. 3.2.3, Eqs. 17-20).

One sample is a window of ``2k+1`` frames of one clip and ``N`` reference frames of the same clip away from the
window (:class:`~talkinghead.data.WindowDataset`; N = 3 in training, Sec. 4.1). The target is the middle frame
t; the renderer (:class:`~.renderer.LandmarkRenderer`) sees its lower-half masked copy I_t^m, the sketches of
the window's ground-truth landmarks (the paper trains stage 2 on detected, not generated, landmarks), the
references with their sketches and the target frame's mel window. The sketches are drawn on the CPU in the
task's ``collate_fn`` (:class:`SketchCollate`; it runs in the DataLoader workers when there are any)::

    L = lambda_w L_w + lambda_r L_r + lambda_s L_s + lambda_g L_g + lambda_f L_f                     (Eq. 20)
      = 2.5 perceptual(I^r_bar, I_t) + 4 perceptual(I_hat_t, I_t) + 1000 gram(I_hat_t, I_t)
        + 0.25 LSGAN + 2.5 feature matching

Term names: ``warp`` (L_w, Eq. 17), ``reconstruction`` (L_r, Eq. 18), ``style`` (L_s, Eq. 19), ``gan`` (L_g),
``feature_matching`` (L_f); ``l1`` (mean absolute error of I_hat_t, weight 0) is logged for humans. The
perceptual and style losses are VGG-19 when ``vgg19_weights`` names a file, else the documented weight-free
fallback of :func:`talkinghead.losses.perceptual_loss` (then lambda_s = 1000 is only a starting point).

Choices where the paper is silent (listed in docs/ip_lap.md):

- The discriminator is pix2pixHD's (:class:`~talkinghead.nn.MultiScaleDiscriminator`, 2 scales at 128 px, LSGAN,
  feature matching as pix2pixHD Eq. 4), conditioned like pix2pixHD's on its input map: it sees the image
  concatenated with the target sketch L_t, so it also judges whether the mouth matches the sketch.
- Generator and discriminator are two phases of one step on the same batch; the discriminator phase reuses the
  generator phase's output (detached), as pix2pixHD does, instead of rendering again.
- Adam with betas (0.5, 0.999) for both (pix2pixHD, SPADE).

Shape legend: b batch, t = 2k+1 window frames, r references (N), s crop side (= image size), 478 landmarks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import default_collate

from talkinghead.data import WindowDataset
from talkinghead.errors import OptionError
from talkinghead.losses import FeatureMatchingLoss, GramStyleLoss, LSGANLoss, perceptual_loss, ssim, weighted_sum
from talkinghead.methods.ip_lap.landmarks import ALL
from talkinghead.methods.ip_lap.renderer import LandmarkRenderer, RenderOutput, mask_lower_half
from talkinghead.methods.ip_lap.sketch import draw_sketches
from talkinghead.nn import MultiScaleDiscriminator
from talkinghead.training import Phase, TrainingContext, TrainingTask, module_options

__all__ = ["RendererTask", "SketchCollate", "renderer_inputs", "LOSS_WEIGHTS", "DISCRIMINATOR"]

#: Eq. 20 (lambda_w, lambda_r, lambda_s, lambda_g, lambda_f); ``l1`` is logged only
LOSS_WEIGHTS: dict[str, float] = {"warp": 2.5, "reconstruction": 4.0, "style": 1000.0, "gan": 0.25,
                                  "feature_matching": 2.5, "l1": 0.0}
#: MultiScaleDiscriminator kwargs (besides ``in_channels``) unless the task is given others
DISCRIMINATOR: dict[str, Any] = {"num_scales": 2, "base_channels": 32, "num_layers": 3, "norm": "instance"}


class SketchCollate:
    """DataLoader ``collate_fn``: PyTorch's default collation plus the sketches (Sec. 3.2), drawn on the CPU.

    Adds ``sketches (b, t, 3, s, s)`` from ``landmarks`` and ``ref_sketches (b, r, 3, s, s)`` from
    ``ref_landmarks`` (the 131 points of :data:`~.landmarks.ALL`, x and y), float in [0, 1]. A plain class so
    it pickles into DataLoader workers.

    Args:
        image_size: s, the sketch side (the crops' side).
    """

    def __init__(self, image_size: int):
        self.image_size = int(image_size)

    def __call__(self, items: Sequence[Mapping[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        batch = default_collate(list(items))
        batch["sketches"] = draw_sketches(batch["landmarks"][..., list(ALL), :2], self.image_size)
        batch["ref_sketches"] = draw_sketches(batch["ref_landmarks"][..., list(ALL), :2], self.image_size)
        return batch


def renderer_inputs(batch: Mapping[str, torch.Tensor]) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
    """The renderer's inputs and the target from a :class:`SketchCollate` batch.

    Returns:
        ``(masked (b, 3, s, s), sketches (b, t, 3, s, s), ref_frames (b, r, 3, s, s), ref_sketches (b, r, 3, s,
        s), mel (b, 80, 16))`` and the target frame ``(b, 3, s, s)``: the window's middle frame.
    """
    middle = batch["frames"].shape[1] // 2
    target = batch["frames"][:, middle]
    inputs = (mask_lower_half(target), batch["sketches"], batch["ref_frames"], batch["ref_sketches"],
              batch["mel"][:, middle])
    return inputs, target


def _patch_grid(size: int, num_scales: int, num_layers: int, **_) -> int:
    """Side of the logit map of :class:`MultiScaleDiscriminator`'s coarsest scale for ``size`` px images."""
    for _scale in range(num_scales - 1):
        size = (size + 1) // 2  # 3x3 average pool, stride 2, padding 1
    for _layer in range(num_layers):
        size //= 2  # 4x4 convolutions, stride 2, padding 1
    return size - 2  # two 4x4 convolutions, stride 1, padding 1


class RendererTask(TrainingTask):
    """IP-LAP stage 2: trains ``renderer`` (:class:`LandmarkRenderer`) with Eq. 20, and ``discriminator``.

    Micro-batches need at least 2 samples: the mel encoder's last BatchNorm layers see 1 x 1 maps (Wav2Lip).

    Args:
        data_dir: a preprocessed dataset (``manifest.json``, ``clips/``) with crops of ``image_size`` px.
        model: :class:`LandmarkRenderer` kwargs (``image_size`` and ``num_sketches`` follow the task).
        lr: Adam learning rate of the renderer and the discriminator.
        num_refs: N, reference images per sample (paper: 3).
        k: the target sketches are frames t-k .. t+k (paper: 2).
        image_size: H = W (paper: 128).
        vgg19_weights: a torchvision VGG-19 state-dict file for Eqs. 17-19; None: the weight-free fallback.
        weights: overrides of :data:`LOSS_WEIGHTS` by name.
        split: the dataset split to train on.
        seed: seed of the dataset's reference draws.
        use_gan: train with L_g and L_f and a discriminator phase (False: the generator alone, one phase).
        discriminator: overrides of :data:`DISCRIMINATOR` (``num_scales``, ``base_channels``, ``num_layers``,
            ``norm``). At 32 px use ``num_scales=1, num_layers=2``.
    """

    ema_modules = ("renderer",)

    def __init__(self, data_dir: str | os.PathLike, model: Mapping[str, Any] | None = None, lr: float = 1e-4,
                 num_refs: int = 3, k: int = 2, image_size: int = 128, vgg19_weights: str | os.PathLike | None = None,
                 weights: Mapping[str, float] | None = None, split: str = "train", seed: int = 0,
                 use_gan: bool = True, discriminator: Mapping[str, Any] | None = None):
        if num_refs < 1 or k < 0:
            raise OptionError(f"num_refs must be >= 1 and k >= 0, got {num_refs} and {k}")
        self.data_dir = Path(data_dir)
        self.image_size, self.num_refs, self.k = int(image_size), int(num_refs), int(k)
        self.model_options = module_options(model, LandmarkRenderer, "renderer",
                                      {"image_size": self.image_size, "num_sketches": 2 * self.k + 1})
        unknown = sorted(set(weights or {}) - set(LOSS_WEIGHTS))
        if unknown:
            raise OptionError(f"unknown loss weights {unknown}; known: {sorted(LOSS_WEIGHTS)}")
        self.weights = {**LOSS_WEIGHTS, **(weights or {})}
        d_unknown = sorted(set(discriminator or {}) - set(DISCRIMINATOR))
        if d_unknown:
            raise OptionError(f"unknown discriminator options {d_unknown}; known: {sorted(DISCRIMINATOR)}")
        self.discriminator_options = {**DISCRIMINATOR, **(discriminator or {})}
        if use_gan and _patch_grid(self.image_size, **self.discriminator_options) < 1:
            raise OptionError(f"the discriminator's coarsest scale has no patches at {self.image_size} px; use "
                              "fewer num_scales or num_layers in the discriminator options")
        self.lr, self.split, self.seed, self.use_gan = float(lr), split, seed, bool(use_gan)
        self.vgg19_weights = None if vgg19_weights is None else str(vgg19_weights)
        self.gan = LSGANLoss()
        self.feature_matching = FeatureMatchingLoss()
        self._dataset: WindowDataset | None = None
        # (batch, detached I_hat_t) per micro-batch of the generator phase of step ``_fakes_step``
        self._fakes: list[tuple[Any, torch.Tensor]] = []
        self._fakes_step = -1

    def config(self) -> dict[str, Any]:
        return {"data_dir": str(self.data_dir), "model": dict(self.model_options), "lr": self.lr,
                "num_refs": self.num_refs, "k": self.k, "image_size": self.image_size,
                "vgg19_weights": self.vgg19_weights, "weights": dict(self.weights), "split": self.split,
                "seed": self.seed, "use_gan": self.use_gan, "discriminator": dict(self.discriminator_options)}

    def build(self, ctx: TrainingContext | None = None) -> dict[str, nn.Module]:
        device = ctx.device if ctx is not None else torch.device("cpu")
        self.renderer = LandmarkRenderer(**self.model_options)
        self.perceptual = perceptual_loss(self.vgg19_weights).to(device)
        self.style = GramStyleLoss(self.perceptual.features)  # one feature extractor for Eqs. 17-19
        modules: dict[str, nn.Module] = {"renderer": self.renderer}
        if self.use_gan:
            self.discriminator = MultiScaleDiscriminator(in_channels=6, **self.discriminator_options)
            modules["discriminator"] = self.discriminator
        return modules

    def configure_optimizers(self, modules: Mapping[str, nn.Module]) -> dict[str, torch.optim.Optimizer]:
        return {name: torch.optim.Adam(module.parameters(), lr=self.lr, betas=(0.5, 0.999))
                for name, module in modules.items()}

    def phases(self) -> Sequence[Phase]:
        if not self.use_gan:
            return ()
        return (Phase("generator", "renderer", ("renderer",)),
                Phase("discriminator", "discriminator", ("discriminator",)))

    def collate_fn(self) -> SketchCollate:
        return SketchCollate(self.image_size)

    def dataset(self) -> WindowDataset:
        if self._dataset is None:
            window = 2 * self.k + 1
            self._dataset = WindowDataset(self.data_dir, self.split, window=window, size=self.image_size,
                                          num_refs=self.num_refs, seed=self.seed).require_samples("a smaller k")
        return self._dataset

    def _discriminate(self, images: torch.Tensor, sketch: torch.Tensor):
        """D on the image conditioned on the target sketch L_t (pix2pixHD: on the input map)."""
        return self.discriminator(torch.cat([images, sketch.to(images.dtype)], dim=1))

    def generator_losses(self, output: RenderOutput, target: torch.Tensor, sketch: torch.Tensor | None = None
                         ) -> dict[str, torch.Tensor]:
        """Eq. 20's terms for the renderer: ``{"loss", "warp", "reconstruction", "style", "l1"[, "gan",
        "feature_matching"]}``; the GAN terms need ``sketch`` (b, 3, s, s), the middle target sketch."""
        features_fake = self.perceptual.features(output.image)
        with torch.no_grad():
            features_real = self.perceptual.features(target)
        reconstruction = self.perceptual.compare(features_fake, features_real)  # Eq. 18
        if self.perceptual.ssim_weight:  # the fallback's SSIM part (perceptual_loss without VGG-19)
            reconstruction = reconstruction + self.perceptual.ssim_weight * (1 - ssim(output.image, target))
        with torch.autocast(target.device.type, enabled=False):  # Gram matrices in float32 (x 1000)
            style = self.style.compare(features_fake, features_real)  # Eq. 19
        terms = {
            "warp": self.perceptual(output.warped, target),  # Eq. 17
            "reconstruction": reconstruction,
            "style": style,
            "l1": (output.image - target).abs().mean(),
        }
        if self.use_gan and sketch is not None:
            fake = self._discriminate(output.image, sketch)
            with torch.no_grad():
                real = self._discriminate(target, sketch)
            terms["gan"] = self.gan.generator(fake)  # L_g (LSGAN, pix2pixHD)
            terms["feature_matching"] = self.feature_matching(real, fake)  # L_f (pix2pixHD Eq. 4)
        return weighted_sum(terms, self.weights)  # Eq. 20

    def training_step(self, batch: Any, step: int, phase: str = "main") -> dict[str, torch.Tensor]:
        inputs, target = renderer_inputs(batch)
        sketch = batch["sketches"][:, self.k]  # L_t
        if phase == "discriminator":
            fake = next((f for b, f in self._fakes if b is batch), None) if step == self._fakes_step else None
            if fake is None:  # no generator phase ran on this batch (e.g. a resumed step): render again
                with torch.no_grad():
                    fake = self.renderer(*inputs).image
            real_out, fake_out = self._discriminate(target, sketch), self._discriminate(fake, sketch)
            return {"loss": self.gan.discriminator(real_out, fake_out)}
        output = self.renderer(*inputs)
        if self.use_gan:
            if step != self._fakes_step:
                self._fakes, self._fakes_step = [], step
            self._fakes.append((batch, output.image.detach()))
        return self.generator_losses(output, target, sketch)

    def visualize(self, batch: Any) -> dict[str, torch.Tensor]:
        """``target | warped | generated`` side by side per sample, (min(b, 8), 3, s, 3 s)."""
        inputs, target = renderer_inputs(batch)
        output = self.renderer(*(x[:8] for x in inputs))
        return {"target_warped_generated": torch.cat([target[:8], output.warped, output.image], dim=-1)}
