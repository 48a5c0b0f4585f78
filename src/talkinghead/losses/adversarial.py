"""Adversarial losses (LSGAN, hinge, non-saturating) and pix2pixHD feature matching.

IP-LAP (Sec. 3.2.3, Eq. 20) uses "patch GAN loss L_g and feature matching loss L_f from pix2pixHD [35]";
VividTalk (Sec. 3.4) uses L_fm "to stabilize the training"; MergeTalk uses a PatchGAN loss (Eq. 3) and, for
its pose discriminator with a sigmoid output (Sec. II-B), the original GAN loss (non-saturating form).

Discriminator outputs are accepted in every form the discriminators in ``talkinghead.nn`` produce: a logit
tensor, a list of activations whose last item is the logit map (:class:`PatchDiscriminator`), or a list of such
lists, one per scale (:class:`MultiScaleDiscriminator`). Losses are averaged over scales.

    LSGAN (Mao et al. 2017):      L_D = E[(D(x) - 1)^2] + E[D(G(z))^2],    L_G = E[(D(G(z)) - 1)^2]
    hinge (Lim & Ye 2017):        L_D = E[relu(1 - D(x))] + E[relu(1 + D(G(z)))],   L_G = -E[D(G(z))]
    non-saturating (Goodfellow):  L_D = softplus(-D(x)) + softplus(D(G(z))),   L_G = softplus(-D(G(z)))
    feature matching (pix2pixHD Eq. 4): L_FM = 1/n sum_scales sum_layers mean |D_k^i(x) - D_k^i(G(z))|

Shapes: b batch; activations (b, c, *).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LSGANLoss", "HingeGANLoss", "NonSaturatingGANLoss", "FeatureMatchingLoss", "per_scale"]

DiscriminatorOutput = torch.Tensor | Sequence[torch.Tensor] | Sequence[Sequence[torch.Tensor]]


def per_scale(output: DiscriminatorOutput) -> list[list[torch.Tensor]]:
    """Normalise a discriminator output to a list (scales) of lists (activations, logits last)."""
    if isinstance(output, torch.Tensor):
        return [[output]]
    output = list(output)
    if output and isinstance(output[0], torch.Tensor):
        return [output]
    return [list(scale) for scale in output]


class _GANLoss(nn.Module):
    """A GAN objective in two parts: :meth:`generator` and :meth:`discriminator` (averaged over scales)."""

    def _real(self, logits: torch.Tensor) -> torch.Tensor:  # discriminator term on real samples
        raise NotImplementedError

    def _fake(self, logits: torch.Tensor) -> torch.Tensor:  # discriminator term on generated samples
        raise NotImplementedError

    def _generator(self, logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def generator(self, fake: DiscriminatorOutput) -> torch.Tensor:
        """Generator loss from D's output on generated samples. Returns a scalar."""
        scales = per_scale(fake)
        return sum(self._generator(scale[-1].float()) for scale in scales) / len(scales)

    def discriminator(self, real: DiscriminatorOutput, fake: DiscriminatorOutput) -> torch.Tensor:
        """Discriminator loss from D's outputs on real and (detached) generated samples. Returns a scalar."""
        real_scales, fake_scales = per_scale(real), per_scale(fake)
        total = sum(self._real(r[-1].float()) + self._fake(f[-1].float())
                    for r, f in zip(real_scales, fake_scales, strict=True))
        return total / len(real_scales)

    def forward(self, fake: DiscriminatorOutput) -> torch.Tensor:
        """Same as :meth:`generator` (the usual use inside a generator's loss sum)."""
        return self.generator(fake)


class LSGANLoss(_GANLoss):
    """Least-squares GAN (pix2pixHD's choice; IP-LAP L_g)."""

    def _real(self, logits):
        return (logits - 1).square().mean()

    def _fake(self, logits):
        return logits.square().mean()

    def _generator(self, logits):
        return (logits - 1).square().mean()


class HingeGANLoss(_GANLoss):
    """Hinge GAN (SPADE's and StyleGAN-era generators' common choice)."""

    def _real(self, logits):
        return F.relu(1 - logits).mean()

    def _fake(self, logits):
        return F.relu(1 + logits).mean()

    def _generator(self, logits):
        return -logits.mean()


class NonSaturatingGANLoss(_GANLoss):
    """The original GAN loss on logits (binary cross-entropy with a sigmoid; MergeTalk's pose D)."""

    def _real(self, logits):
        return F.softplus(-logits).mean()

    def _fake(self, logits):
        return F.softplus(logits).mean()

    def _generator(self, logits):
        return F.softplus(-logits).mean()


class FeatureMatchingLoss(nn.Module):
    """pix2pixHD feature matching (Eq. 4): L1 between D's activations on real and generated samples.

    The logit maps are left out; real activations are detached (they are targets). Averaged over scales and
    summed over layers, as in pix2pixHD.
    """

    def forward(self, real: DiscriminatorOutput, fake: DiscriminatorOutput) -> torch.Tensor:
        """real / fake: outputs of the same discriminator. Returns a scalar."""
        real_scales, fake_scales = per_scale(real), per_scale(fake)
        total = 0.0
        for r, f in zip(real_scales, fake_scales, strict=True):
            for real_feature, fake_feature in zip(r[:-1], f[:-1], strict=True):
                total = total + F.l1_loss(fake_feature.float(), real_feature.detach().float())
        return total / len(real_scales)
