import pytest
import torch

from talkinghead.losses import FeatureMatchingLoss, HingeGANLoss, LSGANLoss, NonSaturatingGANLoss
from talkinghead.nn import MultiScaleDiscriminator


def test_lsgan_values():
    loss = LSGANLoss()
    real, fake = torch.full((2, 1, 3, 3), 0.5), torch.full((2, 1, 3, 3), 0.25)
    assert torch.isclose(loss.discriminator(real, fake), torch.tensor(0.25 + 0.0625))
    assert torch.isclose(loss.generator(fake), torch.tensor(0.5625))


def test_hinge_values():
    loss = HingeGANLoss()
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    assert torch.isclose(loss.discriminator(real, fake), torch.tensor((0 + 0.5) / 2 + (0 + 1) / 2))
    assert torch.isclose(loss.generator(fake), torch.tensor(1.0))


def test_non_saturating_matches_bce():
    loss = NonSaturatingGANLoss()
    real, fake = torch.randn(5), torch.randn(5)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    expected = bce(real, torch.ones(5)) + bce(fake, torch.zeros(5))
    assert torch.isclose(loss.discriminator(real, fake), expected, atol=1e-6)
    assert torch.isclose(loss.generator(fake), bce(fake, torch.ones(5)), atol=1e-6)


@pytest.mark.parametrize("gan", [LSGANLoss(), HingeGANLoss(), NonSaturatingGANLoss()])
def test_gan_losses_drive_the_discriminator_apart(gan):
    # A few discriminator steps on fixed real / fake sets lower its loss and raise the generator's.
    torch.manual_seed(0)
    disc = MultiScaleDiscriminator(3, num_scales=2, base_channels=4, num_layers=2)
    g = torch.Generator().manual_seed(1)
    real = torch.rand(4, 3, 32, 32, generator=g)
    fake = torch.rand(4, 3, 32, 32, generator=g) * 0.3
    opt = torch.optim.Adam(disc.parameters(), lr=1e-2)
    before = gan.discriminator(disc(real), disc(fake)).item()
    g_before = gan.generator(disc(fake)).item()
    for _ in range(20):
        opt.zero_grad()
        gan.discriminator(disc(real), disc(fake)).backward()
        opt.step()
    assert gan.discriminator(disc(real), disc(fake)).item() < 0.5 * before
    assert gan.generator(disc(fake)).item() > g_before


def test_feature_matching_ignores_logits_and_detaches_real():
    real = [[torch.ones(1, 2, 4, 4), torch.zeros(1, 1, 2, 2)], [torch.ones(1, 2, 2, 2), torch.zeros(1, 1, 1, 1)]]
    fake = [[torch.zeros(1, 2, 4, 4, requires_grad=True), torch.full((1, 1, 2, 2), 9.0)],
            [torch.full((1, 2, 2, 2), 3.0, requires_grad=True), torch.full((1, 1, 1, 1), 9.0)]]
    real[0][0].requires_grad_(True)
    loss = FeatureMatchingLoss()(real, fake)
    assert torch.isclose(loss, torch.tensor((1.0 + 2.0) / 2))  # mean over the 2 scales, logits left out
    loss.backward()
    assert real[0][0].grad is None and fake[0][0].grad is not None
