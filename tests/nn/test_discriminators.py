import torch

from talkinghead.nn import MultiScaleDiscriminator, PatchDiscriminator


def test_patch_discriminator_component(check_component):
    check_component(
        lambda: PatchDiscriminator(3, base_channels=4, num_layers=3),
        lambda g: (torch.randn(2, 3, 32, 32, generator=g),),
        [(2, 4, 16, 16), (2, 8, 8, 8), (2, 16, 4, 4), (2, 32, 3, 3), (2, 1, 2, 2)],
    )


def test_patch_discriminator_1d_component(check_component):
    # MergeTalk's pose discriminator input: 6 pose parameters over a 64-frame window.
    check_component(
        lambda: PatchDiscriminator(6, base_channels=4, num_layers=2, norm="batch", spatial_dims=1),
        lambda g: (torch.randn(2, 6, 64, generator=g),),
        [(2, 4, 32), (2, 8, 16), (2, 16, 15), (2, 1, 14)],
    )


def test_multiscale_discriminator_component(check_component):
    module = check_component(
        lambda: MultiScaleDiscriminator(3, num_scales=2, base_channels=4, num_layers=2),
        lambda g: (torch.randn(2, 3, 32, 32, generator=g),),
        [(2, 4, 16, 16), (2, 8, 8, 8), (2, 16, 7, 7), (2, 1, 6, 6), (2, 4, 8, 8)],
    )
    outputs = module(torch.randn(1, 3, 32, 32))
    assert len(outputs) == 2 and [o[-1].shape[-1] for o in outputs] == [6, 2]
