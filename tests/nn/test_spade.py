import torch

from talkinghead.nn import SPADE, SPADEResBlock


def test_spade_component(check_component):
    check_component(
        lambda: SPADE(channels=6, cond_channels=3, hidden_channels=8),
        lambda g: (torch.randn(2, 6, 8, 8, generator=g), torch.rand(2, 3, 16, 16, generator=g)),
        [(2, 6, 8, 8)],
    )


def test_spade_output_follows_condition_map():
    torch.manual_seed(0)
    spade = SPADE(4, 1, hidden_channels=8).eval()
    x = torch.randn(1, 4, 8, 8)
    cond = torch.zeros(1, 1, 8, 8)
    cond_left = cond.clone()
    cond_left[..., :4] = 1.0
    a, b = spade(x, cond), spade(x, cond_left)
    # Changing the condition on the left half changes the output there, and (3x3 convs, two layers) not far right.
    assert (a[..., :3] - b[..., :3]).abs().max() > 1e-3
    assert torch.allclose(a[..., 7:], b[..., 7:])


def test_spade_resblock_component(check_component):
    check_component(
        lambda: SPADEResBlock(4, 6, cond_channels=2, hidden_channels=8),
        lambda g: (torch.randn(2, 4, 8, 8, generator=g), torch.rand(2, 2, 8, 8, generator=g)),
        [(2, 6, 8, 8)],
    )
