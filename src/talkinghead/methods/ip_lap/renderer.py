"""IP-LAP's landmark-to-video renderer (Sec. 3.2, Fig. 2 right): audio encoder + G_a + G_r, trained jointly.

The alignment module G_a (``alignment.py``, Eqs. 13-15) warps N reference images and their features to the
pose and expression of the 2k+1 target sketches; the translation module G_r (``translation.py``, Eq. 16)
completes the lower-half masked target I_t^m from the sketches, the aggregated warped image and features, and
the audio feature a_t of the target frame (an :class:`MelEncoder` like Wav2Lip's, Sec. 3.2.2). Sec. 3.2.3:
"the alignment module, translation module, and audio encoder are trained jointly on the reconstruction task".

Shape legend: b batch, n references (3 in training, any number at inference), k2 = 2k+1 target sketches
(5), H/W image size (128 in the paper); images RGB float in [0, 1]; mel windows (80 bins, 16 frames) log-mel.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from talkinghead.methods.ip_lap.alignment import AlignmentModule, ReferenceEncoding
from talkinghead.methods.ip_lap.translation import TranslationModule
from talkinghead.nn import ConfigMixin, MelEncoder

__all__ = ["LandmarkRenderer", "RenderOutput", "mask_lower_half"]


def mask_lower_half(images: torch.Tensor) -> torch.Tensor:
    """The masked target I_t^m (Sec. 3.2): ``(..., 3, H, W)`` -> same shape, rows ``>= H // 2`` set to 0."""
    masked = images.clone()
    masked[..., images.shape[-2] // 2:, :] = 0
    return masked


@dataclass
class RenderOutput:
    """Output of :class:`LandmarkRenderer`.

    Attributes:
        image: (b, 3, H, W) I_hat_t, the generated face, RGB in [0, 1].
        warped: (b, 3, H, W) I^r_bar, the aggregated warped reference image (Eq. 14), RGB in [0, 1].
        flows: (b, n, 2, H, W) F_i, backward displacements in normalised coordinates (x, y; 2 = image side).
        weights: (b, n, 1, H, W) w_i, positive aggregation weights (Eqs. 14-15).
    """

    image: torch.Tensor
    warped: torch.Tensor
    flows: torch.Tensor
    weights: torch.Tensor


class LandmarkRenderer(ConfigMixin, nn.Module):
    """Sketches + references + audio -> face (IP-LAP Sec. 3.2).

    Args:
        image_size: H = W (paper: 128); must be divisible by 2^num_down.
        base_channels: stem width of G_r (and of G_a unless ``alignment_channels``); widths double per stride-2
            stage up to ``max_channels``.
        max_channels: cap of the widths.
        num_down: stride-2 stages of both encoders (>= 2).
        num_sketches: 2k + 1 target sketches (paper: k = 2, 5 sketches).
        audio_dim: d, size of a_t (paper: 512).
        mel_base_channels: width of the mel encoder's first stage (Wav2Lip: 32).
        spade_hidden: hidden width of every SPADE layer.
        alignment_channels: stem width of G_a (None: ``base_channels``). G_a runs once per reference, so a
            narrower G_a keeps inference with many references cheap.
    """

    def __init__(self, image_size: int = 128, base_channels: int = 32, max_channels: int = 256, num_down: int = 3,
                 num_sketches: int = 5, audio_dim: int = 512, mel_base_channels: int = 32, spade_hidden: int = 64,
                 alignment_channels: int | None = None):
        super().__init__()
        if image_size % 2**num_down:
            raise ValueError(f"image_size {image_size} is not divisible by 2^num_down = {2**num_down}")
        self.image_size = image_size
        self.num_sketches = num_sketches
        self.audio_encoder = MelEncoder(out_dim=audio_dim, base_channels=mel_base_channels)
        self.alignment = AlignmentModule(num_sketches, alignment_channels or base_channels, max_channels, num_down,
                                         spade_hidden)
        self.translation = TranslationModule(num_sketches, base_channels, max_channels, num_down,
                                             self.alignment.feature_channels, audio_dim, spade_hidden)

    def encode_references(self, ref_images: torch.Tensor, ref_sketches: torch.Tensor) -> ReferenceEncoding:
        """G_a's encoding of ``(1, n, 3, H, W)`` references and sketches, to pass as ``references`` for every
        frame of a video (it does not depend on the frame: about a fifth of G_a's work at N = 5)."""
        if ref_images.shape[1] < 1 or ref_images.shape[:2] != ref_sketches.shape[:2]:
            raise ValueError(f"need n >= 1 references with one sketch each, got images {tuple(ref_images.shape)} "
                             f"and sketches {tuple(ref_sketches.shape)}")
        return self.alignment.encode_references(ref_images, ref_sketches)

    def forward(self, masked: torch.Tensor, sketches: torch.Tensor, ref_images: torch.Tensor | None,
                ref_sketches: torch.Tensor | None, mel: torch.Tensor,
                references: ReferenceEncoding | None = None) -> RenderOutput:
        """Render the target frame t.

        Args:
            masked: (b, 3, H, W) I_t^m (:func:`mask_lower_half` of the target frame), RGB in [0, 1].
            sketches: (b, k2, 3, H, W) target sketches L_{t-k:t+k} (``sketch.draw_sketches``), frame t in the middle.
            ref_images: (b, n, 3, H, W) reference images I_i^r, RGB in [0, 1] (None with ``references``).
            ref_sketches: (b, n, 3, H, W) their sketches L_i^r (None with ``references``).
            mel: (b, 80, 16) the mel window of frame t.
            references: the references already encoded (:meth:`encode_references`), shared by the b frames.

        Returns:
            :class:`RenderOutput`.
        """
        if sketches.shape[1] != self.num_sketches:
            raise ValueError(f"expected {self.num_sketches} target sketches, got {sketches.shape[1]}")
        if references is None:
            if ref_images is None or ref_sketches is None:
                raise ValueError("give ref_images and ref_sketches, or references")
            references = self.encode_references(ref_images, ref_sketches)
        else:  # one frame's encoding, shared by the batch
            references = references.expand(masked.shape[0])
        audio = self.audio_encoder(mel.to(masked.dtype))  # a_t (Sec. 3.2.2)
        aligned = self.alignment(sketches, references=references)  # Eqs. 13-15
        image = self.translation(masked, sketches, aligned.warped, aligned.features1, aligned.features2, audio)
        return RenderOutput(image=image, warped=aligned.warped, flows=aligned.flows, weights=aligned.weights)
