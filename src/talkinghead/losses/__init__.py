"""Losses as small callables; each method combines them with named weights (STYLE.md 17).

================================  ===================================================  ==================
loss                              papers                                               file
================================  ===================================================  ==================
MaskedL1Loss                      reconstruction terms of all five; ControlTalk mask   reconstruction.py
PerceptualLoss, perceptual_loss   IP-LAP Eqs. 17-18, OSM-Net Eq. 13, VividTalk,        perceptual.py
                                  ControlTalk Eq. 4 (VGG-19 from a user file, else a
                                  documented weight-free fallback)
GramStyleLoss                     IP-LAP Eq. 19, OSM-Net Eq. 14                        style.py
LSGANLoss, HingeGANLoss,          IP-LAP L_g, MergeTalk L_patch / pose GAN,            adversarial.py
NonSaturatingGANLoss,             VividTalk / IP-LAP L_fm (pix2pixHD)
FeatureMatchingLoss
CategoricalKLLoss, GaussianKLLoss OSM-Net Eq. 4; VividTalk motion-VAE                  kl.py
VQLoss                            VividTalk Eqs. 12-13                                 vq.py
LandmarkL1Loss,                   IP-LAP Eqs. 10-11, OSM-Net Eq. 9                     landmark.py
LandmarkContinuityLoss,
WeightedLandmarkLoss
ssim                              metric, and the fallback perceptual loss             ssim.py
weighted_sum                      combines named terms with named weights              weighted.py
================================  ===================================================  ==================
"""

from talkinghead.losses.adversarial import FeatureMatchingLoss, HingeGANLoss, LSGANLoss, NonSaturatingGANLoss
from talkinghead.losses.image_features import (
    VGG19_LAYER_WEIGHTS,
    VGG19_LAYERS,
    PyramidFeatures,
    VGG19Features,
    image_features,
)
from talkinghead.losses.kl import CategoricalKLLoss, GaussianKLLoss
from talkinghead.losses.landmark import LandmarkContinuityLoss, LandmarkL1Loss, WeightedLandmarkLoss
from talkinghead.losses.perceptual import PerceptualLoss, perceptual_loss
from talkinghead.losses.reconstruction import MaskedL1Loss, masked_mean
from talkinghead.losses.ssim import ssim
from talkinghead.losses.style import GramStyleLoss, gram_matrix
from talkinghead.losses.vq import VQLoss
from talkinghead.losses.weighted import weighted_sum

__all__ = [
    "CategoricalKLLoss",
    "FeatureMatchingLoss",
    "GaussianKLLoss",
    "GramStyleLoss",
    "HingeGANLoss",
    "LSGANLoss",
    "LandmarkContinuityLoss",
    "LandmarkL1Loss",
    "MaskedL1Loss",
    "NonSaturatingGANLoss",
    "PerceptualLoss",
    "PyramidFeatures",
    "VGG19Features",
    "VGG19_LAYERS",
    "VGG19_LAYER_WEIGHTS",
    "VQLoss",
    "WeightedLandmarkLoss",
    "gram_matrix",
    "image_features",
    "masked_mean",
    "perceptual_loss",
    "ssim",
    "weighted_sum",
]
