import pytest
import torch

from talkinghead.nn import ResBlock1d, ResBlock2d


@pytest.mark.parametrize("norm", ["batch", "instance", "group", "none"])
def test_resblock2d_component(check_component, norm):
    check_component(
        lambda: ResBlock2d(4, 8, stride=2, norm=norm),
        lambda g: (torch.randn(2, 4, 8, 8, generator=g),),
        [(2, 8, 4, 4)],
    )


def test_resblock1d_component(check_component):
    check_component(
        lambda: ResBlock1d(3, norm="batch"),
        lambda g: (torch.randn(2, 3, 11, generator=g),),
        [(2, 3, 11)],
    )


def test_identity_skip_when_shapes_match():
    block = ResBlock2d(4)
    assert isinstance(block.skip, torch.nn.Identity)
    assert not isinstance(ResBlock2d(4, 5).skip, torch.nn.Identity)
