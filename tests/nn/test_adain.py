import torch

from talkinghead.nn import AdaIN


def test_adain_component_2d(check_component):
    check_component(
        lambda: AdaIN(channels=5, cond_dim=7),
        lambda g: (torch.randn(3, 5, 4, 4, generator=g), torch.randn(3, 7, generator=g)),
        [(3, 5, 4, 4)],
    )


def test_adain_component_1d(check_component):
    check_component(
        lambda: AdaIN(channels=5, cond_dim=7),
        lambda g: (torch.randn(3, 5, 9, generator=g), torch.randn(3, 7, generator=g)),
        [(3, 5, 9)],
    )


def test_adain_sets_channel_statistics_from_condition():
    adain = AdaIN(channels=2, cond_dim=1)
    with torch.no_grad():
        adain.to_scale_shift.weight.zero_()
        adain.to_scale_shift.bias.copy_(torch.tensor([1.0, -0.5, 3.0, 2.0]))  # gamma - 1, beta
    x = torch.randn(4, 2, 16, 16) * 7 + 5
    y = adain(x, torch.zeros(4, 1))
    # Eq. 8: mean = beta, std = 1 + gamma, per sample and channel.
    assert torch.allclose(y.mean(dim=(2, 3)), torch.tensor([3.0, 2.0]).expand(4, 2), atol=1e-4)
    assert torch.allclose(y.std(dim=(2, 3), unbiased=False), torch.tensor([2.0, 0.5]).expand(4, 2), atol=1e-3)
