"""IP-LAP's transformer-based landmark generator, audio-to-landmark stage (Sec. 3.1.1, Eqs. 1-9).

From ``T`` frames of audio (a 16 x 80 mel window per frame), the same frames' pose-prior landmarks and ``N_l``
reference frames' landmarks, predict the lip and jaw landmarks of the ``T`` frames::

    a_t = E_a(m_t),  p_t = E_p(l_t^p),  r_i = E_r(l_i^r)                          (Eqs. 1-3)
    z^0 = [r_i + e_r | a_t + e_t^pos + e_a | p_t + e_t^pos + e_p]                 (Eqs. 4-6)
    z^L = L pre-LN transformer layers over z^0                                    (Eq. 7)
    lip_t = MLP(z^L_{N_l + t}),  jaw_t = MLP(z^L_{N_l + T + t})                    (Eqs. 8-9)

Choices where the paper is silent (listed in ``docs/ip_lap.md``):

- E_p and E_r (Eqs. 2-3, "1D convolution layers") treat (x, y) as 2 channels over the point axis, in the
  fixed order of :mod:`talkinghead.methods.ip_lap.landmarks`, as the public implementation does: a stem
  convolution, then stride-2 :class:`~talkinghead.nn.ResBlock1d` stages (BatchNorm, as Wav2Lip's blocks) with
  the mel encoder's width ladder (c, 2c, 4c, 8c for ``mel_base_channels`` c), flattened and projected to d.
  Flattening (not pooling) keeps which point is which. Points enter centred on the crop (``x - 0.5``).
- The heads predict *offsets* from a base shape: the mean over the references of their content points,
  shifted by how far the centroid of the pose points moved from the references to the target frame. At
  initialisation the output is that base (the heads' last layers start small), so training starts from a
  plausible mouth where the head is, and learns only the audio-driven motion and the pose-dependent rest.
- Temporal positions are frame indices ``0 .. T-1`` within the window; reference tokens carry none (Eq. 6).
- The heads are two-layer MLPs (d -> d -> 2 n, GELU).

Shape legend: b batch, t frames in the window (T), r reference frames (N_l), d token size, f mel bins (80),
s mel steps per frame (16); points ``(..., p, 2)`` x right, y down, in crop coordinates divided by the crop
side (``WindowDataset.landmarks[..., :2]``): 74 pose points (:data:`~.landmarks.POSE`), 131 reference points
(:data:`~.landmarks.ALL`: content then pose), 57 content points (:data:`~.landmarks.CONTENT`: 40 lips then 17
jaw).
"""

from __future__ import annotations

import torch
from einops import rearrange
from torch import nn

from talkinghead.methods.ip_lap.landmarks import NUM_ALL, NUM_CONTENT, NUM_JAW, NUM_LIP, NUM_POSE
from talkinghead.nn import ConfigMixin, MelEncoder, ResBlock1d, TransformerEncoder

__all__ = ["LandmarkGenerator", "PointEncoder"]

#: modality ids of the tokens (Eqs. 4-6: e_r^type, e_a^type, e_p^type)
_REF, _AUDIO, _POSE = 0, 1, 2
#: scale of the heads' last layer at initialisation (the output starts near the base shape)
_HEAD_INIT_SCALE = 0.01


class PointEncoder(nn.Module):
    """E_p / E_r (Eqs. 2-3): 1D convolutions over a point set, ``(b, p, 2) -> (b, d)``.

    Args:
        num_points: p.
        dim: d.
        base_channels: width of the first stage; three stride-2 residual stages double it each time.
    """

    def __init__(self, num_points: int, dim: int, base_channels: int = 32):
        super().__init__()
        c = base_channels
        widths = (c, 2 * c, 4 * c, 8 * c)
        self.stem = nn.Sequential(nn.Conv1d(2, c, 3, padding=1), nn.BatchNorm1d(c), nn.LeakyReLU(0.2))
        self.blocks = nn.Sequential(*(ResBlock1d(a, b, stride=2) for a, b in zip(widths[:-1], widths[1:])))
        length = num_points
        for _ in widths[1:]:
            length = (length - 1) // 2 + 1  # kernel 3, padding 1, stride 2
        self.project = nn.Linear(widths[-1] * length, dim)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        """points: (b, p, 2) normalised crop coordinates. Returns (b, d)."""
        x = rearrange(points - 0.5, "b p c -> b c p")
        return self.project(self.blocks(self.stem(x)).flatten(1))


def _head(dim: int, num_points: int) -> nn.Sequential:
    """Eqs. 8-9: MLP from a token to ``num_points`` (x, y) offsets; the last layer starts small."""
    head = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, 2 * num_points))
    with torch.no_grad():
        head[-1].weight.mul_(_HEAD_INIT_SCALE)
        head[-1].bias.zero_()
    return head


class LandmarkGenerator(ConfigMixin, nn.Module):
    """IP-LAP's audio-to-landmark generator (Sec. 3.1.1): mel + pose prior + references -> lip and jaw points.

    Args:
        dim: d, token size (paper: 512).
        depth: L, transformer layers.
        heads: attention heads.
        mlp_ratio: hidden size of the transformer MLPs over d.
        dropout: dropout in the transformer (training only).
        window: T, frames per sample the generator is trained on (paper: 5). Any ``T >= 1`` runs.
        num_refs: N_l, reference frames it is trained with (paper: 15). Any ``N_l >= 1`` runs.
        mel_base_channels: width of the first stage of E_a (Wav2Lip: 32), also used by E_p and E_r.
    """

    def __init__(self, dim: int = 512, depth: int = 4, heads: int = 4, mlp_ratio: float = 2.0,
                 dropout: float = 0.1, window: int = 5, num_refs: int = 15, mel_base_channels: int = 32):
        super().__init__()
        if window < 1 or num_refs < 1:
            raise ValueError(f"window and num_refs must be at least 1, got {window} and {num_refs}")
        self.window, self.num_refs = window, num_refs
        self.audio_encoder = MelEncoder(dim, mel_base_channels)  # E_a, Eq. 1
        self.pose_encoder = PointEncoder(NUM_POSE, dim, mel_base_channels)  # E_p, Eq. 2
        self.reference_encoder = PointEncoder(NUM_ALL, dim, mel_base_channels)  # E_r, Eq. 3
        self.transformer = TransformerEncoder(dim, depth, heads, mlp_ratio, dropout, num_modalities=3)  # Eqs. 4-7
        self.lip_head = _head(dim, NUM_LIP)  # Eq. 8
        self.jaw_head = _head(dim, NUM_JAW)  # Eq. 9

    @staticmethod
    def base_shape(pose: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
        """The shape the heads' offsets are added to: (b, t, 57, 2).

        The references' mean content points, moved by the shift of the pose points' centroid from the
        references (mean over them) to each target frame. A choice of this implementation (the paper is silent).
        """
        ref_content, ref_pose = refs[:, :, :NUM_CONTENT], refs[:, :, NUM_CONTENT:]
        mean_content = ref_content.mean(dim=1)  # (b, 57, 2)
        shift = pose.mean(dim=2) - ref_pose.mean(dim=(1, 2))[:, None]  # (b, t, 2)
        return mean_content[:, None] + shift[:, :, None]

    def forward(self, mel: torch.Tensor, pose: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
        """Predict the content landmarks of ``T`` frames.

        Args:
            mel: (b, t, 80, 16) float, each frame's log-mel window (``WindowDataset.mel``).
            pose: (b, t, 74, 2) float, the pose-prior points of the same frames (:data:`~.landmarks.POSE`).
            refs: (b, r, 131, 2) float, the reference frames' points (:data:`~.landmarks.ALL`).

        Returns:
            (b, t, 57, 2): lips (40) then jaw (17) (:data:`~.landmarks.CONTENT`), in the inputs' coordinates.
        """
        b, t = mel.shape[:2]
        r = refs.shape[1]
        if mel.ndim != 4 or pose.shape[:2] != (b, t) or pose.shape[2:] != (NUM_POSE, 2):
            raise ValueError(f"expected mel (b, t, 80, 16) and pose (b, t, {NUM_POSE}, 2), got "
                             f"{tuple(mel.shape)} and {tuple(pose.shape)}")
        if refs.ndim != 4 or refs.shape[0] != b or refs.shape[2:] != (NUM_ALL, 2) or r < 1:
            raise ValueError(f"expected refs (b, r >= 1, {NUM_ALL}, 2), got {tuple(refs.shape)}")
        audio = self.audio_encoder(mel.flatten(0, 1)).unflatten(0, (b, t))  # a_t, Eq. 1
        pose_tokens = self.pose_encoder(pose.flatten(0, 1)).unflatten(0, (b, t))  # p_t, Eq. 2
        ref_tokens = self.reference_encoder(refs.flatten(0, 1)).unflatten(0, (b, r))  # r_i, Eq. 3
        tokens = torch.cat([ref_tokens, audio, pose_tokens], dim=1)  # z^0: [N_l refs | T audio | T pose]

        device = tokens.device
        frames = torch.arange(t, device=device)
        modality = torch.cat([torch.full((r,), _REF, device=device), torch.full((t,), _AUDIO, device=device),
                              torch.full((t,), _POSE, device=device)])
        positions = torch.cat([torch.full((r,), -1, device=device), frames, frames])  # Eq. 6: refs have none
        z = self.transformer(tokens, modality=modality, positions=positions)  # Eqs. 4-7

        lips = self.lip_head(z[:, r:r + t]).unflatten(-1, (NUM_LIP, 2))  # Eq. 8
        jaw = self.jaw_head(z[:, r + t:]).unflatten(-1, (NUM_JAW, 2))  # Eq. 9
        return self.base_shape(pose, refs) + torch.cat([lips, jaw], dim=2)
