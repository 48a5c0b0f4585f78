import torch
import torch.nn.functional as F

from talkinghead.nn import PixelShuffleUpsample


def test_pixel_shuffle_component(check_component):
    check_component(
        lambda: PixelShuffleUpsample(4, 3, scale=2),
        lambda g: (torch.randn(2, 4, 5, 6, generator=g),),
        [(2, 3, 10, 12)],
    )


def test_icnr_init_is_nearest_neighbour_upsampling_of_a_convolution():
    torch.manual_seed(0)
    up = PixelShuffleUpsample(3, 2, scale=3)
    x = torch.randn(1, 3, 4, 4)
    y = up(x)
    conv = F.conv2d(x, up.conv.weight[::9], up.conv.bias[::9], padding=1)
    assert torch.allclose(y, F.interpolate(conv, scale_factor=3, mode="nearest"), atol=1e-6)
