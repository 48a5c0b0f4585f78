import torch

from talkinghead.nn import TransformerEncoder, sinusoidal_positions


def ip_lap_layout(n_ref: int, t: int):
    """Token layout of IP-LAP Eqs. 4-6: references (no position), audio and pose frames (positions 0..t-1)."""
    modality = torch.tensor([0] * n_ref + [1] * t + [2] * t)
    positions = torch.cat([torch.full((n_ref,), -1), torch.arange(t), torch.arange(t)])
    return modality, positions


def test_transformer_component(check_component):
    modality, positions = ip_lap_layout(3, 5)
    check_component(
        lambda: TransformerEncoder(dim=16, depth=2, heads=4, num_modalities=3),
        lambda g: (torch.randn(2, 13, 16, generator=g), modality, positions),
        [(2, 13, 16)],
    )


def test_sinusoidal_positions_match_the_formula():
    pe = sinusoidal_positions(torch.arange(7), 8)
    t, i = 5, 1
    assert torch.isclose(pe[t, 2 * i], torch.sin(torch.tensor(t / 10000 ** (2 * i / 8))))
    assert torch.isclose(pe[t, 2 * i + 1], torch.cos(torch.tensor(t / 10000 ** (2 * i / 8))))


def test_position_and_modality_change_the_encoding():
    torch.manual_seed(0)
    encoder = TransformerEncoder(dim=8, depth=1, heads=2, num_modalities=2).eval()
    tokens = torch.zeros(1, 2, 8)
    same = encoder(tokens, modality=torch.tensor([0, 0]), positions=torch.tensor([-1, -1]))
    assert torch.allclose(same[0, 0], same[0, 1])  # identical tokens, no position: identical outputs
    moved = encoder(tokens, modality=torch.tensor([0, 0]), positions=torch.tensor([-1, 3]))
    assert not torch.allclose(moved[0, 0], moved[0, 1], atol=1e-4)
    typed = encoder(tokens, modality=torch.tensor([0, 1]), positions=torch.tensor([-1, -1]))
    assert not torch.allclose(typed[0, 0], typed[0, 1], atol=1e-4)


def test_padding_mask_hides_tokens():
    torch.manual_seed(0)
    encoder = TransformerEncoder(dim=8, depth=2, heads=2).eval()
    tokens = torch.randn(1, 4, 8)
    mask = torch.tensor([[True, True, True, False]])
    a = encoder(tokens, mask=mask)
    other = tokens.clone()
    other[0, 3] = 100.0
    b = encoder(other, mask=mask)
    assert torch.allclose(a[:, :3], b[:, :3], atol=1e-5)
