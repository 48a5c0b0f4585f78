"""Network blocks shared by the five methods, each citing the paper that uses it.

=========================  ============================================================  =======================
block                      used by                                                       file
=========================  ============================================================  =======================
SPADE, SPADEResBlock       IP-LAP alignment / translation modules (Sec. 3.2.1-3.2.2)     spade.py
AdaIN                      IP-LAP translation (Sec. 3.2.2), OSM-Net generator (III-C)    adain.py
PixelShuffleUpsample       IP-LAP (Sec. 3.2.1-3.2.2)                                     upsample.py
ResBlock2d, ResBlock1d     OSM-Net, VividTalk, IP-LAP encoders                           residual.py
TransformerEncoder         IP-LAP landmark generator (Eqs. 4-7), VividTalk (Sec. 3.2)    transformer.py
MultiHeadSelfAttention,    MergeTalk SAM (Sec. II-B) and MergeBlock (Sec. II-C)          attention.py
SelfAttention2d
GRUEncoder                 MergeTalk expression / pose networks (Sec. II-B)              gru.py
MelEncoder                 IP-LAP E_a (Eq. 1), MergeTalk audio features (Wav2Lip)        mel_encoder.py
VectorQuantizer            VividTalk head-pose codebook (Eq. 5, Sec. 3.4)                vector_quantizer.py
ModulatedConv2d,           MergeTalk's StyleGAN2 generator (Sec. II-C)                   modulated_conv.py
StyledConv2d
PatchDiscriminator         MergeTalk L_patch (Eq. 3), IP-LAP L_g; 1D for pose windows    patch_discriminator.py
MultiScaleDiscriminator    pix2pixHD D for IP-LAP / VividTalk feature matching           multiscale_discriminator.py
tapped_outputs             VGG perceptual losses, LPIPS backbones                        taps.py
=========================  ============================================================  =======================

Every block takes device and dtype from its inputs, records its constructor arguments (``module.config``) and
saves to / loads from a folder with :func:`save_pretrained` / :func:`from_pretrained`.
"""

from talkinghead.nn.adain import AdaIN
from talkinghead.nn.attention import MultiHeadSelfAttention, SelfAttention2d
from talkinghead.nn.device import select_device
from talkinghead.nn.gru import GRUEncoder
from talkinghead.nn.mel_encoder import MelEncoder
from talkinghead.nn.modulated_conv import ModulatedConv2d, StyledConv2d
from talkinghead.nn.multiscale_discriminator import MultiScaleDiscriminator
from talkinghead.nn.normalization import Norm, norm_layer
from talkinghead.nn.patch_discriminator import PatchDiscriminator
from talkinghead.nn.positional import SinusoidalPositionalEncoding, sinusoidal_positions
from talkinghead.nn.pretrained import ConfigMixin, from_pretrained, save_pretrained
from talkinghead.nn.residual import ResBlock1d, ResBlock2d
from talkinghead.nn.spade import SPADE, SPADEResBlock
from talkinghead.nn.taps import tapped_outputs
from talkinghead.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from talkinghead.nn.upsample import PixelShuffleUpsample
from talkinghead.nn.vector_quantizer import QuantizerOutput, VectorQuantizer

__all__ = [
    "AdaIN",
    "ConfigMixin",
    "GRUEncoder",
    "MelEncoder",
    "ModulatedConv2d",
    "MultiHeadSelfAttention",
    "MultiScaleDiscriminator",
    "Norm",
    "PatchDiscriminator",
    "PixelShuffleUpsample",
    "QuantizerOutput",
    "ResBlock1d",
    "ResBlock2d",
    "SPADE",
    "SPADEResBlock",
    "SelfAttention2d",
    "SinusoidalPositionalEncoding",
    "StyledConv2d",
    "tapped_outputs",
    "select_device",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "VectorQuantizer",
    "from_pretrained",
    "norm_layer",
    "save_pretrained",
    "sinusoidal_positions",
]
