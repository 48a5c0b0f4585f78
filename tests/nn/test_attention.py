import torch

from talkinghead.nn import MultiHeadSelfAttention, SelfAttention2d


def test_self_attention_component(check_component):
    check_component(
        lambda: MultiHeadSelfAttention(12, heads=3),
        lambda g: (torch.randn(2, 5, 12, generator=g),),
        [(2, 5, 12)],
    )


def test_self_attention_2d_component(check_component):
    check_component(
        lambda: SelfAttention2d(8, heads=2),
        lambda g: (torch.randn(2, 8, 3, 4, generator=g),),
        [(2, 8, 3, 4)],
    )


def test_attention_is_permutation_equivariant():
    torch.manual_seed(0)
    attention = MultiHeadSelfAttention(8, heads=2)
    x = torch.randn(1, 6, 8)
    perm = torch.randperm(6)
    assert torch.allclose(attention(x)[:, perm], attention(x[:, perm]), atol=1e-5)
