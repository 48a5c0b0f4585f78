import torch

from talkinghead.nn import ModulatedConv2d, StyledConv2d


def test_modulated_conv_component(check_component):
    check_component(
        lambda: ModulatedConv2d(4, 6, 3, style_dim=5, upsample=True),
        lambda g: (torch.randn(2, 4, 5, 5, generator=g), torch.randn(2, 5, generator=g)),
        [(2, 6, 10, 10)],
    )


def test_styled_conv_component(check_component):
    check_component(
        lambda: StyledConv2d(4, 6, 3, style_dim=5),
        lambda g: (torch.randn(2, 4, 5, 5, generator=g), torch.randn(2, 5, generator=g),
                   torch.randn(2, 1, 5, 5, generator=g)),
        [(2, 6, 5, 5)],
    )


def test_demodulation_gives_unit_norm_weights_per_output_channel():
    torch.manual_seed(0)
    conv = ModulatedConv2d(4, 3, 3, style_dim=2)
    # A delta input at the centre reads out the (flipped) per-sample kernel of each output channel.
    x = torch.zeros(2, 4, 3, 3)
    style = torch.randn(2, 2) * 3
    norms = []
    for i in range(4):
        xi = x.clone()
        xi[:, i, 1, 1] = 1.0
        norms.append(conv(xi, style).square().sum(dim=(2, 3)))
    # sum over input channels and taps of w''^2 == 1 (Eq. 3), whatever the style.
    assert torch.allclose(torch.stack(norms).sum(0), torch.ones(2, 3), atol=1e-4)


def test_each_sample_uses_its_own_style():
    torch.manual_seed(0)
    conv = ModulatedConv2d(2, 2, 3, style_dim=3, demodulate=False)
    x = torch.randn(1, 2, 4, 4).expand(2, -1, -1, -1)
    styles = torch.randn(2, 3)
    both = conv(x, styles)
    assert torch.allclose(both[1:], conv(x[1:], styles[1:]), atol=1e-6)
    assert not torch.allclose(both[0], both[1])
